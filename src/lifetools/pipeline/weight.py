"""Page weight: what a reader's browser downloads for one page, and trimming it.

The Jupyter Book theme loads, on every page, Font Awesome's whole icon set as a
script (``_static/scripts/fontawesome.js``, 1.5 MB, of which the site draws about 15
icons) and the full search index (``searchindex.js``, which only the search page
needs), and sphinx-design's stylesheet and tab script on pages that use none of its
components. :func:`trim_site` keeps in the Font Awesome script only the icons the built
pages name (its code is unchanged, so the theme draws them as before) and loads the
search index on the search page only, the design files where they are used. :func:`page_weight` measures a page as the
browser fetches it: the HTML and every local script, stylesheet and image it loads
(web fonts are left out: with the icons drawn as SVG by the script, the theme's
icon fonts are never requested).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

__all__ = ["MAX_PAGE_BYTES", "icons_used", "page_weight", "subset_icons", "trim_site"]

MAX_PAGE_BYTES = 1_000_000
"""Largest page weight allowed (HTML and everything it loads), in bytes."""
ICON_SCRIPT = Path("_static") / "scripts" / "fontawesome.js"
SEARCH_INDEX = re.compile(r'[ \t]*<script src="(?:\.\./)*searchindex\.js"></script>\n?')
DESIGN = re.compile(r'[ \t]*<(?:link rel="stylesheet" type="text/css" href="[^"]*'
                    r'sphinx-design\.min\.css[^"]*" />|script [^>]*src="[^"]*design-tabs\.js'
                    r'[^"]*"></script>)\n?')
ICON_CLASS = re.compile(r"\bfa-([a-z0-9]+(?:-[a-z0-9]+)*)")
PACK = re.compile(r"var p=\{")
LOADED = re.compile(
    r'<(?:script|img|source)\b[^>]*?\bsrc="([^"#]+)"'
    r'|<link\b(?=[^>]*\brel="(?:stylesheet|preload|modulepreload)")[^>]*?\bhref="([^"#]+)"'
    r'|<link\b[^>]*?\bhref="([^"#]+)"(?=[^>]*\brel="(?:stylesheet|preload|modulepreload)")',
    re.I)


def _object_end(text: str, start: int) -> int:
    """Index just past the ``}`` closing the object literal opened at ``start``."""
    depth, index, quoted = 0, start, False
    while index < len(text):
        char = text[index]
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "{[":
            depth += 1
        elif not quoted and char in "}]":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    raise ValueError("unbalanced object literal in the icon script")


def _entries(body: str) -> list[tuple[str, str]]:
    """The ``name:[...]`` entries of an icon pack object (without its braces)."""
    out, index = [], 0
    while index < len(body):
        colon = body.index(":", index)
        name = body[index:colon].strip().strip('"')
        end = _object_end(body, colon + 1)
        out.append((name, body[index:end]))
        index = end + 1  # past the comma
    return out


def subset_icons(script: str, used: set[str]) -> str:
    """Keep in Font Awesome's script only the icons named in ``used`` (or by alias).

    Notes
    -----
    Each icon pack is an object literal ``var p={name:[width,height,[aliases],
    unicode,path],...}``; entries are kept whole, the rest of the script unchanged.
    Checked by ``tests/unit/test_weight.py``.
    """
    out, index = [], 0
    for match in PACK.finditer(script):
        if match.start() < index:
            continue
        start = match.end() - 1
        end = _object_end(script, start)
        kept = [entry for name, entry in _entries(script[start + 1:end - 1])
                if name in used or any(f'"{alias}"' in entry.split("]", 1)[0]
                                       for alias in used)]
        out += [script[index:start], "{", ",".join(kept), "}"]
        index = end
    return "".join([*out, script[index:]])


def icons_used(html_dir: Path) -> set[str]:
    """Icon names (``fa-<name>`` classes) in the built pages and the theme's scripts."""
    names: set[str] = set()
    scripts = [p for p in (html_dir / "_static").rglob("*.js") if p.name != ICON_SCRIPT.name]
    for path in [*html_dir.rglob("*.html"), *scripts]:
        names |= set(ICON_CLASS.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names


def trim_site(html_dir: Path) -> int:
    """Trim the icon script and the search index off a built site; return bytes saved.

    Notes
    -----
    Checked by ``tests/unit/test_weight.py``; every page's weight by
    ``tests/functional/test_site_pages.py``.
    """
    saved = 0
    icons = html_dir / ICON_SCRIPT
    if icons.exists():
        before = icons.read_text(encoding="utf-8")
        after = subset_icons(before, icons_used(html_dir))
        icons.write_text(after, encoding="utf-8")
        saved += len(before.encode()) - len(after.encode())
    for page in html_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        trimmed = text
        if not (page.name == "search.html" and page.parent == html_dir):
            trimmed = SEARCH_INDEX.sub("", trimmed)
        if 'class="sd-' not in trimmed and " sd-" not in trimmed.replace(
                "sphinx-design-tab-id-", ""):
            trimmed = DESIGN.sub("", trimmed)
        if trimmed != text:
            page.write_text(trimmed, encoding="utf-8")
    return saved


def page_weight(page: Path) -> int:
    """Bytes a browser fetches for ``page``: its HTML and each local resource it loads.

    Scripts, stylesheets (and their preloads) and images referenced by the page are
    counted once each; links to other pages, external URLs and inline ``data:``
    images (already in the HTML) are not.
    """
    text = page.read_text(encoding="utf-8", errors="replace")
    files: set[Path] = set()
    for groups in LOADED.findall(text):
        ref = next(g for g in groups if g)
        if urlparse(ref).scheme or ref.startswith("//"):
            continue
        path = (page.parent / unquote(ref.split("?")[0])).resolve()
        if path.is_file() and path.suffix != ".html":
            files.add(path)
    return page.stat().st_size + sum(p.stat().st_size for p in files)
