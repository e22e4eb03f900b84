"""Shared paths and helpers for the course's tests."""

from pathlib import Path
import json
import os
import shutil
import subprocess
import sys
import sysconfig

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
DATA_DIR = REPO_ROOT / "data"
ARTICLE = REPO_ROOT.parent / "shared" / "source" / "article.txt"
# .ci/run exports CI=true: there, a missing browser, TeX or ../shared is a
# failure, not a reason to skip.
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def find_tool(name):
    """The path of a command-line tool installed with this Python (a venv's bin/,
    conda's Scripts\\ on Windows), else on PATH; None when it is nowhere."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        found = shutil.which(name, path=folder)
        if found:
            return found
    return shutil.which(name)


def skip_or_fail(reason):
    """Skip a test whose tool is missing on a developer's machine; fail in CI."""
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)

# Debian's chromium, never a downloaded browser, for every test that opens a page.
CHROMIUM = find_tool("chromium") or find_tool("chromium-browser")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium through Playwright, one per test module (skipped, or failed in CI, when missing)."""
    if CHROMIUM is None:
        skip_or_fail("Debian's chromium is not installed, so the browser tests cannot run "
                     "(apt-get install chromium; .ci/run installs it)")
    try:
        import playwright.sync_api as playwright_api
    except ImportError:
        skip_or_fail("Playwright is not installed (pip install -r requirements.txt)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


sys.path.insert(0, str(REPO_ROOT / "scripts"))
from check_built_book import toc_entries  # noqa: E402  (one reader of _toc.yml for the tests and make book)

# Copies of notebooks that Jupyter Book writes must never be collected as tests.
collect_ignore_glob = ["_build/*", "**/_build/*"]


def toc_files():
    """Every file named in _toc.yml (root included), as repository paths without suffix."""
    return toc_entries(REPO_ROOT)


def toc_page_path(entry):
    """The file on disk for a _toc.yml entry (which omits the suffix)."""
    for suffix in (".ipynb", ".md"):
        candidate = REPO_ROOT / f"{entry}{suffix}"
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"_toc.yml names {entry!r}, but neither {entry}.ipynb nor {entry}.md exists")


def chain_notebooks():
    """The numbered chapter notebooks (01_*.ipynb, 02_*.ipynb, ...)."""
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


TEMPLATE = NOTEBOOK_DIR / "chapter_template.ipynb"


def all_notebooks():
    """Every notebook in notebooks/: the chain, the chapter template, and the pages that are
    not chapters of the claims register, such as primer_python_pandas.ipynb."""
    return sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def handout_notebooks():
    """The notebooks the student edition hands out: every notebook except the chapter template."""
    return [path for path in all_notebooks() if path != TEMPLATE]


def read_notebook(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def cell_text(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def output_text(cell):
    """All text a code cell's stored outputs show (streams, text/plain, text/html, errors)."""
    parts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            parts.append("".join(output["text"]) if isinstance(output["text"], list) else output["text"])
        for mime in ("text/plain", "text/html", "text/markdown"):
            value = output.get("data", {}).get(mime)
            if value:
                parts.append("".join(value) if isinstance(value, list) else value)
        if output.get("output_type") == "error":
            parts.append(output.get("evalue", ""))
    return "\n".join(parts)


@pytest.fixture(scope="session")
def repo_root():
    return REPO_ROOT


class BuiltBook:
    """The result of one cold build of the book (shared by the tests that need it)."""

    def __init__(self, output_dir, result):
        self.output_dir = output_dir
        self.html = output_dir / "_build" / "html"
        self.returncode = result.returncode
        self.log = result.stdout + result.stderr

    def warnings(self):
        return [line for line in self.log.splitlines() if "WARNING" in line or "ERROR" in line]


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """Build the book once, from scratch, with -W -n --keep-going, into a temporary folder."""
    output_dir = tmp_path_factory.mktemp("book")
    jupyter_book = find_tool("jupyter-book")
    assert jupyter_book, "jupyter-book is not installed with this Python (pip install -r requirements.txt)"
    result = subprocess.run(
        [jupyter_book, "build", str(REPO_ROOT), "--path-output", str(output_dir),
         "--warningiserror", "--nitpick", "--keep-going"],
        capture_output=True, text=True, timeout=900,
    )
    return BuiltBook(output_dir, result)

