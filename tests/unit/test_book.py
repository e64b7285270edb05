"""Book assembly: provenance block, edition pages, generated reference pages, TOC."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifetools.pipeline.book import (
    _reference_pages,
    _toc,
    _true_effects_page,
    period_text,
    provenance_markdown,
    repair_theme_html,
)
from lifetools.pipeline.series import Analysis, Edition, load_series

ROOT = Path(__file__).resolve().parents[2]
EDITION = Edition("2024-25", "2024-25 edition", "2024-04-01", "2025-03-31")
ANALYSIS = Analysis("wellbeing", "05_wellbeing.ipynb", "Wellbeing", "", ("all",), {})
RECORD = {
    "parameters": {"period_start": "2024-04-01", "locality": "all"},
    "data_fingerprint": "f" * 64, "lock_hash": "a" * 64,
    "code_version": {"commit": "c" * 40, "dirty": False},
    "packages": {"lifetools": "0.1.0", "pandas": "2.3.3"},
    "files": ["results.json", "tables/change.csv"],
}
MANIFEST = {"data": {"synthetic": {"people": 30000, "seed": 1}},
            "citation": {"text": "Cite me."}, "source_date": "2026-01-01T00:00:00+00:00"}


def test_period_text_is_readable():
    assert period_text(EDITION) == "1 April 2024 to 31 March 2025"


def test_provenance_block_has_every_item():
    text = provenance_markdown(ANALYSIS, EDITION, RECORD, MANIFEST)
    for expected in ("2024-25 edition: 1 April 2024 to 31 March 2025",
                     "synthetic data, 30,000 people, seed 1", "`ffffffffffffffff`",
                     "commit `cccccccccccc` (work tree clean)", "`locality = all`",
                     "pandas 2.3.3", "2026-01-01T00:00:00+00:00",
                     '<a href="wellbeing/tables/change.csv">tables/change.csv</a>',
                     "Cite me.", "lifetools reproduce 2024-25",
                     "lifetools run wellbeing --edition 2024-25"):
        assert expected in text


def test_provenance_block_says_to_add_the_site_when_the_series_records_none():
    # the block's last line, `lifetools reproduce 2024-25`, run as written in a fresh
    # copy exits 12 (no public/site) while the page said nothing of --site
    text = provenance_markdown(ANALYSIS, EDITION, RECORD, MANIFEST)
    assert "lifetools reproduce 2024-25 --site SITE" in text
    assert "for `SITE` put this site's address" in text
    # a page with a placeholder does not call its commands "as written" (it said so,
    # then said the last line would not work as written: wave 37)
    assert "as written" not in text and "the words in capitals replaced" in text
    named = provenance_markdown(ANALYSIS, EDITION, RECORD,
                                {**MANIFEST, "site_url": "https://example.org/lt"})
    assert "lifetools reproduce 2024-25 --site https://example.org/lt" in named
    assert "SITE" not in named and "as written (nothing is copied by hand)" in named


def test_provenance_block_gives_a_list_parameter_as_the_command_line_reads_it():
    # the discharge and re-referral pages at 3,000 people: "team_types = ['A06']", a
    # Python repr, in the "About this report" table
    record = {**RECORD, "parameters": {**RECORD["parameters"],
                                       "team_types": ["A06", "A05"]}}
    text = provenance_markdown(ANALYSIS, EDITION, record, MANIFEST)
    assert "`team_types = A06,A05`" in text and "['A06'" not in text
    assert "-p team_types A06,A05" in text


@pytest.mark.parametrize(("engine", "placeholder"), [
    ("files", "EXTRACT_FOLDER"), ("duckdb", "EXTRACT.duckdb"),
    ("postgres", "postgresql://USER@HOST/DATABASE"), ("spark", "sc://HOST:PORT")])
def test_provenance_block_explains_each_placeholder_it_prints(engine, placeholder):
    manifest = {**MANIFEST, "site_url": "https://example.org/lt",
                "data": {"engine": {"source": engine}}}
    text = provenance_markdown(ANALYSIS, EDITION, RECORD, manifest)
    assert f"--data {placeholder}" in text and f"(`{placeholder}`: " in text
    assert "as written" not in text


def test_provenance_block_real_extract_and_dirty_tree():
    record = {**RECORD, "code_version": {"commit": None, "dirty": True}}
    text = provenance_markdown(ANALYSIS, EDITION, record, {"data": {}})
    assert "the trust's linked extract" in text
    assert "commit unknown (not a git checkout)" in text


def test_reference_pages_generated_from_code(tmp_path):
    _reference_pages(tmp_path)
    cli = (tmp_path / "reference" / "cli.md").read_text()
    assert ".. click:: lifetools.pipeline.cli:cli" in cli and ":nested: full" in cli
    errors = (tmp_path / "reference" / "errors.md").read_text()
    assert "| 13 | `DisclosureError` |" in errors
    assert (tmp_path / "reference" / "glossary.md").exists()


def test_toc_lists_current_edition_first_and_archive(tmp_path):
    from lifetools.pipeline.book import EditionPages

    series = load_series(ROOT / "analyses" / "analyses.yml")
    pages = [EditionPages(e, {"wellbeing": tmp_path}, {}) for e in series.editions]
    (tmp_path / "methods").mkdir()
    (tmp_path / "methods" / "cox.md").write_text("# Cox")
    toc = _toc(series, pages, tmp_path)
    # an archived edition's frozen pages said "Current edition" in their sidebar (#15)
    assert toc["parts"][0]["caption"] == "Reports"
    assert toc["parts"][0]["chapters"][0]["file"] == f"editions/{series.current_edition}/index"
    assert toc["parts"][1]["chapters"][0] == {"file": "editions/index"}
    assert {"caption": "Methods", "chapters": [{"file": "methods/cox"}]} in toc["parts"]


def test_repair_theme_html_names_section_toggles_and_drops_repeated_scripts():
    page = (
        '<script>const THEBE_JS_URL = "x"</script>\n'
        '<li><a class="reference internal" href="a.html">2024-25 "edition"</a>'
        '<details open="open"><summary><span class="toctree-toggle" '
        'role="presentation"><i></i></span></summary></details></li>\n'
        '<script>const THEBE_JS_URL = "x"</script>\n'
        '<details><summary><span class="toctree-toggle" role="presentation"></span>'
        '</summary></details>\n'
    )
    repaired = repair_theme_html(page)
    assert repaired.count("THEBE_JS_URL") == 1
    assert ('<summary aria-label="Show or hide the pages of 2024-25 &quot;edition&quot;">'
            in repaired)
    assert '<summary aria-label="Show or hide the pages of this section">' in repaired
    assert "<summary>" not in repaired
    assert repair_theme_html(repaired) == repaired


def test_repair_theme_html_keeps_an_edition_label_in_a_heading_on_one_line():
    # the crisis-risk title broke as "2024-" / "25 edition" in a narrow window and its PDF
    page = ('<h1>Crisis risk, 2024-25 edition<a class="headerlink" '
            'href="#crisis-risk-2024-25-edition" title="2024-25">#</a></h1>'
            '<h2 id="x">Since 2023-24</h2><p>In 2024-25 the period</p>'
            '<section id="edition-2024-25"></section>')
    repaired = repair_theme_html(page)
    assert repaired == (
        '<h1>Crisis risk, <span class="lifetools-nowrap">2024-25</span> edition'
        '<a class="headerlink" href="#crisis-risk-2024-25-edition" title="2024-25">#</a>'
        '</h1><h2 id="x">Since <span class="lifetools-nowrap">2023-24</span></h2>'
        '<p>In 2024-25 the period</p><section id="edition-2024-25"></section>')
    assert repair_theme_html(repaired) == repaired
    css = (Path(__file__).parents[2] / "book" / "_static" / "lifetools.css").read_text()
    assert ".lifetools-nowrap { white-space: nowrap; }" in css


def test_repair_theme_html_the_landing_page_title_names_the_site_once():
    # the 3,000-person site's landing page: "The Life Rooms report series &#8212; The
    # Life Rooms report series"
    site = "The Life Rooms report series"
    assert repair_theme_html(f"<title>{site} &#8212; {site}</title>") == (
        f"<title>{site}</title>")
    other = f"<title>All editions &#8212; {site}</title>"
    assert repair_theme_html(other) == other


def test_true_effects_page_generated_from_the_dataclass(tmp_path):
    from dataclasses import fields

    from lifetools.synthetic import TRUE_EFFECTS

    (tmp_path / "methods").mkdir()
    _true_effects_page(tmp_path)
    text = (tmp_path / "methods" / "true-effects.md").read_text()
    assert text.startswith("# Known true effects\n") and text.count("\n# ") == 0
    for field in fields(TRUE_EFFECTS):
        value = getattr(TRUE_EFFECTS, field.name)
        if field.name == "crisis_risk":  # the crisis-risk model: a row per field
            for inner in fields(value):
                shown = f"{getattr(value, inner.name):g}"
                assert f"| `crisis_risk.{inner.name}` | {shown} |" in text
            continue
        shown = (", ".join(f"{k} {v:g}" for k, v in value) if isinstance(value, tuple)
                 else f"{value:g}")
        assert f"| `{field.name}` | {shown} |" in text
    assert "| `honos_missing_by_team` | A06 0.25, A05 0.4, A07 0.2," in text
    # the crisis-risk truth is TRUE_EFFECTS' (wave 44), listed with the others
    assert "| `crisis_risk.prior_crisis_x_honos_per_5` | 0.5 |" in text
    assert "| `crisis_risk.age_quadratic` | 0.003 |" in text


def _css_rules(text: str) -> dict[str, str]:
    import re

    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return {selector.strip(): body for selector, body in
            re.findall(r"([^{}]+)\{([^{}]*)\}", text)}


def test_glued_text_reads_as_the_text_around_it_not_bold():
    # every glued summary sentence read bold (myst-nb's span.pasted-text); only the
    # main point is bold
    from pathlib import Path

    import myst_nb

    theirs = _css_rules((Path(myst_nb.__file__).parent / "static" / "mystnb.css")
                        .read_text())
    assert "bold" in theirs["span.pasted-text"]  # what ours must undo
    ours = _css_rules((Path(__file__).parents[2] / "book" / "_static" / "lifetools.css")
                      .read_text())
    assert "font-weight: inherit" in ours["span.pasted-text"]


def test_report_banner_only_the_main_point_is_bold():
    from lifetools.pipeline.book import report_banner

    banner = report_banner("2024-25 edition: 1 April 2024 to 31 March 2025",
                           "There were 1,090 visits.")
    assert banner.count("**") == 2
    assert banner.endswith("**Main point. There were 1,090 visits.**")
    assert "**" not in report_banner("2024-25 edition")


def test_report_page_opens_with_the_synthetic_notice_date_and_status(tmp_path):
    # the 3,000-person two-edition build, screenshot of a report at 1280 px: a report
    # opened with its edition and main point only; a reader arriving from a search or a
    # link saw synthetic numbers with no "Synthetic data" warning, date or status (#15)
    import json

    import nbformat

    from lifetools.pipeline import layout, pages
    from lifetools.pipeline.book import EditionPages, _report_page

    run = layout.RunFolder(tmp_path / "run")
    run.files.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# Wellbeing\n\nWhat we found.")]), run.notebook)
    run.record.write_text(json.dumps(RECORD))
    publication = load_series(ROOT / "analyses" / "analyses.yml").publication
    notice = pages.report_notice(MANIFEST, publication)
    target = tmp_path / "wellbeing.ipynb"
    _report_page(run.path, target, ANALYSIS, EditionPages(EDITION, {}, MANIFEST),
                 "The mean change was 2.10.", notice=notice)
    first = nbformat.read(target, as_version=4).cells[0].source
    assert first.startswith("# Wellbeing, 2024-25 edition\n\n```{admonition} Synthetic data")
    assert ("Published on 1 January 2026. Status: {doc}`official statistics in "
            "development </about/status>`.") in first
    assert first.index("Synthetic data") < first.index("2024-25 edition: 1 April 2024") \
        < first.index("**Main point.")
    real = {**MANIFEST, "data": {"source": "extract.duckdb"}}
    assert "Synthetic" not in pages.report_notice(real, publication)
