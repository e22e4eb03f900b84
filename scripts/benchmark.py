"""Measure the course's build and page weights, and write them to a file.

    .venv/bin/python scripts/benchmark.py        # or: make benchmark

A benchmark, not a test: it never fails on a slow machine. It measures, on
this machine:
  - a cold book build (into a fresh folder) and a no-change rebuild;
  - executing the whole chain of notebooks (each in a fresh kernel);
  - each page's weight: its HTML plus the images it shows (page weight), and
    the theme's shared scripts, style sheets and fonts, counted once for the
    whole site;
  - axe-core's violations on every page, by impact, in light and dark mode
    (where Debian's chromium is installed).
It writes _build/benchmark.json and _build/benchmark.md, and prints the
table with the course's budgets beside the measurements.
"""

from pathlib import Path
import json
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time

REPO = Path(__file__).resolve().parents[1]
# The folder of this Python's command-line tools (a venv's bin/, conda's Scripts\ on Windows).
BIN = Path(sysconfig.get_path("scripts"))
BUDGETS = {"chain_seconds": 60, "rebuild_seconds": 10, "median_page_kb": 500, "max_page_kb": 1500}


def timed(command, **kwargs):
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)
    return round(time.perf_counter() - start, 1)


def build_times(out):
    jupyter_book = shutil.which("jupyter-book", path=str(BIN)) or shutil.which("jupyter-book")
    build = [jupyter_book, "build", str(REPO), "--path-output", str(out)]
    return timed(build), timed(build)


def chain_time():
    import nbformat
    from nbclient import NotebookClient

    notebooks = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    start = time.perf_counter()
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    return round(time.perf_counter() - start, 1), len(notebooks)


def page_weights(html_root):
    """Page weight = HTML + the images it shows; shared = every file under _static/ that pages load."""
    from bs4 import BeautifulSoup

    pages, shared = {}, set()
    for page in sorted(html_root.rglob("*.html")):
        if {"_static", "_sources", "_images"} & set(page.relative_to(html_root).parts):
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        size = page.stat().st_size
        for tag, attribute in (("img", "src"), ("script", "src"), ("link", "href")):
            for element in soup.find_all(tag):
                reference = (element.get(attribute) or "").split("?")[0].split("#")[0]
                if not reference or "://" in reference or reference.startswith("data:"):
                    continue
                target = (page.parent / reference).resolve()
                if not target.is_file():
                    continue
                if "_static" in target.parts:
                    shared.add(target)
                elif tag == "img":
                    size += target.stat().st_size
        pages[page.relative_to(html_root).as_posix()] = round(size / 1024, 1)
    shared_kb = round(sum(p.stat().st_size for p in shared) / 1024, 1)
    return pages, shared_kb


def axe_totals(html_root):
    """Count axe-core violations (every impact) over all pages, light and dark."""
    import shutil
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    chromium = shutil.which("chromium")
    if not chromium:
        return None
    import axe_playwright_python
    from playwright.sync_api import sync_playwright

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(html_root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    script = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
    totals = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for page_path in sorted(html_root.rglob("*.html")):
            relative = page_path.relative_to(html_root)
            if {"_static", "_sources", "_images"} & set(relative.parts) or 'http-equiv="Refresh"' in page_path.read_text(encoding="utf-8"):
                continue
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/{relative.as_posix()}", wait_until="load")
            page.evaluate(script)
            page.add_style_tag(content="* { transition: none !important; }")
            for mode in ("light", "dark"):
                page.evaluate(f"document.documentElement.dataset.mode = '{mode}'; document.documentElement.dataset.theme = '{mode}';")
                impacts = page.evaluate(
                    "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},"
                    " resultTypes: ['violations']}).then(r => r.violations.map(v => v.impact))"
                )
                for impact in impacts:
                    key = f"{mode}:{impact}"
                    totals[key] = totals.get(key, 0) + 1
            page.close()
        browser.close()
    server.shutdown()
    return totals


def main():
    with tempfile.TemporaryDirectory() as scratch:
        cold, rebuild = build_times(Path(scratch))
        pages, shared_kb = page_weights(Path(scratch) / "_build" / "html")
        axe = axe_totals(Path(scratch) / "_build" / "html")
    chain, count = chain_time()
    weights = sorted(pages.values())
    results = {
        "machine": {"cpus": __import__("os").cpu_count(), "python": sys.version.split()[0]},
        "cold_build_seconds": cold,
        "rebuild_seconds": rebuild,
        "chain_seconds": chain,
        "notebooks_in_chain": count,
        "pages": pages,
        "median_page_kb": round(statistics.median(weights), 1),
        "max_page_kb": max(weights),
        "shared_theme_files_kb": shared_kb,
        "axe_violations_by_mode_and_impact": axe,
        "budgets": BUDGETS,
    }
    out = REPO / "_build"
    out.mkdir(exist_ok=True)
    (out / "benchmark.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    rows = [
        ("Cold book build", f"{cold} s", "-"),
        ("No-change rebuild", f"{rebuild} s", f"<= {BUDGETS['rebuild_seconds']} s"),
        (f"Execute the chain ({count} notebooks)", f"{chain} s", f"<= {BUDGETS['chain_seconds']} s"),
        ("Median page weight", f"{results['median_page_kb']} KB", f"<= {BUDGETS['median_page_kb']} KB"),
        ("Heaviest page", f"{results['max_page_kb']} KB", f"<= {BUDGETS['max_page_kb']} KB"),
        ("Shared theme files (once)", f"{shared_kb} KB", "-"),
        ("axe-core violations (rule x page)", json.dumps(axe or "chromium not installed"), "0 critical or serious"),
    ]
    table = "| Measure | This machine | Budget |\n| --- | --- | --- |\n" + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    table += "\n\n| Page | Weight (KB) |\n| --- | --- |\n" + "\n".join(f"| {p} | {w} |" for p, w in pages.items())
    (out / "benchmark.md").write_text(table + "\n", encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
