"""The gate over one output of an executed notebook.

Every output is read (streams including stderr, errors, every MIME type, figure texts
recorded in sealed stamps) for identifiers, machine paths and ``k of n`` phrases and,
outside sealed displays, for small and unrounded counts; a sealed output's profile and
ACRO verdict; a key result's text span by span; a sealed table's cells beyond its
first column, and any number in a stream, by :mod:`lifetools.pipeline.gate.tables`;
captions, table labels and figure texts by :mod:`lifetools.pipeline.gate.prose`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lifetools.disclosure import SdcProfile
from lifetools.disclosure.figure_texts import (
    figure_number_findings,
    figure_text_findings,
)
from lifetools.disclosure.rules import count_cast_to_decimals
from lifetools.disclosure.text import text_findings
from lifetools.pipeline.gate import rules
from lifetools.pipeline.gate.prose import RunParameters, has_words, prose_findings
from lifetools.pipeline.gate.seals import seal_findings
from lifetools.pipeline.gate.tables import cell_findings, stream_findings
from lifetools.publication import ESTIMATE_KINDS, GLUE_PREFIX, STAMP_KEY

__all__ = ["acro_findings", "figure_number_findings", "label_findings", "result_findings",
           "scan_output", "sealed_table_findings", "with_settings"]


def _texts(output: dict[str, Any]) -> list[str]:
    if output.get("output_type") == "stream":
        return [output.get("text", "")]
    if output.get("output_type") == "error":
        return [output.get("evalue", ""), *output.get("traceback", [])]
    texts = []
    for mime, value in output.get("data", {}).items():
        if mime.startswith("image/") and not mime.startswith("image/svg"):
            continue
        texts.append(value if isinstance(value, str) else json.dumps(value))
    return texts


def _profile_findings(mark: Any, profile: SdcProfile) -> rules.Found:
    """A sealed table protected under other rules than the edition's."""
    used = ((mark.get("rules") or {}).get("profile") if isinstance(mark, dict) else None)
    if used is None or used == profile.name:
        return []
    return [("profile-mismatch", f"a table protected under the {used!r} rules in an "
             f"edition built with the {profile.name!r} profile (one profile per "
             "edition, chosen in analyses.yml)")]


def acro_findings(mark: Any, required: bool) -> rules.Found:
    """ACRO's verdict in a sealed table's stamp: a disagreement, or no verdict at all.

    A disagreement is a cell ACRO flags that lifetools published outside the
    documented differences (:mod:`lifetools.disclosure.acro_check`); the detail names
    ACRO's check and lifetools' rule, never a value. When the build asked for ACRO
    (``required``) a protected table without a verdict is refused too.
    """
    if not isinstance(mark, dict) or mark.get("kind") != "table":
        return []
    stamped = mark.get("rules") or {}
    verdict = stamped.get("acro")
    if verdict is None:
        protected = stamped.get("protected_cols") or stamped.get("count_cols")
        return ([("acro-unchecked", "a protected table ACRO did not check although "
                  "the build asked for the cross-check (disclosure: acro: true)")]
                if required and protected and stamped.get("enabled", True) else [])
    return [("acro-disagreement", f"row {row + 1}, column {column!r}: {why}")
            for row, column, why in verdict.get("disagreements", [])]


def scan_output(output: dict[str, Any], profile: SdcProfile,
                 acro: bool = False, parameters: dict[str, Any] | None = None,
                 settings: dict[str, Any] | None = None) -> rules.Found:
    """Every finding on one output of a notebook: its stamp and seal, its texts and
    HTML tables, checked against the profile, the run's parameters and the library
    settings the notebook stated."""
    kind = output.get("output_type")
    found: rules.Found = []
    if kind == "error":
        found.append(("error", f"the notebook raised {output.get('ename')}"))
    mark = output.get("metadata", {}).get(STAMP_KEY)
    if kind in ("display_data", "execute_result"):
        if mark is None:
            mimes = ", ".join(sorted(output.get("data", {})))
            found.append(("unstamped", f"output ({mimes}) did not come through lifetools "
                          "tables, plots or results, so its counts were not protected"))
        found += seal_findings(output)
        found += _profile_findings(mark, profile)
        found += acro_findings(mark, acro)
    stamped = isinstance(mark, dict) and not found
    result = stamped and mark.get("kind") == "result"
    if result:
        found += result_findings(output, profile, parameters or {})
    texts = _texts(output)
    if stamped:
        texts += [str(t) for t in mark.get("texts", [])]
        found += label_findings(mark, texts, profile, parameters or {})
    for text in texts:
        visible = rules.strip_markup(text)
        found += rules.identifier_findings(text) + rules.kofn_findings(visible, profile)
        found += rules.all_or_none_findings(text, profile)  # key results' texts included
        # a key result's text too: its spans are checked one by one (above), and a
        # number its words make a count of people ("2,634 people") must be one the
        # profile publishes whatever its stamp calls it (a parameter, an estimate)
        found += rules.counted_findings(text, profile)
        if not stamped:
            found += rules.count_findings(visible, profile)
            if kind == "stream" and rules.STREAM_ROW_LEVEL.search(text):
                found.append(("row-level", "printed output looks like a table of rows"))
        if kind == "stream":
            found += stream_findings(text)
        for head, rows in rules.html_tables(text):
            found += sealed_table_findings(head, rows, mark if stamped else {}, profile,
                                           parameters, settings)
    return list(dict.fromkeys(found))


def sealed_table_findings(head: list[str], rows: list[list[str]], mark: dict[str, Any],
                          profile: SdcProfile, parameters: dict[str, Any] | None = None,
                          settings: dict[str, Any] | None = None) -> rules.Found:
    """A table's cells read by their columns' kinds, as its sealed stamp (``mark``:
    ``{}`` for none) records them: row-level data, each count column's cells as
    counts, and for a sealed table every other cell by the rules of
    :func:`lifetools.pipeline.gate.tables.cell_findings` (rates and shares against
    their published counts, person-time, places, statistics, models). The one reading
    of a table's cells: a notebook's output, and the same table on the built site
    (:mod:`lifetools.pipeline.gate.site`)."""
    marked = mark.get("rules") or {}
    # a page shows count columns under their labels (lifetools.labels)
    count_cols = [*marked.get("count_cols", []), *marked.get("count_headers", [])]
    found = rules.table_findings(head, rows, count_cols=count_cols, profile=profile)
    if mark.get("kind") == "table":
        found += cell_findings(head, rows, mark, profile,
                               with_settings(parameters, settings))
    return found


def with_settings(parameters: dict[str, Any] | None,
                   settings: dict[str, Any] | None) -> RunParameters:
    """The run's parameters (their declared words kept) and the settings it states."""
    words = getattr(parameters, "words", None)
    return RunParameters(parameters, words=words).with_values(settings or {})


def label_findings(mark: dict[str, Any], texts: list[str], profile: SdcProfile,
                    parameters: dict[str, Any]) -> rules.Found:
    """Numbers written by hand in a sealed table's or figure's caption, a table's
    headers and row labels (its first column), or a figure's texts (title, labels,
    annotations; a tick label holds no words): :mod:`lifetools.pipeline.gate.prose`."""
    found: rules.Found = []
    values = parameters
    if mark.get("kind") == "figure":  # the rule show_figure ran at source
        found += figure_text_findings(mark.get("texts", []), profile, values)
    for text in texts:  # an author's caption, of a table or a figure
        for caption in re.findall(r"<(?:fig)?caption\b[^>]*>(.*?)</(?:fig)?caption>", text,
                                  flags=re.S | re.I):
            found += prose_findings(rules.strip_markup(caption), profile,
                                    where="a caption", parameters=values)
    if mark.get("kind") == "table":
        for text in texts:
            for head, rows in rules.html_tables(text):
                for cell in [*head, *(row[0] for row in rows if row)]:
                    if has_words(cell):
                        found += prose_findings(cell, profile, where="a table's label",
                                                parameters=values)
        if not any(rules.html_tables(text) for text in texts):
            # a table shown as a sentence (every value withheld: lifetools.disclosure.
            # withheld_tables): its words are prose, read as prose is, whatever its
            # stamp says; its download is checked against it (gate.notebooks)
            for text in texts:
                found += prose_findings(rules.strip_markup(text), profile,
                                        where="a table shown as a sentence",
                                        parameters=values)
    return list(dict.fromkeys(found))


def result_findings(output: dict[str, Any], profile: SdcProfile,
                    parameters: dict[str, Any] | None = None) -> rules.Found:
    """A key result's text, verified span by span (not trusted).

    Its stamp records where each protected number lies and what it was
    (:mod:`lifetools.disclosure.text`); each span is re-rendered from that record and
    re-checked against the profile's rules (a parameter against the run's
    ``parameters``, :func:`run_parameters`), and any digit or number word outside every
    span is refused. The glued copy must say the same as the text.
    """
    mark = output.get("metadata", {}).get(STAMP_KEY) or {}
    data = output.get("data", {})
    text = data.get("text/plain", "")
    found = text_findings(text if isinstance(text, str) else "", mark.get("spans"),
                          profile, parameters or {})
    # the estimate itself, as record() reads it: not a per-cent text of it ("12.0%" of
    # 0.12) nor its interval's limits, which may round to whole numbers ("11.0 to 14.0")
    if mark.get("result_kind") in ESTIMATE_KINDS and any(
            count_cast_to_decimals(span.get("value"), profile)
            for span in mark.get("spans") or [] if isinstance(span, dict)
            and span.get("kind") == "estimate" and not span.get("percent")):
        found.append(("protected-span", "a key result recorded as a model's estimate "
                      "whose number is a whole number the profile would not publish as "
                      "a count (a count cast to decimals: record counts with "
                      "kind='count')"))
    glued = data.get(GLUE_PREFIX + "text/plain")
    if glued is not None and glued != repr(text):
        found.append(("unprotected-number-in-text", "the glued copy of a key result "
                      "differs from its verified text"))
    return found
