"""An independent second opinion: ACRO checks the same rows as each protected table.

ACRO (the SACRO project's semi-automatic checking of research outputs, used by UK
trusted research environments) checks an output from the rows it is made of, where it
is made. When the build asks for it (``disclosure: acro: true`` in
``analyses/analyses.yml``; the runner sets :data:`ENV_ACRO` in each kernel), every
protected count table (:func:`~lifetools.disclosure.protect_counts`) and magnitude
table (:func:`~lifetools.disclosure.protect_magnitudes`) is also given to an ACRO
session on the same rows, and ACRO's verdict per cell is compared with lifetools' own:

- a cell ACRO flags that lifetools hides: agreement;
- a cell ACRO flags that lifetools publishes is a **disagreement**, unless it is one of
  the documented differences of the two rule sets: a count above the profile's
  threshold and below ACRO's threshold of 10 (published rounded by the profile's rule:
  :func:`lifetools.disclosure.rule_text.acro_counts_difference`; none under
  ``threshold-10``);
- a cell lifetools hides and ACRO passes (lifetools' dominance k = 0.85 is stricter
  than ACRO's 0.9; secondary suppression): lifetools is stricter, nothing to resolve.

The verdict is kept in the table's protection record, sealed into its stamp, and the
publish gate refuses a table with a disagreement (rule ``acro-disagreement``, naming
ACRO's check and lifetools' rule) or, when the build asked for ACRO, a table ACRO did
not check (``acro-unchecked``). Zero counts are not given to ACRO (no rows make them:
lifetools publishes zeros, ACRO's ``zeros_are_disclosive`` would flag them).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd

from lifetools.disclosure.profiles import SdcProfile
from lifetools.errors import DisclosureError

__all__ = ["ACRO_THRESHOLD", "ENV_ACRO", "AcroVerdict", "acro_enabled",
           "acro_count_verdict", "acro_magnitude_verdict"]

ENV_ACRO = "LIFETOOLS_ACRO"
"""``"1"``: cross-check every protected table with ACRO (set by the runner)."""
ACRO_THRESHOLD = 10
"""ACRO 1.0.2's default minimum cell count (``safe_threshold``)."""


@dataclass(frozen=True)
class AcroVerdict:
    """ACRO's verdict on one table, compared with lifetools' decisions.

    ``flagged``: cells ACRO flags; ``differences``: flagged cells lifetools publishes
    under a documented difference (row, column, why); ``disagreements``: flagged
    cells lifetools publishes with no documented difference (row, column, both rules).
    """

    version: str
    checked: int
    flagged: int
    differences: tuple[tuple[int, str, str], ...] = ()
    disagreements: tuple[tuple[int, str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The verdict as stamped into an output's metadata."""
        return {k: (list(map(list, v)) if isinstance(v, tuple) else v)
                for k, v in asdict(self).items()}


def acro_enabled() -> bool:
    """Whether this kernel was asked to cross-check every table with ACRO."""
    return os.environ.get(ENV_ACRO) == "1"


_SESSION: list[Any] = []
"""The process's ACRO session, made on first use (one per kernel, as ACRO is meant to
be used: one session checks many outputs). Each check's record is read and removed."""


def _session() -> Any:
    """The process's ACRO session, with no output recorded (a check that raised
    may have left one: it must not be read as the next check's)."""
    if _SESSION:
        with _quiet():
            for key in _SESSION[0].results.get_keys():
                _SESSION[0].results.remove(key)
        return _SESSION[0]
    try:
        import acro
    except ImportError:  # pragma: no cover - acro is pinned in requirements.lock
        raise DisclosureError(
            "the build asks for an ACRO cross-check (disclosure: acro: true) but the "
            "acro package is not installed", hint="pip install acro==1.0.2") from None
    with _quiet():  # its configuration (YAML) is parsed once per process
        _SESSION.append(acro.ACRO(suppress=False))
    return _SESSION[0]


@contextlib.contextmanager
def _quiet() -> Any:
    """ACRO's printing and INFO logging kept out of the notebook's streams, and the
    pandas deprecations its own code raises (acro 1.0.2's ``pivot_table`` with
    ``aggfunc=sum``: a ``FutureWarning`` naming the file of the installed package, a
    machine path, in the kernel's stderr; 84 of the suite's 85 warnings until wave 42).
    Warnings raised by lifetools' code stay as they are."""
    before = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=FutureWarning, module=r"acro\.")
            yield
    finally:
        logging.disable(before)


def _short_stack(call: Callable[[], Any]) -> Any:
    """``call()`` run in a new thread, its value returned (its exception raised) here.

    ACRO records the line that called each table by walking the whole call stack with
    ``inspect.stack()``, which reads every frame's source and, for a frame that is not
    a module's (a notebook cell, an ``exec``), searches all of ``sys.modules``: under a
    kernel's stack 40-150 ms per table, more than ACRO's checks (issue 16). A new
    thread's stack is a few frames deep. ACRO's checks, arguments and verdict are the
    same; only the caller it records (never read here) is this module's line.
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as error:  # noqa: BLE001 - raised again in the caller
            box["error"] = error

    worker = threading.Thread(target=run, name="acro_check")
    worker.start()
    worker.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def _last_flags(session: Any) -> pd.DataFrame:
    """Per cell of ACRO's last output: the names of the checks that failed ('' = ok).

    The output's record is removed from the session, which lives as long as the kernel.
    """
    key = session.results.get_keys()[-1]
    record = session.results.get(key)
    with _quiet():
        session.results.remove(key)
    return record.outcome.map(lambda v: "" if str(v).strip() == "ok"
                              else str(v).strip().rstrip(";"))


def _version() -> str:
    try:
        return f"acro {metadata.version('acro')}"
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "acro"


def acro_count_verdict(raw: pd.DataFrame, count_cols: Sequence[str],
                       published: pd.DataFrame, profile: SdcProfile) -> AcroVerdict:
    """ACRO's frequency-table check of each count column, against what lifetools shows.

    ``raw``: the counts before protection (one row per cell); ``published``: the same
    cells after protection (``<NA>`` where hidden). Each count column is given to ACRO
    as the rows that make it up (a cell of n is n rows), so ACRO's ``crosstab`` sees
    exactly the table's frequencies. ``profile``: the series' rules, whose threshold
    marks the documented difference (counts above it and below 10).
    """
    session, flagged, checked = _session(), 0, 0
    differences: list[tuple[int, str, str]] = []
    disagreements: list[tuple[int, str, str]] = []
    for column in count_cols:
        values = pd.to_numeric(raw[column], errors="coerce").to_numpy(dtype="float64")
        cells = np.flatnonzero(np.nan_to_num(values) > 0)
        if not cells.size:
            continue
        rows = pd.Series(np.repeat(cells, values[cells].astype(int)), name="cell")
        with _quiet():
            _short_stack(lambda rows=rows, column=column: session.crosstab(
                rows, pd.Series(column, index=rows.index, name="count")))
        flags = _last_flags(session).iloc[:, 0]
        checked += len(cells)
        for cell, why in flags.items():
            if not why:
                continue
            flagged += 1
            row = int(cell)
            if pd.isna(published[column].iloc[row]):
                continue
            n = int(values[row])
            if profile.threshold < n < ACRO_THRESHOLD:
                differences.append((row, str(column), (
                    f"ACRO {why} (under {ACRO_THRESHOLD}); the {profile.name!r} profile "
                    f"publishes counts above {profile.threshold} rounded")))
            else:
                disagreements.append((row, str(column), (
                    f"ACRO {why}; lifetools published the cell (rule: counts 1 to "
                    f"{profile.threshold} suppressed)")))
    return AcroVerdict(_version(), checked, flagged, tuple(differences),
                       tuple(disagreements))


def acro_magnitude_verdict(rows: pd.DataFrame, groups: Sequence[str], value_col: str,
                           statistic: str, hidden: Sequence[bool]) -> AcroVerdict:
    """ACRO's threshold, n-k and p% checks of a sum or mean table on the same rows.

    ``hidden``: lifetools' decision per group (in ``groupby`` order). A group ACRO
    flags must be hidden: there is no documented difference for magnitudes
    (lifetools' rules are ACRO's, with a stricter k).
    """
    data = rows.dropna(subset=[value_col])
    if data.empty:
        return AcroVerdict(_version(), 0, 0)
    session = _session()
    with _quiet():
        _short_stack(lambda: session.pivot_table(data, index=list(groups), values=value_col,
                                                 aggfunc=statistic))
    flags = _last_flags(session)[value_col]
    disagreements = []
    for position, (why, hide) in enumerate(zip(flags.tolist(), hidden, strict=True)):
        if why and not hide:
            disagreements.append((position, value_col, (
                f"ACRO {why}; lifetools published the cell (rules: threshold, n-k, "
                "p%)")))
    return AcroVerdict(_version(), len(flags), int(sum(bool(w) for w in flags)),
                       (), tuple(disagreements))
