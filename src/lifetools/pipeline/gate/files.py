"""The gate over a run folder's ``files/``: everything a run will publish beside its page.

Every file is either the display functions' own write (``tables/<name>.csv`` of a
sealed table, ``figures/<name>.png`` of a sealed figure and the ``figures/*.csv`` its
stamp lists, ``results.json`` of sealed results, the notes on ``[c]`` word for word),
checked again, or refused (``unsanctioned-file``).

Each CSV download is verified, not trusted, by the rules of the table a page shows
(:mod:`lifetools.pipeline.gate.tables`), read by the record of what protected each
column: the sealed table's stamp, or for the data behind a figure the
``download_rules`` its sealed stamp carries. Its headers are read as the page shows
them (:func:`lifetools.labels.column_label`). Counts must be protected counts;
person-years must be multiples of the profile's count base, with the record saying
the rule rounded them (``unprotected-number-in-table``); a column a rule wrote at fixed
places ("8920.00" for person-years published whole is read as 8920) must hold no
other places; a header or row label naming a statistic over numbers no rule made is
refused (``unprotected-statistic``). The label and axis columns of a download hold
codes and dates as the data have them (a month as a timestamp, a level as 0 or 1),
not the page's words, so the page's label-cell rules are not applied to them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from lifetools.disclosure import (
    GROUP_RULE,
    LINKED_RULE,
    NOTES_FILE,
    PROFILES,
    SdcProfile,
    followed,
    get_profile,
    linked_findings,
    notes_text,
)
from lifetools.disclosure.downloads import (
    DOWNLOAD_PLACES,
    HEADERS_KEY,
    LIMIT_CELLS_KEY,
    LIMIT_DEGENERATE_KEY,
    LIMITS_KEY,
    NOT_AVAILABLE,
    NOTES_HEAD_KEY,
    NOTES_KEY,
    SUPPRESSED,
    column_notes,
    read_csv,
)
from lifetools.disclosure.net_benefit_check import treat_all_findings
from lifetools.disclosure.prose import label_findings, name_findings
from lifetools.disclosure.rate_check import rate_findings
from lifetools.disclosure.rules import count_cast_to_decimals
from lifetools.disclosure.statistics import (
    STATISTIC_RULE,
    names_statistic,
    shielded_headers,
)
from lifetools.disclosure.text import text_findings
from lifetools.labels import column_label
from lifetools.pipeline.gate import rules
from lifetools.pipeline.gate.run_record import (
    notebook_profile,
    run_parameters,
    sealed_stamps,
    shown_results,
)
from lifetools.pipeline.gate.tables import (
    TABLE_RULE,
    denominator_findings,
    fixed_places,
    flow_findings,
    group_findings,
    is_person_time,
    model_findings,
    person_time_findings,
    reason_findings,
    statistic_findings,
)
from lifetools.pipeline.layout import FILES_DIR
from lifetools.publication import (
    ESTIMATE_KINDS,
    FIGURES_FOLDER,
    RESULTS_FILE,
    TABLES_FOLDER,
    span_numbers,
)
from lifetools.signs import places_avoiding

__all__ = ["TEXT_FILES", "download_findings", "download_table", "published_counts",
           "scan_files"]

TEXT_FILES = {".csv", ".json", ".svg", ".txt", ".md", ".html", ".tsv"}
"""Files read as text (every other file is checked only for its owner)."""
_NOTES = {notes_text(name) for name in PROFILES}


def scan_files(folder: Path, nb: Any, profile: SdcProfile | str | None = None,
               ) -> Iterable[tuple[str, str, str]]:
    """Check every file a run will publish; yield ``(file, rule, detail)``."""
    if not folder.is_dir():
        return
    profile = notebook_profile(nb) if profile is None else get_profile(profile)
    sealed = sealed_stamps(nb)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = f"{FILES_DIR}/{path.relative_to(folder).as_posix()}"
        parts = path.relative_to(folder).parts
        if (owner := _csv_owner(parts, sealed)) is not None:
            pass  # a CSV download: its table's stamp, or the figure's that drew it
        elif parts[0] == FIGURES_FOLDER and path.suffix == ".png" and len(parts) == 2:
            # a figure's PNG, or another rendering of it its stamp lists (narrow phone)
            owner = sealed.get(f"figure:{path.stem}") or next(
                (m for k, m in sealed.items() if k.startswith("figure:") and
                 f"figures/{path.name}" in m.get("images", [])), None)
        elif parts == (RESULTS_FILE,):
            owner = next((m for k, m in sealed.items() if k.startswith("result:")), None)
        elif parts in ((TABLES_FOLDER, NOTES_FILE), (FIGURES_FOLDER, NOTES_FILE)):
            # the notes on [c] and [x] and the folder's columns: verified word for word
            # against the text on the rules and the list of the folder's CSV headers
            # that the sealed stamps recorded when the files were written (this code's
            # words only for runs written before the record), so a published edition
            # re-checks by its own record, not by the code checking it; every number
            # of the text on the rules must be a rule number of the profile
            text = path.read_text(encoding="utf-8", errors="replace")
            columns = column_notes(path.parent, _recorded_notes(sealed, parts[0]))
            heads = _recorded_notes(sealed, parts[0], NOTES_HEAD_KEY)
            heads_known = set(heads.values()) or _NOTES
            if any(k.startswith(f"{parts[0][:-1]}:") for k in sealed) and (
                    text in heads_known or
                    text in {notes + columns for notes in heads_known}):
                owner = {}
                found = [f for head in heads_known if text.startswith(head)
                         for f in _rule_text_findings(head, profile)][:1]
                for rule, detail in found:
                    yield name, rule, detail
        if owner is None:
            yield name, "unsanctioned-file", ("a file no lifetools display function "
                                              "wrote for a sealed output of this notebook")
        for rule, detail in name_findings(path.stem, profile)[:1]:
            yield name, rule, detail  # the file's name is published with it
        if path.suffix.lower() not in TEXT_FILES:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found = rules.identifier_findings(text) + rules.kofn_findings(text, profile)
        if path.suffix == ".csv":
            found += _csv_findings(text, _download_record(parts, owner), profile,
                                   tables=parts[0] != FIGURES_FOLDER, table=path.stem)
            if parts[0] == TABLES_FOLDER:
                found += _linked_csv_findings(text, _download_record(parts, owner),
                                              folder, sealed)
        if parts == (RESULTS_FILE,):
            found += _result_counts(text, profile) + _result_texts(text, nb, profile)
            found += _result_statistics(text, profile, sealed)
            found += _result_names(text, nb, profile)
        for rule, detail in dict.fromkeys(found):
            yield name, rule, detail


def _csv_owner(parts: tuple[str, ...], sealed: dict[str, dict[str, Any]]
               ) -> dict[str, Any] | None:
    """The sealed stamp that wrote a CSV download (its path in the files folder, by
    part): the table of ``tables/<name>.csv``, or the figure whose stamp lists
    ``figures/<file>.csv`` as the data it drew; ``None`` for any other file."""
    if len(parts) != 2 or not parts[1].endswith(".csv"):
        return None
    if parts[0] == TABLES_FOLDER:
        return sealed.get(f"table:{parts[1].removesuffix('.csv')}")
    if parts[0] == FIGURES_FOLDER:
        return next((m for k, m in sealed.items() if k.startswith("figure:") and
                     f"figures/{parts[1]}" in m.get("downloads", [])), None)
    return None


def download_findings(parts: tuple[str, ...], text: str, nb: Any,
                      profile: SdcProfile | str | None = None) -> rules.Found:
    """A published copy of a CSV download (its path in the run's files folder, by
    part) read by the record of what protected each column, its sealed stamp in the
    executed notebook ``nb``: the checks :func:`scan_files` runs on the run's own
    file. The site scan reads the copies the book published with it
    (:mod:`lifetools.pipeline.gate.site`); a CSV no sealed stamp wrote is refused."""
    p = notebook_profile(nb) if profile is None else get_profile(profile)
    owner = _csv_owner(parts, sealed_stamps(nb))
    if owner is None:
        return [("unsanctioned-file", "a file no lifetools display function wrote for "
                 "a sealed output of this notebook")]
    return list(dict.fromkeys(_csv_findings(
        text, _download_record(parts, owner), p, tables=parts[0] != FIGURES_FOLDER,
        table=parts[-1].removesuffix(".csv"))))


def _rule_text_findings(head: str, profile: SdcProfile) -> rules.Found:
    """Every number of the notes' text on the rules must be a rule number of the
    profile (its threshold and base, the bands of midpoint rounding, the magnitude
    threshold, the dominance rules' n, k and p): read from the profile, not from the
    code that writes the text, so a changed text cannot carry another number."""
    p = profile
    allowed = {1, p.threshold, p.threshold + 1, p.base, p.magnitude_threshold, p.nk_n,
               round(p.nk_k * 100), p.p_percent, p.min_at_risk, p.model_min_events}
    if p.rounding == "midpoint":
        allowed |= {p.base // 2, p.base + 1, 2 * p.base, p.base + p.base // 2}
    for number in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", head):
        if float(number) not in allowed:
            return [("unsanctioned-file", "the notes' text on the rules holds a number "
                     "that is no rule number of the profile")]
    return []


def _recorded_notes(sealed: dict[str, Any], folder: str,
                    key: str = NOTES_KEY) -> dict[str, str]:
    """File name to the notes' lines on it its sealed stamp recorded when the display
    function wrote it (``NOTES_KEY`` of a table's rules, of a figure's download rules;
    ``NOTES_HEAD_KEY``: the text on the rules written beside it)."""
    found: dict[str, str] = {}
    for stamp_key, mark in sorted(sealed.items()):
        if folder == TABLES_FOLDER and stamp_key.startswith("table:"):
            records = {f"{stamp_key.removeprefix('table:')}.csv": mark.get("rules")}
        elif folder == FIGURES_FOLDER and stamp_key.startswith("figure:"):
            rules = mark.get("download_rules")
            records = ({str(path).rsplit("/", 1)[-1]: record
                        for path, record in rules.items()}
                       if isinstance(rules, dict) else {})
        else:
            continue
        found.update({name: record[key] for name, record in records.items()
                      if isinstance(record, dict)
                      and isinstance(record.get(key), str)})
    return found


def _download_record(parts: tuple[str, ...], owner: Any) -> dict[str, Any]:
    """What protected a CSV's columns: its sealed table's rules, or its figure's record
    of the table it drew (empty: nothing is recorded, so nothing passes unverified)."""
    if not isinstance(owner, dict):
        return {}
    if parts[0] == FIGURES_FOLDER:
        record = (owner.get("download_rules") or {}).get(f"figures/{parts[-1]}")
    else:
        record = owner.get("rules")
    return record if isinstance(record, dict) else {}


def _shown_header(name: str) -> str:
    try:
        return column_label(name)
    except ValueError:  # a machine name no label covers: checked as it is
        return name


_NUMBER = re.compile(r"(-?\d+)(?:\.(\d+))?")


def _limit_findings(name: str, cells: list[tuple[int, str]], avoid: Any, places: Any,
                    known: Any = None, degenerate: Any = ()) -> rules.Found:
    """A confidence limit recorded as keeping its side of ``avoid`` (the null, stated
    limits: the stamp's ``limit_headers``) must be written with exactly the places
    that rule gives it at the column's places (``places``, else
    :data:`~lifetools.disclosure.downloads.DOWNLOAD_PLACES`): "1.004" for 1.004
    against 1, "0.50" for 0.5; "1.0040" or "0.500" is refused.

    A cell alone cannot tell "1.00" of a limit of exactly 1 from 0.9996 rounded onto
    1, so each cell (``cells``: row, 1 = the first under the header, and its text) is
    read against its recorded value (``known``: the stamp's ``limit_cells`` of the
    column: the rows whose true limit is exactly one of those values or of its
    ``degenerate`` ones, and the rows whose true limit is degenerate), wave 43:

    - a cell that reads as one of those values (or as a degenerate one: a ratio's 0)
      whose true limit is not that value is refused: written with too few places
      (the writer keeps it off: :func:`lifetools.signs.places_avoiding`) or edited;
    - a cell whose true limit is degenerate (infinite, or a ratio's 0), or that reads
      as an infinite limit, is refused: the release rules publish no degenerate
      interval (:func:`lifetools.disclosure.model_release`)."""
    base = places if isinstance(places, int) and not isinstance(places, bool) \
        else DOWNLOAD_PLACES
    edges = [float(v) for v in avoid or () if isinstance(v, (int, float))]
    bad = [float(v) for v in degenerate or () if isinstance(v, (int, float))]
    known = known if isinstance(known, Mapping) else {}
    exact = {(r, float(v)) for r, v in (tuple(x) for x in known.get("exact") or []
                                        if isinstance(x, Sequence) and len(x) == 2)}
    degenerate_rows = set(known.get("degenerate") or [])
    said = ", ".join(f"{v:g}" for v in edges)
    for number, cell in cells:
        if cell in (SUPPRESSED, NOT_AVAILABLE, ""):
            continue
        text = cell.replace("\u2212", "-")
        if text.lower().lstrip("+-") in ("inf", "infinity", "\u221e"):
            return [(TABLE_RULE, f"column {name!r}, row {number}: an infinite confidence "
                     "limit: the interval is degenerate, which the release rules do not "
                     "publish")]
        match = _NUMBER.fullmatch(text)
        if match is None:
            continue
        value = float(match.group(0))
        if number in degenerate_rows:
            return [(TABLE_RULE, f"column {name!r}, row {number}: a confidence limit "
                     "whose recorded value is degenerate (infinite, or a ratio's 0): the "
                     "release rules do not publish it")]
        on = [v for v in (*edges, *bad) if value == v and (number, v) not in exact]
        if on:
            return [(TABLE_RULE, f"column {name!r}, row {number}: a confidence limit "
                     f"that reads as {on[0]:g}, which its recorded value is not: a limit "
                     "is written with the places that keep it off the values it keeps "
                     "its side of (edited, or written with too few places)")]
        if len(match.group(2) or "") != places_avoiding(value, *edges, *bad, digits=base):
            return [(TABLE_RULE, f"column {name!r} is a confidence limit kept on its "
                     f"side of {said}, and holds a cell "
                     f"({cell}) written with other places than that rule gives it")]
    return []


def _at_places(cell: str, places: Any) -> str:
    """A CSV cell as the page writes it at a rule's ``places`` (8920.00 -> 8920), when
    the places beyond are zeros; otherwise unchanged (and refused by the places rule)."""
    match = _NUMBER.fullmatch(cell.strip())
    if match is None or not isinstance(places, int) or isinstance(places, bool):
        return cell
    decimals = match.group(2) or ""
    if len(decimals) <= places or decimals[places:].strip("0"):
        return cell
    return match.group(1) + (f".{decimals[:places]}" if places else "")


def _shown_heads(head: list[str], record: dict[str, Any]) -> list[str]:
    """A download's headers as the page shows them: the words the display function
    recorded for each (this code's labels only for a download written before the
    record)."""
    written = record.get(HEADERS_KEY)
    written = written if isinstance(written, dict) else {}
    return [written[h] if isinstance(written.get(h), str) else _shown_header(h)
            for h in head]


def download_table(text: str, record: dict[str, Any]
                   ) -> tuple[list[str], list[list[str]]]:
    """A CSV download's headers as the page shows them (:func:`_shown_heads`) and its
    rows."""
    head, rows = read_csv(text)
    return _shown_heads(head, record), rows


def published_counts(head: list[str], rows: list[list[str]],
                     record: dict[str, Any]) -> set[int]:
    """The whole numbers a sealed table (``head`` as the page shows it: a page's table,
    or a download through :func:`download_table`) shows in its count columns, the
    columns its record declares counts (``count_headers``, ``count_cols``), whose every
    cell the count rules verify: not a label, a year, a threshold or any other cell
    that happens to be a whole number."""
    counts = {*(str(h) for h in record.get("count_headers") or []),
              *(str(c) for c in record.get("count_cols") or []),
              *(_shown_header(str(c)) for c in record.get("count_cols") or [])}
    out = set()
    for at, name in enumerate(head):
        if name not in counts:
            continue
        for row in rows:
            cell = str(row[at]).strip().replace(",", "") if at < len(row) else ""
            if cell.isdigit():
                out.add(int(cell))
    return out


def _linked_csv_findings(text: str, record: dict[str, Any], folder: Path,
                         sealed: dict[str, dict[str, Any]]) -> rules.Found:
    """``linked-cell-shown`` on the downloads: a table's CSV whose record names the
    table it follows (``follows``) read against that table's CSV, as on the page
    (:func:`lifetools.disclosure.linked_findings`); a followed table without its sealed
    download cannot be checked, and is refused."""
    found: rules.Found = []
    for follows in followed(record.get("follows")):
        name = str(follows.get("table"))
        leader = (sealed.get(f"table:{name}") or {}).get("rules")
        path = folder / TABLES_FOLDER / f"{name}.csv"
        if not isinstance(leader, dict) or "/" in name or not path.is_file():
            found.append((LINKED_RULE, f"the table follows a table ({name!r}) whose "
                          "sealed download is not published beside it: the link cannot "
                          "be verified"))
            continue
        lead_head, lead_rows = read_csv(path.read_text(encoding="utf-8",
                                                       errors="replace"))
        head, rows = read_csv(text)
        found += linked_findings((_shown_heads(lead_head, leader), lead_rows),
                                 (_shown_heads(head, record), rows), follows)
    return found


def _csv_findings(text: str, record: dict[str, Any], profile: SdcProfile, *,
                  tables: bool = True, table: str | None = None) -> rules.Found:
    """A CSV download checked by the record of its rules, as the page's table is: its
    count columns, its person-time (multiples of the count base, as the record says the
    rule rounded it), the places a rule fixed, statistics no rule made, group (class)
    disclosure and, for a table (``table``: its name), a participant flow's steps."""
    # (the cells of words are the page's table's, checked by gate.tables)
    head, rows = read_csv(text)
    shown = _shown_heads(head, record)
    counts = {*record.get("count_headers", []),
              *(_shown_header(c) for c in record.get("count_cols", []))}
    protected = set(record.get("protected_headers", []))
    places = record.get("protected_places") or {}
    bases = record.get("protected_bases") or {}
    limits = record.get(LIMITS_KEY) or {}
    limit_cells = record.get(LIMIT_CELLS_KEY) or {}
    limit_bad = record.get(LIMIT_DEGENERATE_KEY) or {}
    # a proportion the page shows in per cent to 1 place, written at the places its
    # record says (PROPORTION_PLACES: "0.063" for "6.3%"), never fewer (issue 15)
    proportions = set(record.get("proportion_headers") or [])
    proportion_places = record.get("proportion_places")
    found = rules.table_findings(shown, rows, count_cols=counts, profile=profile)
    blank = next(((number, shown[index]) for number, row in enumerate(rows, start=1)
                  for index in range(len(shown))
                  if index >= len(row) or not row[index].strip()), None)
    if blank is not None:  # a missing value is [x], a hidden one [c]: never blank
        found.append((TABLE_RULE, f"row {blank[0]} has a blank cell in column "
                      f"{blank[1]!r}: a download writes a value that is not available "
                      f"as {NOT_AVAILABLE} and a hidden one as {SUPPRESSED}"))
    for index, name in enumerate(shown):
        if name in counts:
            continue
        cells = [row[index].strip() for row in rows if index < len(row)]
        cells = [c for c in cells if c not in (SUPPRESSED, NOT_AVAILABLE, "")]
        if name in proportions and proportion_places is not None and not all(
                fixed_places(c, proportion_places) for c in cells):
            found.append((TABLE_RULE, f"column {name!r} is a proportion the page shows "
                          f"in per cent to 1 decimal place, which its record says the "
                          f"download writes with {proportion_places} decimal places, "
                          "and holds a cell written with others"))
        if is_person_time(name) or name in bases:
            found += person_time_findings(name, cells, bases.get(name), profile)
        if name in limits:  # a confidence limit: its places are the one rule's
            found += _limit_findings(
                name, [(number, row[index].strip()) for number, row in
                       enumerate(rows, start=1) if index < len(row)],
                limits[name], places.get(name), limit_cells.get(name),
                (limit_bad.get(name) or ()))
        elif name in protected and name in places and not all(
                fixed_places(_at_places(c, places[name]), places[name]) for c in cells):
            found.append((TABLE_RULE, f"column {name!r} is protected by a rule that "
                          f"publishes it with {places[name]} decimal places, and holds "
                          "a cell written with others"))
    found += statistic_findings(shown, rows, shielded=shielded_headers(
        {**record, "count_headers": sorted(counts)}, shown), words=head)
    # the group-size rule read from the download's cells ([c] in every count of a row
    # whose group size is [c]), as on the page
    found += denominator_findings(shown, rows, {**record, "count_headers": sorted(counts)})
    # group (class) disclosure read from the download's cells, as on the page
    found += group_findings(shown, rows, {**record, "count_headers": sorted(counts)})
    # a participant flow's steps read from the download's cells, as on the page
    found += flow_findings(shown, rows, {**record, "count_headers": sorted(counts)},
                           profile, name=table if tables else None)
    # a cell saying which rule hid one value, as on the page
    found += reason_findings(shown, rows)
    # each rate recomputed from the published numerator and denominator, as on the page
    found += rate_findings(shown, rows, record, profile)
    # each net benefit of treating everyone recomputed from its published counts
    found += treat_all_findings(shown, rows, record, profile)
    if tables:  # a table's download; a figure's data is drawn from released tables
        found += model_findings(shown, rows, record)
    return found


def _result_texts(text: str, nb: Any, profile: SdcProfile) -> rules.Found:
    """Each text in results.json is a sealed key result's verified text, its numbers too."""
    try:
        results = json.loads(text)
    except ValueError:
        return []
    shown = shown_results(nb)
    found: rules.Found = []
    for name, entry in results.items():
        if not isinstance(entry, dict) or entry.get("kind") == "count":
            continue
        page = shown.get(str(name))
        if page is None or page[0] != entry.get("text"):
            found.append(("unprotected-number-in-text", "a text in results.json that is "
                          "not the verified text of a key result shown in the notebook"))
            continue
        found += text_findings(str(entry.get("text")), page[1], profile,
                               run_parameters(nb))
        value = entry.get("value")
        numbers = span_numbers(page[1])
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, (int, float)) and not isinstance(item, bool) and \
                    round(float(item), 10) not in numbers and entry.get("kind") in (
                        "text", "estimate", "ratio", "interval"):
                found.append(("unprotected-number-in-text", "a value in results.json "
                              "that is none of the protected numbers of its text"))
        if "null" in entry and entry["null"] not in [
                span.get("null") for span in page[1] or () if isinstance(span, dict)]:
            found.append(("unprotected-number-in-text", "a null in results.json that is "
                          "not the null its text's interval was written with"))
    return list(dict.fromkeys(found))


def _result_names(text: str, nb: Any, profile: SdcProfile) -> rules.Found:
    """A number written by hand in a key result's name or label (``results.json``
    publishes both; the comparison with the previous edition shows the label): the
    rules of :func:`lifetools.disclosure.prose.label_findings`, with the run's
    parameters."""
    try:
        results = json.loads(text)
    except ValueError:
        return []
    parameters = run_parameters(nb)
    found: rules.Found = []
    for name, entry in results.items() if isinstance(results, dict) else ():
        found += name_findings(str(name), profile)
        if isinstance(entry, dict):
            at = entry.get("at")
            found += label_findings(str(entry.get("label", "")),
                                    at if isinstance(at, str) else None, profile,
                                    parameters)
    return list(dict.fromkeys(found))




def _result_statistics(text: str, profile: SdcProfile,
                       sealed: dict[str, dict[str, Any]] | None = None) -> rules.Found:
    """A key result recorded as a model estimate that is a statistic of people's values
    by its label (a mean, a mean change, a share, a cumulative incidence, an extreme:
    ``unprotected-statistic``) unless it is missing or both its entry and its sealed
    stamp say a released model made it (``released``: recorded with the
    :class:`~lifetools.disclosure.ModelRelease`), or whose
    value is a whole number other than 0 and 1 that the profile would not publish as a
    count (a count cast to decimals: "12.00")."""
    try:
        results = json.loads(text)
    except ValueError:
        return []
    found: rules.Found = []
    for name, entry in results.items() if isinstance(results, dict) else ():
        if not isinstance(entry, dict) or entry.get("kind") not in ESTIMATE_KINDS:
            continue
        word = names_statistic(entry.get("label", ""))
        value = entry.get("value")
        missing = value is None or isinstance(value, list) and None in value
        stamp = (sealed or {}).get(f"result:{name}") or {}
        if word and not missing and not (entry.get("released") is True
                                         and stamp.get("released") is True):
            found.append((STATISTIC_RULE, f"a key result recorded as a model estimate "
                          f"whose label names a statistic of people's values ({word!r}):"
                          " derive it with lt.disclosure (share, rate, magnitudes)"))
        value = entry.get("value")
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, float) and count_cast_to_decimals(item, profile):
                found.append(("unrounded-count", "a key result recorded as a model "
                              "estimate holds a whole number the profile would not "
                              "publish as a count (a count cast to decimals?)"))
    return list(dict.fromkeys(found))


def _result_counts(text: str, profile: SdcProfile) -> rules.Found:
    try:
        results = json.loads(text)
    except ValueError:
        return [("unreadable-file", "results.json is not valid JSON")]
    for entry in results.values():
        value = entry.get("value") if isinstance(entry, dict) else None
        if entry.get("kind") == "count" and value is not None and (
                not isinstance(value, int) or rules.disclosive(value, profile)):
            return [("unrounded-count", "a count in results.json is not protected")]
        if entry.get("numerator") is not None and entry.get("denominator") is None \
                and entry.get("kind") in ("percentage", "share"):
            # "numerator": 0 beside a hidden group: none of them (wave 29)
            return [(GROUP_RULE, "a share in results.json records its numerator "
                     "beside a hidden denominator")]
    return []
