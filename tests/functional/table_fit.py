"""Tables that scroll sideways at a desktop width, measured in a page open in Chromium.

A table wider than its box scrolls inside it (``overflow-x: auto``): the page itself
does not scroll, so the 320 px reflow check does not see it, but a reader at a desktop
window still has to scroll the table to read its last columns (#15: nine tables at a
1280 px window). Used by ``test_table_fit.py`` on every page of the two-edition series
and on the pages of the one-edition small build made from its results, from 600 to
1280 px.
"""

from __future__ import annotations

DESKTOP_PX = 1280
"""The desktop window the tables must fit (the theme's text column is then 688 px)."""

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
