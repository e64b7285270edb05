"""The RECORD checklist answered from metadata (lifetools.pipeline.record)."""

from __future__ import annotations

from pathlib import Path

from lifetools.dictionary import load_dictionary
from lifetools.pipeline.record import ITEMS, record_markdown
from lifetools.pipeline.series import load_series

ROOT = Path(__file__).resolve().parents[2]


def test_record_markdown_every_item_answered_from_metadata(tmp_path):
    series = load_series(ROOT / "analyses" / "analyses.yml")
    edition = series.edition(series.current_edition)
    run = tmp_path / "run"
    (run / "files" / "tables").mkdir(parents=True)
    (run / "files" / "tables" / "flow.csv").write_text(
        "step,n\nReferrals in the extract,5190\nfirst discharge per person,100\n")
    manifest = {"data": {"synthetic": {"people": 4000, "seed": 1}},
                "disclosure": {"suppression_threshold": 7, "rounding_base": 5},
                "code_version": {"commit": "0123456789abcdef"}}
    dictionary = load_dictionary(ROOT / "data_dictionary")
    page = record_markdown(series, edition, {"re_referral": run}, manifest, dictionary)
    rows = [line for line in page.splitlines() if line.startswith("| ")][1:]
    assert [r.split(" | ")[0].strip("| ") for r in rows] == [i for i, _ in ITEMS]
    assert "1 April 2024 to 31 March 2025" in page
    # the region as well as the timeframe (RECORD 1.2; only the dates until wave 36)
    assert f"the area {series.publication.publisher} serves" in page
    # each step as the flow table shows it (lifetools.labels.value_label), quoted as the
    # pages quote (RECORD 6.1 and 13.1 quoted "first such referral per person" beside a
    # table reading "First such referral per person" until wave 39)
    assert ("(\u2018Referrals in the extract\u2019, then \u2018First discharge "
            "per person\u2019)") in page
    assert "first discharge" not in page
    assert "counts of 1 to 7 suppressed, others rounded to the nearest 5" in page
    assert "commit `0123456789ab`" in page and "4,000 people" in page
    keyed = sum("person_id" in t.field_names for t in dictionary.tables.values())
    assert f"{keyed} of {len(dictionary.tables)} tables are linked" in page
    # RECORD 22.1 on synthetic data says they are synthetic (it said "the data are not
    # shared (confidential patient information)" of an edition built from synthetic
    # data: wave 37); on the trust's data, that they are not shared
    assert "this edition's data are synthetic" in page
    # an outcome row of a flow is not counted as a step (RECORD 6.1 and 13.1 said "4
    # steps ... to 'died ... (an outcome, not a step)'": wave 37)
    from lifetools.cohort.crisis import FLOW_OUTCOMES

    (run / "files" / "tables" / "flow.csv").write_text(
        "step,n\nOpen on the index date,5190\nAlive on the index date,5100\n"
        + "".join(f"\"{label}\",100\n" for label in FLOW_OUTCOMES))
    outcome = record_markdown(series, edition, {"re_referral": run}, manifest, dictionary)
    assert ("(\u2018Open on the index date\u2019, then \u2018Alive on the index "
            "date\u2019, then its outcome rows)") in outcome
    # and the site gate passes the page's words (it read "2 outcome rows" as a count)
    from lifetools.disclosure import active_profile
    from lifetools.pipeline.gate import rules

    line = next(x for x in outcome.splitlines() if "outcome rows" in x)
    assert rules.counted_findings(line, active_profile()) == []
    real = record_markdown(series, edition, {"re_referral": run},
                           {**manifest, "data": {}}, dictionary)
    assert "synthetic" not in real.split("22.1")[1].split("\n")[0]
    assert "the data are not shared (confidential patient information)" in real


def _stamped_run(tmp_path, name, steps, parents):
    """A run folder with a flow table and a notebook whose flow output is stamped with
    each row's parent, as a report's run has them."""
    import nbformat

    from lifetools.disclosure.flow import PARENTS_KEY
    from lifetools.publication import STAMP_KEY

    run = tmp_path / name
    (run / "files" / "tables").mkdir(parents=True)
    (run / "files" / "tables" / "flow.csv").write_text(
        "step,n\n" + "".join(f'"{step}",100\n' for step in steps))
    cell = nbformat.v4.new_code_cell("lt.tables.show_table(report.flow, name='flow')")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": ""},
                                           metadata={STAMP_KEY: {
                                               "kind": "table", "name": "flow",
                                               "rules": {PARENTS_KEY: parents}}})]
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), run / "notebook.ipynb")
    return run


def test_record_lists_each_selection_step_and_says_which_rows_are_disjoint(tmp_path):
    # RECORD 6.1 asks for the selection codes and algorithms: it said "7 steps, from
    # ... to ..." (a count, not the rules), and called the emergency flow's two disjoint
    # groups of the people in the linked data "3 steps, from 'People in the linked data'
    # to 'Possible comparison people ...'", a chain (issue 15, wave 39)
    from lifetools.disclosure import active_profile
    from lifetools.pipeline import layout
    from lifetools.pipeline.gate import rules
    from lifetools.pipeline.record import flow_outline

    series = load_series(ROOT / "analyses" / "analyses.yml")
    edition = series.edition(series.current_edition)
    dictionary = load_dictionary(ROOT / "data_dictionary")
    assert layout.RunFolder(tmp_path).notebook.name == "notebook.ipynb"
    discharge = _stamped_run(tmp_path, "d", [
        "Referrals in the extract",
        "referred to a community mental health team - functional (A06)",
        "accepted (not rejected)", "first such referral per person"], [None, 0, 1, 2])
    emergency = _stamped_run(tmp_path, "e", [
        "People in the linked data", "first Life Rooms contact during the period",
        "possible comparison people (no Life Rooms contact by the end of the period, "
        "alive at index)"], [None, 0, 0])
    wellbeing = tmp_path / "w"  # a run with no flow table
    (wellbeing / "files" / "tables").mkdir(parents=True)
    page = record_markdown(series, edition, {"time_to_discharge": discharge,
                                             "emergency_care": emergency,
                                             "wellbeing": wellbeing},
                           {"disclosure": {}}, dictionary)
    answer = {line.split(" | ")[0].strip("| "): line for line in page.splitlines()
              if line.startswith("| ")}
    # 6.1: every step's rule, codes in brackets, in order
    assert ("\u2018Referrals in the extract\u2019, then \u2018Referred to a community "
            "mental health team - functional (A06)\u2019, then \u2018Accepted (not "
            "rejected)\u2019, then \u2018First such referral per person\u2019"
            ) in answer["6.1"]
    assert "steps in sequence" not in answer["6.1"]
    # a report with no flow is named, not left out as if the flows were every report's
    # (wave 39); brackets hold a step's words, not only codes
    assert answer["6.1"].rstrip(" |").endswith(
        "{doc}`Wellbeing <wellbeing>` has no flow table: it states who it counts on its "
        "own page.")
    assert "codes in brackets" not in answer["6.1"]
    # the emergency flow: two disjoint groups of one population, never a chain
    groups = ("\u2018People in the linked data\u2019, then two disjoint groups within "
              "it: \u2018First Life Rooms contact during the period\u2019 and "
              "\u2018Possible comparison people")
    assert groups in answer["6.1"] and groups in answer["13.1"]
    assert "3 steps" not in page
    # 13.1 counts a long sequence (4 rows in a row) and names its ends
    assert ("4 steps in sequence, from \u2018Referrals in the extract\u2019 to "
            "\u2018First such referral per person\u2019") in answer["13.1"]
    for item in ("6.1", "13.1"):
        assert rules.counted_findings(answer[item], active_profile()) == []
    # with no stamp (an old run) each row is taken within the row above
    assert flow_outline(["A", "B", "C"], None, [False] * 3, every_step=False) == (
        "3 steps in sequence, from \u2018A\u2019 to \u2018C\u2019")
    # a branch that goes on reads in brackets; outcome rows are no step
    assert flow_outline(["A", "B", "C", "D", "E"], [None, 0, 0, 2, 0],
                        [False] * 4 + [True], every_step=True) == (
        "\u2018A\u2019, then two disjoint groups within it: \u2018B\u2019 and "
        "(\u2018C\u2019, then \u2018D\u2019), then its outcome row")
