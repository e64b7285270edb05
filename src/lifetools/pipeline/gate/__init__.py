"""The publish gate: nothing reaches the site unless every published byte is checked.

Before the book is built every executed notebook and its ``files/`` are scanned
(:mod:`.notebooks`: cells and metadata; :mod:`.outputs`: each output; :mod:`.files`:
the run folder's ``files/``; :mod:`.run_record`: what the run recorded, read by all
three); after it is built, the staging site is scanned (:mod:`.site`).
Stamps are believed only when sealed by a display function in this run and verified by
the runner (:mod:`.seals`). Every rule id, with what it refuses in plain words, is in
:data:`lifetools.disclosure.rule_ids.RULES` (a :class:`Finding` names no other). Rules
(each names the notebook, the cell as the author numbers it, and never the offending
value), among them:

- ``unstamped``: a display that did not come through lifetools tables, plots or results;
- ``forged-stamp``: a stamp with a missing or wrong seal, or altered after the run;
- ``nhs-number`` (10 digits with a valid Modulus-11 check digit), ``person-id`` (64 hex),
  ``date-of-birth``, ``postcode``, ``machine-path`` (``/home``, ``/srv``, ``/data`` and
  every top-level folder of ``rules.MACHINE_ROOTS``, site-packages, a Windows drive, a
  network share, ``file://``): anywhere, markdown and code included, figure texts
  included;
- ``unprotected-number-in-name``: a number in a file's name or a key result's name or
  label (``results.json``) outside the prose rule's forms;
- ``small-count`` (1 to 7), ``unrounded-count`` (not a multiple of 5): numbers printed
  outside sealed displays (streams, stderr, unstamped outputs), and in the count
  columns of sealed tables and their CSV downloads, read with the SDC profile the
  edition was built with (its manifest's; ``default`` 1 to 7 and 5 as here);
- ``profile-mismatch``: a sealed table protected under another profile than the
  edition's;
- ``acro-disagreement``: ACRO, run on the same rows in the kernel, flags a cell the
  table publishes (outside the documented differences); ``acro-unchecked``: the build
  asked for the ACRO cross-check and a protected table has no ACRO verdict;
- ``k-of-n``: "1 of 3" with a small or unrounded number, anywhere;
- ``small-count``/``unrounded-count`` also for a number of people or records written in
  any text, sealed displays and Markdown included ("2,634 people", "3 patients"):
  sentences made from protected values name only rounded counts or "fewer than 8";
- ``all-or-none-in-words``: a clause saying all or none of a group of people had an
  outcome, with no number ("None of the people in the most deprived fifth had a
  crisis"), in Markdown, metadata, every output's texts and an edition's pages
  (:mod:`lifetools.disclosure.all_or_none`);
- ``row-level``: more than 60 rows, a column of distinct identifier-looking values, or
  a printed data frame;
- ``unsanctioned-file``: a file in ``files/`` that is not a display function's write;
- ``source-notebook``: the built site carries ``_sources`` or ``.ipynb`` copies;
- on the built site (:mod:`.site`): identifiers and paths in every file, ``row-level``
  in every HTML table, and ``small-count``/``unrounded-count``/``group-disclosure`` for
  numbers of people in the landing page and every file under ``editions/``;
- ``error``: an error output.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat

from lifetools.disclosure import SdcProfile
from lifetools.errors import DisclosureError
from lifetools.pipeline.gate.notebooks import Finding, scan_files, scan_notebook
from lifetools.pipeline.gate.rules import PATTERNS, nhs_number_valid
from lifetools.pipeline.gate.seals import new_key, seal_digest, verify_and_settle
from lifetools.pipeline.gate.site import edition_of, scan_site
from lifetools.publication import STAMP_KEY

logger = logging.getLogger(__name__)

__all__ = ["PATTERNS", "Finding", "acro_verdicts", "assert_publishable",
           "assert_site_publishable", "check_notebooks", "new_key", "nhs_number_valid",
           "not_estimable_outputs", "output_stamps", "republish_hint", "scan_files",
           "scan_notebook", "scan_site", "seal_digest", "unprotected_outputs",
           "verify_and_settle"]

HINT = ("show tables with lt.tables.show_table, figures with lt.plots.show_figure and "
        "numbers with lt.publication.record; never print rows, counts or identifiers, "
        "and write nothing else to the output folder")


def output_stamps(path: Path) -> list[dict[str, Any]]:
    """Every output stamp of an executed notebook, in order (none if it is missing).

    Read once and passed to :func:`unprotected_outputs`, :func:`not_estimable_outputs`
    and :func:`acro_verdicts` in place of the path, the notebook is parsed once.
    """
    return _stamps(path)


def _stamps(path: Path | Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    if not isinstance(path, str | Path):
        return list(path)  # the stamps, already read (output_stamps)
    path = Path(path)
    if not path.exists():
        return []
    marks = (output.get("metadata", {}).get(STAMP_KEY)
             for cell in nbformat.read(path, as_version=4).cells
             for output in cell.get("outputs", []))
    return [mark for mark in marks if isinstance(mark, dict)]


def unprotected_outputs(path: Path | Sequence[dict[str, Any]]) -> list[str]:
    """Names of the outputs of an executed notebook shown with protection switched off.

    Read from the stamps: a table whose counts went through
    :func:`lifetools.disclosure.protect_counts` with ``enabled=False`` carries
    ``"enabled": false`` in its rules. A missing notebook has none.
    """
    return sorted({f"{mark.get('kind')}:{mark.get('name')}" for mark in _stamps(path)
                   if (mark.get("rules") or {}).get("enabled") is False})


def not_estimable_outputs(path: Path | Sequence[dict[str, Any]]) -> list[str]:
    """What an executed notebook shows as "could not be estimated", output by output.

    Read from the stamps (tables and key results record the cells and results that
    read "could not be estimated: <reason>"; see
    :func:`lifetools.tables.not_estimable_cells`). Each entry is
    ``"<kind>:<name>: <row>: <text>"``; a missing notebook has none. The build writes
    them into the edition's manifest and warns about each, so no result is withheld
    from a page without a record of why.
    """
    lines = (f"{mark.get('kind')}:{mark.get('name')}: {entry}"
             for mark in _stamps(path) for entry in mark.get("not_estimable") or [])
    return list(dict.fromkeys(lines))


def acro_verdicts(path: Path | Sequence[dict[str, Any]]) -> dict[str, Any]:
    """ACRO's verdicts on one executed notebook's tables, summed for the manifest."""
    total = {"tables": 0, "cells_checked": 0, "cells_flagged": 0,
             "documented_differences": 0, "disagreements": 0}
    for mark in _stamps(path):
        verdict = (mark.get("rules") or {}).get("acro")
        if verdict:
            total["tables"] += 1
            total["cells_checked"] += int(verdict.get("checked", 0))
            total["cells_flagged"] += int(verdict.get("flagged", 0))
            total["documented_differences"] += len(verdict.get("differences", []))
            total["disagreements"] += len(verdict.get("disagreements", []))
    return total


def check_notebooks(paths: Iterable[Path],
                    profiles: Mapping[Path, SdcProfile | str] | None = None,
                    words: Mapping[Path, Mapping[str, Sequence[str]]] | None = None
                    ) -> list[Finding]:
    """Scan several notebooks; a notebook is named by its edition/analysis folder.

    ``profiles`` gives the SDC profile of each notebook's edition (from its manifest);
    a notebook not in it is read with the profile its runner recorded. ``words`` gives
    the phrases that name each notebook's parameters in prose (``analyses.yml``).
    """
    findings = []
    for path in paths:
        path = Path(path)
        findings += scan_notebook(path, name=f"{path.parent.parent.name}/"
                                  f"{path.parent.name}",
                                  profile=(profiles or {}).get(path),
                                  words=(words or {}).get(path))
    return findings


def _refuse(findings: Sequence[Finding], what: str, hint: str = HINT) -> None:
    if findings:
        lines = "\n".join(f"  {f}" for f in findings[:30])
        more = f"\n  ... and {len(findings) - 30} more" if len(findings) > 30 else ""
        raise DisclosureError(
            f"the publish gate refused {len(findings)} {what}; nothing was "
            f"published:\n{lines}{more}", hint=hint)


def republish_hint(editions: Sequence[str]) -> str:
    """The hint for findings in editions released before: they were published by an
    earlier build whose gate passed them, so the notebook author cannot fix them in the
    current edition; the Quality and Research Lead corrects each with ``--republish``
    (the released version is kept and the reason logged, issue 14).

    >>> republish_hint(["2023-24"])[:60]
    'edition 2023-24 was released by an earlier build and the gat'
    """
    named = ", ".join(editions)
    which = "edition" if len(editions) == 1 else "editions"
    verb = "was" if len(editions) == 1 else "were"
    flags = " ".join(f"--republish {e}" for e in editions)
    return (f"{which} {named} {verb} released by an earlier build and the gate of this "
            f"lifetools refuses what {'it' if len(editions) == 1 else 'they'} published "
            f"(a rule added since); correct {'it' if len(editions) == 1 else 'them'} "
            f"with: lifetools build {flags} --reason \"<why>\" (the released version "
            f"is kept and the correction is logged on the site); " + HINT)


def assert_publishable(paths: Sequence[Path],
                       profiles: Mapping[Path, SdcProfile | str] | None = None,
                       words: Mapping[Path, Mapping[str, Sequence[str]]] | None = None,
                       released: Mapping[Path, str] | None = None) -> None:
    """Raise DisclosureError naming notebook, cell and rule if anything is unsafe.

    ``profiles``: each notebook's edition profile; ``words``: the phrases naming its
    parameters (see :func:`check_notebooks`). ``released`` maps the notebooks of editions
    archived by an earlier build to their edition: findings there are refused all the
    same (they are on the site), with the ``--republish`` command that corrects them
    (:func:`republish_hint`).
    """
    findings: list[Finding] = []
    editions: list[str] = []
    for path in paths:
        found = check_notebooks([path], profiles, words)
        findings += found
        edition = (released or {}).get(Path(path))
        if found and edition is not None and edition not in editions:
            editions.append(edition)
    logger.info("publish gate: %d notebook(s), %d finding(s)", len(paths), len(findings))
    _refuse(findings, "output(s)", republish_hint(sorted(editions)) if editions else HINT)


def assert_site_publishable(html: Path, profile: SdcProfile | str | None = None,
                            released: Sequence[str] = (),
                            owners: Mapping[str, Path] | None = None) -> None:
    """Raise DisclosureError naming each file of the built site that is unsafe.

    ``profile``: the series' SDC profile, for the pages outside an edition's folder
    (:func:`~lifetools.pipeline.gate.site.scan_site`). ``released``: the editions an
    earlier build released, whose pages are kept as released; a finding in one of them
    is refused all the same, with the ``--republish`` command that corrects it
    (:func:`republish_hint`). ``owners``: each report page's executed notebook, by the
    page's path in the site, whose sealed stamps say what each column of the page's
    tables is.
    """
    findings = scan_site(html, profile, owners)
    editions = sorted({edition for f in findings
                       if (edition := edition_of(f.file)) in released})
    logger.info("publish gate: the built site, %d finding(s)", len(findings))
    _refuse(findings, "file(s) of the built site",
            republish_hint(editions) if editions else HINT)
