"""Tables that scroll sideways at a desktop width, measured in a page open in Chromium.

A table wider than its box scrolls inside it (``overflow-x: auto``): the page itself
does not scroll, so the 320 px reflow check does not see it, but a reader at a desktop
window still has to scroll the table to read its last columns (#15: nine tables at a
1280 px window). Measured from 600 to 1280 px (:data:`WIDTHS`) on every page of the
two-edition series by the accessibility audit's 1280 px pass (``test_accessibility.py``,
which has each page open there already), and on the pages of the one-edition small build
made from its results by ``test_table_fit.py``.
"""

from __future__ import annotations

DESKTOP_PX = 1280
"""The desktop window the tables must fit (the theme's text column is then 688 px)."""

WIDTHS = (DESKTOP_PX, 1200, 1024, 960, 768, 640, 600)
"""The windows measured, widest first: a laptop, a tablet on its side and upright, the
narrowest that is not a phone, and where the text column is narrowest for its window
(the theme shows the page's contents beside the text from 1200 px and the site's from
960 px; 640 px is just above where the tables stacked before, at 600 px)."""

#: Each table of the article whose content is wider than the box it scrolls in (the
#: nearest ancestor that clips or scrolls sideways, else its parent): ``[page text of
#: its caption or first header, content width, box width]``. A table at its box's width
#: has ``scrollWidth == clientWidth``; 1 px is allowed for sub-pixel rounding.
WIDE_TABLES = """selector => [...document.querySelectorAll(selector)]
  .map(t => {
    let box = t.parentElement;
    while (box && box !== document.body && getComputedStyle(box).overflowX === 'visible')
      box = box.parentElement;
    if (!box || box === document.body) box = t.parentElement;
    const named = t.caption || t.querySelector('th') || t;
    return [named.textContent.trim().slice(0, 60),
            Math.max(t.scrollWidth, box.scrollWidth, t.getBoundingClientRect().width),
            box.clientWidth];
  })
  .filter(([, content, width]) => content > width + 1)"""


def wide_tables(page, name: str, selector: str = ".bd-article table") -> list[str]:
    """The tables (``selector``) of the open ``page`` that scroll sideways, one a line."""
    return [f"{name}: {caption!r} is {content:.0f} px wide in a {width} px box"
            for caption, content, width in page.evaluate(WIDE_TABLES, selector)]


def tables_too_wide_at_each_width(page, name: str) -> tuple[int, list[str]]:
    """The number of tables in the article of the open ``page`` (loaded in a
    :data:`DESKTOP_PX` window), and each table wider than its box at each of
    :data:`WIDTHS` ("<width> px <name>: ..."). The window is narrowed step by step (the
    page is laid out again, not reloaded) and left at :data:`DESKTOP_PX`; not at all on
    a page without a table (32 of the series' 77 pages), where nothing can be too wide."""
    tables = page.evaluate("() => document.querySelectorAll('.bd-article table').length")
    wide = []
    if not tables:
        return tables, wide
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        wide += [f"{width} px {line}" for line in wide_tables(page, name)]
    page.set_viewport_size({"width": DESKTOP_PX, "height": 900})
    return tables, wide
