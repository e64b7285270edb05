"""The RECORD checklist of an edition, answered from what the build knows.

RECORD (REporting of studies Conducted using Observational Routinely-collected health
Data; Benchimol et al. 2015, PLoS Medicine 12: e1001885) extends STROBE with 13 items
for studies of routinely collected data. :func:`record_markdown` answers each item from
metadata, never from typed prose: the data sources and the linkage key from the data
dictionary, the timeframe from the edition, the cohort steps from each report's
published flow table, the disclosure rules and code version from the edition's
manifest, the repository from the ``publication:`` block. Each answer links to the page
where the item is met.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lifetools.cohort.crisis import OUTCOME_ROW
from lifetools.dictionary import Dictionary
from lifetools.labels import quoted, value_label
from lifetools.pipeline import layout
from lifetools.pipeline.flow import read_flow
from lifetools.pipeline.pages import long_date
from lifetools.pipeline.series import Edition, Publication, Series
from lifetools.publication import TABLES_FOLDER

__all__ = ["record_markdown"]

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


def _cohort_steps(series: Series, edition: Edition, runs: Mapping[str, Path]) -> list[str]:
    """One line per report with a flow table: its first and last steps and counts."""
    lines = []
    for analysis in series.analyses_in(edition.id):
        if analysis.id not in runs:
            continue
        path = layout.RunFolder(runs[analysis.id]).files / TABLES_FOLDER / "flow.csv"
        if not path.exists():
            continue
        _, rows = read_flow(path)
        # an outcome row is not a step: "4 steps ... to 'died within 12 months ... (an
        # outcome, not a step)'" contradicted itself (wave 37); the outcomes are named after
        steps = [r for r in rows if not r[0].endswith(OUTCOME_ROW)]
        outcomes = len(rows) - len(steps)
        if steps:
            # each step's words as the flow table and diagram show them, in the
            # published quotation marks (it quoted the CSV's lower-case labels,
            # "first such referral per person", until wave 39)
            first, last = (quoted(value_label(row[0].strip(), "step"))
                           for row in (steps[0], steps[-1]))
            lines.append(f"{{doc}}`{analysis.title} <{analysis.id}>` ({len(steps)} steps, "
                         f"from {first} to {last}"
                         # no number of rows: the site gate reads "2 outcome rows"
                         # as a count of records
                         + (", then its outcome rows" if outcomes > 1 else
                            ", then its outcome row" if outcomes else "") + ")")
    return lines


def _answers(series: Series, edition: Edition, runs: Mapping[str, Path],
             manifest: Mapping[str, Any], publication: Publication,
             dictionary: Dictionary) -> dict[str, str]:
    tables = list(dictionary.tables.values())
    keyed = [t.title or t.name for t in tables if "person_id" in t.field_names]
    sources = "; ".join(f"{t.title or t.name}" for t in tables)
    synthetic = (manifest.get("data") or {}).get("synthetic")
    data = (f"a synthetic dataset of {synthetic['people']:,} people imitating the "
            "trust's linked extract" if synthetic else "the trust's linked extract")
    steps = _cohort_steps(series, edition, runs)
    flows = "; ".join(steps) if steps else "no report of this edition has a flow table"
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
        "6.1": f"Each report forms its cohort in published steps: {flows}.",
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
