"""The RECORD checklist of an edition, answered from what the build knows.

RECORD (REporting of studies Conducted using Observational Routinely-collected health
Data; Benchimol et al. 2015, PLoS Medicine 12: e1001885) extends STROBE with 13 items
for studies of routinely collected data. :func:`record_markdown` answers each item from
metadata, never from typed prose: the data sources and the linkage key from the data
dictionary, the timeframe from the edition, the cohort steps and their shape from each
report's published flow table and its stamp, the disclosure rules and code version from the edition's
manifest, the repository from the ``publication:`` block. Each answer links to the page
where the item is met.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lifetools.cohort.crisis import OUTCOME_ROW
from lifetools.dictionary import Dictionary
from lifetools.labels import listed, quoted, value_label
from lifetools.pipeline import layout
from lifetools.pipeline.flow import parent_of, read_flow, run_flow_parents
from lifetools.pipeline.pages import long_date
from lifetools.pipeline.series import Edition, Publication, Series
from lifetools.publication import TABLES_FOLDER

__all__ = ["flow_outline", "record_markdown"]

ITEMS = (
    ("1.1", "The type of data used is named in the title or abstract."),
    ("1.2", "The geographic region and timeframe are reported."),
    ("1.3", "Linkage between databases is stated."),
    ("6.1", "The methods of selecting the population (codes, algorithms) are listed."),
    ("6.2", "Validation of the codes or algorithms used to select the population."),
    ("6.3", "The linkage and a flow diagram of the linkage are described."),
    ("7.1", "A complete list of codes and algorithms for exposures, outcomes and "
            "covariates."),
    ("12.1", "The extent of the investigators' access to the database population."),
    ("12.2", "Data cleaning methods."),
    ("12.3", "The linkage method and its quality."),
    ("13.1", "The selection of people, with a flow diagram."),
    ("19.1", "Limitations of using data not created for the research question."),
    ("22.1", "How to get the protocol, the data and the code."),
)


GROUPS_IN_WORDS = ("", "", "two", "three", "four", "five", "six", "seven", "eight", "nine")
"""How many disjoint groups a flow row splits into, in words (never a digit beside a
count of people)."""


def flow_outline(words: Sequence[str], parents: Sequence[Any] | None,
                 outcome: Sequence[bool], *, every_step: bool) -> str:
    """A flow's shape in words, from its rows (``words``: each step as the flow table
    shows it) and each row's parent (:func:`lifetools.pipeline.flow.parent_of`: the
    table's stamp, else the row above).

    Rows in sequence (each a subset of the one before) read "‘A’, then ‘B’, then ‘C’"
    (``every_step``) or "3 steps in sequence, from ‘A’ to ‘C’"; rows that share a
    parent are disjoint parts of it (:mod:`lifetools.disclosure.flow`) and read "then
    two disjoint groups within it: ‘X’ and ‘Y’"; outcome rows (``outcome``) are no step:
    "then its outcome rows". The emergency care flow, a population and two disjoint
    groups of it, read "3 steps, from ‘People in the linked data’ to ‘Possible
    comparison people ...’" until wave 39, a chain it is not (issue 15).
    """
    at = [parent_of(parents, i) for i in range(len(words))]
    children = {i: [j for j in range(len(words)) if at[j] == i and not outcome[j]]
                for i in range(len(words))}
    outcomes = sum(1 for flag in outcome if flag)

    def shape(first: int) -> str:
        seq = [first]
        while len(children[seq[-1]]) == 1:
            seq.append(children[seq[-1]][0])
        named = [quoted(words[k]) for k in seq]
        if every_step or len(seq) <= 2:
            text = ", then ".join(named)
        else:
            text = f"{len(seq)} steps in sequence, from {named[0]} to {named[-1]}"
        parts = children[seq[-1]]
        if parts:
            each = [shape(k) for k in parts]
            each = [f"({e})" if ", then " in e or " steps " in e else e for e in each]
            count = GROUPS_IN_WORDS[len(parts)] if len(parts) < len(GROUPS_IN_WORDS) \
                else "several"
            text += f", then {count} disjoint groups within it: {listed(each)}"
        return text

    roots = [i for i in range(len(words)) if at[i] is None and not outcome[i]]
    text = "; separately, ".join(shape(r) for r in roots)
    return text + (", then its outcome rows" if outcomes > 1 else
                   ", then its outcome row" if outcomes else "")


def _cohort_flows(series: Series, edition: Edition, runs: Mapping[str, Path], *,
                  every_step: bool) -> list[str]:
    """One entry per report with a flow table: its steps and their shape
    (:func:`flow_outline`), from its published flow table and the parents its stamp
    records in the run's notebook."""
    lines = []
    for analysis in series.analyses_in(edition.id):
        if analysis.id not in runs:
            continue
        run = layout.RunFolder(runs[analysis.id])
        path = run.files / TABLES_FOLDER / "flow.csv"
        if not path.exists():
            continue
        _, rows = read_flow(path)
        if not rows:
            continue
        # each step's words as the flow table and diagram show them, in the published
        # quotation marks (it quoted the CSV's lower-case labels until wave 39); an
        # outcome row is not a step (wave 37)
        words = [value_label(row[0].strip(), "step") for row in rows]
        outcome = [row[0].endswith(OUTCOME_ROW) for row in rows]
        shape = flow_outline(words, run_flow_parents(run.notebook), outcome,
                             every_step=every_step)
        # in brackets after the title, which may hold a colon of its own
        lines.append(f"{{doc}}`{analysis.title} <{analysis.id}>` ({shape})")
    return lines


def _without_flow(series: Series, edition: Edition, runs: Mapping[str, Path]) -> str:
    """The sentence naming an edition's reports that publish no flow table ('' if none):
    RECORD 6.1 listed four reports as if they were all (the landing page's seven)."""
    titles = [f"{{doc}}`{a.title} <{a.id}>`" for a in series.analyses_in(edition.id)
              if a.id in runs and not (layout.RunFolder(runs[a.id]).files / TABLES_FOLDER
                                       / "flow.csv").exists()]
    if not titles:
        return ""
    return (f" {listed(titles)} {'have' if len(titles) > 1 else 'has'} no flow table: "
            + ("each states" if len(titles) > 1 else "it states")
            + " who it counts on its own page.")


def _answers(series: Series, edition: Edition, runs: Mapping[str, Path],
             manifest: Mapping[str, Any], publication: Publication,
             dictionary: Dictionary) -> dict[str, str]:
    tables = list(dictionary.tables.values())
    keyed = [t.title or t.name for t in tables if "person_id" in t.field_names]
    sources = "; ".join(f"{t.title or t.name}" for t in tables)
    synthetic = (manifest.get("data") or {}).get("synthetic")
    data = (f"a synthetic dataset of {synthetic['people']:,} people imitating the "
            "trust's linked extract" if synthetic else "the trust's linked extract")
    steps = _cohort_flows(series, edition, runs, every_step=False)
    flows = "; ".join(steps) if steps else "no report of this edition has a flow table"
    # every selection step in its words, codes in brackets (RECORD 6.1 asks for the
    # codes and algorithms; it gave "7 steps, from ... to ..." until wave 39)
    rules = _cohort_flows(series, edition, runs, every_step=True)
    disclosure = manifest.get("disclosure") or {}
    protect = (f"counts of 1 to {disclosure['suppression_threshold']} suppressed, "
               f"others rounded to the nearest {disclosure['rounding_base']}"
               if disclosure.get("suppression_threshold") else "as stated on each table")
    commit = (manifest.get("code_version") or {}).get("commit")
    code = (f"lifetools commit `{commit[:12]}`" if commit else "the recorded code version")
    where = (f"it is at <{publication.repository}>" if publication.repository
             else "a copy is available from the {doc}`contact </about/contact>`")
    return {
        "1.1": f"Routinely collected, linked health and service records ({data}); "
               f"{{doc}}`landing page </index>`.",
        # the region as well as the timeframe the item asks for (it gave only the dates
        # until wave 36)
        "1.2": f"{series.title}, {edition.title}: the area {publication.publisher} "
               "serves, in the localities of the deprivation lookup (a report's "
               "`locality` parameter restricts it to one); "
               f"{long_date(edition.period_start)} to {long_date(edition.period_end)}; "
               "every report page names its period.",
        "1.3": f"{len(keyed)} of {len(tables)} tables are linked by a pseudonymous "
               "person key (`person_id`): " + ", ".join(keyed) + "; "
               "{doc}`data dictionary </data/index>`.",
        # which reports have no flow, and no claim that brackets hold only codes
        # ("(not rejected)" is a step's words; wave 39)
        "6.1": ("Each report with a flow table selects its people by the steps of that "
                "flow, each step's rule in the words the table shows, with a step's codes "
                "in those words (the {doc}`data dictionary </data/index>` lists every "
                "code): " + "; ".join(rules) + "." if rules else
                "No report of this edition has a flow table.")
               + _without_flow(series, edition, runs),
        "6.2": "No validation study of the selection codes is reported; the codes are "
               "the national data sets' own (MHSDS, ECDS, HES APC) as defined in the "
               "{doc}`data dictionary </data/index>`.",
        "6.3": "Records are linked on the NHS number (checked with Modulus 11) before "
               "pseudonymisation by a keyed hash; each report's flow diagram shows the "
               "people linked and kept.",
        "7.1": f"Every field and code of the {len(tables)} input tables ({sources}) is "
               "listed in the {doc}`data dictionary </data/index>`; each report's "
               "parameters are in its 'About this report' block.",
        "12.1": f"The analysts use {data}, validated against the data dictionary "
                f"(version {dictionary.version}) before any report runs.",
        "12.2": "Every table is validated (types, code lists, plausible ranges, "
                f"{len(dictionary.cross_table_rules)} cross-table rules) and duplicate "
                "A&E attendances are flagged; see the {doc}`data dictionary "
                "</data/index>`.",
        "12.3": "Linkage by NHS number; the match rate and reasons for non-matching "
                "are reported by `lifetools link`. Life Rooms contacts that did not link "
                "keep a missing person key and are counted, not dropped.",
        "13.1": f"Flow diagrams and tables of protected counts ({protect}): {flows}.",
        "19.1": "The data were collected to run services, not for this study; "
                "each report's methods section and the {doc}`quality statement "
                "</about/quality>` discuss what this means.",
        # an edition of synthetic data says so: "the data are not shared" read as if
        # its own data were patients' (wave 37)
        "22.1": f"Results as data (CSV, `results.json`) are published beside each "
                f"report; the code is {code}, and {where}; "
                + ("this edition's data are synthetic, made again by the code from "
                   "their size and seed (the 'About this report' block of each page); "
                   "the trust's real data are not shared (confidential patient "
                   "information)." if synthetic else
                   "the data are not shared (confidential patient information)."),
    }


def record_markdown(series: Series, edition: Edition, runs: Mapping[str, Path],
                    manifest: Mapping[str, Any], dictionary: Dictionary) -> str:
    """The RECORD checklist page of one edition, answered from metadata.

    Notes
    -----
    Answers are generated from the data dictionary, the series, the edition's manifest
    and each run's published ``tables/flow.csv``. Checked by
    ``tests/unit/test_record.py``.
    """
    answers = _answers(series, edition, runs, manifest, series.publication, dictionary)
    lines = [f"# RECORD checklist, {edition.title}", "",
             "The RECORD statement (Benchimol et al. 2015, *PLoS Medicine* 12: "
             "e1001885) lists what a study of routinely collected health data should "
             "report, in addition to STROBE. Each answer below is generated from the "
             "data dictionary, this edition's manifest and its reports' published flow "
             "tables when the site is built.", "",
             "| Item | Recommendation | How this edition meets it |", "|---|---|---|"]
    lines += [f"| {item} | {text} | {answers[item]} |" for item, text in ITEMS]
    return "\n".join([*lines, ""])
