"""The book builds from scratch with warnings as errors (-W), nitpicky (-n),
and every page of the table of contents is in the HTML."""

import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT, toc_files

JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


def test_book_builds_without_warnings(tmp_path):
    result = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(REPO_ROOT), "--path-output", str(tmp_path), "--warningiserror", "--nitpick", "--keep-going"],
        capture_output=True, text=True, timeout=900,
    )
    log = result.stdout + result.stderr
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    assert result.returncode == 0, "the book build failed. Warnings and errors:\n" + "\n".join(warnings or log.splitlines()[-40:])
    html = tmp_path / "_build" / "html"
    for entry in toc_files():
        page = html / f"{entry}.html"
        assert page.is_file(), f"{entry} is in _toc.yml but {page.relative_to(tmp_path)} was not built"
    chapter = (html / "notebooks" / "01_reading_the_article.html").read_text(encoding="utf-8")
    assert 'alt="Tree diagram of the article' in chapter, "figure alt text from the cell metadata did not reach the HTML"
    assert "dropdown" in chapter, "exercise solutions are not in dropdowns"
    assert "cdn.jsdelivr.net" not in chapter and "mathjax" not in chapter.lower(), "the page loads scripts from a CDN"
