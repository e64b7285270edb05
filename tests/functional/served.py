"""A built site served over HTTP on a free local port, for the browser tests.

``test_accessibility.py``, ``test_table_fit.py`` and ``test_figures_on_a_phone.py`` open
built pages in headless Chromium; pages are served (not opened as ``file://``) so that
the theme's scripts, fonts and relative links behave as on the published site.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path


class Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging every request to the test output."""

    def log_message(self, *args):  # noqa: D102 - keep test output clean
        pass


@contextlib.contextmanager
def served(site: Path) -> Iterator[str]:
    """Serve the folder ``site`` on 127.0.0.1 (a free port) while the block runs.

    Yields the site's address (``http://127.0.0.1:<port>``); the server is stopped and
    its socket closed when the block ends, however it ends.
    """
    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
