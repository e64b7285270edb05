"""Page weight: trimming the theme's icon script and search index (pipeline.weight)."""

from __future__ import annotations

from lifetools.pipeline.weight import page_weight, subset_icons, trim_site

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
