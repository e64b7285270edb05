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
    assert ("2 steps, from \u2018Referrals in the extract\u2019 to \u2018First discharge "
            "per person\u2019") in page
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
    assert ("(2 steps, from \u2018Open on the index date\u2019 to \u2018Alive on the index "
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
