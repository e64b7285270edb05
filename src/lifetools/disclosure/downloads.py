"""Downloads: protected tables written as CSV, suppressed cells as ``[c]``.

Suppressed cells are written ``[c]`` (confidential), never blank and never zero, and
other missing values ``[x]`` (not available), as the Government Statistical Service
recommends for machine-readable tables; a ``notes.txt`` beside the CSV files says
what the symbols mean and which rules were applied, in sentences made from the
profile (:func:`~lifetools.disclosure.rule_sentence`), and lists every column of every
CSV file in the folder with the words the page shows for it and its unit
(:func:`column_notes`).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from lifetools.disclosure.counts import require_table
from lifetools.disclosure.flow import PARENTS_KEY, ZERO_KEY
from lifetools.disclosure.models import CELL_REASONS, COULD_NOT, WITHHELD_CELL
from lifetools.disclosure.profiles import get_profile
from lifetools.disclosure.protected import ProtectedTable
from lifetools.disclosure.rule_text import rule_sentence, withheld_sentence
from lifetools.disclosure.text import MINUS
from lifetools.disclosure.withheld import (
    CONFIDENTIAL,
    PRIVACY,
    SaidInNote,
    Whose,
    WithheldNote,
    in_full,
    kind_of,
    unrepeated,
)
from lifetools.labels import column_label, column_unit, listed, quoted
from lifetools.signs import places_avoiding

__all__ = ["CELLS_NOTE", "DOWNLOAD_PLACES", "HEADERS_KEY", "LIMITS_KEY", "LIMIT_CELLS_KEY", "LIMIT_DEGENERATE_KEY", "MEANINGS", "PROPORTION_PLACES", "NOTES_HEAD_KEY", "NOT_AVAILABLE", "NOTES_FILE", "NOTES_KEY",
           "SUPPRESSED", "TABLE_NOTE", "column_notes", "folder_marks", "hidden_mark", "file_notes", "withheld_models_note",
           "withheld_table_sentence",
           "written_record",
           "header_rules", "label_columns", "notes_text", "read_csv", "read_csv_records", "shown_frame",
           "write_csv"]

DOWNLOAD_PLACES = 2
"""Decimal places a download writes a number with (:func:`write_csv`'s and
:func:`shown_frame`'s default), unless a disclosure rule published its column with
fixed places. A figure's alt text gives a drawn share as that published number
(:data:`lifetools.plots.theme.DOWNLOAD_PLACES`, which is this)."""
LIMITS_KEY = "limit_headers"
"""The stamp's record of each confidence-limit column of a download and the values
(the null, stated limits) it keeps its side of (:func:`header_rules`): the publish
gate accepts the extra places that keeps it there and no others."""
LIMIT_CELLS_KEY = "limit_cells"
"""The stamp's record of the rows of such a column whose true limit lies exactly on
one of those values, or is degenerate (:func:`_limit_cells`): a cell alone cannot
tell "1.00" of a limit of 1 from 0.9996 rounded onto it (wave 43)."""
LIMIT_DEGENERATE_KEY = "limit_degenerate"
"""The stamp's record of the values each such column's true limit is degenerate at
beside an infinite one (a ratio's 0: :attr:`~lifetools.disclosure.protected.
ProtectionRecord.limit_degenerate`), which a download keeps its limits off too."""
PROPORTION_PLACES = 3
"""Decimal places a download writes a proportion with (a risk, a risk threshold: a
column :func:`lifetools.tables.show_table` names in ``proportions``, which the page
shows in per cent to 1 decimal place): "0.063" for the page's "6.3%", the same
information. At :data:`DOWNLOAD_PLACES` the crisis report's calibration downloads read
"0.06" beside the page's "6.3%" (issue 15, wave 41)."""
SUPPRESSED = "[c]"
NOT_AVAILABLE = "[x]"
NOTES_FILE = "notes.txt"
MEANINGS = {
    SUPPRESSED: "confidential, a value hidden by a disclosure rule, such as a small "
                "count or a model withheld for too few events",
    NOT_AVAILABLE: "not available, a value that could not be estimated (a model whose "
                   "fit did not converge) or that does not apply"}
"""What each symbol means, one convention (the Analysis Function's: ``[c]``
confidential, ``[x]`` not available): a model the model release rule withheld (too few
events, people or residual degrees of freedom: an output-checking rule of every profile)
is ``[c]``, as any value a disclosure rule hid; ``[x]`` only a value with no number
(:func:`hidden_mark`). The downloads' notes (:func:`notes_text`) and the
disclosure-control methods page state these words; until wave 42 a withheld model read
``[x]`` "too few events to estimate" while the page defined ``[c]`` as "hidden by a
disclosure rule" and listed the minimum-events rule among them (issue 15). Tested in
``tests/unit/test_hidden_marks.py``."""


def hidden_mark(reason: Any) -> str:
    """The one symbol of a value left out, by the kind its reason was made with
    (:func:`~lifetools.disclosure.withheld.kind_of`): ``[c]`` (confidential) for a
    value a disclosure rule hid (:data:`~lifetools.disclosure.withheld.CONFIDENTIAL`:
    a rule's :data:`~lifetools.disclosure.withheld.PRIVACY`, and a model the model
    release rule withheld for too few events, people or residual degrees of freedom),
    ``[x]`` (not available) for a value no rule hid
    (:data:`~lifetools.disclosure.withheld.UNAVAILABLE`: a fit that gave no number or
    did not converge), as the Government Statistical Service's symbols, the downloads'
    ``notes.txt`` and the disclosure-control methods page define them.

    Never told by the words: until wave 42 a reason was ``[c]`` when it said "hidden to
    protect privacy" (issue 12), so a privacy reason worded otherwise read ``[x]`` and
    a reason that quoted the words read ``[c]``. A reason that carries no kind (plain
    words, ``None``, "") is ``[x]``: nothing recorded that a rule hid it.

    Every place that writes the symbol of a left-out value by its reason reads it
    here: the table of released estimates (:func:`lifetools.tables.table_estimates`),
    its note (:func:`withheld_models_note`) and the comparison with the previous
    edition (:mod:`lifetools.pipeline.compare`). Tested in
    ``tests/unit/test_hidden_marks.py``.
    """
    return SUPPRESSED if kind_of(reason) == CONFIDENTIAL else NOT_AVAILABLE


NOTES_KEY = "notes"
"""The key of a download's rules (a sealed stamp's) holding its :func:`file_notes`."""
NOTES_HEAD_KEY = "notes_head"
"""The key of a download's rules holding the :func:`notes_text` written beside it."""
HEADERS_KEY = "header_words"
"""The key of a download's rules holding the words the page shows for each of its
CSV headers, as written (:func:`written_record`)."""
TABLE_NOTE = "  Table note: "
"""How the notes introduce a file's table note (:func:`file_notes`): a sentence the
page states once under the table, as the model estimates table's
:func:`withheld_models_note`."""

CELLS_NOTE = "  Cells marked [c]: "
"""How the notes introduce the reasons of a file's ``[c]`` cells (:func:`file_notes`):
each reason that applies to them, once (:func:`_cell_kinds`), never the list of every
reason where the rule is known (wave 43)."""

_UNSAID = ""
"""A ``[c]`` cell's kind (:func:`_cell_kinds`): a rule of the list above hid it, which
one is not said."""
_IN_NOTE = "note"
"""A ``[c]`` cell's kind: the file's table note states its reason (a withheld model's
own reason, an estimate's group too small)."""
_KIND_WORDS = {_UNSAID: "hidden by one of the rules above (which one is not said)",
               _IN_NOTE: "hidden for the reason the table note below gives",
               **CELL_REASONS}
"""Each kind's words in a file's :data:`CELLS_NOTE` line."""

_FILE_CELLS: dict[str, str] = {}
"""The :data:`CELLS_NOTE` words :func:`write_csv` wrote each file with in this process
(by its resolved path; "" for a file without ``[c]``)."""

_TABLE_NOTES: dict[str, str] = {}
"""The table note :func:`write_csv` wrote each file with in this process (by its
resolved path), so that the notes rewritten for a later file of the folder keep it."""


def withheld_models_note(reasons: list[str]) -> str:
    """The one sentence on a table's withheld models, for the page and the notes.

    ``reasons``: each withheld model's reason (the release's words, once each, in
    order); "" when none. Stated once per table under the page's table
    (:func:`lifetools.tables.show_table`) and once in the download's lines of
    ``notes.txt`` (:func:`write_csv`), never row by row. A
    :class:`~lifetools.disclosure.withheld.WithheldNote`, which keeps ``reasons`` for
    the sentence a table whose every value is withheld is shown as
    (:func:`withheld_table_sentence`). Tested in
    ``tests/unit/test_disclosure_withheld.py``.
    """
    if not reasons:
        return ""
    text = _note_text(reasons)
    full = [in_full(r) for r in reasons]
    # the download's notes say each reason in full: a notes file has no "above"
    return WithheldNote(text, tuple(reasons),
                        in_full=text if full == list(reasons) else _note_text(full))


def _note_text(reasons: list[str]) -> str:
    """:func:`withheld_models_note`'s words for ``reasons``."""
    verb, said = _said(reasons)
    # the symbols the rows show, by their reasons' kinds (hidden_mark): a value a rule
    # hid is [c], as the comparison with the previous edition marks it
    marks = " or ".join(dict.fromkeys(sorted(hidden_mark(r) for r in reasons)))
    if len(said) == 1 and said[0][0]:
        # the models before the verb: "are not shown: ‘Landmark’ and ‘Fine-Gray’: too
        # few events to estimate" gave one sentence two colons (wave 37)
        return f"The numbers marked {marks} for {said[0][0]} {verb}: {said[0][1]}."
    return f"The numbers marked {marks} {verb}: {_each_reason(said)}."


MAX_NAMED = 5
"""The most rows :func:`withheld_table_sentence` names (a table of models names each;
a model's many terms are not listed)."""


def withheld_table_sentence(reasons: list[str], names: list[str]) -> str:
    """The sentence a page shows in place of a table whose every value is withheld.

    A grid of ``[x]`` with a note tells a reader nothing the note does not (the
    re-referral page at 3,000 people: issues 12 and 15, wave 38), so
    :func:`lifetools.tables.show_table` shows this instead: which rows are not shown
    (``names``: the table's row labels, its first column's words, once each in order;
    each quoted, one as several) and why, in the words of :func:`withheld_models_note` for the same
    ``reasons``: "The numbers for ‘Cause-specific Cox’ and ‘Fine-Gray’ are not shown:
    too few events to estimate (the reasons are given above)." Models of several
    reasons keep theirs: "... are not shown: for ‘A’, ...; for B, ...". No rows named
    (none given, or more than :data:`MAX_NAMED`): "The numbers are not shown: ...".
    "" when no reason is given (a table of ``[x]`` for no reason stays a table). Tested in
    ``tests/unit/test_disclosure_withheld.py``.
    """
    if not reasons:
        return ""
    verb, said = _said(reasons)
    # rows past MAX_NAMED (a model's terms: the crisis coefficients named 15) are not
    # listed: the caption above says whose they are
    # each name quoted, one as several: "The numbers for Cause-specific Cox are not
    # shown" read the model's name as words of the sentence (wave 38)
    whose = ("" if not names or len(names) > MAX_NAMED
             else listed([quoted(n) for n in names]))
    lead = f"The numbers for {whose} {verb}: " if whose else f"The numbers {verb}: "
    return f"{lead}{said[0][1] if len(said) == 1 else _each_reason(said)}."


def _each_reason(said: list[tuple[str, str]]) -> str:
    """Each reason after the models it is theirs ("for ‘A’ and ‘B’, too few events in
    total; for C, ..."), or alone when it names none, joined by "; "."""
    return "; ".join(f"for {models}, {why}" if models else why for models, why in said)


def _together(reasons: list[str]) -> list[str]:
    """``reasons`` with the models of one words named together: two models whose
    pointers to their own reasons read alike ("too few events to estimate (the reasons
    are given above)") are separate entries, each with its reasons in full for the
    download's notes (:func:`~lifetools.disclosure.withheld.in_full`), and one entry on
    the page, which named them together until wave 42 ("for ‘A’ and ‘B’, ...")."""
    out: list[str] = []
    for reason in reasons:
        first = next((i for i, o in enumerate(out) if isinstance(o, Whose)
                      and isinstance(reason, Whose) and o.names and reason.names
                      and str(o.why) == str(reason.why)), None)
        if first is None:
            out.append(reason)
            continue
        names = list(dict.fromkeys([*out[first].names, *reason.names]))
        out[first] = Whose(out[first].why, listed(names), names)
    return out


def _unwithheld(why: str) -> str:
    """``why`` without the "withheld: " a released row's cell opens with."""
    return why.removeprefix("withheld: ")


def _said(reasons: list[str]) -> tuple[str, list[tuple[str, str]]]:
    """The verb of a note on withheld models and each reason's (models, words)."""
    # "The model's numbers" until wave 27 read wrongly under a table of several models
    # (the emergency rate ratios: 8 models, each its own row)
    # each entry's models (a table's column of reasons names them: Whose) and reason,
    # each headline the sentence says left out ("too few events in total", not "too
    # few events to estimate: too few events in total": wave 36; "are not shown: not
    # shown: ..." said a disclosure rule's heading twice: wave 37): unrepeated
    # "are not shown: withheld: hidden to protect privacy" said it twice for a value a
    # rule hid after its release check passed (the cell's "withheld: <why>",
    # reports.sentences.withheld_text; the wellbeing share at 30,000 people, wave 40)
    said = [(r.models, _unwithheld(unrepeated(r.why))) if isinstance(r, Whose)
            else ("", _unwithheld(unrepeated(r))) for r in _together(reasons)]
    failed = f"{COULD_NOT}: "
    if all(why.startswith(failed) for _, why in said):
        # "are not shown: could not be estimated: ..." said two things with two colons
        # (the reach page's inequality indices, wave 36): a number no fit gave could
        # not be estimated
        return COULD_NOT, [(models, why[len(failed):]) for models, why in said]
    return "are not shown", said


def written_record(path: Path, table: ProtectedTable) -> dict[str, Any]:
    """What a display function records in its sealed stamp about a CSV it wrote: its
    lines of the notes (:data:`NOTES_KEY`), the notes' text on the rules
    (:data:`NOTES_HEAD_KEY`) and the page's words for each header
    (:data:`HEADERS_KEY`). The publish gate re-checks a published edition by this
    record, not by the code checking it (:mod:`lifetools.pipeline.gate.files`)."""
    head, _ = read_csv(Path(path).read_bytes())
    words = {}
    for name in head:
        try:
            words[name] = column_label(name)
        except ValueError:  # a machine name without a label: read as it is
            words[name] = name
    return {NOTES_KEY: file_notes(path), NOTES_HEAD_KEY: _notes_head(path, table),
            HEADERS_KEY: words}


def _notes_head(path: Path, table: ProtectedTable) -> str:
    """The notes' text on the rules for the folder of ``path`` as it now is."""
    return notes_text(table.record.profile.split("+")[0],
                      folder_marks(Path(path).parent))


def notes_text(profile: str | None = None,
               marks: tuple[bool, bool, bool] | None = None) -> str:
    """The notes file's text on the rules: what each symbol its folder's files show
    means, and the rules applied.

    ``marks`` (:func:`folder_marks`): whether a file of the folder shows ``[c]`` cells
    whose reason is not said (a count, share or statistic a rule hid: every reason the
    rules can give is listed, :func:`withheld_sentence`), ``[c]`` cells whose reason
    is said (by the file's table note, or by the rule's own words, each file's
    :data:`CELLS_NOTE` line: a model the model release rule withheld, a curve the curve
    rule left out), and ``[x]`` cells. A symbol no file shows is not explained, and "which
    reason applies is not said" is said only of cells whose reason is not (a folder
    of none explained ``[x]``, and said the reason was not said beside files that gave
    it, until wave 42: issue 15). ``None``: every line, as written before wave 42 (the
    publish gate's words for a run recorded without its own).
    """
    p = get_profile(profile)
    unsaid, said, missing = (True, False, True) if marks is None else marks
    lines = []
    if marks is None:  # as written before wave 42
        lines = [f"{SUPPRESSED}: confidential, {PRIVACY}. {withheld_sentence(p)}",
                 f"{NOT_AVAILABLE}: not available (not estimated or not applicable)."]
    elif unsaid:
        lines.append(f"{SUPPRESSED}: {MEANINGS[SUPPRESSED]} ({PRIVACY}). "
                     f"{withheld_sentence(p, estimates_below=said)}")
    elif said:
        # each file's lines say why its [c] cells are hidden (CELLS_NOTE): by its
        # table note, a rule of its own (the model release rule, the curve rule) or
        # its own column; "The table note of each file ... gives its reason" was said
        # of files that had none until wave 43
        lines.append(f"{SUPPRESSED}: {MEANINGS[SUPPRESSED]} ({PRIVACY}). The lines on "
                     f"each file below give the reason of its {SUPPRESSED} cells.")
    if missing and marks is not None:
        lines.append(f"{NOT_AVAILABLE}: {MEANINGS[NOT_AVAILABLE]}.")
    return (
        "Notes on the tables in this folder\n\n"
        + "".join(f"{line}\n" for line in lines) + ("\n" if lines else "")
        + f"Disclosure control profile: {p.name}. {rule_sentence(p)} Percentages and "
        "rates are computed from the published counts. Sums and means need at least "
        f"{p.magnitude_threshold} contributors, and are hidden when the "
        f"{p.nk_n} largest contributions exceed {p.nk_k:.0%} of the total or the "
        f"rest is under {p.p_percent:g}% of the largest.\n")


_FILE_MARKS: dict[str, tuple[bool, bool, bool]] = {}
"""What :func:`write_csv` knew of each file it wrote in this process (by its resolved
path): its :func:`folder_marks` facts, from the protected table's cells."""


def folder_marks(folder: Path) -> tuple[bool, bool, bool]:
    """Whether the CSV files of ``folder`` show a ``[c]`` whose reason is not said, a
    ``[c]`` whose reason a file's table note states, and a ``[x]``: from what
    :func:`write_csv` recorded of each file it wrote, else from the file's cells (a
    ``[c]`` then counts as one whose reason is not said)."""
    unsaid = said = missing = False
    for path in sorted(Path(folder).glob("*.csv")):
        known = _FILE_MARKS.get(str(path.resolve()))
        if known is None:
            _, rows = read_csv(path.read_bytes())
            cells = {cell for row in rows for cell in row}
            known = (SUPPRESSED in cells, False, NOT_AVAILABLE in cells)
        unsaid, said, missing = unsaid or known[0], said or known[1], missing or known[2]
    return unsaid, said, missing


def _file_marks(table: ProtectedTable, cells: pd.DataFrame, note: str
                ) -> tuple[bool, bool, bool]:
    """One written file's :func:`folder_marks` facts: its ``[c]`` cells a rule of the
    list hid, which one not said (the protection record's, or a ``[c]`` no table note
    explains), its ``[c]`` whose reason is said (:func:`_cell_kinds`), and its
    ``[x]``."""
    kinds = _cell_kinds(table, cells, note)
    return (_UNSAID in kinds, any(k != _UNSAID for k in kinds),
            bool((cells == NOT_AVAILABLE).to_numpy().any()))


def _cell_kinds(table: ProtectedTable, cells: pd.DataFrame, note: str) -> list[str]:
    """The kinds of reason of a written file's ``[c]`` cells, once each, in the order
    first shown (column by column): :data:`_IN_NOTE` for a cell whose reason the table
    note states (a withheld model's, when the note gives its release's reason; an
    estimate's group too small), a rule's own tag of
    :data:`~lifetools.disclosure.models.CELL_REASONS` (the model release rule where no
    note gives the reason: the data behind a figure; the curve rule, whose reason is
    the table's column), else :data:`_UNSAID`."""
    tags = {(r, c): why for r, c, why in table.record.suppressed}
    kinds: dict[str, None] = {}
    for column in cells.columns:
        for row, text in enumerate(cells[column].tolist()):
            if text != SUPPRESSED:
                continue
            tag = tags.get((row, column))
            if note and tag in (None, WITHHELD_CELL):
                kinds[_IN_NOTE] = None
            elif tag in CELL_REASONS:
                kinds[tag] = None
            else:
                kinds[_UNSAID] = None
    return list(kinds)


def _cells_words(kinds: list[str]) -> str:
    """A file's :data:`CELLS_NOTE` words for its ``[c]`` cells of ``kinds`` ("" for
    none): each kind's words, several joined by "; or "."""
    return "; or ".join(_KIND_WORDS[k] for k in kinds)


def file_notes(path: Path, note: str | None = None) -> str:
    """The notes' lines on one CSV file: a blank line, its name, then each column in
    order (its name as in the file's first row: the words the report page shows for it,
    :func:`lifetools.labels.column_label`, a name without a label reading as its words;
    its unit, :func:`lifetools.labels.column_unit`), then the reasons of its ``[c]``
    cells when it has any (:data:`CELLS_NOTE`: each reason that applies to them, as
    :func:`write_csv` wrote it), then its table note when it has one
    (:data:`TABLE_NOTE`: the sentence the page states under the table; ``note``, by
    default what :func:`write_csv` wrote the file with)."""
    path = Path(path)
    cells_words = _FILE_CELLS.get(str(path.resolve()), "")
    if note is None:
        note = _TABLE_NOTES.get(str(path.resolve()), "")
    head, rows = read_csv(path.read_bytes())
    lines = ["", path.name]
    for index, name in enumerate(head):
        try:
            words = column_label(name)
        except ValueError:  # a machine name without a label: its words
            words = name.replace("_", " ")
        cells = [row[index] for row in rows if index < len(row)]
        lines.append(f"  {name}: {words}; unit: {column_unit(name, cells)}")
    if cells_words:
        lines.append(f"{CELLS_NOTE}{cells_words}.")
    if note:
        lines.append(f"{TABLE_NOTE}{note}")
    return "\n".join(lines)


def _describes(lines: str, path: Path) -> bool:
    """Whether ``lines`` (a :func:`file_notes` text) name ``path`` and its columns, in
    the order of its first row, one line each, and at most the reasons of its ``[c]``
    cells and a table note after them."""
    head, _ = read_csv(path.read_bytes())
    parts = lines.split("\n")
    if len(parts) > len(head) + 2 and parts[-1].startswith(TABLE_NOTE):
        parts = parts[:-1]
    if len(parts) > len(head) + 2 and parts[-1].startswith(CELLS_NOTE):
        parts = parts[:-1]
    return (parts[:2] == ["", path.name] and len(parts) == len(head) + 2
            and all(line.startswith(f"  {name}: ") and "\n" not in line
                    for line, name in zip(parts[2:], head, strict=True)))


def column_notes(folder: Path, recorded: Mapping[str, str] | None = None) -> str:
    """The notes' list of every column of every CSV file in ``folder``.

    For each file (by name) its :func:`file_notes`. "" when the folder has no CSV file.
    ``recorded`` (file name to its :func:`file_notes` as the display function that
    wrote the file recorded it in its sealed stamp, :data:`NOTES_KEY` of the download's
    rules) is used for a file whose lines it holds, provided they name the file and
    its columns in order: the publish gate then checks a published edition's notes
    by the words its build wrote, not by the labels of the code checking it.

    Notes
    -----
    Checked by ``tests/unit/test_disclosure_types.py``; the publish gate
    (:mod:`lifetools.pipeline.gate.files`) accepts a notes file only when it equals
    :func:`notes_text` followed by this list for its folder.
    """
    blocks = []
    for path in sorted(Path(folder).glob("*.csv")):
        kept = (recorded or {}).get(path.name)
        blocks.append(kept if isinstance(kept, str) and _describes(kept, path)
                      else file_notes(path))
    if not blocks:
        return ""
    return ("\nColumns of each file (its name in the file's first row: the words the "
            "report page shows for it; its unit)\n" + "\n".join(blocks) + "\n")


def label_columns(frame: pd.DataFrame) -> list[str]:
    """The leading columns of text (groups, levels, terms): the table's row labels."""
    labels = []
    for column in frame.columns:
        if not (pd.api.types.is_object_dtype(frame[column])
                or isinstance(frame[column].dtype, pd.CategoricalDtype)
                or pd.api.types.is_string_dtype(frame[column])):
            break
        labels.append(column)
    return labels


def header_rules(table: ProtectedTable, not_counts: Any = ()) -> dict[str, Any]:
    """What protected each column of ``table``, keyed by the header a page shows.

    The record a stamp carries for the publish gate to verify every cell of the table
    as shown and as downloaded (:mod:`lifetools.pipeline.gate.tables`,
    :mod:`lifetools.pipeline.gate.files`): its count columns (``count_headers``),
    columns a rule protected (``protected_headers``), whole-number columns declared
    not counts (``not_count_headers``), its row labels (``label_headers``), a model's
    numbers :func:`~lifetools.disclosure.model_release` released
    (``estimate_headers``), the places
    a rule fixed (``protected_places``), the base a rule rounded a magnitude to
    (``protected_bases``: person-years), which counts add up to published totals
    (``totals``, ``totals_by_header``), each row's group size
    (``denominator_header``) and the counts of people of it
    (``people_outcome_headers``), each share's group (``share_headers``:
    ``"breakdown"`` or ``"group"``), for the group disclosure rule, and each rate's
    numerator, denominator and multiplier (``rate_headers``: the gate recomputes the
    rate from the published cells, :mod:`lifetools.disclosure.rate_check`), with its
    confidence limits and their method (``lower``, ``upper``, ``interval``: recomputed
    from the same cells), and each decision curve's net benefit of treating everyone
    with its threshold column and the published counts it was computed from
    (``treat_all_headers``: :mod:`lifetools.disclosure.net_benefit_check`), and each
    model's net benefit computed from protected counts with the published counts of
    each point and its limits' columns (``net_benefit_count_headers``: recomputed from
    them), and each share of a breakdown's block with its count column
    (``breakdown_share_headers``: checked from the block's published counts) and each
    block's published total (``breakdown_share_totals``: a share shown without its
    count column is checked against it). Used by
    :func:`lifetools.tables.show_table`
    and :func:`lifetools.publication.show_figure` (the data behind a figure).
    """
    rules = table.rules
    protected = rules.get("protected_cols", [])
    record: dict[str, Any] = {
        "count_headers": [column_label(c) for c in rules.get("count_cols", [])],
        "protected_headers": [column_label(c) for c in protected
                              if c not in rules.get("count_cols", [])],
        "not_count_headers": [column_label(c) for c in not_counts
                              if c in table.columns],
        "label_headers": [column_label(c) for c in label_columns(table.frame)]}
    denominator = _denominator(table)
    if denominator is not None:  # the group size whose hiding hides its row's outcomes
        record["denominator_header"] = column_label(denominator)
        people = [column_label(c) for c in table.record.people_outcomes
                  if c in rules.get("count_cols", [])]
        if people:  # counts of people of that group: none equal to it is shown
            record["people_outcome_headers"] = people
    released = table.record.columns_with("estimate")
    if released:  # a model's numbers lt.disclosure.model_release released
        record["estimate_headers"] = [column_label(c) for c in released]
    places = {column_label(c): n for c, n in table.record.places if c in protected}
    if places:  # the places each such column is shown with
        record["protected_places"] = places
    bases = {column_label(c): n for c, n in table.record.bases if c in protected}
    if bases:  # the base each such column was rounded to (person-years)
        record["protected_bases"] = bases
    secondary = table.record.secondary
    if secondary is not None and rules.get("count_cols"):
        # which shown counts add up to published totals: the group disclosure rule's
        # groups (lifetools.disclosure.groups.group_findings)
        record["totals"] = secondary.get("totals")
        if secondary.get("by") is not None:
            record["totals_by_header"] = column_label(secondary["by"])
    rates = {column_label(r): {"numerator": column_label(k) if k else None,
                               "denominator": column_label(y) if y else None, "per": per}
             for r, k, y, per in table.record.rates if r in protected}
    for r, low, high, method in table.record.intervals:
        if column_label(r) in rates:  # its limits, recomputed by the method named
            rates[column_label(r)].update(
                lower=column_label(low) if low else None,
                upper=column_label(high) if high else None, interval=method)
    if rates:  # each rate's published inputs and its multiplier (per 1,000 ...)
        record["rate_headers"] = rates
    limits = {column_label(c): list(avoid) for c, avoid in table.record.limits
              if c in table.columns}
    if limits:  # each confidence limit and the values it keeps its side of
        record[LIMITS_KEY] = limits
    bad = {column_label(c): list(v) for c, v in table.record.limit_degenerate
           if c in table.columns and v}
    if bad:  # the values each limit is degenerate at (a ratio's 0)
        record[LIMIT_DEGENERATE_KEY] = bad
    cells = _limit_cells(table)
    if cells:  # the rows whose true limit is on such a value, or degenerate
        record[LIMIT_CELLS_KEY] = cells
    treat_all = {column_label(c): {"threshold": column_label(t) if t else None,
                                   "events": k, "people": n}
                 for c, t, k, n in table.record.treat_all if c in table.columns}
    if treat_all:  # each net benefit of treating everyone: its published counts
        record["treat_all_headers"] = treat_all
    from_counts = {column_label(c): {"threshold": column_label(t) if t else None,
                                     "people": n, "points": [list(p) for p in points],
                                     "lower": column_label(lo) if lo else None,
                                     "upper": column_label(hi) if hi else None}
                   for c, t, n, points, (lo, hi) in table.record.net_benefit_counts
                   if c in table.columns}
    if from_counts:  # a model's net benefit: the published counts of each point
        record["net_benefit_count_headers"] = from_counts
    shares = [c for c in table.record.columns_with("share")
              if c in protected and not str(c).startswith("ci_")]
    if table.record.flow is not None:  # a flow: each step's excluded count protected
        record[PARENTS_KEY] = list(table.record.flow)
        zero: dict[str, list[int]] = {}
        for column, row in table.record.flow_zero:
            if column in table.columns:
                zero.setdefault(column_label(column), []).append(row)
        if zero:  # the steps that excluded exactly nobody: shown as 0 only there
            record[ZERO_KEY] = zero
    breakdowns = {column_label(c): column_label(k) if k else None
                  for c, k in table.record.breakdown_shares if c in protected}
    if breakdowns:  # a share of its block's published total of the count beside it
        record["breakdown_share_headers"] = breakdowns
    block_totals = {column_label(c): {"by": column_label(b) if b else None,
                                      "totals": dict(totals)}
                    for c, b, totals in table.record.breakdown_totals if c in protected}
    if block_totals:  # each block's published total: shares without their counts
        record["breakdown_share_totals"] = block_totals
    if shares:  # a share of its block (a breakdown) or of its row's group size
        record["share_headers"] = {column_label(c): "breakdown" if secondary is not None
                                   else "group" for c in shares}
    return record


def _limit_cells(table: ProtectedTable) -> dict[str, dict[str, list[Any]]]:
    """For each confidence-limit column the record keeps on its side of values
    (:attr:`~lifetools.disclosure.protected.ProtectionRecord.limits`), what the
    publish gate cannot read from a cell: the rows (1 = the first under the header)
    whose true limit is exactly one of those values or of its degenerate ones
    (``exact``: ``[row, value]``; "1.00" is then a limit of 1, not 0.9996 rounded onto
    it), and the rows whose true limit is degenerate (``degenerate``: infinite, or
    one of :attr:`~lifetools.disclosure.protected.ProtectionRecord.limit_degenerate`).
    Hidden cells are left out; a column with neither is left out (wave 43)."""
    frame = table.frame
    hidden = {(r, c) for r, c, _ in table.record.suppressed}
    bad = dict(table.record.limit_degenerate)
    out: dict[str, dict[str, list[Any]]] = {}
    for column, avoid in table.record.limits:
        if column not in frame.columns:
            continue
        edges = (*avoid, *bad.get(column, ()))
        exact: list[Any] = []
        degenerate: list[int] = []
        for row, value in enumerate(frame[column].tolist()):
            if (row, column) in hidden or isinstance(value, bool) or \
                    not isinstance(value, (int, float)) or value != value:
                continue
            if not math.isfinite(value) or value in bad.get(column, ()):
                degenerate.append(row + 1)
            exact += [[row + 1, float(edge)] for edge in dict.fromkeys(edges)
                      if value == edge]
        cells = {k: v for k, v in (("exact", exact), ("degenerate", degenerate)) if v}
        if cells:
            out[column_label(column)] = cells
    return out


def _denominator(table: ProtectedTable) -> str | None:
    """The count column the group-size rule protected the table by (the record's
    declared ``denominator``, among two or more counts), None when the rule did not
    apply."""
    counts = table.rules.get("count_cols", [])
    group = table.record.denominator
    return group if group in counts and len(counts) >= 2 else None


def shown_frame(table: ProtectedTable, *, digits: int = DOWNLOAD_PLACES,
                proportions: Any = ()) -> pd.DataFrame:
    """The table as text cells: suppressed ``[c]``, missing ``[x]``, numbers formatted.

    A number has ``digits`` decimal places, except in a column a disclosure rule
    published with fixed places (the protection record's ``places``): person-years
    rounded to whole years read "8920", not "8920.00", and a share to 1 place "15.1",
    not "15.10", as the page's table shows them (:func:`lifetools.tables.show_table`);
    and a column of ``proportions`` (which the page shows in per cent to 1 decimal
    place) has :data:`PROPORTION_PLACES`: "0.063" for "6.3%". A confidence limit
    recorded as keeping its side of a value (the null, a stated limit:
    :attr:`~lifetools.disclosure.protected.ProtectionRecord.limits`) gets the fewest
    extra places that keep it there (:func:`lifetools.signs.places_avoiding`): "1.004",
    never "1.00" beside a page that wrote "1.004" (wave 41).

    No cell is ever blank: a value that is missing (None, NaN, an empty or blank text)
    is ``[x]`` (not available), unless a rule hid it (``[c]``). The hazard-ratio
    downloads' column of E-values and the crisis report's fraction of missing
    information were written empty until wave 41 (issue 15).
    """
    frame = table.frame
    hidden = {(r, c) for r, c, _ in table.record.suppressed}
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        places = table.record.places_of(column)
        shown = (places if places is not None else
                 PROPORTION_PLACES if column in proportions else digits)
        avoid = table.record.avoid_of(column)
        if avoid is not None:  # and off the values a limit is degenerate at (a ratio's 0)
            avoid = (*avoid, *dict(table.record.limit_degenerate).get(column, ()))
        out[column] = [
            SUPPRESSED if (row, column) in hidden
            else _text(value, _cell_places(value, shown, avoid))
            for row, value in enumerate(frame[column].tolist())]
    return out


def _cell_places(value: Any, places: int, avoid: tuple[float, ...] | None) -> int:
    """The decimal places of one cell of a column written with ``places``: the fewest
    from ``places`` up that keep a number off each value of ``avoid`` (the column's
    recorded null and stated limits, :func:`lifetools.signs.places_avoiding`), or
    ``places`` when the column keeps no side (``avoid`` None) or the cell is no number
    (text, a whole number, NaN)."""
    if avoid is None or not isinstance(value, float) or value != value:
        return places
    return places_avoiding(value, *avoid, digits=places)


def _text(value: Any, digits: int) -> str:
    if isinstance(value, SaidInNote):
        # its symbol, as the page shows it; the reason is the table's note, once (the
        # downloads said "suppressed: too few" in each such cell until wave 27)
        return value.shown
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return NOT_AVAILABLE
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        # a day or a month's first day: "2024-04-01", not "2024-04-01 00:00:00", a time
        # of day no figure has (the run charts' month column, wave 40)
        return value.date().isoformat()
    if isinstance(value, int) or (hasattr(value, "is_integer") and
                                  not isinstance(value, float)):
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    text = str(value)
    return text if text.strip() else NOT_AVAILABLE


def write_csv(table: ProtectedTable, path: Path, *, digits: int = DOWNLOAD_PLACES,
              note: str = "", proportions: Any = ()) -> Path:
    """Write a protected table as CSV (``[c]`` for suppressed cells) and the notes file.

    ``note``: the sentence the page states under the table that the CSV cannot carry
    (a withheld model's reason, :func:`withheld_models_note`), written in the file's
    lines of the notes (:func:`file_notes`). ``proportions``: columns written with
    :data:`PROPORTION_PLACES` (:func:`shown_frame`). No cell is blank (``[x]``).

    Every cell is written with the hyphen-minus for a negative sign: numbers from their
    values ("-0.23"), and text cells (an interval written out, "-0.23 (-0.51 to 0.05)")
    with the page's minus sign (:data:`~lifetools.disclosure.text.MINUS`) written back
    as a hyphen-minus. A CSV is read by programs (pandas, R and spreadsheets read only
    the hyphen-minus as a sign) and opened by people in spreadsheets that take a file
    without a byte-order mark for a legacy code page (the minus sign, the files' only
    non-ASCII character, would show as "âˆ’"): so a download keeps one spelling of a
    sign in all its cells, and its bytes stay ASCII (``book/methods/verdicts.md``).

    The headers stay the machine names (``ci_lower``, ``person_years``: programs and
    ``lifetools reproduce`` read them); the words a page shows for each are listed
    beside them in the notes (:func:`column_notes`), so every header must have them:
    a machine name without a label (:func:`lifetools.labels.column_label`) is refused
    before anything is written, as :func:`lifetools.tables.show_table` refuses it on
    the page.

    Raises
    ------
    DisclosureError
        If ``table`` is not a verified :class:`ProtectedTable`.
    ValueError
        If a column is a machine name without a label (naming the file and column).
    """
    if not isinstance(table, ProtectedTable):
        require_table(table, name=Path(path).stem)  # raises for anything unsafe
        raise TypeError("write_csv takes a ProtectedTable")
    table.verify()
    path = Path(path)
    for name in table.columns:
        try:
            column_label(name)
        except ValueError as error:  # the notes could only repeat the machine name
            raise ValueError(f"download {path.name!r}: {error}") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = shown_frame(table, digits=digits, proportions=proportions)
    cells = cells.apply(lambda column: column.str.replace(MINUS, "-", regex=False))
    cells.to_csv(path, index=False, lineterminator="\n")
    _TABLE_NOTES[str(path.resolve())] = note
    _FILE_MARKS[str(path.resolve())] = _file_marks(table, cells, note)
    _FILE_CELLS[str(path.resolve())] = _cells_words(_cell_kinds(table, cells, note))
    (path.parent / NOTES_FILE).write_text(_notes_head(path, table)
                                          + column_notes(path.parent))
    return path


def read_csv(data: bytes | str) -> tuple[list[str], list[list[str]]]:
    """Read a published table (as :func:`write_csv` wrote it): its header and rows as text.

    The one reader of published CSV files: the publish gate
    (:mod:`lifetools.pipeline.gate`) and ``lifetools reproduce`` both read through it,
    so they cannot disagree about a cell. Values stay text (``[c]`` is a value).
    """
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    rows = list(csv.reader(io.StringIO(text)))
    return (rows[0], rows[1:]) if rows else ([], [])


def read_csv_records(data: bytes | str) -> list[dict[str, str | None]]:
    """:func:`read_csv` as one mapping per non-empty row (short rows padded with None)."""
    head, rows = read_csv(data)
    return [dict(zip(head, [*row, *[None] * (len(head) - len(row))], strict=False))
            for row in rows if row]
