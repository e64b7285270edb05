"""Page weight: trimming the theme's icon script and search index (pipeline.weight)."""

from __future__ import annotations

import pytest

from lifetools.pipeline.weight import (
    THEME_STYLESHEET,
    page_weight,
    purge_stylesheet,
    subset_icons,
    trim_site,
    words_used,
)

SCRIPT = ('(()=>{var c=1;function d(){}var p={monero:[496,512,[],"f3d0","M1 2z"],'
          '"circle-half-stroke":[512,512,[9680,"adjust"],"f042","M3 4z"]};d("fab",p)})();'
          '(()=>{var p={bars:[448,512,["navicon"],"f0c9","M5 6z"],'
          'xmark:[384,512,[128473,"close"],"f00d",["M7 8z","M9 0z"]]};d("fas",p)})();')


def test_subset_icons_keeps_named_icons_and_aliases_and_the_code():
    kept = subset_icons(SCRIPT, {"circle-half-stroke", "navicon"})
    assert '"circle-half-stroke":[512' in kept and "bars:[448" in kept
    assert "monero" not in kept and "xmark" not in kept
    assert kept.startswith("(()=>{var c=1;function d(){}var p={") and 'd("fas",p)' in kept
    assert subset_icons(SCRIPT, {"monero", "bars", "xmark", "circle-half-stroke"}) == SCRIPT


def test_trim_site_search_index_only_on_the_search_page(tmp_path):
    scripts = tmp_path / "_static" / "scripts"
    scripts.mkdir(parents=True)
    (scripts / "fontawesome.js").write_text(SCRIPT)
    page = ('<link rel="stylesheet" type="text/css" href="_static/sphinx-design.min.css'
            '?v=1" />\n<script src="searchindex.js"></script>\n<i class="fa-solid fa-bars">'
            '</i>\n')
    (tmp_path / "index.html").write_text(page)
    (tmp_path / "search.html").write_text(page)
    assert trim_site(tmp_path) > 0
    assert (tmp_path / "index.html").read_text() == '<i class="fa-solid fa-bars"></i>\n'
    assert "searchindex.js" in (tmp_path / "search.html").read_text()
    assert "monero" not in (scripts / "fontawesome.js").read_text()


def test_page_weight_counts_the_page_and_each_local_resource_once(tmp_path):
    (tmp_path / "a.js").write_bytes(b"x" * 100)
    (tmp_path / "s.css").write_bytes(b"x" * 10)
    (tmp_path / "f.png").write_bytes(b"x" * 1000)
    html = ('<script src="a.js?v=1"></script><script defer src="a.js"></script>'
            '<link rel="stylesheet" href="s.css" /><link rel="next" href="other.html" />'
            '<img src="f.png"><img src="https://example.org/x.png">')
    page = tmp_path / "p.html"
    page.write_text(html)
    assert page_weight(page) == len(html) + 100 + 10 + 1000


CSS = ('@charset "UTF-8";/*! Bootstrap */:root{--bs-blue:#0d6efd}'
       '.used{color:red}.unused{color:blue}.unused,.used p{margin:0}'
       'img:not(.only-dark,.dark-light){filter:brightness(.8)}'
       '.used:not(.absent){padding:1px}.absent .used{padding:2px}'
       '[data-theme=dark] .used{color:#fff}a[href=".absent"]{color:green}'
       ':is(.absent,.used) b{top:0}:IS(.absent) p{top:1px}'
       ':-webkit-any(.absent) p{top:2px}li:nth-child(2 of .absent,.used){top:3px}'
       r'.x\(,.used{top:4px}.x\,y{top:5px}.used:NOT(.absent){top:6px}'
       '@media (min-width:1200px){.unused{width:1px}.used{width:2px}}'
       '@media print{.absent{display:none}}'
       '@keyframes spin{0%{transform:none}}'
       '.unused{animation:spin 1s}'
       '/*# sourceMappingURL=theme.css.map */')


@pytest.mark.parametrize("rule", [
    ":root{--bs-blue:#0d6efd}", ".used{color:red}", ".unused,.used p{margin:0}",
    "img:not(.only-dark,.dark-light){filter:brightness(.8)}",
    ".used:not(.absent){padding:1px}", "[data-theme=dark] .used{color:#fff}",
    'a[href=".absent"]{color:green}', ":is(.absent,.used) b{top:0}",
    ":IS(.absent) p{top:1px}", ":-webkit-any(.absent) p{top:2px}",
    "li:nth-child(2 of .absent,.used){top:3px}", r".x\(,.used{top:4px}",
    r".x\,y{top:5px}", ".used:NOT(.absent){top:6px}",
    "@media (min-width:1200px){.used{width:2px}}", "@keyframes spin{0%{transform:none}}",
    '@charset "UTF-8";', "/*! Bootstrap */"])
def test_purge_stylesheet_keeps_every_rule_that_may_match(rule):
    assert rule in purge_stylesheet(CSS, {"used", "p", "b"})


@pytest.mark.parametrize("rule", [
    ".unused{color:blue}", ".absent .used{padding:2px}", ".unused{width:1px}",
    "@media print", ".unused{animation", "sourceMappingURL"])
def test_purge_stylesheet_drops_rules_no_page_can_match_and_the_source_map(rule):
    assert rule not in purge_stylesheet(CSS, {"used", "p", "b"})


def test_purge_stylesheet_keeps_everything_when_every_class_is_used():
    words = {"used", "unused", "absent", "only-dark", "dark-light"}
    assert purge_stylesheet(CSS, words) == CSS.replace(
        "/*# sourceMappingURL=theme.css.map */", "\n")


def test_trim_site_purges_the_theme_stylesheet_by_the_pages_and_scripts_words(tmp_path):
    theme = tmp_path / THEME_STYLESHEET
    theme.parent.mkdir(parents=True)
    theme.write_text(".used{color:red}.scripted{color:blue}.unused{color:green}")
    theme.with_name(theme.name + ".map").write_text("{}")
    theme.write_text(theme.read_text() + ".bs-tooltip-auto{top:0}.tip-end{top:1px}"
                     ".bs{top:2px}")
    (tmp_path / "_static" / "app.js").write_text(
        'el.classList.add("scripted");t.add(`bs-${this.name}-auto`);u.add("tip-"+end)')
    (tmp_path / "index.html").write_text('<p class="used">x</p>\n')
    used = words_used(tmp_path)
    assert {"used", "scripted", "classList"} <= used.words
    assert used.prefixes == ("bs-", "tip-")
    assert "bs-tooltip-auto" in used and "bs" not in used
    assert trim_site(tmp_path) > 0
    assert theme.read_text() == (".used{color:red}.scripted{color:blue}"
                                 ".bs-tooltip-auto{top:0}.tip-end{top:1px}")
    assert not theme.with_name(theme.name + ".map").exists()
