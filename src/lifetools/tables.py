"""Publication tables: protected tables in, accessible stamped HTML and CSV out.

:func:`show_table` is the only way a report shows a table. It accepts a
:class:`~lifetools.disclosure.ProtectedTable` (verified: a column added or changed
after protection is refused) or a plain aggregate DataFrame whose ``count_cols`` it
protects through :func:`lifetools.disclosure.require_table` (which refuses whole-number
columns it is not told about and frames carrying the old ``attrs`` flag). It refuses
anything that looks row-level, writes ``tables/<name>.csv`` beside the page (suppressed
cells ``[c]``, with ``tables/notes.txt``) and displays an accessible HTML table
stamped for the publish gate, its headers and row labels in plain words from
:mod:`lifetools.labels` (the CSV keeps the machine names).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lifetools import config
from lifetools.convergence import DIVERGED, not_estimable_text
from lifetools.disclosure import (
    DENOMINATOR,
    ProtectedTable,
    ProtectedText,
    Totals,
    active_profile,
    edit_words,
    linked_findings,
    magnitude_sentence,
    require_estimates,
    require_table,
    rule_sentence,
    write_csv,
)
from lifetools.disclosure.downloads import (
    PROPORTION_PLACES,
    SUPPRESSED,
    header_rules,
    hidden_mark,
    shown_frame,
    withheld_models_note,
    withheld_table_sentence,
    written_record,
)
from lifetools.disclosure.models import WITHHELD_CELL, WITHHELD_COLUMN, withheld_rows
from lifetools.disclosure.prose import has_words, prose_findings
from lifetools.disclosure.protected import Link
from lifetools.disclosure.rule_text import net_benefit_sentence, withheld_sentence
from lifetools.disclosure.statistics import require_no_loose_statistics
from lifetools.disclosure.table_cells import require_cells_pass, source_parameters
from lifetools.disclosure.withheld import (
    NOTHING_SAID,
    PRIVACY,
    SAID_ONCE,
    UNAVAILABLE,
    LeftOut,
    Said,
    SaidInNote,
    Whose,
    WithheldNote,
    headline_of,
    left_out,
)
from lifetools.disclosure.withheld_tables import row_names, withheld_entirely
from lifetools.errors import DisclosureError
from lifetools.formatting import MISSING, finite, format_interval, format_value
from lifetools.labels import (
    VALUE_LABELS,
    column_label,
    listed,
    quoted,
    term_edits,
    value_label,
    words_given,
)
from lifetools.publication import TABLES_FOLDER, check_name, seal, stamp

__all__ = ["E_VALUE_HEADER", "IDENTIFYING_COLUMNS", "PERCENT_SCALE", "SUPPRESSED", "PublishedTable",
           "e_value_cells", "format_estimate",
           "not_estimable_cells", "show_notes", "show_table", "table_estimates"]

IDENTIFYING_COLUMNS = ("person_id", "nhs_number", "year_of_birth", "date_of_birth",
                       "lsoa_code", "date_of_death", "postcode", "contact_id",
                       "referral_id", "attendance_id", "spell_id")
MAX_ROWS = 60
SAME_AS_ABOVE = "lifetools-same"
"""The class of a first-column cell that repeats the row above's words
(:meth:`PublishedTable.to_html`): its text stays in the page for a screen reader, a copy
and a stacked row, and is out of sight at full width (``book/_static/lifetools.css``),
so a group's label ("Age band") is read once down the table."""
_SHOWN: dict[str, tuple[str, list[str], list[list[str]], bool]] = {}
"""The tables this process showed, by :meth:`ProtectedTable.identity`: their published
name, cells as the table shows them, and whether the page shows it as a sentence
(every value withheld), for a table that follows one of them
(:func:`lifetools.disclosure.follow`) to name it in its stamp and be checked against it."""


def _linked(text: str, href: str | None) -> str:
    """A cell's text, escaped, as a link to ``href`` when it has one."""
    shown = html.escape(text)
    return shown if href is None else f'<a href="{html.escape(href)}">{shown}</a>'


@dataclass(frozen=True)
class PublishedTable:
    """A protected table as shown in a report.

    ``frame`` holds the cells as text under the machine column names (as in the CSV);
    ``words`` the same cells as the page shows them, headers and row labels in plain
    words (:mod:`lifetools.labels`).
    """

    name: str
    caption: str
    frame: pd.DataFrame = field(repr=False)
    note: str = ""
    rules: dict[str, Any] = field(default_factory=dict)
    table: ProtectedTable | None = field(default=None, repr=False)
    words: pd.DataFrame | None = field(default=None, repr=False)
    spans: tuple[tuple[int, str, list[dict[str, Any]]], ...] = field(default=(),
                                                                     repr=False)
    """Cells that are protected texts: (row, header, spans), for the gate to verify."""
    sentence: bool = False
    """Every value of the table is withheld: the page shows its caption and ``note``
    (the sentence naming its rows and why, :func:`show_table`) in its place."""
    links: Mapping[str, Mapping[str, str]] = field(default_factory=dict, repr=False)
    """Cells shown as links: column (machine name) to each cell's text and its address
    (:func:`show_table`'s ``links``); the page only, not the download."""

    def __post_init__(self) -> None:
        # the gate's cell rules on the cells this table will show under its stamp:
        # refused here, at the cell, as the publish gate would refuse the page
        shown = self.frame if self.words is None else self.words
        require_cells_pass([str(c).strip() for c in shown.columns],
                           [[str(v).strip() for v in row]
                            for row in shown.itertuples(index=False)],
                           self.rules, self.spans, active_profile(), name=self.name)

    def to_html(self) -> str:
        """Accessible HTML: caption, column headers with scope, stacked on a phone, and
        the note (what ``[c]`` and ``[x]`` mean, said once) below the table as its
        description (``aria-describedby``).

        Each body cell carries its column's header as ``data-label``: below 768 px
        (``book/_static/lifetools.css``) a row of a ``lifetools-stacked`` table shows
        as "header: value" lines, so no column is off-screen.
        """
        if self.sentence:
            return self._sentence_html()
        shown = self.frame if self.words is None else self.words
        labels = [html.escape(str(c)) for c in shown.columns]
        head = "".join(f'<th scope="col">{label}</th>' for label in labels)
        body = []
        firsts = [str(row[0]) for row in shown.itertuples(index=False)]
        same = [i > 0 and len(labels) > 1 and f == firsts[i - 1] and has_words(f)
                for i, f in enumerate(firsts)]
        hrefs = [self.links.get(str(c), {}) for c in self.frame.columns]
        for i, row in enumerate(shown.itertuples(index=False)):
            cells = [f'<td data-label="{label}">{_linked(str(v), href.get(str(v)))}</td>'
                     for label, v, href in zip(labels, row, hrefs, strict=True)]
            if same[i]:
                # a group's label said again: kept for a screen reader, a copy and a
                # stacked row, out of sight in a wide table (the cohort table read
                # "Age band" in all 7 of its rows)
                cells[0] = (f'<td data-label="{labels[0]}" class="{SAME_AS_ABOVE}">'
                            f'<span>{html.escape(firsts[i])}</span></td>')
            group = ' class="lifetools-group-start"' if any(same) and i > 0 \
                and not same[i] else ""
            body.append(f"<tr{group}>{''.join(cells)}</tr>")
        # the note (what [c] and [x] mean, once) is the table's description: a screen
        # reader reads it with the table (aria-describedby), not only after it
        note_id = f"lifetools-note-{self.name}"
        note = (f'<p class="lifetools-table-note" id="{note_id}">{html.escape(self.note)}</p>'
                if self.note else "")
        described = f' aria-describedby="{note_id}"' if self.note else ""
        return (f'<div class="lifetools-table" role="region" tabindex="0" '
                f'aria-label="{html.escape(self.caption)}" style="overflow-x:auto">'
                f'<table class="table lifetools-stacked"{described}>'
                f'<caption>{html.escape(self.caption)}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
                f"{note}</div>")

    def _sentence_html(self) -> str:
        """A table whose every value is withheld: its caption and the sentence in its
        place, no grid of ``[x]`` (:mod:`lifetools.disclosure.withheld_tables`)."""
        return (f'<div class="lifetools-table lifetools-withheld-table" role="region" '
                f'aria-label="{html.escape(self.caption)}">'
                f'<p class="lifetools-table-caption"><strong>{html.escape(self.caption)}'
                f'</strong></p><p class="lifetools-table-note">{html.escape(self.note)}'
                "</p></div>")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None):
        plain = (f"{self.caption}: {self.note}" if self.sentence
                 else f"Table: {self.caption}")
        data = {"text/html": self.to_html(), "text/plain": plain}
        problems = not_estimable_cells(self.frame)
        extra: dict[str, Any] = {"not_estimable": problems} if problems else {}
        if self.sentence:  # the gate reads the page, not this: it records the choice
            extra["sentence"] = True
        if self.spans:
            extra["cell_spans"] = [list(cell) for cell in self.spans]
        return seal(data, stamp("table", self.name, rules=self.rules, **extra))


def not_estimable_cells(frame: pd.DataFrame) -> list[str]:
    """The cells of a shown table that read "could not be estimated", with their row.

    Each entry is "<first cell of the row>: <cell text>", in table order, without
    repeats. The stamp carries them so that the build can list, in the run's manifest
    and log, every result that reached a page without a number (never silently).
    """
    found: list[str] = []
    for row in frame.astype(str).itertuples(index=False):
        for cell in row:
            entry = f"{row[0]}: {cell}" if cell != row[0] else cell
            if MISSING in cell and entry not in found:
                found.append(entry)
    return found


def _display(table: ProtectedTable, digits: int,
             proportions: Sequence[str] = ()) -> pd.DataFrame:
    """Cells as shown on the page: thousands separators, ``[c]``, ``[x]``.

    A cell whose reason the table's note says once
    (:class:`~lifetools.disclosure.withheld.SaidInNote`: an estimate left out because its
    group is too small shows ``[c]``, as a suppressed count does) shows its symbol; the
    reason is said once, in the table's note (:func:`cell_notes`).

    Every number goes through :func:`lifetools.formatting.format_value`: counts as
    counts ("2,635"), a column a disclosure rule published with fixed places with those
    places (person-years whole, "8,922"; a share to 1, "42.9": the protection record's
    ``places``), a column of ``proportions`` (a risk, a share of people held from 0
    to 1) as a percentage to 1 decimal place ("24.5%", ``kind="proportion"``, as the
    page's sentences and figure axes write risks), any other number with ``digits``
    places.
    """
    text = shown_frame(table, digits=digits)
    frame = table.frame
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_bool_dtype(series):
            text[column] = [{"True": "yes", "False": "no"}.get(t, t) for t in text[column]]
            continue
        if any(isinstance(v, SaidInNote) for v in series.tolist()):
            # a cell whose reason the note says once ([c] for an estimate its group is
            # too small for, [x] for a test withheld with its model): shown_frame
            # wrote its symbol, as the download has it
            continue
        places = table.record.places_of(column)
        if pd.api.types.is_integer_dtype(series):
            kind, shown = "count", None
        elif column in proportions and pd.api.types.is_float_dtype(series):
            kind, shown = "proportion", None
        elif pd.api.types.is_float_dtype(series):
            kind, shown = ("ratio", digits) if places is None else ("magnitude", places)
        else:
            continue
        text[column] = [t if t.startswith("[") else format_value(v, kind=kind, digits=shown)
                        for t, v in zip(text[column], series.tolist(), strict=True)]
    return text


def _in_words(text: pd.DataFrame, frame: pd.DataFrame
              ) -> tuple[pd.DataFrame, dict[tuple[int, int], ProtectedText]]:
    """The shown cells with plain-word headers and row labels (:mod:`lifetools.labels`),
    and the cells that are protected texts, by (row, column number), as shown.

    A cell of ``frame`` that is a protected text is shown as it was rendered but for
    its technical terms' words, edited in and out by the table's rule below
    (:func:`lifetools.labels.term_edits` through
    :func:`lifetools.disclosure.edit_words`, which moves its spans with them and seals
    it anew, so that the gate re-renders it span by span); every other text cell
    through :func:`lifetools.labels.value_label` (codes, model terms, technical terms
    beside their plain words). A term's words are given once per table, in reading
    order (headers, then row by row): a sentence cell names a term alone when a header
    or an earlier cell gave its words, and words a cell carries for such a term are
    taken out; a cell that is only a term is a label and reads in words every time.
    The TRIPOD+AI checklist glossed "calibration-in-the-large" in three items and the
    C-statistic in three (issue 15, wave 39), and its drift verdict, which carries its
    own words, after item 12e had given them (wave 39).

    Raises
    ------
    ValueError
        If a column name looks like a machine name and has no label.
    """
    headers = [column_label(c) for c in text.columns]
    said = set().union(*(words_given(h) for h in headers))
    rows, protected = [], {}
    for number, (shown, raws) in enumerate(zip(text.itertuples(index=False),
                                               frame.itertuples(index=False), strict=True)):
        row = []
        for index, (column, v, raw) in enumerate(zip(text.columns, shown, raws,
                                                     strict=True)):
            if isinstance(raw, ProtectedText) and str(v) == str(raw.verify()):
                v = edit_words(raw, term_edits(str(raw), said=said))
                protected[(number, index)] = v
            elif not isinstance(raw, ProtectedText):
                v = value_label(v, column, said=said)
            said |= words_given(v) if isinstance(v, str) else set()
            row.append(v)
        rows.append(row)
    return pd.DataFrame(rows, index=text.index, columns=headers), protected


def _check_not_row_level(frame: pd.DataFrame, name: str) -> None:
    leaks = [c for c in frame.columns if str(c).lower() in IDENTIFYING_COLUMNS]
    if leaks:
        raise DisclosureError(f"table {name!r} has identifying column(s) {leaks}: "
                              "only aggregate tables can be published")
    if len(frame) > MAX_ROWS:
        raise DisclosureError(f"table {name!r} has {len(frame)} rows: tables of more "
                              f"than {MAX_ROWS} rows look row-level and are refused",
                              hint="aggregate it first")


def show_table(
    frame: pd.DataFrame | ProtectedTable,
    *,
    name: str,
    caption: str,
    count_cols: Sequence[str] = (),
    note: str | None = None,
    digits: int = 2,
    totals: Totals | None = None,
    by: str | None = None,
    not_counts: Sequence[str] = (),
    denominator: str | None = DENOMINATOR,
    people_outcomes: Sequence[str] = (),
    proportions: Sequence[str] = (),
    links: Mapping[str, Mapping[str, str]] | None = None,
) -> PublishedTable:
    """Protect, write and display a publication table.

    Parameters
    ----------
    frame
        A :class:`~lifetools.disclosure.ProtectedTable`, or an aggregate DataFrame
        (one row per group or term, never per person).
    name
        File stem of ``tables/<name>.csv``.
    caption
        Visible caption, also the table's accessible name.
    count_cols
        Columns of counts of people or events. In a DataFrame they are protected
        here (active profile); in a ProtectedTable they must be protected columns.
    note
        Extra footnote; the rule footnote is added when the table has protected cells.
    digits
        Decimal places for numbers other than counts.
    totals, by
        Which counts of a DataFrame add up to published totals, for secondary
        suppression (default: what the frame declares with
        :func:`lifetools.disclosure.declare_totals`).
    not_counts
        Whole-number columns of a DataFrame that are not counts of people or events
        (a year, a quintile number); any other unlisted whole-number column is refused.
    denominator
        The count column that is each row's group size (a row whose group size is
        hidden has its other counts hidden; the stamp names it and the publish gate
        checks it): ``people`` by default when it is a count column
        (:func:`lifetools.disclosure.protect_counts`). A ProtectedTable's is the one
        its protection declared.
    people_outcomes
        Count columns counting people of each row's group (each person at most once:
        people admitted, not admissions); one shown equal to the group size is hidden
        (group disclosure; :func:`lifetools.disclosure.protect_counts`). A
        ProtectedTable's are the ones its protection declared.
    proportions
        Columns of shares of people held as proportions (0 to 1: a predicted or
        observed risk, a risk threshold): the page shows them in per cent to 1 decimal
        place ("24.5%"), as every risk a reader meets; the download keeps the
        proportion, machine-readable, to
        :data:`~lifetools.disclosure.downloads.PROPORTION_PLACES` (3) places, the
        page's information ("0.245"; at 2 places it read "0.06" beside "6.3%" until
        wave 41), its unit in the notes ("a risk (0 to 1)"). The stamp names them
        (``proportion_headers``) and their places (``proportion_places``) for the
        publish gate. The crisis-risk page's tables showed risks as 0.083 beside
        sentences and axes in per cent until wave 41 (issue 15).

    links
        Columns of words naming places (a checklist's "where"): each cell whose text
        is a key of its column's mapping is shown on the page as a link to its value
        (an address); the download keeps the words. Used by the TRIPOD+AI checklist
        (:data:`lifetools.reports.tripod.WHERE_LINKS`).

    Raises
    ------
    DisclosureError
        If the table has identifying columns, looks row-level, has a whole-number
        column that is not protected, carries the old protection flag, or is a
        protected table changed after protection (the message names the column).
    ValueError
        If a column name looks like a machine name (``person_years``, ``n``) and has
        no label in :data:`lifetools.labels.COLUMN_LABELS`.
    """
    check_name(name)
    _check_not_row_level(frame.frame if isinstance(frame, ProtectedTable) else frame,
                         name)
    table = require_table(frame, count_cols=count_cols, totals=totals, by=by,
                          name=name, not_counts=not_counts, denominator=denominator,
                          people_outcomes=people_outcomes)
    table, withheld, given = _withheld_once(table)
    unknown = [c for c in proportions if c not in table.frame.columns or
               not pd.api.types.is_float_dtype(table.frame[c])]
    if unknown:
        raise ValueError(f"table {name!r}: proportions {unknown} are not columns of "
                         "numbers of the table")
    text = _display(table, digits, proportions)
    words, protected = _in_words(text, table.frame)
    spans = _text_spans(words, protected)
    # the gate's statistic rule on the cells the gate will read (page and download)
    require_no_loose_statistics(table, name=name, words=words,
                                spans={(row, header) for row, header, _ in spans})
    # the gate checks the counts of the page's table by its headers, and its other
    # cells by what protected or declared them (gate.tables); the download the same
    rules = {**table.rules, **header_rules(table, not_counts)}
    if proportions:
        # the download writes them as proportions to PROPORTION_PLACES ("0.063" for the
        # page's "6.3%"): recorded, for the gate to read every cell at those places
        rules["proportion_headers"] = [column_label(c) for c in proportions]
        rules["proportion_places"] = PROPORTION_PLACES
    bases = rules.get("protected_bases", {})
    # the notes say each reason in full where the page points to its own ("given
    # above"): a notes file has no above (WithheldNote.in_full; wave 42)
    path = write_csv(table, config.output_dir() / TABLES_FOLDER / f"{name}.csv",
                     digits=digits, proportions=proportions, note=" ".join(
                         getattr(t, "in_full", t)
                         for t in (withheld, *cell_notes(table.frame)) if t))
    # its lines of notes.txt as written: the gate re-checks a published edition's
    # notes by them, not by the labels of the code checking it (gate.files)
    rules.update(written_record(path, table))
    footnote = ""
    if rules["protected_cols"]:
        # every reason once, the same words whichever cells were hidden and why: a
        # reason given cell by cell, or only where a rule fired, narrows the cell. A
        # table that shows no [c] states the rule alone: the reasons a value is hidden
        # explained a symbol the reader does not see (every protected table of a
        # page said them, issue 15, wave 33); that no cell is hidden is in the table
        profile = table.record.profile.split('+')[0]
        shows, said = _hidden_cells(table.frame, words, _withheld_cells(table))
        # a table whose protected cells are all statistics of people's values (medians
        # and quartiles: role ``magnitude``) states the magnitude rule, not the count rule
        kinds = {role for column, role in table.record.roles
                 if column in rules["protected_cols"]}
        # [c] cells whose one reason the note states below (an estimate its group is
        # too small for, cell_notes): a table of nothing else hidden gives that reason
        # alone; beside other hidden cells, the list of reasons says it is for them
        reasons = (withheld_sentence(profile, estimates_below=said) + " "
                   if shows else "")
        # a table whose every [c] its notes explain (a withheld model's, an estimate's
        # group too small) has no legend: "[c]: hidden to protect privacy." after
        # "The numbers marked [c] are not shown: ..." said it twice (three crisis
        # tables until wave 43)
        footnote = (f"{SUPPRESSED}: {PRIVACY}. {reasons}" if shows else ""
                    ) + (magnitude_sentence(profile)
                                         if kinds == {"magnitude"} else
                                         _net_benefit_note(table, profile, shows)
                                         if _net_benefit_columns(table) and "count" not in kinds
                                         else rule_sentence(profile))
        if bases:  # person-years rounded as counts are, and the rates from them
            rounded = ("as counts are" if table.record.rounding == "midpoint" else
                       f"to the nearest {table.record.base}")
            footnote += (f" Person-years are rounded {rounded}; rates are computed from "
                         "the rounded numbers shown.")
    note_text = " ".join(t for t in (note, withheld, footnote, *cell_notes(table.frame))
                         if t)
    cells = ([str(c).strip() for c in words.columns],
             [[str(v).strip() for v in row] for row in words.itertuples(index=False)])
    if table.record.links:
        follows = [f for f in (_follows(table, link, cells, name)
                               for link in table.record.links) if f is not None]
        if follows:
            rules["follows"] = follows[0] if len(follows) == 1 else follows
    sentence = _withheld_sentence(table, withheld, given, cells[1], name)
    shown = PublishedTable(name=name, caption=caption, frame=text,
                           note=" ".join(t for t in (sentence, note) if t) if sentence
                           else note_text, rules=rules, table=table, words=words,
                           spans=spans, sentence=bool(sentence), links=dict(links or {}))
    _SHOWN[table.identity()] = (name, *cells, bool(sentence))
    return shown


def _withheld_sentence(table: ProtectedTable, table_note: str, given: frozenset[int],
                       rows: list[list[str]], name: str) -> str:
    """The sentence a table whose every value is withheld is shown as, or "".

    Every value cell shows ``[x]`` or nothing
    (:func:`lifetools.disclosure.withheld_tables.withheld_entirely`) and every row is a
    withheld model's (its reason in the table's column of reasons, or a cell whose note
    is a :class:`~lifetools.disclosure.withheld.WithheldNote`): the sentence names the
    rows (the first column's words) and says the reasons in the words of the table's
    note (``table_note``, whose reasons it keeps; ``given``: the rows whose reason is in
    the column of reasons; :func:`lifetools.disclosure.downloads.withheld_table_sentence`).
    The download keeps the table, ``[x]`` and all. Read at source by the rules of prose,
    as the gate reads it on the page.

    Raises
    ------
    DisclosureError
        If the sentence holds a number the rules of prose refuse.
    """
    # a row's cell whose note is a withheld model's (a proportional-hazards test):
    # its reason, named by the row's label as the column of reasons names its models
    notes = [next((v.note for v in row if isinstance(v, SaidInNote)
                   and isinstance(v.note, WithheldNote)), None)
             for row in table.frame.itertuples(index=False)]
    if not rows or not withheld_entirely(rows) or not all(
            note is not None or i in given for i, note in enumerate(notes)):
        return ""
    pairs = [(why, row[0]) for note, row in zip(notes, rows, strict=True)
             if note is not None for why in note.reasons]
    said = [r for r in _whose_reasons([why for why, _ in pairs],
                                      [name for _, name in pairs]) if r]
    reasons = getattr(table_note, "reasons", ())  # a WithheldNote's, or none
    sentence = withheld_table_sentence(list(dict.fromkeys([*reasons, *said])),
                                       row_names(rows))
    if sentence and config.run_parameters()[0]:
        # outside the runner the gate checks it at the build (as require_cells_pass)
        for rule, detail in prose_findings(sentence, active_profile(), where=(
                "a table shown as a sentence"), parameters=source_parameters(
                    [[sentence]]))[:1]:
            raise DisclosureError(f"table {name!r}: {detail} (rule {rule!r}; the "
                                  "publish gate refuses it)")
    return sentence


def _net_benefit_columns(table: ProtectedTable) -> list[str]:
    """A decision curve's net-benefit columns that a rule computed from published
    counts (the record's ``treat_all`` and ``net_benefit_counts``), in the table."""
    record = table.record
    return [c for c in dict.fromkeys([*(t[0] for t in record.treat_all),
                                      *(m[0] for m in record.net_benefit_counts)])
            if c in table.frame.columns]


def _net_benefit_note(table: ProtectedTable, profile: str, hidden: bool) -> str:
    """The count rule as it applies to a decision curve's table of no count
    (:func:`lifetools.disclosure.rule_text.net_benefit_sentence`), from what its
    protection record says its net benefits were computed from, and whether each is
    shown (a number in every cell of the table: a withheld model's are not, and its
    net benefits are then in no record)."""
    record = table.record
    columns = _net_benefit_columns(table)
    complete = all(finite(v) is not None for c in table.frame.columns
                   for v in table.frame[c])
    return str(net_benefit_sentence(
        profile, treat_all=any(t[0] in columns for t in record.treat_all),
        model=any(m[0] in columns for m in record.net_benefit_counts),
        hidden=hidden, complete=complete))


def _withheld_cells(table: ProtectedTable) -> set[tuple[int, int]]:
    """The cells (row, column number) of models the model release rule withheld
    (:data:`~lifetools.disclosure.models.WITHHELD_CELL`): ``[c]`` whose reason the
    table's note states."""
    columns = list(table.frame.columns)
    return {(row, columns.index(column)) for row, column, why in table.record.suppressed
            if why == WITHHELD_CELL and column in columns}


def _hidden_cells(frame: pd.DataFrame, words: pd.DataFrame,
                  withheld: set[tuple[int, int]] = frozenset()) -> tuple[bool, bool]:
    """Whether the shown table has a ``[c]`` whose reason is not said (a count or
    statistic a rule hid: the note lists every reason, :func:`withheld_sentence`), and
    whether it has one whose one reason its note states (a
    :class:`~lifetools.disclosure.withheld.SaidInNote` shown as ``[c]``: an estimate
    its group is too small for, :func:`cell_notes`). Cells by position: ``words`` is
    ``frame`` as shown."""
    unsaid = said = False
    for row, (raws, shown) in enumerate(zip(frame.itertuples(index=False),
                                            words.itertuples(index=False), strict=True)):
        for column, (raw, text) in enumerate(zip(raws, shown, strict=True)):
            if isinstance(raw, SaidInNote):
                said = said or raw.shown == SUPPRESSED
            elif (row, column) in withheld:
                said = True  # a withheld model's [c]: its reason is the table's note
            elif SUPPRESSED in str(text):
                unsaid = True
    return unsaid, said


def cell_notes(frame: pd.DataFrame) -> list[str]:
    """The note of each cell of ``frame`` whose reason is said once
    (:class:`~lifetools.disclosure.withheld.SaidInNote`: the rule of an estimate left out
    for its group's size), once each, in table order: the note under a table whose
    cells show a symbol for them, never the reason cell by cell (issue 15, wave 23)."""
    return list(dict.fromkeys(v.note for column in frame.columns
                              for v in frame[column].tolist() if isinstance(v, SaidInNote)))


def _withheld_once(table: ProtectedTable) -> tuple[ProtectedTable, str, frozenset[int]]:
    """A model-output table without its column of why the model's numbers are not
    shown (:data:`lifetools.disclosure.models.WITHHELD_COLUMN`, the same words in every
    row), those words once, for the table's note: "The numbers marked [x] are not
    shown: too few events among ...", and the rows that gave a reason (the note, a
    :class:`~lifetools.disclosure.withheld.WithheldNote`, keeps the reasons).
    ``(table, "", no rows)`` when it has none.

    The page and the download's lines of ``notes.txt`` state the reason once per table,
    in the same words (:func:`lifetools.disclosure.downloads.withheld_models_note`),
    never row by row (``tests/unit/test_disclosure_withheld.py``)."""
    if WITHHELD_COLUMN not in table.columns:
        return table, "", frozenset()
    # each reason as its column holds it (a Whose keeps the models it names)
    column = table.frame[WITHHELD_COLUMN].tolist()
    given = frozenset(i for i, v in enumerate(column) if isinstance(v, str) and v)
    reasons = list(dict.fromkeys(column[i] for i in sorted(given)))
    return table.drop(columns=[WITHHELD_COLUMN]), withheld_models_note(reasons), given


def _follows(table: ProtectedTable, link: Link,
             cells: tuple[list[str], list[list[str]]], name: str
             ) -> dict[str, Any] | None:
    """The stamp's record of a table ``table`` follows (``link``; a table following
    several is stamped with a list of them), checked here on the cells
    both pages show (the publish gate checks it again on the page and the downloads).

    ``None`` (no record) when the page shows the table it follows as a sentence (every
    value withheld, :mod:`lifetools.disclosure.withheld_tables`): checked here on its
    cells all the same, where no count is shown that this table could give back or
    that could give back one this table hides. The publish gate refuses a link to a
    table the page does not show as a table (``linked-cell-shown``: no cells to check
    it against), and that table's download is checked to hold no value
    (``withheld-table``), so the link has nothing left to verify (issue 12).

    Raises
    ------
    DisclosureError
        If the table it follows was not shown before it (the link cannot be checked),
        or shows a number that table hides.
    """
    leader = _SHOWN.get(link.leader)
    if leader is None:
        raise DisclosureError(
            f"table {name!r} follows another table (it publishes some of the same "
            "counts), which has not been shown: the two cannot be checked together",
            hint="show the table it follows first, as it is (not a selection of it)")
    follows = {"table": leader[0], "column": column_label(link.column),
               "columns": [column_label(c) for c in (link.own_column, *link.with_columns)
                           if c in table.columns],
               "rows": [[i, j] for i, j in link.rows]}
    if link.own_column in table.columns:
        follows["own"] = column_label(link.own_column)
    found = linked_findings((leader[1], leader[2]), cells, follows)
    if found:
        rule, detail = found[0]
        raise DisclosureError(f"table {name!r}: {detail} (rule {rule!r}; the publish "
                              "gate refuses it)")
    return None if leader[3] else follows


def _text_spans(words: pd.DataFrame, protected: dict[tuple[int, int], ProtectedText]
                ) -> tuple[tuple[int, str, list[dict[str, Any]]], ...]:
    """Where a cell beyond the first column is a protected text, shown as it is
    (``protected``: those :func:`_in_words` showed, by row and column number)."""
    # column by column, as the stamp has listed them; each cell is the text itself
    return tuple((row, str(words.columns[index]), value.stamp())
                 for (row, index), value in sorted(protected.items(),
                                                   key=lambda item: item[0][::-1])
                 if index >= 1)


def show_notes(notes: pd.DataFrame, *, name: str, caption: str) -> PublishedTable | None:
    """Show a report's notes (fit warnings) as a table, or nothing when there are none.

    ``notes`` is a report's ``notes`` frame (``model``, ``note``: text only). An empty
    frame shows nothing (no empty table or caption on the page) and writes no file.

    Notes
    -----
    Checked by ``tests/unit/test_tables.py``.
    """
    if notes is None or notes.empty:
        return None
    frame = notes.rename(columns={"model": "Model", "note": "Note"})
    return show_table(frame.reset_index(drop=True), name=name, caption=caption)


def _degenerate_reason(values: Sequence[float]) -> str | None:
    """Why an estimate and its interval cannot be printed as numbers (None if they can)."""
    estimate, lower, upper = values
    if math.isnan(estimate) or math.isinf(estimate):
        return "the estimate is not finite"
    if any(math.isnan(v) or math.isinf(v) for v in (lower, upper)):
        return DIVERGED  # plain words: "infinite" may not reach a report page
    if lower == upper:
        return "its confidence interval has no width"
    if abs(lower) < 1e-8 and upper > 0:
        return DIVERGED  # "reaches 0": a digit the reason rule refuses
    return None


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) \
        or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == ""


PERCENT_SCALE = "percent"
"""A released summary's ``scale`` for a row whose estimate and limits are per cent
(:func:`table_estimates` writes it "40.0% (15.9% to 70.8%)", as the page's sentences
do: the wellbeing table showed its share improving as "0.40 (0.16 to 0.71)" beside the
summary's "40.0%" until wave 33)."""


def format_estimate(estimate: float, lower: float, upper: float, digits: int = 2, *,
                    reason: str | None = None, null: float | None = None,
                    percent: bool = False) -> str:
    """Format 'estimate (lower to upper)' as reports quote it.

    An estimate that could not be estimated is never printed as numbers: with a
    ``reason`` (the result's ``reason``, a table's ``failure``) it reads "could not be
    estimated: <reason>"; a missing or infinite estimate or limit, a limit of 0 or an
    interval of no width reads "could not be estimated: <what is wrong>" (never
    "nan (nan to nan)" or "0.00 (0.00 to inf)"). ``null`` (1 for a ratio): a limit that
    would round onto it but is not it gets extra decimal places ("1.004"; see
    :func:`lifetools.formatting.bound_places`). ``percent``: the three are per cent,
    written to 1 decimal place with "%" (``digits`` and ``null`` do not apply).

    Notes
    -----
    Checked by ``tests/unit/test_tables.py``.
    """
    if not _missing(reason):
        return not_estimable_text(str(reason))
    values = [float(v) for v in (estimate, lower, upper)]
    degenerate = _degenerate_reason(values)
    if degenerate is not None:
        return not_estimable_text(degenerate)
    if percent:
        return format_interval(estimate, lower, upper, kind="percentage")
    return format_interval(estimate, lower, upper, digits=digits, null=null)


_REASON_TERM = re.compile(r"(^|; )([a-z][a-z0-9]*(?:_[a-z0-9]+)*): ")
"""A model term opening a clause of a fit's reason ("const: its standard error ...")."""


def _terms_in_words(reason: str) -> str:
    """A fit's reason with each model term that opens a clause in words
    (:data:`lifetools.labels.VALUE_LABELS`): the emergency page's own-control row read
    "could not be estimated: const: its standard error is not finite or is zero; after:
    ..."."""
    return _REASON_TERM.sub(lambda m: f"{m.group(1)}{VALUE_LABELS.get(m.group(2), m.group(2))}: ",
                            reason)


def _row_reasons(summary: pd.DataFrame) -> list[str | None]:
    """The text each row shows instead of numbers, or None when it has numbers.

    Read from the columns results and reports carry: ``failure`` (a reason),
    ``withheld`` (a disclosure-control sentence, shown as written), ``estimable`` with
    ``reason`` or a ``note`` saying "could not be estimated: ...".
    """
    out: list[str | None] = []
    for _, row in summary.iterrows():
        text = None
        if not _missing(row.get("failure")):
            text = not_estimable_text(_terms_in_words(str(row["failure"])))
        elif not _missing(row.get("withheld")):
            text = str(row["withheld"])
        elif "estimable" in row and not _missing(row["estimable"]) \
                and not bool(row["estimable"]):
            note = row.get("note")
            text = (str(note) if not _missing(note) and str(note).startswith(
                not_estimable_text("")) else not_estimable_text(
                str(row["reason"]) if not _missing(row.get("reason"))
                else "the fit did not give an estimate"))
        elif not _missing(row.get("note")) and str(row["note"]).startswith(
                not_estimable_text("")):
            text = str(row["note"])
        out.append(text)
    return out


MODEL_LABELS = ("model", "method")
"""Label columns :func:`table_estimates` carries when a summary's terms repeat."""


def table_estimates(summary: ProtectedTable, *, label: str = "estimate",
                    digits: int = 2, keep: Sequence[str] = (),
                    null: float | None | str = "auto",
                    said: Said = NOTHING_SAID) -> pd.DataFrame:
    """Turn released model estimates into a publication table with 95% CIs.

    ``summary`` must be estimates released by
    :func:`lifetools.disclosure.model_release` (``release.estimates(summary)``): a
    plain model summary is refused with :class:`~lifetools.errors.DisclosureError`.

    ``keep`` names label columns (such as ``model``) to carry in front; when it is
    empty and the terms repeat (several models in one summary), the summary's
    :data:`MODEL_LABELS` columns are carried, so that no two rows of the table read
    the same (``test_table_estimates_several_models_carry_the_model_column``). A row that
    could not be estimated (``failure``, ``withheld``, ``estimable`` False with
    ``reason``, a ``note`` "could not be estimated: ...", or numbers that are missing,
    infinite or degenerate) shows its reason in the estimate column and no p-value. A row
    withheld by its model's release check or a disclosure rule (``withheld``) shows
    ``[x]`` in both, and the table carries the reason in a column
    :data:`~lifetools.disclosure.models.WITHHELD_COLUMN`, which :func:`show_table` states
    once in the table's note and drops (a model's reason was repeated in every one of
    its rows until wave 21).

    ``said``: what the page's summary said above of its rows
    (:class:`~lifetools.disclosure.withheld.Said`, each row named by
    :func:`estimate_row_name`, its text a row's ``failure`` or ``withheld`` as the
    summary's sentence reads it). A row the summary gave the reasons of, or whose
    reasons it gave in the same words for another row, shows ``[x]`` too, whether its
    fit failed or its release withheld it, and its entry of the note says where the
    reasons are: "could not be estimated (the reasons are given above)" for its own,
    "(the same reasons as for ‘A&E attendances, Matched difference-in-differences’,
    given above)" for another's, so that a page says each reason once: the emergency
    care page at 3,000 people said "too few events in a group and period to estimate a
    ratio of rate ratios" in its summary and in two rows (issue 15, wave 27), and then
    pointed both rows to "the reasons given above" that its summary gave for one of
    them (wave 39).

    ``null`` is the no-difference value: a limit that would round onto it but is not it
    gets extra decimal places ("1.004 to 4.03", :func:`lifetools.formatting.bound_places`).
    ``"auto"`` takes 1 when ``label`` names a ratio ("hazard ratio") and none otherwise.

    Notes
    -----
    Checked by ``tests/unit/test_tables.py`` and ``tests/unit/test_disclosure_models.py``.
    """
    summary = require_estimates(summary, name=f"{label} table").frame
    if null == "auto":
        null = 1.0 if "ratio" in label.lower() else None
    null = None if null is None else float(null)
    terms = summary["term"] if "term" in summary else pd.Series(summary.index)
    if not keep and terms.duplicated().any():
        keep = [col for col in MODEL_LABELS if col in summary]
    # a withheld row (its release check, or a disclosure rule: the ``withheld`` column)
    # shows the marker; why is said once, in the table's note (show_table reads
    # WITHHELD_COLUMN), not repeated in every row of the model
    # (a fit's own failure still reads in its row, as it did before the release reason)
    failed = (summary["failure"].map(lambda v: not _missing(v)).tolist()
              if "failure" in summary else [False] * len(summary))
    # each reason keeps the kind it was made with (a LeftOut: hidden_mark reads it)
    held = ([None if _missing(v) or fail else left_out(str(v), v, getattr(v, "full", None))
             for v, fail in zip(summary["withheld"], failed, strict=True)]
            if "withheld" in summary else [None] * len(summary))
    if said:
        failures = (summary["failure"].tolist() if "failure" in summary
                    else [None] * len(summary))
        names = [estimate_row_name(row, keep) for _, row in summary.iterrows()]
        # under the headline the summary gave it: a withheld row's own ("too few
        # events to estimate"), a failed fit's "could not be estimated" (the emergency
        # page at 3,000 people said "is not shown: too few events to estimate: ..." in
        # its summary and "could not be estimated (...)" in the table: issue 15, wave 30)
        held = [_said_entry(why, None if _missing(f) else str(f), said, name)
                for why, f, name in zip(held, failures, names, strict=True)]
    scales = (summary["scale"].tolist() if "scale" in summary
              else [""] * len(summary))
    # a withheld row's symbol by its reason (hidden_mark): [c] for a value a disclosure
    # rule hid, [x] for one its release check withheld; the comparison with the
    # previous edition marks the same value the same way (wave 41)
    reasons = [hidden_mark(why) if why is not None else text if text is not None
               else format_estimate(e, lo, hi, digits, null=null)
               if _degenerate_reason([float(e), float(lo), float(hi)]) else None
               for why, text, e, lo, hi in zip(held, _row_reasons(summary),
                                               summary["estimate"], summary["ci_lower"],
                                               summary["ci_upper"], strict=True)]
    out = pd.DataFrame({
        **{col: summary[col].to_numpy() for col in keep},
        "term": summary["term"] if "term" in summary else summary.index.astype(str),
        f"{label} (95% CI)": [
            text if text is not None else format_estimate(e, lo, hi, digits, null=null,
                                                          percent=scale == PERCENT_SCALE)
            for text, e, lo, hi, scale in zip(reasons, summary["estimate"],
                                              summary["ci_lower"], summary["ci_upper"],
                                              scales, strict=True)],
    })
    if "p_value" in summary:
        out["p-value"] = [(hidden_mark(why) if why is not None else ""
                           if text is not None or p != p else "<0.001" if p < 0.001
                           else f"{p:.3f}")
                          for p, text, why in zip(summary["p_value"], reasons, held,
                                                  strict=True)]
    if any(why is not None for why in held):
        # several models in one table: the note says whose reason each is (by the
        # labels that tell them apart, the term too when those labels do not)
        # (a model's rows share one verdict: rows of one label with two reasons, or
        # with one withheld and one not, are several models, told apart by the term)
        named = [c for c in keep if out[c].nunique() > 1]
        models: dict[tuple[str, ...], set[str | None]] = {}
        for i, why in enumerate(held):
            models.setdefault(tuple(str(out[c].iat[i]) for c in named), set()).add(why)
        if any(len(reasons) > 1 for reasons in models.values()):
            named = [*named, "term"]
        out[WITHHELD_COLUMN] = _whose_reasons(
            held, [", ".join(str(out[c].iat[i]) for c in named) if named else ""
                   for i in range(len(out))])
    return out.reset_index(drop=True)


E_VALUE_HEADER = "E-value (CI limit)"
"""The column of a table of released ratios holding their E-values
(:func:`e_value_cells`)."""


def e_value_cells(summary: ProtectedTable) -> list[str]:
    """The "E-value (CI limit)" cell of each row of released estimates ``summary``
    (columns ``e_value`` and ``e_value_ci``): "1.93 (1.41)" where both are numbers;
    the row's mark where its model's release check or a disclosure rule withheld it
    (:func:`~lifetools.disclosure.models.withheld_rows`, by its reason's kind),
    ``[c]`` beside the ``[c]`` of its estimate (:func:`table_estimates`) as every value
    of a model the model release rule withheld; else "" (no E-value: the row is no
    headline ratio, or its fit gave no number), which the page and the download show
    ``[x]`` (:func:`lifetools.disclosure.downloads.shown_frame`). A withheld row's
    E-value read ``[x]`` beside its estimate's ``[c]`` until wave 42 (the
    time-to-discharge table at 4,000 people: 12 cells an edition).
    """
    frame = require_estimates(summary, name="E-values").frame
    return [SUPPRESSED if withheld else
            f"{e:.2f} ({c:.2f})" if pd.notna(e) and pd.notna(c) else ""
            for e, c, withheld in zip(frame["e_value"], frame["e_value_ci"],
                                      withheld_rows(frame), strict=True)]


SAID_ONCE_ENTRY = f"could not be estimated ({SAID_ONCE})"
"""A table note's entry for a row whose fit's failure the page's summary states."""


def said_once_entry(withheld: str, where: str = SAID_ONCE) -> str:
    """A table note's entry for a withheld row whose reasons the page gave above: the
    withheld text's own headline and where the reasons are (``where``:
    :data:`~lifetools.disclosure.withheld.SAID_ONCE`, or
    :data:`~lifetools.disclosure.withheld.SAID_FOR` naming the row they were given
    for): "too few events to estimate (the reasons are given above)", as the summary
    says "... is not shown: too few events among ..." (the headline read back by
    :func:`~lifetools.disclosure.withheld.headline_of`); a text with no headline
    of its own reads "could not be estimated (...)"."""
    head = headline_of(withheld)
    return (f"{head} ({where})" if head and head != withheld.strip()
            else f"could not be estimated ({where})")


def estimate_row_name(row: Any, keep: Sequence[str] = ()) -> str:
    """A row of model estimates by its name on the page: its ``keep`` labels and its
    term ("A&E attendances, Matched difference-in-differences"), the name
    :func:`table_estimates` knows it by in what a page said of it
    (:class:`~lifetools.disclosure.withheld.Said`)."""
    return ", ".join(str(row[c]) for c in [*keep, "term"] if c in row)


def _said_entry(why: str | None, failure: str | None, said: Said, name: str
                ) -> str | None:
    """A row's entry of the table's note on a page that said ``said`` above: where its
    reasons are when given above (a withheld row's under its own headline, a failed
    fit's under "could not be estimated"), else the withheld reason (None: a row not
    withheld, whose failure reads in its cell)."""
    if why is not None:
        where = said.where(name, why)
        # the reasons in full kept for the download's notes (a notes file has no above)
        return left_out(said_once_entry(why, where), why, getattr(why, "full", why)) \
            if where else why
    if failure is not None:
        where = said.where(name, failure)
        # a fit that gave no number: no disclosure rule hid it
        return LeftOut(f"could not be estimated ({where})", UNAVAILABLE,
                       not_estimable_text(_terms_in_words(failure))) if where else None
    return None


def _key(why: str) -> tuple[str, str]:
    """A withheld row's reason by its words and its reasons in full."""
    return str(why), str(getattr(why, "full", why))


def _whose_reasons(held: Sequence[str | None], names: Sequence[str]) -> list[str]:
    """Each withheld row's entry of :data:`~lifetools.disclosure.models.WITHHELD_COLUMN`:
    its reason after the names of every model that has that reason ("" when shown).

    Models withheld for one reason share one entry, so that the table's note says each
    reason once ("‘Cause-specific Cox’ and ‘Fine-Gray (subdistribution, death
    competing)’: too few events in total"), where it said it once per model
    until wave 25 (the re-referral page at 3,000 people gave "too few events in total"
    for 3 models in one note: issue 15). Every name is quoted, one as several, since a
    model's name may hold a comma or "; ", which also separates the note's clauses
    ("for ‘Cause-specific Cox, complete cases (HoNOS recorded; missing-data
    sensitivity)’, ..."; one name read bare until wave 39, so a reader could not tell
    where it ended); a reason every model of the table shares, and rows of no named
    model, read the reason alone (the note said "are not shown: All the models in this
    table: ..." until wave 36).
    """
    # by the words and the reasons in full: two models pointed to their own reasons
    # "given above" in the same words have each their own in the download's notes
    whose: dict[tuple[str, str], list[str]] = {}
    for why, name in zip(held, names, strict=True):
        if why is not None and name and name not in whose.setdefault(_key(why), []):
            whose[_key(why)].append(name)
    every = set(names)

    def entry(why: str) -> str:
        models = whose.get(_key(why), [])
        if not models:
            return why
        if set(models) == every and len(models) > 1:
            return why
        names = [quoted(m) for m in models]
        return Whose(why, listed(names), names)

    return ["" if why is None else entry(why) for why in held]
