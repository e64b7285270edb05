"""Main points, status banner and furniture pages (lifetools.pipeline.pages)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from lifetools.errors import ParameterError
from lifetools.pipeline import pages
from lifetools.pipeline.book import EditionPages
from lifetools.pipeline.series import load_series

ROOT = Path(__file__).resolve().parents[2]
SPEC = {"measure": "The hazard ratio of discharge", "estimate": "hr", "interval": "hr_ci",
        "events": "events", "no_effect": 1, "above": "faster discharge among users",
        "below": "slower discharge among users",
        "text": "Users were discharged at {estimate} times the rate ({interval}): {verdict}."}


def results(hr=1.4, ci=(1.1, 1.8), events=2635):
    return {"hr": {"value": hr, "kind": "ratio", "text": "x"},
            "hr_ci": {"value": list(ci), "kind": "text", "text": "x"},
            "events": {"value": events, "kind": "count", "text": f"{events}"}}


@pytest.mark.parametrize(("hr", "ci", "events", "sentence"), [
    (1.4, (1.1, 1.8), 2635, "Users were discharged at 1.40 times the rate (1.10 to 1.80): "
     "faster discharge among users."),
    (1.0, (0.8, 1.25), 2635, "Users were discharged at 1.00 times the rate (0.80 to 1.25): "
     "compatible with no difference."),
    (0.5, (0.3, 0.9), None, "Users were discharged at 0.50 times the rate (0.30 to 0.90): "
     "too few events to tell."),
    (1.9, (1.004, 4.03), 2635, "Users were discharged at 1.90 times the rate (1.004 to "
     "4.03): faster discharge among users."),
    (1.9, (1.00004, 4.03), 2635, "Users were discharged at 1.90 times the rate (1.00 to "
     "4.03): compatible with no difference."),
    (None, (None, None), 2635, "The hazard ratio of discharge could not be estimated in "
     "this edition."),
])
def test_main_point_estimate_reads_number_interval_and_verdict(hr, ci, events, sentence):
    assert pages.main_point(SPEC, results(hr, ci, events)) == sentence


@pytest.mark.parametrize(("text", "said"), [
    ("too few events to estimate (fewer than 10 events in total)",
     "The hazard ratio of discharge is not shown in this edition: too few "
     "events (fewer than 10 events in total)."),
    ("could not be estimated: the propensity model did not converge",
     "The hazard ratio of discharge could not be estimated in this edition: the "
     "propensity model did not converge."),
    # a results.json written before wave 21 (a reused run, an archived edition's)
    # gives the term bare: the landing page adds its plain words (#15)
    ("too few people to estimate: fewer than 10 residual degrees of freedom",
     "The hazard ratio of discharge is not shown in this edition: too few "
     "people: fewer than 10 residual degrees of freedom (how many more people there are "
     "than numbers the model estimates)."),
    # a release check's reason since wave 21 (no threshold): said once, not "too few
    # events (too few events in total)"
    ("too few events to estimate (too few events in total)",
     "The hazard ratio of discharge is not shown in this edition: too few "
     "events in total."),
    ("too few events to estimate: too few events among 'Life Rooms use'; the fit did "
     "not converge", "The hazard ratio of discharge is not shown in this "
     "edition: too few events among 'Life Rooms use'; the fit did not converge."),
    # a release check's reasons alone, with the headline's count once (wave 38)
    ("too few events among people aged 65 or over; the fit did not converge",
     "The hazard ratio of discharge is not shown in this edition: too few events among "
     "people aged 65 or over; the fit did not converge."),
    ("", "The hazard ratio of discharge could not be estimated in this edition."),
])
def test_main_point_not_estimated_gives_the_reason_the_report_gave(text, said):
    # the 2024-25 landing page at 10,000 people said only "could not be estimated"
    # for three of seven reports, while each report page gave the reason; a result a
    # release check withheld "is not shown", as its page says (wave 22: the crisis
    # page's main point said "could not be estimated" of a model its page said was
    # "not shown")
    shown = results(None, (None, None))
    shown["hr"]["text"] = text
    assert pages.main_point(SPEC, shown) == said


def test_main_point_not_estimated_reads_the_reason_from_the_summary_sentence():
    # wellbeing: the estimate's own text is only "could not be estimated"; its summary
    # sentence ("<name>_sentence") says why
    shown = results(None, (None, None))
    shown["hr"]["text"] = "could not be estimated"
    shown["hr_sentence"] = {"value": None, "kind": "text", "text": "How their score "
                            "changed is not shown: fewer than 10 residual degrees of "
                            "freedom."}
    assert pages.main_point(SPEC, shown) == (
        "The hazard ratio of discharge is not shown in this edition: fewer "
        "than 10 residual degrees of freedom (how many more people there are than "
        "numbers the model estimates).")


def test_main_point_on_its_report_page_leaves_a_reason_the_summary_states_to_it():
    # the crisis page gave its withheld model's reason in the main point and again in
    # the summary (key result model_withheld) on one page (issue 15, wave 23); the
    # landing and edition pages keep the reason, a report page says it once
    why = "too few events among 'not female'; 'Life Rooms use'"
    shown = results(None, (None, None))
    shown["hr"]["text"] = f"too few events to estimate ({why})"
    shown["model_withheld"] = {"value": True, "kind": "text", "text": "The numbers of "
                               f"the model are not shown on this page: {why}."}
    assert pages.main_point(SPEC, shown) == (
        f"The hazard ratio of discharge is not shown in this edition: {why}.")
    assert pages.main_point(SPEC, shown, on_report_page=True) == (
        f"The hazard ratio of discharge is not shown in this edition ({pages.SAID_BELOW}).")
    # a reason no other result states stays in the report page's main point
    del shown["model_withheld"]
    assert pages.main_point(SPEC, shown, on_report_page=True) == (
        f"The hazard ratio of discharge is not shown in this edition: {why}.")
    # the reason read from the summary sentence is stated there: said below
    shown["hr"]["text"] = "could not be estimated"
    shown["hr_sentence"] = {"value": None, "kind": "text", "text": "How their score "
                            "changed is not shown: the fit did not converge."}
    assert pages.main_point(SPEC, shown, on_report_page=True).endswith(
        f"in this edition ({pages.SAID_BELOW}).")


def test_main_point_not_estimated_reads_a_could_not_be_estimated_sentence():
    # the 2024-25 discharge page at 3,000 people: the main point said only "could not
    # be estimated in this edition" while the summary below it gave the reason
    shown = results(None, (None, None))
    shown["hr"]["text"] = "could not be estimated"
    shown["hr_sentence"] = {"value": None, "kind": "text", "text": "How their rate of "
                            "discharge compared could not be estimated: its confidence "
                            "interval reaches 0 or infinity (Life Rooms use)."}
    assert pages.main_point(SPEC, shown) == (
        "The hazard ratio of discharge could not be estimated in this edition: its "
        "confidence interval reaches 0 or infinity (Life Rooms use).")


def test_main_point_counts_template_uses_the_glued_text():
    spec = {"text": "{caseload} people were in care. There were {users} users."}
    shown = {"caseload": {"value": 2635, "kind": "count", "text": "2,635"},
             "users": {"value": None, "kind": "count", "text": "fewer than 8"}}
    assert pages.main_point(spec, shown) == ("2,635 people were in care. There were "
                                             "fewer than 8 users.")


def test_main_point_refuses_two_counts_in_one_sentence():
    # the cohort's main point put three counts in one sentence, the third "of the Life
    # Rooms users": what it said of the second was checked by no rule (issue 12)
    from lifetools.errors import ParameterError

    shown = {"users": {"value": 10, "kind": "count", "text": "10"},
             "matched": {"value": 10, "kind": "count", "text": "10"},
             "found": {"value": None, "kind": "text", "text": "10 people came."}}
    with pytest.raises(ParameterError, match=r"quotes 2 counts \({users}, {matched}\)"):
        pages.main_point({"text": "{users} people came; {matched} of them were matched."},
                         shown)
    assert pages.main_point({"text": "{found} Of them, {matched} were matched."},
                            shown) == "10 people came. Of them, 10 were matched."


def test_main_point_missing_result_says_could_not_be_estimated():
    spec = {"measure": "Activity", "text": "{visits} visits."}
    assert pages.main_point(spec, {}) == "Activity could not be estimated in this edition."


def test_publication_missing_block_takes_defaults_and_unknown_keys_fail(tmp_path):
    base = (ROOT / "analyses" / "analyses.yml").read_text()
    head, _, rest = base.partition("publication:")
    tail = rest[rest.index("\neditions:"):]
    path = tmp_path / "analyses.yml"
    path.write_text(head + tail)
    assert load_series(path).publication == pages.Publication()
    path.write_text(head + "publication:\n  main_points:\n    a:\n      null: 0.5\n"
                    + tail)
    with pytest.raises(ParameterError, match=r"analyses.yml:\d+: at publication/main_points: .*no_effect"):
        load_series(path)
    path.write_text(head + "publication:\n  contact: 3\n" + tail)
    with pytest.raises(ParameterError, match="contact"):
        load_series(path)


def test_publication_project_series_has_a_point_for_every_report():
    series = load_series(ROOT / "analyses" / "analyses.yml")
    publication = series.publication
    assert set(publication.main_points) == {a.id for a in series.analyses}
    assert publication.status_text  # a status the status page can explain
    assert publication.contact_name == "Life Rooms statistics team"


def test_reproduce_without_repository_has_no_placeholder():
    text = pages.reproduce_markdown(pages.Publication())
    assert "<this repository>" not in text and "git clone" not in text
    text = pages.reproduce_markdown(pages.Publication(
        repository="https://github.com/example/lifetools.git"))
    assert "git clone https://github.com/example/lifetools.git && cd lifetools" in text


def _landing_of_discharge(tmp_path, results: dict, manifest: dict) -> str:
    """The series' landing page rendered with one run, time to discharge's, whose
    results.json holds ``results``."""
    series = load_series(ROOT / "analyses" / "analyses.yml")
    run = tmp_path / "run"
    (run / "files").mkdir(parents=True)
    (run / "files" / "results.json").write_text(json.dumps(results))
    return pages.render_landing(
        (ROOT / "book" / "index.md").read_text(), series=series,
        current=series.edition(series.current_edition),
        runs={"time_to_discharge": run}, manifest=manifest,
        publication=series.publication, reports="REPORTS")


def test_render_landing_fills_every_marker_from_results(tmp_path):
    manifest = {"data": {"synthetic": {"people": 100, "seed": 1}},
                "source_date": "2026-11-30T10:00:00+00:00"}
    landing = _landing_of_discharge(tmp_path, {
        "hr_tv": {"value": 1.19, "kind": "ratio", "text": "1.19"},
        "hr_tv_ci": {"value": [0.83, 1.71], "kind": "text", "text": "0.83 to 1.71"},
        "discharged": {"value": 2635, "kind": "count", "text": "2,635"}}, manifest)
    assert "<!-- lifetools" not in landing
    assert "1.19 times the rate of people not using them (0.83 to 1.71): compatible " \
        "with no difference." in landing
    assert landing.index("Synthetic data") < landing.index("## Main points")
    assert "Published on 30 November 2026." in landing and "REPORTS" in landing
    assert pages.INTERVAL_NOTE in landing


def test_render_landing_explains_brackets_only_when_a_main_point_has_them(tmp_path):
    # the 3,000-person 2024-25 landing page: every estimate "could not be estimated in
    # this edition", and under them "Each figure in brackets is a 95% confidence
    # interval" (typed in book/index.md) with no figure in brackets (#15)
    landing = _landing_of_discharge(tmp_path, {
        "hr_tv": {"value": None, "kind": "text", "text": "could not be estimated: x"},
        "hr_tv_ci": {"value": None, "kind": "text", "text": "could not be estimated: x"},
        "discharged": {"value": 2635, "kind": "count", "text": "2,635"}}, {})
    assert "could not be estimated in this edition" in landing
    assert "in brackets" not in landing and "<!-- lifetools" not in landing


def test_render_landing_disclosure_rule_follows_the_setting(tmp_path):
    # the landing page typed "rounded to the nearest 5 and counts of 1 to 7 are hidden"
    # by hand; it now states the rule of the profile set in analyses.yml
    text = (ROOT / "analyses" / "analyses.yml").read_text()
    assert "disclosure:\n  profile: default\n" in text
    changed = tmp_path / "analyses.yml"
    changed.write_text(text.replace("disclosure:\n  profile: default\n",
                                    "disclosure:\n  profile: mhsds\n"))

    def landing(series, manifest):
        return pages.render_landing(
            (ROOT / "book" / "index.md").read_text(), series=series,
            current=series.edition(series.current_edition), runs={}, manifest=manifest,
            publication=series.publication, reports="")

    default = landing(load_series(ROOT / "analyses" / "analyses.yml"), {})
    assert "identify a person.\nCounts from 1 to 7 are suppressed and shown as [c]; " \
        "other counts are rounded to the nearest 5.\n" in default
    mhsds = landing(load_series(changed), {})
    assert "Counts from 1 to 4 are suppressed" in mhsds and "1 to 7" not in mhsds
    recorded = landing(load_series(changed),
                       {"disclosure": {"profile": "opensafely-midpoint6"}})
    assert "rounded to the midpoint of each band of 6" in recorded  # what it was built with


def test_write_furniture_writes_calendar_status_contact_and_citations(tmp_path):
    series = load_series(ROOT / "analyses" / "analyses.yml")
    manifest = {"finished_at": "2026-11-30T10:00:00+00:00", "data": {"synthetic": None}}
    editions = [EditionPages(e, {"wellbeing": tmp_path}, manifest)
                for e in series.editions]
    publication = pages.Publication(site_url="https://example.org/liferooms/",
                                    contact={"email": "a@example.org"})
    pages.write_furniture(tmp_path, series=series, editions=editions,
                          publication=publication)
    about = tmp_path / "about"
    calendar = (about / "release-calendar.md").read_text()
    assert calendar.count("30 November 2026") == len(series.editions)
    assert "synthetic" not in (about / "status.md").read_text()
    assert "mailto:a@example.org" in (about / "contact.md").read_text()
    cite = (about / "cite.md").read_text()
    assert ("Mersey Care NHS Foundation Trust (2026). Wellbeing. "
            f"{series.title}, 2024-25 edition. Published 30 November 2026. "
            "https://example.org/liferooms/editions/2024-25/wellbeing.html") in cite
    assert "@techreport{liferooms_2024_25_wellbeing," in cite


def test_write_furniture_calendar_says_what_changed_in_each_edition_as_the_archive(
        tmp_path):
    # book/about/revisions.md: "each edition says what changed in it (listed on the
    # release calendar and the archive)"; the calendar listed no changes until wave 39
    from lifetools.pipeline.book import _archive_index

    series = load_series(ROOT / "analyses" / "analyses.yml")
    editions = [EditionPages(e, {}, {"source_date": "2025-04-01T12:00:00+00:00"})
                for e in series.editions]
    editions.append(EditionPages(series.editions[0].model_copy(update={
        "id": "2022-23", "title": "2022-23 edition", "period_start": "2022-04-01",
        "period_end": "2023-03-31", "changes": ""}), {}, {}))
    pages.write_furniture(tmp_path, series=series, editions=editions,
                          publication=pages.Publication())
    calendar = (tmp_path / "about" / "release-calendar.md").read_text()
    archive = _archive_index(series, editions)
    assert "| State | What changed |" in calendar
    for page in editions:
        said = page.edition.changes_said
        assert f" {said} |" in calendar and f"Changes: {said}" in archive
    assert "| archived | not stated. |" in calendar
    revisions = (ROOT / "book" / "about" / "revisions.md").read_text()
    assert "release calendar <release-calendar>" in revisions


def test_citation_built_manifest_without_finished_at_dates_from_the_commit():
    # a built manifest has no wall-clock "finished_at" (#14): the citation took the
    # year from today's date and printed no publication date at all
    series = load_series(ROOT / "analyses" / "analyses.yml")
    edition = series.editions[-1]
    manifest = {"source_date": "2025-04-01T12:00:00+00:00"}
    cite = pages.citation(pages.Publication(), series, edition, manifest,
                          series.analysis("wellbeing"))
    assert cite.startswith("Mersey Care NHS Foundation Trust (2025). Wellbeing. ")
    assert cite.endswith("Published 1 April 2025.")
    assert pages.citation(pages.Publication(), series, edition, {}).startswith(
        "Mersey Care NHS Foundation Trust (n.d.).")


def test_repair_theme_html_sidebar_becomes_a_named_region():
    from lifetools.pipeline.book import repair_theme_html

    page = ('<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar">\n'
            '<a class="navbar-brand logo" href="#">Title</a></div>')
    assert ('<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar" '
            'role="region" aria-label="Site menu">') in repair_theme_html(page)


def test_repair_theme_html_tables_take_the_keyboard_focus_once():
    from lifetools.pipeline.book import repair_theme_html

    page = '<table class="table"><tr><td>1</td></tr></table><table tabindex="-1">'
    repaired = repair_theme_html(page)
    assert repaired.startswith('<table tabindex="0" class="table">')
    assert repaired.count("tabindex") == 2 and repair_theme_html(repaired) == repaired


def test_main_point_reads_no_effect_and_refuses_a_bare_yaml_null_key():
    # `null: 0.5` in YAML is the key None: refused, never read as the no-effect value
    results = {"c": {"kind": "estimate", "value": 0.83, "text": "0.83"},
               "c_ci": {"kind": "text", "value": [0.80, 0.86], "text": "0.80 to 0.86"}}
    spec = {"estimate": "c", "interval": "c_ci", "no_effect": 0.5, "above": "better",
            "below": "worse", "text": "{estimate} ({interval}): {verdict}"}
    assert pages.main_point(spec, results) == "0.83 (0.80 to 0.86): better"
    spec.pop("no_effect")
    with pytest.raises(ValidationError):
        pages.main_point({**spec, None: 0.5}, results)


def test_main_point_c_statistic_compatible_with_chance_in_the_reports_words():
    # the 2024-25 crisis main point read "0.63 (0.48 to 0.76): compatible with no
    # difference": a C-statistic's 0.5 is chance, not a difference; the report's
    # sentence and the landing page's point use the same words
    from lifetools.reports.prediction import C_JUDGE

    series = load_series(ROOT / "analyses" / "analyses.yml")
    spec = series.publication.main_points["crisis_risk"]
    assert (spec.no_effect, spec.on_null, spec.above, spec.below) == (
        C_JUDGE["null"], C_JUDGE["on_null"], C_JUDGE["above"], C_JUDGE["below"])
    found = {"c_validation": {"kind": "estimate", "value": 0.63, "text": "0.63"},
             "c_validation_ci": {"kind": "text", "value": [0.48, 0.76], "text": "x"},
             "drift_headline": {"kind": "text", "value": None, "text": "No drift."}}
    said = pages.main_point(spec, found)
    assert "(0.48 to 0.76): compatible with ranking people no better than chance." in said
    assert "no difference" not in said
    # the drift check in one sentence; the report page gives its verdict whole (the
    # main point repeated the 80-word verdict the page then gave again, wave 33)
    assert said.endswith("No drift.")
    assert "{drift_verdict}" not in spec.text and "{drift_headline}" in spec.text


def test_main_points_of_the_project_explain_every_technical_term():
    from lifetools.labels import TERMS

    series = load_series(ROOT / "analyses" / "analyses.yml")
    for report, spec in series.publication.main_points.items():
        text = " ".join(spec.text.split()).lower()
        bare = [t for t, w in TERMS.items() if t.lower() in text and w.lower() not in text]
        assert not bare, (report, bare)


def test_reach_main_point_says_which_visits_the_people_made():
    # "1,090 visits by 290 people" although some visits were not linked to a person:
    # the main point quotes the report's own sentence of what was counted
    spec = load_series(ROOT / "analyses" / "analyses.yml").publication.main_points[
        "reach_and_activity"]
    assert "{visitors}" not in spec.text and "{activity_sentence}" in spec.text
    sentence = ("There were 1,090 visits to the Life Rooms; those linked to a person's "
                "health records were made by 290 people, and 30 visits could not be "
                "linked to a person (who made them is not known).")
    shown = {"activity_sentence": {"value": None, "kind": "text", "text": sentence},
             "prescriptions": {"value": 410, "kind": "count", "text": "410"},
             "feedback_sentence": {"value": None, "kind": "text", "text": "Of people "
                                   "answering the feedback survey, 95.0% (95% confidence "
                                   "interval 90.0% to 97.5%) said access was easy."}}
    assert pages.main_point(spec, shown).startswith(sentence + " There were 410 social")


def test_main_point_withheld_share_in_the_template_is_not_put_inside_its_words():
    # the 2023-24 landing page at 3,000 people read "There were 30 social prescriptions;
    # not shown (group disclosure) of people giving feedback said access was easy."
    spec = {"measure": "The share saying access was easy",
            "text": "There were {prescriptions} social prescriptions; {access_easy} of "
                    "people giving feedback said access was easy."}
    shown = {"prescriptions": {"value": 30, "kind": "count", "text": "30"},
             "access_easy": {"value": None, "kind": "percentage",
                             "text": "not shown (group disclosure)"}}
    said = pages.main_point(spec, shown)
    assert "not shown (" not in said
    assert said == ("The share saying access was easy is not shown in this "
                    "edition: group disclosure.")


def test_main_point_of_the_reach_report_quotes_the_survey_shares_with_intervals():
    # the configured main point quoted "{access_easy} of people ...": a percentage
    # without its interval when shown, a reason inside its words when withheld; the
    # feedback sentence states each share with its interval, or why it is not shown
    spec = load_series(ROOT / "analyses" / "analyses.yml").publication.main_points[
        "reach_and_activity"]
    assert "{access_easy}" not in spec.text and "{recommend}" not in spec.text
    assert "{feedback_sentence}" in spec.text


def test_main_point_opening_with_a_hidden_count_starts_with_a_capital():
    # the cohort's main point opens with {caseload}: hidden, it read "fewer than 8
    # people were in secondary mental-health care ..."
    spec = {"text": "{caseload} people were in care."}
    shown = {"caseload": {"value": None, "kind": "count", "text": "fewer than 8"}}
    assert pages.main_point(spec, shown) == "Fewer than 8 people were in care."


@pytest.mark.parametrize("landing", [True, False])
def test_edition_banner_states_the_published_date_and_never_current_on_an_edition_page(
        landing):
    # an archived edition's front page, kept byte for byte, said "2023-24 edition
    # (current edition)" under the banner saying it was superseded (#15): an edition's
    # own page says only what stays true once a newer edition is out
    series = load_series(ROOT / "analyses" / "analyses.yml")
    edition = series.edition("2023-24")
    manifest = {"source_date": "2024-06-30T09:00:00+00:00"}
    text = pages.status_banner(edition, manifest, series.publication, landing=landing)
    assert "Published on 30 June 2024." in text
    assert "covering 1 April 2023 to 31 March 2024" in text
    assert ("(current edition)" in text) is landing
    assert "archived" not in text
    if not landing:
        assert f"as announced with this edition: {series.publication.next_release}." in text
        # published with the edition after it: that edition is its next release (the
        # 2023-24 page named the 2025-26 edition until wave 36)
        after = series.edition("2024-25")
        text = pages.status_banner(edition, manifest, series.publication, landing=False,
                                   following=after)
        assert f"Next release: {after.title}." in text
        assert series.publication.next_release not in text


def test_edition_index_page_never_calls_its_edition_current(tmp_path):
    from lifetools.pipeline.book import _edition_index

    series = load_series(ROOT / "analyses" / "analyses.yml")
    edition = series.edition(series.current_edition)
    index = _edition_index(EditionPages(edition, {}, {}), [])
    assert "current" not in index and "archived" not in index


def test_copyright_notice_is_the_build_time_year_and_the_publisher():
    # the footer read "(c) Copyright 2025." from a year typed in _config.yml (Sphinx
    # swapped it for SOURCE_DATE_EPOCH's only when it matched the wall clock's year) and
    # named no owner (#15)
    import datetime as dt

    import yaml

    publication = pages.Publication(publisher="Mersey Care NHS Foundation Trust")
    epoch = int(dt.datetime(2024, 12, 31, 23, 59, tzinfo=dt.UTC).timestamp())
    assert pages.copyright_notice(publication, epoch) == \
        "2024 Mersey Care NHS Foundation Trust"
    assert pages.copyright_notice(publication, epoch + 60).startswith("2025 ")
    assert "copyright" not in yaml.safe_load((ROOT / "_config.yml").read_text())


def test_main_point_emergency_care_applies_the_fewest_events_rule():
    # the 2023-24 small build's emergency main point: "0.70 (0.10 to 4.98): compatible
    # with no difference" on users' cells hidden as [c]; the discharge and re-referral
    # main points applied the rule, emergency care did not (#15)
    spec = load_series(ROOT / "analyses" / "analyses.yml").publication.main_points[
        "emergency_care"]
    shown = {"did_ae": {"value": 0.70, "kind": "ratio", "text": "0.70"},
             "did_ae_ci": {"value": [0.10, 4.98], "kind": "text", "text": "0.10 to 4.98"},
             "did_ae_events": {"value": None, "kind": "text", "text": "not shown"}}
    assert pages.main_point(spec, shown).endswith("(0.10 to 4.98): too few events to tell.")
    shown["did_ae_events"] = {"value": 45, "kind": "count", "text": "45"}
    assert pages.main_point(spec, shown).endswith(": compatible with no difference.")


def test_main_points_say_what_swemwbs_is_before_naming_it():
    # the landing page read "Wellbeing (SWEMWBS metric score, 7 to 35) changed by ...",
    # the questionnaire named and never described (wave 37)
    import yaml

    series = yaml.safe_load((Path(__file__).resolve().parents[2] / "analyses"
                             / "analyses.yml").read_text())
    texts = [point.get("text", "") for point in series["publication"]["main_points"].values()]
    named = [t for t in texts if "SWEMWBS" in t]
    assert named and all("questionnaire" in t[:t.index("SWEMWBS")] for t in named)


#: Terms of the methods that a main point, read on the landing page by the public,
#: must not use: no page explains them in words (the C-statistic is glossed where it
#: is said, :data:`lifetools.labels.TERMS`).
MAIN_POINT_JARGON = ("hazard ratio", "odds ratio", "subdistribution", "Fine-Gray",
                     "cumulative incidence", "difference-in-differences", "propensity")


def test_main_points_name_what_they_compare_in_words_and_bracket_only_intervals():
    # "The hazard ratio of re-referral for Life Rooms users is not shown" on the landing
    # page, and "(SWEMWBS metric score, 7 to 35, higher is better)" beside "Each figure
    # in brackets is a 95% confidence interval" (wave 39)
    import yaml

    series = yaml.safe_load((Path(__file__).resolve().parents[2] / "analyses"
                             / "analyses.yml").read_text())
    for name, point in series["publication"]["main_points"].items():
        said = " ".join(str(point.get(k, "")) for k in ("measure", "text", "above", "below"))
        assert not [j for j in MAIN_POINT_JARGON if j.lower() in said.lower()], name
        brackets = re.findall(r"\(([^()]*)\)", said)
        assert [b for b in brackets if re.search(r"\d", b)] == [], name


@pytest.mark.parametrize(("text", "found"), [
    ("Predicted risks run from 0.07 to 0.90; the largest gap between observed and "
     "predicted is 0.11.", True),
    ("differed from the predicted risk by up to 0.11, at a predicted risk of 0.21", True),
    ("of treating no one at 9 risk thresholds from 0.10 to 0.50.", True),
    ("Step chart of share still open by days since referral, 1 curve. All: from 0.70 at "
     "day 90 to 0.54 at day 900.", True),
    ("The vertical axis runs from 0 to 0.60, not 1.", True),
    ("Predicted risks run from 7.0% to 90.0%; the largest gap between observed and "
     "predicted is 11.0 percentage points.", False),
    ("All: from 70.0% at day 90 to 54.0% at day 900. The vertical axis runs from 0% to "
     "60%, not 100%.", False),
    ("The C-statistic (how well the model ranks people by risk) of 0.72 (0.65 to 0.79)",
     False),
    ("a target shrinkage of 0.9; a calibration slope of 0.85; a Brier score of 0.19; "
     "net benefit 0.18 at a risk threshold of 10.0%", False)])
def test_page_words_a_risk_written_as_a_bare_proportion_is_found(text, found):
    # a page reader meets a risk or cumulative incidence as "24.5%" everywhere, never
    # "0.245" in one place and "7.1%" in another (issue 15); the built-site test
    # (tests/functional/test_accessibility.py) reads every report page with LEAKS
    from page_words import LEAKS

    assert bool(LEAKS["proportion"].search(text)) is found
