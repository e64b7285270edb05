"""Tables that stack on a phone: each body cell carries its column header.

On a narrow screen (``book/_static/lifetools.css``, below 600 px) a table marked
``lifetools-stacked`` shows each row as "header: value" lines instead of scrolling
sideways, so no column (the estimate, the p-value) is off-screen. The CSS reads each
cell's header from its ``data-label`` attribute. :meth:`lifetools.tables.PublishedTable.to_html`
writes them for the report tables; :func:`label_table_cells` writes them, after the
book is built, into every other table of a page (the Markdown tables of the methods,
data and "About" pages, which Sphinx renders without them). The table's own semantics
(``<caption>``, ``<th scope="col">``) stay in the HTML at every width.
"""

from __future__ import annotations

import html
import re

__all__ = ["STACKED", "label_table_cells"]

STACKED = "lifetools-stacked"
_TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S | re.I)
_THEAD = re.compile(r"<thead\b[^>]*>(.*?)</thead>", re.S | re.I)
_TBODY = re.compile(r"(<tbody\b[^>]*>)(.*?)(</tbody>)", re.S | re.I)
_ROW = re.compile(r"(<tr\b[^>]*>)(.*?)(</tr>)", re.S | re.I)
_HEADER = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S | re.I)
_CELL_TAG = re.compile(r"<(td|th)\b([^>]*)>", re.I)
_TABLE_TAG = re.compile(r"<table\b([^>]*)>", re.I)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _with_class(tag: str) -> str:
    """The ``<table ...>`` tag with the ``lifetools-stacked`` class added once."""
    found = re.search(r'\bclass="([^"]*)"', tag)
    if found is None:
        return tag[:-1] + f' class="{STACKED}">'
    if STACKED in found.group(1).split():
        return tag
    return tag[:found.start()] + f'class="{found.group(1)} {STACKED}"' + tag[found.end():]


def _label_row(row: str, labels: list[str]) -> str | None:
    """A body row with ``data-label`` on each cell, or None when the cells do not match."""
    cells = list(_CELL_TAG.finditer(row))
    if len(cells) != len(labels):
        return None
    out, at = [], 0
    for cell, label in zip(cells, labels, strict=True):
        name, attributes = cell.group(1), cell.group(2)
        if "data-label=" not in attributes:
            attributes += f' data-label="{html.escape(label)}"'
        if name.lower() == "th" and "scope=" not in attributes:
            attributes += ' scope="row"'
        out += [row[at:cell.start()], f"<{name}{attributes}>"]
        at = cell.end()
    return "".join(out) + row[at:]


def _label_table(table: str) -> str:
    head = _THEAD.search(table)
    body = _TBODY.search(table)
    if head is None or body is None or re.search(r"\b(colspan|rowspan)=", table, re.I) \
            or len(_ROW.findall(head.group(1))) != 1:
        return table  # not one plain header row: left to scroll in its box
    labels = [_text(h) for h in _HEADER.findall(head.group(1))]
    rows = []
    for row in _ROW.finditer(body.group(2)):
        labelled = _label_row(row.group(2), labels)
        if labelled is None:
            return table
        rows.append((row, labelled))
    new_body, at = [], 0
    for row, labelled in rows:
        new_body += [body.group(2)[at:row.start(2)], labelled]
        at = row.end(2)
    new_body.append(body.group(2)[at:])
    thead = re.sub(r"<th\b(?![^>]*\bscope=)([^>]*)>", r'<th scope="col"\1>',
                   head.group(0), flags=re.I)
    table = (table[:head.start()] + thead + table[head.end():body.start()]
             + body.group(1) + "".join(new_body) + body.group(3) + table[body.end():])
    return _TABLE_TAG.sub(lambda m: _with_class(m.group(0)), table, count=1)


def label_table_cells(page: str) -> str:
    """Every simple table of an HTML page, marked to stack on a phone.

    A table with one header row in ``<thead>``, a ``<tbody>`` whose rows have one cell
    per header, and no merged cells gets ``class="lifetools-stacked"``, a
    ``data-label`` (its column's header text) on every body cell that has none, and
    ``scope`` on its header cells (``col`` in the head, ``row`` in the body). Any other
    table is left as it was (it scrolls inside its own box). Running it twice changes
    nothing.

    Notes
    -----
    Checked by ``tests/unit/test_table_labels.py`` and, in a browser at 320 px, by
    ``tests/functional/test_accessibility.py`` (no table cell beyond the viewport).
    """
    return _TABLE.sub(lambda m: _label_table(m.group(0)), page)
