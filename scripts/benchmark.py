"""Measure the course's build and page weights, and write them to a file.

    .venv/bin/python scripts/benchmark.py        # or: make benchmark

A benchmark, not a test: it never fails on a slow machine. It measures, on
this machine:
  - a cold book build (into a fresh folder) and a no-change rebuild;
  - executing the whole chain of notebooks (each in a fresh kernel);
  - each page's weight: its HTML plus the images it shows (page weight), and
    the theme's shared scripts, style sheets and fonts, counted once for the
    whole site.
It writes _build/benchmark.json and _build/benchmark.md, and prints the
table with the course's budgets beside the measurements.
"""

from pathlib import Path
import json
import statistics
import subprocess
import sys
import tempfile
import time

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BUDGETS = {"chain_seconds": 60, "rebuild_seconds": 10, "median_page_kb": 500, "max_page_kb": 1500}


def timed(command, **kwargs):
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)
    return round(time.perf_counter() - start, 1)


def build_times(out):
    build = [str(BIN / "jupyter-book"), "build", str(REPO), "--path-output", str(out)]
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


def main():
    with tempfile.TemporaryDirectory() as scratch:
        cold, rebuild = build_times(Path(scratch))
        pages, shared_kb = page_weights(Path(scratch) / "_build" / "html")
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
    ]
    table = "| Measure | This machine | Budget |\n| --- | --- | --- |\n" + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    table += "\n\n| Page | Weight (KB) |\n| --- | --- |\n" + "\n".join(f"| {p} | {w} |" for p, w in pages.items())
    (out / "benchmark.md").write_text(table + "\n", encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
