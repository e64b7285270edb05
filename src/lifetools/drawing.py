"""What a figure draws: a digest of its data artists, recorded when it is protected.

A :mod:`lifetools.plots` function protects the figure it drew
(:func:`lifetools.publication.mark_protected`), which records the digest of the data
drawn (:func:`record_drawing`); :func:`lifetools.publication.show_figure` refuses a
figure whose data changed since, and a plot function refuses to draw into axes whose
figure already draws unprotected data (:mod:`lifetools.plots.theme`). Both sides read
the digest here: this module imports neither.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

__all__ = ["drawn_data", "record_drawing", "recorded_drawing"]

_DRAWN_ATTR = "_lifetools_drawn"


def _artist_data(artist: Any) -> Any:
    """What one data artist draws, in data coordinates (bytes to compare)."""
    parts: list[Any] = [type(artist).__name__]
    if hasattr(artist, "get_xydata"):  # a line
        parts.append(np.asarray(artist.get_xydata(), dtype=float))
    elif hasattr(artist, "get_offsets"):  # a collection: scatter, fill_between
        parts.append(np.asarray(artist.get_offsets(), dtype=float))
        parts += [np.asarray(path.vertices, dtype=float) for path in artist.get_paths()]
    elif hasattr(artist, "get_patch_transform"):  # a patch: a bar, a polygon
        parts.append(np.asarray(artist.get_patch_transform().transform(
            artist.get_path().vertices), dtype=float))
    elif hasattr(artist, "get_array"):  # an image
        parts.append(np.asarray(artist.get_array(), dtype=float))
    return tuple(p.tobytes() if hasattr(p, "tobytes") else p for p in parts)


def drawn_data(fig: Any) -> str:
    """A digest of every data artist of ``fig`` (each axes' lines, patches,
    collections and images, in data coordinates): a protected figure records it
    (:func:`record_drawing`), and :func:`lifetools.publication.show_figure` requires
    the figure to draw the same data when shown, so that bars, lines or points drawn
    onto a protected figure afterwards (raw counts over a run chart) are refused.
    Texts are checked by their own rules."""
    digest = hashlib.sha256()
    for ax in fig.axes:
        for group in (ax.lines, ax.patches, ax.collections, ax.images):
            digest.update(f"[{len(group)}]".encode())
            for artist in group:
                digest.update(repr(_artist_data(artist)).encode())
    return digest.hexdigest()


def recorded_drawing(fig: Any) -> str | None:
    """The digest :func:`record_drawing` recorded of ``fig``'s data (None: unmarked)."""
    return getattr(fig, _DRAWN_ATTR, None)


def record_drawing(fig: Any) -> None:
    """Record on ``fig`` the digest of the data it draws now (:func:`drawn_data`)."""
    setattr(fig, _DRAWN_ATTR, drawn_data(fig))
