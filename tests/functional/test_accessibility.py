"""Every built page in a real browser: loads, no broken internal link, and axe-core finds
no serious or critical WCAG 2.1 AA violation.

Headless Chromium from Debian (``/usr/bin/chromium``; browser downloads are impossible
here) driven by Playwright, with axe-core from ``axe-playwright-python``.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
import urllib.parse
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-quic"]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # noqa: D102 - keep test output clean
        pass


@pytest.fixture(scope="module")
def server(built_site):
    handler = functools.partial(Quiet, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def pages(site: Path) -> list[str]:
    skip = ("_static", "_sources", "genindex", "search", "_extra")
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                  if not any(part.startswith(skip) for part in p.relative_to(site).parts)
                  and p.name not in ("genindex.html", "search.html"))


def test_every_page_loads_links_resolve_and_axe_passes(built_site, server, tmp_path):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium (make test does)"
    axe = Axe()
    failures, broken, checked = [], set(), pages(built_site)
    assert len(checked) > 20
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context()
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        for name in checked:
            response = page.goto(f"{server}/{name}", wait_until="load")
            assert response is not None and response.status == 200, name
            for href in page.eval_on_selector_all(
                    "a[href]", "els => els.map(e => e.getAttribute('href'))"):
                target = urllib.parse.urlparse(urllib.parse.urljoin(f"{server}/{name}",
                                                                    href))
                if target.netloc != urllib.parse.urlparse(server).netloc:
                    continue
                path = built_site / urllib.parse.unquote(target.path.lstrip("/"))
                if path.is_dir():
                    path = path / "index.html"
                if not path.exists():
                    broken.add(f"{name} -> {href}")
            results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
            for violation in results.response["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    failures.append(f"{name}: {violation['id']} ({violation['impact']}): "
                                    f"{violation['help']}")
        browser.close()
    assert not errors, errors
    assert not broken, sorted(broken)[:20]
    assert not failures, "\n".join(failures[:30])
