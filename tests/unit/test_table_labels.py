"""Tables that stack on a phone: every body cell labelled with its column header."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from lifetools.pipeline.book import repair_theme_html
from lifetools.pipeline.table_labels import STACKED, label_table_cells
from lifetools.tables import show_table

ROOT = Path(__file__).resolve().parents[2]
SPHINX = ('<table class="table">\n<thead>\n<tr class="row-odd"><th class="head"><p>Name</p>'
          '</th>\n<th class="head"><p>Tolerance &amp; source</p></th>\n</tr>\n</thead>\n'
          '<tbody>\n<tr class="row-even"><td><p>Cox</p></td>\n<td><p>1e-9</p></td>\n</tr>\n'
          '<tr class="row-odd"><td><p>KM</p></td>\n<td></td>\n</tr>\n</tbody>\n</table>')


def cells(page: str) -> list[str]:
    return re.findall(r"<td\b[^>]*>", page)


def test_label_table_cells_sphinx_table_every_cell_labelled_and_scoped():
    page = label_table_cells(f"<p>before</p>{SPHINX}<p>after</p>")
    assert cells(page) == ['<td data-label="Name">', '<td data-label="Tolerance &amp; source">',
                           '<td data-label="Name">', '<td data-label="Tolerance &amp; source">']
    assert re.findall(r"<th\b[^>]*>", page) == ['<th scope="col" class="head">'] * 2
    assert f'<table class="table {STACKED}">' in page
    assert page.startswith("<p>before</p>") and page.endswith("<p>after</p>")
    assert label_table_cells(page) == page


def test_label_table_cells_headless_or_ragged_tables_left_to_scroll():
    headless = re.sub(r"<thead>.*?</thead>", "", SPHINX, flags=re.S)
    ragged = SPHINX.replace("<td></td>\n", "")
    wider = SPHINX.replace("<td></td>", '<td colspan="2"></td>')
    for table in (headless, ragged, wider):
        assert label_table_cells(table) == table


#: pandas' HTML of a table with two levels of columns and of rows (DataFrame.to_html)
MULTI = """<table border="1" class="dataframe">
  <thead>
    <tr>
      <th></th>
      <th></th>
      <th colspan="2" halign="left">Development</th>
      <th colspan="2" halign="left">Validation</th>
    </tr>
    <tr>
      <th>Characteristic</th>
      <th>Group</th>
      <th>People</th>
      <th>Crises</th>
      <th>People</th>
      <th>Crises</th>
    </tr>
  </thead>
  <tbody>
    <tr>
      <th rowspan="2" valign="top">Sex</th>
      <th>Male</th>
      <td>100</td><td>10</td><td>90</td><td>15</td>
    </tr>
    <tr>
      <th>Female</th>
      <td>120</td><td>20</td><td>95</td><td>10</td>
    </tr>
    <tr>
      <th>Age</th>
      <th>18-24</th>
      <td colspan="4">not shown</td>
    </tr>
  </tbody>
</table>"""


def labels_of(page: str) -> list[list[str]]:
    """The data-label of each body cell, row by row (copies of merged cells marked +)."""
    body = re.search(r"<tbody>(.*)</tbody>", page, re.S).group(1)
    return [[("+" if "lifetools-repeat" in tag else "") + re.search(
        r'data-label="([^"]*)"', tag).group(1)
        for tag in re.findall(r"<t[dh]\b[^>]*>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_label_table_cells_merged_headers_joined_into_each_label():
    page = label_table_cells(MULTI)
    columns = ["Characteristic", "Group", "Development: People", "Development: Crises",
               "Validation: People", "Validation: Crises"]
    assert labels_of(page) == [columns, ["+Characteristic", *columns[1:]],
                               columns[:2] + ["Development / Validation"]]
    assert f'class="dataframe {STACKED}"' in page
    assert '<th scope="colgroup" colspan="2" halign="left">Development</th>' in page
    assert page.count('<th scope="col"') == 8
    assert label_table_cells(page) == page


def test_label_table_cells_merged_row_cell_repeated_in_each_stacked_row():
    page = label_table_cells(MULTI)
    second = re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>")[1], re.S)[1]
    # the copy comes first in its row, where the merged cell's column is, and is hidden
    # from screen readers (the table's structure still has the merged cell)
    assert second.strip().startswith('<th class="lifetools-repeat" aria-hidden="true" '
                                     'data-label="Characteristic">Sex</th>')
    assert '<th rowspan="2" valign="top" data-label="Characteristic" scope="row">Sex</th>' \
        in page
    css = (ROOT / "book" / "_static" / "lifetools.css").read_text()
    assert ".bd-article table .lifetools-repeat { display: none; }" in css
    assert ".bd-article table.lifetools-stacked .lifetools-repeat { display: block; }" in css


def test_label_table_cells_merged_header_rows_that_do_not_tile_left_to_scroll():
    broken = MULTI.replace('<th colspan="2" halign="left">Validation</th>', "")
    assert label_table_cells(broken) == broken


def test_label_table_cells_body_row_headers_get_row_scope():
    table = SPHINX.replace("<td><p>Cox</p></td>", "<th>Cox</th>")
    assert '<th data-label="Name" scope="row">Cox</th>' in label_table_cells(table)


def test_repair_theme_html_stacks_every_simple_table():
    repaired = repair_theme_html(SPHINX)
    assert STACKED in repaired and len(cells(repaired)) == 4
    assert all("data-label=" in cell for cell in cells(repaired))


def test_show_table_html_every_cell_has_its_header_as_data_label(tmp_path, monkeypatch):
    monkeypatch.setenv("LIFETOOLS_OUTPUT_DIR", str(tmp_path))
    # (a plain "rate" is refused: rates come from lt.disclosure; a decimal column here)
    frame = pd.DataFrame({"group": ["a", "b"], "n": [30, 1234],
                          "shrinkage": [0.12, 1.5]})
    markup = show_table(frame, name="t", caption="Cap", count_cols=["n"]).to_html()
    headers = re.findall(r'<th scope="col">([^<]*)</th>', markup)
    assert headers == ["Group", "Number", "Shrinkage"]
    assert [re.search(r'data-label="([^"]*)"', c).group(1) for c in cells(markup)] == headers * 2
    assert f'class="table {STACKED}"' in markup and "<caption>Cap</caption>" in markup
    assert label_table_cells(markup) == markup  # the build adds nothing to a report table


def test_stylesheet_stacks_wide_tables_in_mid_windows_with_the_same_rules():
    # the stacked-rows rules are written once in the source (between their marks);
    # the published stylesheet has them again for tables of eight or more columns in
    # 768-1279 px windows, rule for rule, and nothing else changes
    from lifetools.pipeline.table_labels import WIDE, stylesheet

    source = (ROOT / "book" / "_static" / "lifetools.css").read_text()
    assert "1279.98px" not in source  # written once, not twice
    published = stylesheet(source)
    assert stylesheet(published) == published
    narrow = re.search(r"stacked rows: begin \*/\n@media \(max-width: 767\.98px\) \{\n"
                       r"(.*?)\n\}\n/\* stacked rows: end", source, re.S).group(1)
    wide = published.split("/* stacked rows: end */\n", 1)[1]
    assert wide.startswith("@media (min-width: 768px) and (max-width: 1279.98px) {\n")
    body = wide.split("\n", 1)[1].split("\n}\n", 1)[0]
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", body, flags=re.S))
    assert rules == [(selector.replace("table.lifetools-stacked",
                                       f"table.lifetools-stacked{WIDE}"), declarations)
                     for selector, declarations in re.findall(
                         r"([^{}]+)\{([^{}]*)\}",
                         re.sub(r"/\*.*?\*/", "", narrow, flags=re.S))]
    assert len(rules) == 11 and all(selector.count(WIDE) == selector.count(",") + 1
                                    for selector, _ in rules)
    assert published.replace(wide.split("\n}\n", 1)[0] + "\n}\n", "", 1) == source
    with pytest.raises(ValueError, match="marks"):
        stylesheet(source.replace("/* stacked rows: end */", ""))
