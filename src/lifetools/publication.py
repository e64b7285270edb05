"""The display protocol: what a notebook may show, stamped for the publish gate.

A report shows protected tables (:func:`lifetools.tables.show_table`), figures drawn by
:mod:`lifetools.plots` (:func:`show_figure`) and key results (:func:`record`). Each
display carries a stamp in its output metadata (``{"lifetools": {...}}``) that the publish
gate (:mod:`lifetools.pipeline.gate`) looks for, and each writes a machine-readable copy beside
the page in :func:`lifetools.config.output_dir` (``tables/*.csv``, ``figures/*.png``,
``results.json``), so collaborators can reuse the numbers without scraping.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import io
import json
import math
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lifetools import config
from lifetools.disclosure import (
    Estimate,
    Interval,
    Level,
    ProtectedText,
    ProtectedValue,
    Reason,
    active_profile,
    compose,
    protect_text,
    protected_count,
    write_csv,
)
from lifetools.disclosure.downloads import (
    PROPORTION_PLACES,
    header_rules,
    written_record,
)
from lifetools.disclosure.figure_texts import require_figure_texts_pass
from lifetools.disclosure.models import ModelRelease
from lifetools.disclosure.prose import label_findings, name_findings
from lifetools.disclosure.rules import count_cast_to_decimals
from lifetools.disclosure.statistics import names_statistic
from lifetools.disclosure.table_cells import source_parameters
from lifetools.disclosure.withheld import (
    CONFIDENTIAL,
    KINDS,
    NOT_SHOWN,
    UNAVAILABLE,
    kind_of,
    public_reason,
)
from lifetools.drawing import drawn_data, record_drawing, recorded_drawing
from lifetools.errors import DisclosureError
from lifetools.figure_style import DPI, NARROW_MEDIA, REDRAW_ATTR, narrow_layout, theme
from lifetools.formatting import MISSING, finite, format_value
from lifetools.labels import column_label

__all__ = [
    "ESTIMATE_KINDS",
    "GLUE_PREFIX",
    "STAMP_KEY",
    "KeyResult",
    "KeyResults",
    "NARROW_SUFFIX",
    "FIGURES_FOLDER",
    "RESULTS_FILE",
    "TABLES_FOLDER",
    "PublishedFigure",
    "figure_download_rules",
    "figure_downloads",
    "format_number",
    "drawn_data",
    "is_marked",
    "mark_protected",
    "recorded_drawing",
    "require_drawn_as_protected",
    "read_results",
    "record",
    "record_all",
    "record_counts",
    "seal",
    "show_figure",
    "stamp",
]

STAMP_KEY = "lifetools"
RESULTS_FILE = "results.json"
"""The file of a run's key results (:func:`record` writes it, :func:`read_results` reads
it; the publish gate checks it by this name, its relations call it a table of this name)."""
TABLES_FOLDER = "tables"
"""The folder of a run's output that :func:`lifetools.tables.show_table` writes its CSV
downloads (and their notes) in; the book, the run record and the gate read them there."""
FIGURES_FOLDER = "figures"
"""The folder of a run's output that :func:`show_figure` writes its PNGs and their data
in; the book and the gate read them there."""
GLUE_PREFIX = "application/papermill.record/"
_FIGURE_ATTR = "_lifetools_stamp"
_DATA_ATTR = "_lifetools_data"
_ALT_ATTR = "_lifetools_alt"
_PROPORTIONS_ATTR = "_lifetools_proportions"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")

ResultKind = Literal["count", "estimate", "ratio", "percentage", "share", "rate",
                     "mean", "difference", "interval", "text"]
PROTECTED_KINDS = {"count": "count", "percentage": "share", "share": "share",
                   "rate": "rate", "mean": "mean", "difference": "difference"}
"""Result kinds that carry a count or a number derived from counts, and the
:class:`~lifetools.disclosure.ProtectedValue` kind each needs."""
ESTIMATE_KINDS = ("estimate", "ratio", "interval")
"""Result kinds recorded as given (a model's numbers): no disclosure rule made them."""


def stamp(kind: str, name: str, **details: Any) -> dict[str, Any]:
    """Return the output metadata that marks a display as protected."""
    return {STAMP_KEY: {"protected": True, "kind": kind, "name": name, **details}}


SEAL_ENV = "LIFETOOLS_SEAL_KEY"


def seal(data: dict[str, Any], metadata: dict[str, Any]) -> tuple[dict, dict]:
    """Seal a stamped display: HMAC-SHA256 of its content and stamp, keyed by the run.

    The key is the per-run secret the pipeline's runner passes to the kernel in
    ``LIFETOOLS_SEAL_KEY`` (never written to disk); without it (an interactive session)
    the display is returned unsealed, and the publish gate refuses it. The message is
    the canonical JSON of ``{"data": data, "stamp": stamp}``; the gate recomputes it
    (:func:`lifetools.pipeline.gate.seals.seal_digest`, tested in
    ``tests/leaks/test_leaks.py``).
    """
    key = os.environ.get(SEAL_ENV)
    if not key or STAMP_KEY not in metadata:
        return data, metadata
    mark = json.loads(json.dumps(metadata[STAMP_KEY], default=_json_value))
    message = json.dumps({"data": data, "stamp": mark}, sort_keys=True,
                         separators=(",", ":"), ensure_ascii=True, default=str)
    digest = hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()
    return data, {**metadata, STAMP_KEY: {**mark, "seal": digest}}


NARROW_SUFFIX = "-narrow"
"""File stem suffix of a figure's narrow-phone rendering: ``figures/<name>-narrow.png``."""


def check_name(name: str) -> str:
    """Return ``name`` if it is a safe file stem (lower case, digits, ``_``, ``-``)."""
    if not _NAME.match(name):
        raise ValueError(
            f"output name {name!r} must be lower case letters, digits, '_' or '-'"
        )
    for rule, detail in name_findings(name, active_profile())[:1]:
        # the name is published: the download's file name and link, results.json
        raise DisclosureError(f"output name {name!r}: {detail} (rule {rule!r})",
                              hint="name the output by what it shows, without its numbers")
    return name


def mark_protected(fig: Any, *, rules: dict[str, Any] | None = None,
                   data: dict[str, Any] | None = None, alt: str | None = None,
                   proportions: dict[str, Any] | None = None) -> Any:
    """Mark a matplotlib figure as drawn from protected data; return it.

    Only :mod:`lifetools.plots` functions call this, after applying disclosure control
    to whatever counts they plot: a call from anywhere else (a notebook marking a
    histogram it drew itself) is refused with :class:`DisclosureError` (rule
    ``figure-marked-by-hand``). ``data`` is what the figure draws, as protected
    tables keyed by a file suffix (``""`` for ``<name>.csv``, ``"at-risk"`` for
    ``<name>-at-risk.csv``), published beside the figure by :func:`show_figure`;
    ``alt`` is alt text generated from the data drawn; ``proportions``: by the same
    suffix, the columns of risks the figure draws on a per-cent axis, which its
    download writes as proportions to
    :data:`~lifetools.disclosure.downloads.PROPORTION_PLACES` places, as the page's
    table's (:func:`lifetools.tables.show_table`).
    """
    caller = sys._getframe(1).f_globals.get("__name__", "")
    if not caller.startswith("lifetools.plots"):
        raise DisclosureError(
            f"mark_protected was called from {caller!r}: only a lifetools.plots function "
            "marks a figure it drew from protected tables, so a figure drawn by hand "
            "cannot be marked protected (rule 'figure-marked-by-hand')",
            hint="draw it with a lt.plots.plot_* function")
    return _mark_protected(fig, rules=rules, data=data, alt=alt, proportions=proportions)


def _mark_protected(fig: Any, *, rules: dict[str, Any] | None = None,
                    data: dict[str, Any] | None = None, alt: str | None = None,
                    proportions: dict[str, Any] | None = None) -> Any:
    """:func:`mark_protected` once its caller is known to be a plot function (tests
    stand in for one with it)."""
    setattr(fig, _FIGURE_ATTR, dict(rules or {}))
    setattr(fig, _DATA_ATTR, dict(data or {}))
    setattr(fig, _PROPORTIONS_ATTR, {k: tuple(v) for k, v in (proportions or {}).items()})
    setattr(fig, _ALT_ATTR, alt)
    record_drawing(fig)
    return fig


def require_drawn_as_protected(fig: Any, *, name: str) -> None:
    """Refuse a figure drawn on after its plot function protected it (at source).

    Raises
    ------
    DisclosureError
        When the figure's data artists are not those :func:`mark_protected` recorded
        (a bar, a line, points or an image added or changed afterwards).
    """
    if recorded_drawing(fig) != drawn_data(fig):
        raise DisclosureError(
            f"figure {name!r} draws data that its lifetools.plots function did not "
            "protect: bars, lines, points or an image were added to it (or changed) "
            "after the plot function drew it (rule 'figure-drawn-after-protection')",
            hint="draw only with lt.plots functions, from protected tables; a title or "
                 "labels may be set afterwards")


def is_marked(fig: Any) -> bool:
    """Tell whether ``fig`` was marked by :func:`mark_protected`."""
    return hasattr(fig, _FIGURE_ATTR)


def render_png(fig: Any, *, dpi: int = DPI) -> bytes:
    """Render a figure as PNG bytes without volatile metadata (deterministic).

    192 dots per inch is twice the 96 CSS pixels per inch a browser draws the figure
    at (:data:`lifetools.figure_style.DPI`), so it stays sharp on phone screens. The
    image is reduced to a palette of 256 colours (Pillow's fast octree, no dithering),
    which keeps flat chart colours and a third of the bytes. Saved in the settings it
    was drawn in (:func:`lifetools.figure_style.theme`), whatever the caller's are.
    """
    from PIL import Image

    buffer = io.BytesIO()
    with theme():
        fig.savefig(
            buffer,
            format="png",
            dpi=dpi,
            bbox_inches="tight",
            metadata={"Software": None},
            facecolor="white",
        )
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE,
                             dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


@dataclass(frozen=True)
class PublishedFigure:
    """A figure shown in a report: PNG with alt text and caption, its data, stamped."""

    name: str
    alt: str
    caption: str
    png: bytes = field(repr=False)
    rules: dict[str, Any] = field(default_factory=dict)
    texts: tuple[str, ...] = ()
    downloads: tuple[str, ...] = ()
    download_rules: dict[str, Any] = field(default_factory=dict)
    """What protected each download's columns (:func:`figure_download_rules`)."""
    size: tuple[int, int] = (0, 0)
    """Width and height in CSS pixels (half the PNG's pixels: it is drawn at 2x)."""
    folder: str = ""
    narrow: bytes = field(default=b"", repr=False)
    """The rendering drawn for a narrow phone (empty when there is none)."""
    narrow_size: tuple[int, int] = (0, 0)
    media: str = ""
    """The media query of the screens that get ``narrow``."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None):
        encoded = base64.b64encode(self.png).decode("ascii")
        width, height = self.size
        dims = f' width="{width}" height="{height}"' if width else ""
        source = ""
        if self.narrow:  # art direction: a phone narrower than 390 px gets its own
            w, h = self.narrow_size
            source = (f'<source media="{html.escape(self.media)}" srcset="data:image/png;'
                      f'base64,{base64.b64encode(self.narrow).decode("ascii")}" '
                      f'width="{w}" height="{h}"/>')
        links = "; ".join(  # separated: two links never read as one long name
            f'<a href="{html.escape(self.folder + f)}" download>'
            f'{html.escape(_download_text(f))}</a>' for f in self.downloads)
        data_line = (f'<p class="lifetools-figure-data">Data behind this figure: {links}'
                     "</p>" if links else "")
        markup = (
            f'<figure class="lifetools-figure" id="figure-{self.name}">'
            + (f"<picture>{source}" if source else "")
            + f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(self.alt)}"'
            f'{dims} style="max-width:100%;height:auto"/>'
            + ("</picture>" if source else "") +
            f"<figcaption>{html.escape(self.caption)}</figcaption>{data_line}</figure>"
        )
        data = {"text/html": markup, "text/plain": f"Figure: {self.caption}"}
        return seal(data, stamp("figure", self.name, rules=self.rules,
                                texts=list(self.texts), downloads=list(self.downloads),
                                **({"download_rules": self.download_rules}
                                   if self.download_rules else {}),
                                **({"images": [f"figures/{self.name}{NARROW_SUFFIX}.png"]}
                                   if self.narrow else {})))


def _download_text(path: str) -> str:
    stem = path.rsplit("/", 1)[-1].removesuffix(".csv")
    return f"{stem} (CSV)"


def figure_download_rules(fig: Any, name: str) -> dict[str, dict[str, Any]]:
    """What protected each column of each table a figure draws, by its CSV's path.

    :func:`lifetools.disclosure.downloads.header_rules` of each table
    :func:`figure_downloads` writes, keyed by the same relative path: the figure's
    stamp carries it so that the publish gate verifies the downloads' counts and
    person-years by the rules that made them (``tests/leaks/test_download_leaks.py``).
    """
    proportions = getattr(fig, _PROPORTIONS_ATTR, {})
    return {f"figures/{check_name(f'{name}-{part}' if part else name)}.csv":
            {**header_rules(table), **({
                "proportion_headers": [column_label(c) for c in proportions[part]],
                "proportion_places": PROPORTION_PLACES} if proportions.get(part) else {})}
            for part, table in sorted(getattr(fig, _DATA_ATTR, {}).items())}


def figure_download_rules_paths(fig: Any, name: str) -> list[str]:
    """The relative paths of the CSVs a figure's tables are written to, in order."""
    return [f"figures/{check_name(f'{name}-{part}' if part else name)}.csv"
            for part, _ in sorted(getattr(fig, _DATA_ATTR, {}).items())]


def figure_downloads(fig: Any, name: str, folder: Path) -> tuple[str, ...]:
    """Write the protected tables a figure draws as ``figures/<name>[-<part>].csv``.

    Each goes through :func:`lifetools.disclosure.write_csv` (suppressed cells ``[c]``,
    with the notes file); returns the paths relative to the run's output folder.
    """
    written = []
    for part, table in sorted(getattr(fig, _DATA_ATTR, {}).items()):
        stem = check_name(f"{name}-{part}" if part else name)
        write_csv(table, folder / FIGURES_FOLDER / f"{stem}.csv",
                  proportions=getattr(fig, _PROPORTIONS_ATTR, {}).get(part, ()))
        written.append(f"figures/{stem}.csv")
    return tuple(written)


def show_figure(figure: Any, *, name: str, caption: str,
                alt: str | None = None) -> PublishedFigure:
    """Publish a figure drawn by a :mod:`lifetools.plots` function, with its data.

    Parameters
    ----------
    figure
        A matplotlib ``Figure`` or ``Axes`` returned by a ``lifetools.plots`` function.
    name
        File stem: the PNG is written to ``figures/<name>.png`` in the output folder,
        and the data drawn to ``figures/<name>.csv`` (and ``figures/<name>-<part>.csv``
        when the figure draws more than one table), linked under the caption. A
        figure the plot function made itself is drawn again for a narrow phone
        (:mod:`lifetools.plots.theme`) as ``figures/<name>-narrow.png``, served by a
        ``<picture>`` source to screens under 390 CSS px wide; its words are added
        to the texts the gate reads.
    caption
        The visible caption.
    alt
        Alternative text for screen readers. By default the text the plot function
        generated from the data it drew (so it cannot describe curves not drawn).

    Returns
    -------
    PublishedFigure
        Displayed by Jupyter as an accessible ``<figure>``, stamped for the gate.

    Raises
    ------
    DisclosureError
        If the figure was not drawn (and protected) by a ``lifetools.plots`` function,
        or if a text of it (or of its narrow drawing) breaks the publish gate's rules
        for a figure's texts (:mod:`lifetools.disclosure.figure_texts`).
    """
    import matplotlib.pyplot as plt

    fig = getattr(figure, "figure", figure)
    if not is_marked(fig):
        raise DisclosureError(
            f"figure {name!r} was not drawn by a lifetools.plots function, so its "
            "counts have not been through disclosure control",
            hint="draw it with a lt.plots.plot_* function",
        )
    require_drawn_as_protected(fig, name=name)
    alt = getattr(fig, _ALT_ATTR, None) if alt is None else alt
    if not (alt or "").strip() or not caption.strip():
        raise ValueError(f"figure {name!r} needs both alt text and a caption")
    png = render_png(fig)
    width, height = _png_size(png)
    texts = _figure_texts(fig)
    narrow, media = _narrow_rendering(fig)
    if narrow is not None:  # its words too (wrapped differently) go to the gate
        texts += tuple(t for t in _figure_texts(narrow) if t not in texts)
        narrow_png = render_png(narrow)
        plt.close(narrow)
    # the gate's rules for a figure's texts, on the texts its stamp will carry
    require_figure_texts_pass(texts, active_profile(),
                              source_parameters([[t] for t in texts]), name=name,
                              prose=bool(config.run_parameters()[0]))
    folder = config.output_dir()
    target = folder / FIGURES_FOLDER / f"{check_name(name)}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(png)
    if narrow is not None:
        target.with_name(f"{name}{NARROW_SUFFIX}.png").write_bytes(narrow_png)
    downloads = figure_downloads(fig, name, folder)
    download_rules = figure_download_rules(fig, name)
    tables = dict(zip(figure_download_rules_paths(fig, name),
                      (t for _, t in sorted(getattr(fig, _DATA_ATTR, {}).items())),
                      strict=True))
    for path in downloads:  # each download's notes and header words as written
        download_rules[path].update(written_record(folder / path, tables[path]))
    rules = dict(getattr(fig, _FIGURE_ATTR))
    plt.close(fig)
    # the site publishes a run's files under <analysis>/ beside the report page
    analysis = config.analysis()
    small = ((0, 0) if narrow is None else
             tuple((v + 1) // 2 for v in _png_size(narrow_png)))
    return PublishedFigure(name=name, alt=alt, caption=caption, png=png, rules=rules,
                           texts=texts, downloads=downloads,
                           download_rules=download_rules,
                           size=((width + 1) // 2, (height + 1) // 2),
                           folder=f"{analysis}/" if analysis else "",
                           narrow=b"" if narrow is None else narrow_png,
                           narrow_size=small, media=media)


def _undrawn_tick_labels(fig: Any) -> set[int]:
    """The ids of tick labels the figure does not draw.

    Matplotlib keeps the Tick objects of an earlier layout: a tick the current
    locator no longer asks for (or one outside the axis's view) keeps its old label
    text but is never drawn. The monthly referrals figure of a 3,000-person edition
    kept a "16" from a layout before its final limits (ticks 0 to 17.5 drawn), and the
    figure gate refused it as an unrounded count on no scale (wave 34).
    """
    undrawn: set[int] = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(float(v) for v in axis.get_view_interval())
            slack = (high - low) * 1e-9
            for kept, ticks in ((axis.get_major_ticks(), axis.majorTicks),
                                (axis.get_minor_ticks(), axis.minorTicks)):
                drawn = {id(t) for t in kept if low - slack <= t.get_loc() <= high + slack}
                undrawn |= {id(label) for tick in ticks if id(tick) not in drawn
                            for label in (tick.label1, tick.label2)}
    return undrawn


def _figure_texts(fig: Any) -> tuple[str, ...]:
    """Every text the figure draws (titles, labels, tick labels in view, annotations,
    legend entries), for the gate; a stale tick label it never draws is left out
    (:func:`_undrawn_tick_labels`).

    Drawn in the settings :func:`render_png` publishes it in
    (:func:`lifetools.figure_style.theme`): the tick locator spaces ticks by the tick
    labels' font size, so a draw in the caller's settings chose other ticks (the
    monthly referrals figure of a 3,000-person edition read 0.0, 2.5, ... 20.0 where
    its PNG shows 0, 5, 10, 15, 20), and the gate read texts that are not published.
    """
    with theme():
        fig.draw_without_rendering()  # laid out as drawn; no pixels needed (issue 16)
        undrawn = _undrawn_tick_labels(fig)
        return tuple(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))
                     if id(t) not in undrawn
                     and isinstance(t.get_text(), str) and t.get_text().strip())


def _narrow_rendering(fig: Any) -> tuple[Any, str]:
    """The figure drawn again for a narrow phone, and the media query that gets it.

    Only a figure a :mod:`lifetools.plots` function made itself can be drawn again
    (:func:`lifetools.plots.theme.redrawable`); ``(None, "")`` otherwise.
    """
    redraw = getattr(fig, REDRAW_ATTR, None)
    if redraw is None:
        return None, ""
    with narrow_layout():
        drawn = redraw()
    return getattr(drawn, "figure", drawn), NARROW_MEDIA


def _png_size(png: bytes) -> tuple[int, int]:
    """Pixel width and height from a PNG's IHDR chunk."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def format_number(value: Any, *, kind: str, digits: int = 2) -> str:
    """Format a key result for the narrative through :func:`lifetools.formatting.format_value`.

    A :class:`~lifetools.disclosure.ProtectedValue` share is shown with its Wilson
    95% interval; a suppressed one as "not shown (hidden to protect privacy)", never
    with the rule that hid it (:func:`lifetools.disclosure.withheld.public_reason`). ``digits`` applies to
    ratios, estimates and rates; percentages have one decimal place and counts none.
    """
    if isinstance(value, ProtectedValue):
        return str(_format_protected(value, digits=digits))
    places = digits if kind in ("ratio", "estimate", "rate", "interval") else None
    return format_value(value, kind=kind, digits=places)


def _format_protected(value: ProtectedValue, *, digits: int) -> ProtectedText:
    if value.value is None:
        if value.kind == "count":
            return compose("{n}", n=value)
        # one neutral reason whichever rule hid it: "group disclosure" beside a group
        # of 60 would say the hidden share is 0% or 100% (disclosure.withheld)
        return compose("not shown ({why})", why=Reason(public_reason(value.reason),
                                                       value.profile))
    if value.kind == "count":
        return compose("{n}", n=value)
    if value.kind == "share":
        d = max(digits - 1, 0)
        low, high = value.interval or (float("nan"), float("nan"))
        return compose("{v} ({level} CI {ci})", v=value, level=Level(95),
                       ci=Interval(low, high, d, percent=True, of=value))
    return compose("{v}", v=value)


def result_text(value: Any, *, kind: str, digits: int = 2) -> ProtectedText:
    """The text of a key result made from its value, every number a protected part.

    Counts, shares, rates, means and differences arrive as protected values; model
    estimates (``ratio``, ``estimate``) become an :class:`~lifetools.disclosure.Estimate`
    and ``interval`` two limits an :class:`~lifetools.disclosure.Interval`; a missing
    value reads "could not be estimated".
    """
    if isinstance(value, ProtectedValue):
        return _format_protected(value, digits=digits)
    if kind in ("ratio", "estimate", "rate"):
        return (compose("{v}", v=Estimate(float(value), digits))
                if finite(value) is not None else protect_text(MISSING))
    if kind == "interval" and isinstance(value, (list, tuple)) and len(value) == 2:
        low, high = (finite(v) for v in value)
        return (compose("{ci}", ci=Interval(low, high, digits))
                if low is not None and high is not None else protect_text(MISSING))
    if isinstance(value, ProtectedText):
        return value.verify()
    if value is None or isinstance(value, str):
        return protect_text(format_value(value, kind="text"))
    if isinstance(value, bool):
        return protect_text(format_value(value, kind="text"))
    raise DisclosureError(
        f"unprotected-number-in-text: a {kind} result given as a plain "
        f"{type(value).__name__} has no protected text",
        hint="record counts with kind='count', estimates with kind='estimate', or a "
             "text made by lt.disclosure.compose")


@dataclass(frozen=True)
class KeyResult:
    """A number quoted in a report's narrative, written to ``results.json``."""

    name: str
    value: Any
    kind: str
    label: str
    text: str
    spans: tuple[dict[str, Any], ...] = ()
    """Where each protected number lies in ``text`` and what it was (stamped)."""
    released: bool = False
    """A statistic-named estimate (a mean change, a cumulative incidence) recorded
    with the :class:`~lifetools.disclosure.ModelRelease` that released it (stamped)."""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None):
        # myst-nb reads a glued text/plain with ast.literal_eval: "2,635" would become
        # the tuple (2, 635) and "3.20" the float 3.2. A string literal stays the text.
        # The plain text/plain is given too, so IPython adds no repr of its own (the
        # seal covers exactly what is recorded).
        data = {GLUE_PREFIX + "text/plain": repr(self.text), "text/plain": self.text}
        extra = {"not_estimable": [f"{self.label}: {self.text}"]} \
            if MISSING in self.text else {}
        if self.released:
            extra["released"] = True
        meta = {
            "scrapbook": {"name": self.name, "mime_prefix": GLUE_PREFIX},
            **stamp("result", self.name, result_kind=self.kind,
                    spans=[dict(s) for s in self.spans], **extra),
        }
        return seal(data, meta)


def _json_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):  # NaN and infinity are not JSON: null
        return round(value, 10) if math.isfinite(value) else None
    return value


def _protect_result(name: str, value: Any, kind: str, text: str | None) -> Any:
    """The value a result of ``kind`` may carry, or DisclosureError naming it."""
    needed = PROTECTED_KINDS.get(kind)
    if needed is None:
        return _check_estimate(name, value, kind)
    if text is not None:
        raise DisclosureError(f"result {name!r} ({kind}): its text is made from the "
                              "protected value; a hand-written text is refused")
    if needed == "count" and not isinstance(value, ProtectedValue):
        return protected_count(value)
    if not isinstance(value, ProtectedValue) or value.kind != needed:
        raise DisclosureError(
            f"result {name!r} is a {kind} but its value was not derived from published "
            f"numbers (got {type(value).__name__})",
            hint=f"derive it with lt.disclosure.{'share' if needed == 'share' else needed}"
                 "(...) from the counts")
    return value.verify()


def _check_estimate(name: str, value: Any, kind: str) -> Any:
    """A model's number recorded as given: refused when it is a count cast to decimals
    (a whole number other than 0 and 1 the profile would not publish as a count)."""
    if kind not in ESTIMATE_KINDS:
        return value
    for item in value if isinstance(value, (list, tuple)) else [value]:
        if isinstance(item, float) and count_cast_to_decimals(item, active_profile()):
            raise DisclosureError(f"result {name!r} ({kind}) is a whole number the "
                                  "profile would not publish as a count (a count cast "
                                  "to decimals?)", hint="record counts with kind='count'")
    return value


def _has_missing(value: Any) -> bool:
    """Tell whether a number, or a limit of a pair of limits, is missing or not finite."""
    if isinstance(value, (list, tuple)):
        return any(_has_missing(v) for v in value)
    if isinstance(value, bool):  # a yes/no result (e.g. "drifted") is never missing
        return False
    return value is None or (not isinstance(value, str) and finite(value) is None)


def record(
    name: str,
    value: Any,
    *,
    kind: ResultKind,
    label: str,
    text: str | None = None,
    digits: int = 2,
    released: Any = None,
    at: str | None = None,
    withheld_reason: bool = False,
    left_out: str | None = None,
) -> KeyResult:
    """Record a key result: write it to ``results.json`` and glue it for the narrative.

    ``at``: the words of ``label`` that belong to this edition only (a follow-up the
    data decided: "by 232 days after discharge"), stored with the result so that the
    comparison with another edition shows each edition's own (``pipeline.compare``).

    ``withheld_reason``: ``text`` is a withheld value's bare reason, marked as one by
    the code that withheld it (a :class:`~lifetools.disclosure.withheld.WithheldReason`,
    through :func:`lifetools.reports.sentences.reason_result`); with a missing value it
    reads "not shown: <reason>", as the page's sentence says it. Never told from the
    words (a sentence opening "Too few people ..." is not a reason: wave 40).

    ``left_out``: the kind of a value left out
    (:data:`~lifetools.disclosure.withheld.CONFIDENTIAL`, hidden by a disclosure rule,
    or :data:`~lifetools.disclosure.withheld.UNAVAILABLE`), as the code that left it
    out made its reason (:class:`~lifetools.disclosure.withheld.LeftOut`). A value with
    no number is stored with its kind (``"left_out"`` in ``results.json``), which the
    comparison with another edition marks ``[c]`` or ``[x]``
    (:func:`lifetools.disclosure.downloads.hidden_mark`): given, or read from where the
    text was made (a protected value a rule hid, the release that withheld it, a fit
    with no number); a text "not shown (<why>)" given without it is refused.

    Counts (``kind="count"``) pass through :func:`lifetools.disclosure.protected_count`
    here (or arrive protected), so a raw count can never be quoted. Shares
    (``"percentage"``/``"share"``), rates, means and differences must arrive as a
    :class:`~lifetools.disclosure.ProtectedValue` of that kind (made from published
    numbers by :func:`lifetools.disclosure.share`, ``rate`` ...); a plain number is
    refused with :class:`DisclosureError`, and so is a hand-written ``text`` for any
    of these kinds. Shares are shown with their Wilson 95% interval. Model estimates
    (``"estimate"``, ``"ratio"``, ``"interval"``) and ``"text"`` are recorded as given;
    an estimate whose label names a statistic of people's values (a mean change, a
    cumulative incidence: :func:`lifetools.disclosure.statistics.names_statistic`) only
    with ``released``, the :class:`~lifetools.disclosure.ModelRelease` that released
    it (stamped ``released``), or when it is missing.
    The text shown is :func:`lifetools.formatting.format_value`'s ("2,635", "3.20",
    "42.0%", for ``kind="interval"`` and two limits "0.83 to 1.71"); a missing or
    non-finite value reads "could not be estimated", also when ``text`` is given,
    unless it was withheld: a ``text`` "not shown (<why>)" with no number is kept,
    and with ``released`` a release that withheld it, it reads "not shown (<its
    headline>)" ("not shown (too few people to estimate)", as the page's table says);
    a number recorded with a release that withheld it is refused.
    Reference the result in Markdown as ``{glue:text}`name```. ``name`` is one of the
    names declared in :mod:`lifetools.result_names` (stored as a plain string).
    When the text is an interval whose no-difference value changed how a limit is
    written ("1.004 to 4.03"), that value is stored as ``null``, so that a page that
    formats the limits again (the comparison with the previous edition) writes them
    the same way.
    """
    name = check_name(str(name))
    if config.run_parameters()[0]:  # inside a run: the gate's rule for labels
        for rule, detail in label_findings(label, at, active_profile(),
                                           source_parameters([[label]]))[:1]:
            raise DisclosureError(f"result {name!r}: {detail} (rule {rule!r})",
                                  hint="state the number through a key result")
    word = names_statistic(label) if kind in ESTIMATE_KINDS else None
    made_by_release = word is not None and _released(released)
    if word and not made_by_release and not _has_missing(value):
        # an extreme, a mean or a share typed in as a model's number; a released
        # model's mean change or a curve's cumulative incidence names its release
        raise DisclosureError(f"result {name!r} ({kind}): its label names a statistic of "
                              f"people's values ({word!r}) that no disclosure rule made",
                              hint="derive it with lt.disclosure (share, rate, mean)")
    value = _protect_result(name, value, kind, text)
    withheld = _withheld_headline(released)
    if withheld is not None and not isinstance(value, ProtectedValue) \
            and not _has_missing(value):
        raise DisclosureError(f"result {name!r} ({kind}): its release check withheld "
                              "it, but a number was given",
                              hint="record the value as missing (nan) when its "
                                   "ModelRelease did not release it")
    if left_out is not None and left_out not in KINDS:
        raise ValueError(f"result {name!r}: left_out is one of {KINDS}, not {left_out!r}")
    said = _not_shown_text(text) if _has_missing(value) and \
        not isinstance(value, ProtectedValue) else None
    hidden = left_out
    if said is not None:
        # a value a release check or a disclosure rule withheld, in the page's words
        # ("not shown (hidden to protect privacy)"): never "could not be estimated",
        # the words of a fit with no number (disclosure.withheld.NOT_SHOWN; wave 32)
        shown = said
        if hidden is None and withheld is not None:
            hidden = released.kind  # the release that withheld it
        if hidden is None:
            raise ValueError(f"result {name!r}: a value not shown needs the kind of "
                             "its reason (left_out=CONFIDENTIAL for a disclosure rule's)")
    elif withheld_reason and text is not None \
            and not isinstance(value, ProtectedValue) and _has_missing(value):
        # a withheld model's bare reason ("too few events among people who ..."):
        # "not shown: <reason>", as the page's sentence says it; the shr_landmark
        # ratio read "could not be estimated", the words of a fit that failed, and the
        # re-referral ratios the reason alone (30,000 people, wave 39)
        shown = _not_shown_reason(text)
        hidden = hidden or kind_of(text) or CONFIDENTIAL  # a WithheldReason's kind
    elif withheld and not isinstance(value, ProtectedValue):
        # estimated, then withheld by its release check: "not shown (too few people to
        # estimate)", the words its table gives it (wave 32)
        shown = compose("not shown ({why})", why=Reason(withheld))
        hidden = hidden or released.kind
    elif text is not None and value is not None and not isinstance(value, ProtectedValue) \
            and _has_missing(value):
        # a text about numbers that are missing ("nan to nan") never reaches a page
        shown = protect_text(MISSING) if kind == "text" else result_text(
            value, kind=kind, digits=digits)
        hidden = hidden or UNAVAILABLE
    elif text is not None:
        shown = protect_text(text)
        _value_in_text(name, value, shown)
    else:
        shown = result_text(value, kind=kind, digits=digits)
    stored = value
    extra: dict[str, Any] = {}
    if isinstance(value, ProtectedValue):
        stored = value.value
        extra = {"profile": value.profile}
        if value.interval is not None:
            extra["interval"] = _json_value(list(value.interval))
        if value.numerator is not None:
            extra["numerator"] = _json_value(value.numerator)
            extra["denominator"] = _json_value(value.denominator)
    elif isinstance(value, ProtectedText):
        stored = str(value)
    nulls = {span["null"] for span in shown.spans if "null" in span}
    if len(nulls) == 1:  # an interval's null where it changed the text ("1.004 to")
        extra["null"] = _json_value(nulls.pop())
    stated = {tuple(span["stated"]) for span in shown.spans if span.get("stated")}
    if len(stated) == 1:  # the limits a report states, where they changed the text
        extra["stated"] = _json_value(list(stated.pop()))
    path = config.output_dir() / RESULTS_FILE
    results = json.loads(path.read_text()) if path.exists() else {}
    if made_by_release and not _has_missing(value):
        extra["released"] = True  # the gate checks the sealed stamp says so too
    if at is not None:
        if at not in label:
            raise ValueError(f"result {name!r}: 'at' ({at!r}) is not words of its label")
        extra["at"] = at
    if isinstance(value, ProtectedValue) and value.value is None and kind != "count":
        # a rule hid it, or a release withheld it (ModelRelease.withhold: its headline)
        hidden = hidden or kind_of(public_reason(value.reason))
    if _has_missing(stored) and kind != "count" and (hidden or kind != "text"):
        # its mark in the comparison (hidden_mark); a number with no reason made as a
        # rule's (a fit that gave no number): not available. A text is a value's only
        # when a kind was given (a sentence with no number is no value left out)
        extra["left_out"] = hidden or UNAVAILABLE
    results[name] = {"value": _json_value(stored), "kind": kind, "label": label,
                     "text": str(shown), **extra}
    # in the order the report recorded them (its headline before its checks): the
    # comparison with the previous edition lists them so; sorted by name, a table put
    # "before_after_ae" before the headline "did_ae" (wave 37). Each entry's own keys
    # stay sorted
    path.write_text(json.dumps({key: _sorted_keys(entry) for key, entry in results.items()},
                               indent=2) + "\n")
    return KeyResult(name=name, value=stored, kind=kind, label=label, text=str(shown),
                     spans=tuple(_json_value_map(s) for s in shown.stamp()),
                     released=bool(extra.get("released")))


def _sorted_keys(value: Any) -> Any:
    """``value`` with the keys of every mapping in it sorted (``json.dumps``'s
    ``sort_keys``, below the top level of ``results.json``)."""
    if isinstance(value, dict):
        return {key: _sorted_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(item) for item in value]
    return value


def _not_shown_text(text: Any) -> ProtectedText | None:
    """``text`` as recorded for a missing value when it says the value is not shown
    ("not shown (<why>)") and holds no number of a protected part; else ``None`` (the
    value then reads "could not be estimated": no "nan to nan" reaches a page)."""
    if text is None or not str(text).startswith(f"{NOT_SHOWN} ("):
        return None
    shown = protect_text(text)
    return None if span_numbers(shown.spans) else shown


def _not_shown_reason(text: Any) -> ProtectedText:
    """A withheld value's bare reason (``record(..., withheld_reason=True)``) as the
    page's sentence says it after its verb ("... is not shown: <reason>."): "not shown:
    <reason>". The reason is marked as one where it is made
    (:class:`~lifetools.disclosure.withheld.WithheldReason`), never told by its words:
    until wave 41 a lower-case "too few " or "hidden to protect privacy" at its start
    made a text a reason here, and a sentence opening "Too few people could be followed
    ..." (the re-referral summary) read "not shown: Too few ..." in wave 40."""
    part = text if isinstance(text, ProtectedText) else protect_text(str(text).strip())
    return compose(f"{NOT_SHOWN}: {{why}}", why=part)


def _withheld_headline(release: Any) -> str | None:
    """The headline of a sealed :class:`~lifetools.disclosure.ModelRelease` that
    withheld its model ("too few people to estimate"; "" when its headline is "could
    not be estimated": its fit gave no number, the missing value's own words);
    ``None`` when it released or is no release."""
    if not isinstance(release, ModelRelease):
        return None
    ModelRelease.__post_init__(release)  # its fields still match its seal
    if release.released:
        return None
    return "" if release.headline == MISSING else release.headline


def _released(release: Any) -> bool:
    """Whether ``release`` is a :class:`~lifetools.disclosure.ModelRelease` (sealed:
    only :func:`~lifetools.disclosure.model_release` makes one) that released."""
    if not isinstance(release, ModelRelease):
        return False
    ModelRelease.__post_init__(release)  # its fields still match its seal
    return release.released


def _json_value_map(span: dict[str, Any]) -> dict[str, Any]:
    return {k: _json_value(v) for k, v in span.items()}


def span_numbers(spans: Any) -> set[float]:
    """The numbers the protected spans of a text were made from."""
    found: set[float] = set()
    for span in spans or ():
        for key in ("value", "low", "high"):
            number = finite(span.get(key)) if isinstance(span, dict) else None
            if number is not None:
                found.add(round(number, 10))
    return found


def _value_in_text(name: str, value: Any, text: ProtectedText) -> None:
    """A result's numeric value must be one of the protected numbers of its text."""
    values = value if isinstance(value, (list, tuple)) else [value]
    numbers = span_numbers(text.spans)
    for item in values:
        if isinstance(item, (bool, str, ProtectedText)) or item is None:
            continue
        number = finite(item)
        if number is not None and round(number, 10) not in numbers:
            raise DisclosureError(
                f"unprotected-number-in-text: result {name!r} stores a number that is "
                "not one of the protected numbers of its text",
                hint="make the text with lt.disclosure.compose from the same value")


@dataclass(frozen=True)
class KeyResults:
    """Several key results shown from one notebook cell."""

    results: tuple[KeyResult, ...]

    def _ipython_display_(self) -> None:
        from IPython.display import display

        for result in self.results:
            display(result)


def record_counts(
    frame: Any, *, key_col: str = "key", value_col: str = "n",
    label_col: str = "measure", prefix: str = "",
) -> KeyResults:
    """Record every row of a count table as a key result (protected, glued)."""
    rows = frame[[key_col, value_col, label_col]].itertuples(index=False)
    return KeyResults(tuple(
        record(f"{prefix}{key}", value, kind="count", label=label)
        for key, value, label in rows
    ))


def record_all(results) -> KeyResults:
    """Record several key results, each a mapping of :func:`record`'s arguments."""
    return KeyResults(tuple(record(**dict(item)) for item in results))


def read_results(folder: Path) -> dict[str, Any]:
    """Read a run's ``results.json`` (empty when the notebook recorded nothing)."""
    path = Path(folder) / RESULTS_FILE
    return json.loads(path.read_text()) if path.exists() else {}
