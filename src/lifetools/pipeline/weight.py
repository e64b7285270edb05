"""Page weight: what a reader's browser downloads for one page, and trimming it.

The Jupyter Book theme loads, on every page, Font Awesome's whole icon set as a
script (``_static/scripts/fontawesome.js``, 1.5 MB, of which the site draws about 15
icons) and the full search index (``searchindex.js``, which only the search page
needs), sphinx-design's stylesheet and tab script on pages that use none of its
components, and the theme's stylesheet (``_static/styles/pydata-sphinx-theme.css``,
397 kB: all of Bootstrap 5, whose utility classes the site mostly never uses).
:func:`trim_site` keeps in the Font Awesome script only the icons the built pages name
(its code is unchanged, so the theme draws them as before), loads the search index on
the search page only, the design files where they are used, and keeps of the theme's
stylesheet only the rules that can match (:func:`purge_stylesheet`: about 70% of its
bytes go; the pages are drawn as with the theme's own stylesheet, compared in Chromium
screenshot against screenshot by ``tests/functional/test_accessibility.py``). :func:`page_weight` measures a page as the
browser fetches it: the HTML and every local script, stylesheet and image it loads
(web fonts are left out: with the icons drawn as SVG by the script, the theme's
icon fonts are never requested).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import tinycss2

__all__ = ["MAX_PAGE_BYTES", "THEME_STYLESHEET", "NamesUsed", "icons_used", "page_weight",
           "purge_stylesheet", "subset_icons", "trim_site", "words_used"]

MAX_PAGE_BYTES = 1_000_000
"""Largest page weight allowed (HTML and everything it loads), in bytes."""
ICON_SCRIPT = Path("_static") / "scripts" / "fontawesome.js"
SEARCH_INDEX = re.compile(r'[ \t]*<script src="(?:\.\./)*searchindex\.js"></script>\n?')
DESIGN = re.compile(r'[ \t]*<(?:link rel="stylesheet" type="text/css" href="[^"]*'
                    r'sphinx-design\.min\.css[^"]*" />|script [^>]*src="[^"]*design-tabs\.js'
                    r'[^"]*"></script>)\n?')
THEME_STYLESHEET = Path("_static") / "styles" / "pydata-sphinx-theme.css"
"""The theme's stylesheet (Bootstrap and pydata-sphinx-theme), purged of rules that
cannot match (:func:`purge_stylesheet`)."""
SOURCE_MAP = re.compile(r"\n?/\*# sourceMappingURL=[^*]*\*/\s*$")
WORD = re.compile(r"[A-Za-z0-9_-]+")
COMPLETED = re.compile(r"([A-Za-z][A-Za-z0-9_-]*-)\$\{|[\"']([A-Za-z][A-Za-z0-9_-]*-)[\"']\s*\+")
SELECTOR_CLASS = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")
NEGATED = re.compile(r":not\((?:[^()]|\([^()]*\))*\)", re.I)
SELECTOR_LIST = re.compile(r":(?:is|where|has|matches|-webkit-any|-moz-any|host|"
                           r"host-context|slotted)\(|:nth-(?:last-)?child\([^)]*\bof\b",
                           re.I)
"""Pseudo-classes whose argument is a list of alternative selectors: a selector with
one is kept whatever classes it names."""
QUOTED = re.compile(r"\[[^\]]*\]|\"[^\"]*\"|'[^']*'")
GROUPING = ("media", "supports", "container", "layer")
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


@dataclass(frozen=True)
class NamesUsed:
    """The names a site's pages and scripts may give an element's class: each word of
    theirs, and any name starting with a prefix a script completes at run time
    (Bootstrap's ``bs-${name}-auto`` makes ``bs-tooltip-auto``)."""

    words: frozenset[str]
    prefixes: tuple[str, ...] = ()

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self.words
                                          or name.startswith(self.prefixes))


def words_used(html_dir: Path) -> NamesUsed:
    """Every word (letters, digits, ``-``, ``_``) of the built pages and of every script
    the site ships: the class names a page has or a script may add (``show``,
    ``collapsing``, ``modal-open`` are in Bootstrap's script as strings), and the
    prefixes a script completes (``bs-${...}``, ``"toggle-" + ...``)."""
    words: set[str] = set()
    prefixes: set[str] = set()
    for path in [*html_dir.rglob("*.html"), *(html_dir / "_static").rglob("*.js")]:
        text = path.read_text(encoding="utf-8", errors="replace")
        words |= set(WORD.findall(text))
        prefixes |= {a or b for a, b in COMPLETED.findall(text)}
    return NamesUsed(frozenset(words), tuple(sorted(prefixes)))


def _top_level(selectors: str) -> list[str]:
    """The selectors of a comma-separated list, split at its own commas only (not at
    those inside ``:not(.a,.b)`` or an attribute's value)."""
    parts, depth, start, quote, escaped = [], 0, 0, "", False
    for index, char in enumerate(selectors):
        if escaped:  # an escaped character is part of a name: "\\(" or "\\,"
            escaped = False
        elif char == "\\":
            escaped = True
        elif quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(selectors[start:index])
            start = index + 1
    return [*parts, selectors[start:]]


def _may_match(selectors: str, words: NamesUsed | set[str]) -> bool:
    """Whether any selector of the comma-separated ``selectors`` may match an element:
    every class it requires is a word of the site. A class inside ``:not(...)`` is not
    required (``.a:not(.b)`` matches where ``b`` is absent), nor one in an attribute
    selector or a string; a selector with a pseudo-class taking a list of selectors
    (:data:`SELECTOR_LIST`) or with an escaped character is kept whole."""
    for part in _top_level(selectors):
        if SELECTOR_LIST.search(part) or "\\" in part:
            return True  # a list of alternatives inside, or an escaped name: kept
        required = SELECTOR_CLASS.findall(NEGATED.sub("", QUOTED.sub("", part)))
        if all(name in words for name in required):
            return True
    return False


def _purged(rules: Iterable, words: NamesUsed | set[str]) -> list:
    """``rules`` without the qualified rules that cannot match, grouping at-rules
    (``@media``, ``@supports``, ...) purged inside and dropped when left empty; every
    other at-rule (``@keyframes``, ``@font-face``, ``@charset``) and every comment kept."""
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            if _may_match(tinycss2.serialize(rule.prelude), words):
                kept.append(rule)
        elif (rule.type == "at-rule" and rule.lower_at_keyword in GROUPING
              and rule.content is not None):
            inner = _purged(tinycss2.parse_rule_list(rule.content), words)
            if any(r.type in ("qualified-rule", "at-rule") for r in inner):
                rule.content = inner
                kept.append(rule)
        elif rule.type != "whitespace":
            kept.append(rule)
    return kept


def purge_stylesheet(css: str, words: NamesUsed | set[str]) -> str:
    """``css`` keeping only the rules that may match a page made of ``words``.

    A rule is dropped when each of its selectors requires a class that no page and no
    script names (:func:`words_used`); declarations, custom properties, keyframes and
    fonts are kept whole. The source-map comment goes (the map describes the unpurged
    file).

    Notes
    -----
    Parsed with tinycss2 (CSS Syntax Level 3); checked by ``tests/unit/test_weight.py``,
    and in Chromium (pages of the series' site drawn with the purged and the theme's own
    stylesheet, in both schemes, at 1280 and 320 px, screenshot against screenshot) by
    ``tests/functional/test_accessibility.py``.
    """
    rules = tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=False)
    return SOURCE_MAP.sub("\n", tinycss2.serialize(_purged(rules, words)))


def icons_used(html_dir: Path) -> set[str]:
    """Icon names (``fa-<name>`` classes) in the built pages and the theme's scripts."""
    names: set[str] = set()
    scripts = [p for p in (html_dir / "_static").rglob("*.js") if p.name != ICON_SCRIPT.name]
    for path in [*html_dir.rglob("*.html"), *scripts]:
        names |= set(ICON_CLASS.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names


def trim_site(html_dir: Path) -> int:
    """Trim the theme's stylesheet, the icon script and the search index off a built
    site; return bytes saved.

    Notes
    -----
    Checked by ``tests/unit/test_weight.py``; every page's weight by
    ``tests/functional/test_site_pages.py``.
    """
    saved = 0
    theme = html_dir / THEME_STYLESHEET
    if theme.exists():
        before = theme.read_text(encoding="utf-8")
        after = purge_stylesheet(before, words_used(html_dir))
        theme.write_text(after, encoding="utf-8")
        theme.with_name(theme.name + ".map").unlink(missing_ok=True)
        saved += len(before.encode()) - len(after.encode())
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
