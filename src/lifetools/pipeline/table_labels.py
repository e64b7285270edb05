"""Tables that stack on a phone: each body cell carries its column header.

On a narrow screen (``book/_static/lifetools.css``, below 768 px) a table marked
``lifetools-stacked`` shows each row as "header: value" lines instead of scrolling
sideways, so no column (the estimate, the p-value) is off-screen. The CSS reads each
cell's header from its ``data-label`` attribute. :meth:`lifetools.tables.PublishedTable.to_html`
writes them for the report tables; :func:`label_table_cells` writes them, after the
book is built, into every other table of a page (the Markdown tables of the methods,
data and "About" pages, which Sphinx renders without them). The table's own semantics
(``<caption>``, ``<th scope="col">``) stay in the HTML at every width.

A table with merged cells stacks too (WCAG 1.4.10 at 320 px): a column under merged
headers (several head rows, ``colspan``: pandas' two-level columns) is labelled with
them all, "Development: People"; a body cell merged down several rows (``rowspan``:
pandas' two-level rows) is copied, hidden at full width, into each later row it covers,
so that each stacked row still names its group.
"""

from __future__ import annotations

import html
import re

__all__ = ["REPEAT", "STACKED", "WIDE", "label_table_cells", "stylesheet"]

STACKED = "lifetools-stacked"
REPEAT = "lifetools-repeat"
_TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S | re.I)
_THEAD = re.compile(r"<thead\b[^>]*>(.*?)</thead>", re.S | re.I)
_TBODY = re.compile(r"(<tbody\b[^>]*>)(.*?)(</tbody>)", re.S | re.I)
_ROW = re.compile(r"(<tr\b[^>]*>)(.*?)(</tr>)", re.S | re.I)
_CELL = re.compile(r"<(td|th)\b([^>]*)>(.*?)</\1>", re.S | re.I)
_TABLE_TAG = re.compile(r"<table\b([^>]*)>", re.I)
WIDE = ":has(> thead > tr > th:nth-child(8))"
"""A table of eight or more columns: the crisis report's internal validation with its
"why not shown" column (680 px at 13 px) does not fit the 624-656 px text column of a
960-1279 px window, so such a table stacks there too (:func:`stylesheet`)."""
_STACKED_RULES = re.compile(r"/\* stacked rows: begin \*/\n@media \(max-width: 767\.98px\) "
                            r"\{\n(.*?)\n\}\n/\* stacked rows: end \*/\n", re.S)


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


def _span(attributes: str, name: str) -> int:
    found = re.search(rf'\b{name}\s*=\s*"?(\d+)', attributes, re.I)
    return max(1, int(found.group(1))) if found else 1


def _header_labels(head: str) -> list[list[str]] | None:
    """Each column's header texts from the top row down: ["Development", "People"].

    The head's rows are laid out on a grid (``colspan``, ``rowspan``); a column's texts
    are those of the cells over it, each once, empty ones left out. None when the rows
    do not make a rectangle.
    """
    grid: list[list[str | None]] = []
    for r, row in enumerate(_ROW.finditer(head)):
        while len(grid) <= r:
            grid.append([])
        c = 0
        for cell in _CELL.finditer(row.group(2)):
            while c < len(grid[r]) and grid[r][c] is not None:
                c += 1
            text = _text(cell.group(3))
            for dr in range(_span(cell.group(2), "rowspan")):
                while len(grid) <= r + dr:
                    grid.append([])
                line = grid[r + dr]
                for dc in range(_span(cell.group(2), "colspan")):
                    line.extend([None] * (c + dc + 1 - len(line)))
                    line[c + dc] = text
            c += _span(cell.group(2), "colspan")
    widths = {len(line) for line in grid}
    if len(widths) != 1 or any(v is None for line in grid for v in line):
        return None
    columns = []
    for c in range(widths.pop()):
        parts: list[str] = []
        for line in grid:
            if line[c] and line[c] not in parts:
                parts.append(str(line[c]))
        columns.append(parts)
    return columns


def _cell_label(columns: list[list[str]], start: int, width: int) -> str:
    """A body cell's label: its column's header texts joined ("Development: People").

    A cell across several columns takes the headers they share ("Development"), else
    their top headers ("Development / Validation"); across every column, none.
    """
    spanned = columns[start:start + width]
    if width == 1:
        return ": ".join(spanned[0])
    if width >= len(columns):
        return ""
    shared = []
    for parts in zip(*spanned, strict=False):
        if len(set(parts)) > 1:
            break
        shared.append(parts[0])
    if shared:
        return ": ".join(shared)
    return " / ".join(dict.fromkeys(parts[0] for parts in spanned if parts))


def _labelled_tag(name: str, attributes: str, label: str) -> str:
    if "data-label=" not in attributes:
        attributes += f' data-label="{html.escape(label)}"'
    if name.lower() == "th" and "scope=" not in attributes:
        attributes += ' scope="row"'
    return f"<{name}{attributes}>"


def _label_body(body: str, labels: list[list[str]]) -> str | None:
    """The body's rows with each cell labelled, or None when the cells do not match.

    A cell merged down several rows (``rowspan``) stays where it is; each later row it
    covers gets a copy marked ``lifetools-repeat`` (hidden, except when the table
    stacks: a stacked row then still says which group it is in; hidden from screen
    readers, which have the table's own structure).
    """
    pending: dict[int, tuple[int, str]] = {}  # column -> (rows still covered, copy)
    out, at = [], 0
    for row in _ROW.finditer(body):
        cells = list(_CELL.finditer(row.group(2)))
        taken = {c: copy for c, (_, copy) in pending.items()}
        pending = {c: (n - 1, copy) for c, (n, copy) in pending.items() if n > 1}
        pieces, c, inner_at = [], 0, 0
        inner = row.group(2)
        for cell in cells:
            while c in taken:
                pieces.append(taken.pop(c))
                c += 1
            name, attributes = cell.group(1), cell.group(2)
            width, height = _span(attributes, "colspan"), _span(attributes, "rowspan")
            if c + width > len(labels):
                return None
            label = _cell_label(labels, c, width)
            pieces_before = inner[inner_at:cell.start()]
            tag = _labelled_tag(name, attributes, label)
            pieces.append(pieces_before + tag + cell.group(3) + f"</{name}>")
            inner_at = cell.end()
            if height > 1 and REPEAT not in attributes:
                copy = (f'<{name} class="{REPEAT}" aria-hidden="true" '
                        f'data-label="{html.escape(label)}">{cell.group(3)}</{name}>')
                for dc in range(width):
                    pending[c + dc] = (height - 1, copy if dc == 0 else "")
            c += width
        while c in taken:
            pieces.append(taken.pop(c))
            c += 1
        if c != len(labels):
            return None
        out += [body[at:row.start(2)], "".join(pieces) + inner[inner_at:]]
        at = row.end(2)
    out.append(body[at:])
    return "".join(out)


def _label_table(table: str) -> str:
    head = _THEAD.search(table)
    body = _TBODY.search(table)
    if head is None or body is None or REPEAT in table:
        return table  # no head row (or labelled already): left to scroll in its box
    labels = _header_labels(head.group(1))
    new_body = None if labels is None else _label_body(body.group(2), labels)
    if new_body is None:
        return table  # rows that do not match the head: left to scroll in its box
    thead = re.sub(r"<th\b(?![^>]*\bscope=)([^>]*)>",
                   lambda m: f'<th scope="{_head_scope(m.group(1))}"{m.group(1)}>',
                   head.group(0), flags=re.I)
    table = (table[:head.start()] + thead + table[head.end():body.start()]
             + body.group(1) + new_body + body.group(3) + table[body.end():])
    return _TABLE_TAG.sub(lambda m: _with_class(m.group(0)), table, count=1)


def _head_scope(attributes: str) -> str:
    return "colgroup" if _span(attributes, "colspan") > 1 else "col"


def label_table_cells(page: str) -> str:
    """Every table of an HTML page whose cells tile its head, marked to stack on a phone.

    A table with a ``<thead>`` (one or more rows) and a ``<tbody>`` whose rows fill the
    head's columns, merged cells counted by their ``colspan`` and ``rowspan``, gets
    ``class="lifetools-stacked"``, a ``data-label`` on every body cell that has none
    (its column's header texts, top down, joined by ": "), ``scope`` on its header
    cells (``col``, or ``colgroup`` over several columns, in the head; ``row`` in the
    body) and, for each body cell merged down several rows, a copy in each later row
    (class ``lifetools-repeat``, ``aria-hidden``: shown only when the table stacks).
    Any other table (no head, rows that do not fill it) is left as it was: it scrolls
    inside its own box. Running it twice changes nothing.

    Notes
    -----
    Checked by ``tests/unit/test_table_labels.py`` and, in a browser at 320 px, by
    ``tests/functional/test_accessibility.py`` (no table cell beyond the viewport).
    """
    return _TABLE.sub(lambda m: _label_table(m.group(0)), page)


def stylesheet(css: str) -> str:
    """The site's stylesheet as published: its stacked-rows rules also for wide tables.

    ``book/_static/lifetools.css`` writes the rules that stack a table's rows once,
    between the marks ``/* stacked rows: begin */`` and ``/* stacked rows: end */``,
    for every table below 768 px. A media query cannot share its rules with another, so
    the build (:func:`lifetools.pipeline.book.assemble_book`) writes them again after the
    end mark, for tables of eight or more columns (:data:`WIDE`) in 768-1279 px
    windows. Running it twice changes nothing.

    Raises
    ------
    ValueError
        If the marks are missing (the stylesheet was edited without them).
    """
    found = _STACKED_RULES.search(css)
    if found is None:
        raise ValueError("the stylesheet has no stacked-rows rules between their marks")
    wide = ("@media (min-width: 768px) and (max-width: 1279.98px) {\n"
            + found.group(1).replace(f"table.{STACKED}", f"table.{STACKED}{WIDE}")
            + "\n}\n")
    if css[found.end():].startswith(wide):
        return css
    return css[:found.end()] + wide + css[found.end():]
