"""The built book works offline and is accessible, checked in a real browser.

The book is served on 127.0.0.1 and every page is opened in headless Chromium
(Debian's, never a downloaded browser), through Playwright. On every page:
no failed request, no console error, no request to another host, no broken
image; axe-core finds no critical or serious violation in light or dark mode;
the first Tab reaches the skip link. Links and anchors are checked statically,
without a browser, in test_book_build.py.

Without Debian's chromium or Playwright these tests are skipped with a message
saying what is missing; in CI (CI=true, as .ci/run sets) they fail instead.
"""

from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit
import json
import sys
import threading

import pytest

from conftest import REPO_ROOT, skip_or_fail

sys.path.insert(0, str(REPO_ROOT / "scripts"))
from check_built_book import book_pages  # noqa: E402

SEVERE = {"critical", "serious"}


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(built_book):
    assert built_book.returncode == 0, "the book did not build; see test_book_build"
    handler = partial(QuietHandler, directory=str(built_book.html))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", built_book.html
    server.shutdown()




@pytest.fixture(scope="module")
def axe_script():
    try:
        import axe_playwright_python
    except ImportError:
        skip_or_fail("axe-playwright-python is not installed (pip install -r requirements.txt)")

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def open_page(browser, url):
    """Open url; return (page, problems) where problems lists every failed or foreign request and console error."""
    page = browser.new_page()
    problems = []
    origin = urlsplit(url).netloc

    def route(request_route):
        target = urlsplit(request_route.request.url)
        if target.scheme in ("http", "https", "ws", "wss") and target.netloc != origin:
            problems.append(f"request to another host: {request_route.request.url}")
            request_route.abort()
        else:
            request_route.continue_()

    page.route("**/*", route)
    page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url} ({r.failure})") if origin in r.url else None)
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(url, wait_until="load")
    return page, problems


def severe_violations(page, axe_script):
    # Ask axe for violations only, and return only what the report needs:
    # the full result (every passing node) is large and slow to hand back.
    violations = page.evaluate(
        """axe.run(document, {
               runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
               resultTypes: ['violations']
           }).then(r => r.violations.map(v => ({
               id: v.id, impact: v.impact, help: v.help,
               count: v.nodes.length, first: v.nodes[0].target
           })))"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {v['count']} element(s), e.g. {v['first']}"
        for v in violations if v.get("impact") in SEVERE
    ]


@pytest.fixture(scope="module")
def page_reports(browser, axe_script, site):
    """Open every page once; record loading problems and axe results in light and dark mode."""
    base, html_root = site
    reports = {}
    for path in book_pages(html_root):
        relative = path.relative_to(html_root).as_posix()
        if 'http-equiv="Refresh"' in path.read_text(encoding="utf-8"):
            continue  # a redirect (index.html); its target is checked as a page of its own
        page, problems = open_page(browser, f"{base}/{relative}")
        broken = page.evaluate(
            "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
        )
        problems += [f"broken image: {src}" for src in broken]
        missing_alt = page.evaluate(
            "Array.from(document.querySelectorAll('main img')).filter(i => !(i.getAttribute('alt') || '').trim()).map(i => i.src)"
        )
        problems += [f"image without alt text: {src}" for src in missing_alt]
        # Snapshot now: axe-core re-fetches style sheets itself (and resolves
        # CSS @import against the page, not the sheet), which is not the page's doing.
        problems = list(problems)
        page.evaluate(axe_script)
        # Switch colour modes instantly, so that axe never sees a half-finished transition.
        page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
        axe = {}
        for mode in ("light", "dark"):
            # The theme reads its colour mode from these attributes.
            page.evaluate(f"document.documentElement.dataset.mode = '{mode}'; document.documentElement.dataset.theme = '{mode}';")
            page.wait_for_timeout(50)
            axe[mode] = severe_violations(page, axe_script)
        page.close()
        reports[relative] = {"problems": problems, "axe": axe}
    return reports


def test_every_page_loads_cleanly_offline(page_reports):
    report = {page: r["problems"] for page, r in page_reports.items() if r["problems"]}
    assert len(page_reports) >= 8, f"only {len(page_reports)} pages were checked"
    assert not report, "pages with problems:\n" + json.dumps(report, indent=2)


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_no_serious_accessibility_violations(page_reports, mode):
    report = {page: r["axe"][mode] for page, r in page_reports.items() if r["axe"][mode]}
    assert not report, f"axe-core found critical or serious violations in {mode} mode:\n" + json.dumps(report, indent=2, ensure_ascii=False)


def test_keyboard_reaches_skip_link_first(browser, site):
    base, _ = site
    page, _ = open_page(browser, f"{base}/notebooks/01_reading_the_article.html")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement ? document.activeElement.textContent.trim() : ''")
    page.close()
    assert "skip" in focused.lower(), f"the first Tab focuses {focused!r}, not a 'skip to main content' link"

