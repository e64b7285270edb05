"""Tables that stack on a phone: every body cell labelled with its column header."""

from __future__ import annotations

import re

import pandas as pd

from lifetools.pipeline.book import repair_theme_html
from lifetools.pipeline.table_labels import STACKED, label_table_cells
from lifetools.tables import show_table

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


def test_label_table_cells_merged_or_headless_tables_left_to_scroll():
    merged = SPHINX.replace("<td></td>", '<td colspan="1"></td>')
    headless = re.sub(r"<thead>.*?</thead>", "", SPHINX, flags=re.S)
    ragged = SPHINX.replace("<td></td>\n", "")
    for table in (merged, headless, ragged):
        assert label_table_cells(table) == table


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
