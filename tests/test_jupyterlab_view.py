"""The notebooks read in JupyterLab as they read in the book, checked in a real browser.

A self-learner opens the chapters in JupyterLab, not in the web book. This
test starts JupyterLab (with jupyterlab-myst, as requirements.txt installs it)
on 127.0.0.1 with a random token, serving a copy of notebooks/ and data/, and
opens every notebook in headless Chromium (Debian's, through Playwright). In
each one it checks what a student can see, not the source:

- no markdown cell shows directive or role syntax: no ```{exercise} fence,
  no :class: or :label: option, no {cite}, {numref} or {term} role;
- every exercise and solution renders as a block, and no solution's text is
  visible until its toggle is clicked; once clicked, it is;
- no check cell shows how its expected value is computed.

Screenshots of each notebook (its top, and its first exercise before and
after the solution is opened) are saved in _build/jupyterlab_view/.

Without Debian's chromium or Playwright the test is skipped with a message;
in CI (CI=true) it fails instead.
"""

from pathlib import Path
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

from conftest import REPO_ROOT, all_notebooks, find_tool

SCREENSHOTS = REPO_ROOT / "_build" / "jupyterlab_view"

# Text that means MyST was shown as source instead of being rendered.
RAW_SYNTAX = {
    "a directive fence": re.compile(r"`{3,}\s*\{|:{3,}\s*\{"),
    "an exercise or solution directive": re.compile(r"\{(exercise|solution)[-a-z]*\}"),
    "a directive option": re.compile(r"^\s*:(class|label|name|align|width):", re.M),
    "a role": re.compile(r"\{(cite|cite:p|cite:t|numref|ref|term|doc|glue)\}`"),
}
EXERCISE_FENCE = re.compile(r"^(`{3,}|:{3,})\{(exercise|solution)\}[^\n]*\n(.*?)^\1\s*$", re.M | re.S)


def notebooks_to_open():
    return [path for path in all_notebooks() if path.name != "chapter_template.ipynb"]


def words(text):
    """Lower-case words, so that curly quotes, markup and line breaks do not matter."""
    return re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "'"))


def solution_snippets(path):
    """For each solution in the notebook, eight consecutive words of its prose."""
    notebook = nbformat.read(path, as_version=4)
    snippets = []
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for match in EXERCISE_FENCE.finditer(cell.source):
            if match.group(2) != "solution":
                continue
            # Up to eight words from one line (words from two lines may be split by a code
            # block): the first line of prose with eight words, else the line with most words.
            lines = [words(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line))
                     for line in match.group(3).splitlines()
                     if line.strip() and not line.lstrip().startswith((":", "`"))]
            prose = [line_words for line_words in lines if len(line_words) >= 8]
            best = prose[0] if prose else max(lines, key=len, default=[])
            if len(best) < 3:
                pytest.fail(f"{path.name}: a solution has no line of three words or more to look for")
            snippets.append(" ".join(best[:8]))
    return snippets


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 with a token, serving a copy of notebooks/ and data/."""
    jupyter = find_tool("jupyter")
    assert jupyter, "jupyter is not installed with this Python (pip install -r requirements.txt)"
    root = tmp_path_factory.mktemp("lab_root")
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "my_verdicts.csv")
    shutil.copytree(REPO_ROOT / "notebooks", root / "notebooks", ignore=ignore)
    shutil.copytree(REPO_ROOT / "data", root / "data", ignore=ignore)
    settings = tmp_path_factory.mktemp("lab_settings")
    overrides = {
        # Render every cell, not only those on screen, so that the whole notebook can be read.
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        # No news or update checks: the test runs offline.
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False},
    }
    for name, value in overrides.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(value), encoding="utf-8")
    port, token = free_port(), secrets.token_hex(16)
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path_factory.mktemp("lab_workspaces")),
        JUPYTER_RUNTIME_DIR=str(tmp_path_factory.mktemp("lab_runtime")),
    )
    log = open(tmp_path_factory.mktemp("lab_log") / "jupyterlab.log", "w")
    server = subprocess.Popen(
        [jupyter, "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("JupyterLab did not start; its log:\n" + Path(log.name).read_text()[-3000:])
                time.sleep(0.5)
        yield base, token, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()




def stop_kernels(base, token):
    """Opening a notebook starts a kernel; stop it, so kernels do not pile up."""
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=10) as response:
        sessions = json.load(response)
    for session in sessions:
        request = urllib.request.Request(f"{base}/api/sessions/{session['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(request, timeout=10)


PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on screen

# JavaScript run in the page: the rendered text of each markdown cell, in order.
MARKDOWN_TEXTS = """() => [...document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell')].map(cell => {
        const out = cell.querySelector('.jp-InputArea > .myst, .jp-MarkdownOutput');
        return out ? out.innerText : '';
    })"""
CODE_TEXTS = """() => [...document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea')].map(area => area.innerText)"""


def wait_until_rendered(page, markdown_cells, timeout=90):
    """Wait until every non-empty markdown cell shows rendered text, and the text stops changing."""
    deadline = time.monotonic() + timeout
    previous = None
    while time.monotonic() < deadline:
        texts = page.evaluate(MARKDOWN_TEXTS)
        ready = len(texts) == len(markdown_cells) and all(
            text.strip() or not source.strip() for text, source in zip(texts, markdown_cells))
        if ready and texts == previous:
            return texts
        previous = texts if ready else None
        page.wait_for_timeout(1000)
    pytest.fail(f"JupyterLab did not render the notebook's {len(markdown_cells)} markdown cells "
                f"within {timeout} s (rendered: {sum(bool(t.strip()) for t in (previous or []))})")


@pytest.mark.parametrize("path", notebooks_to_open(), ids=lambda p: p.name)
def test_notebook_reads_as_in_the_book(path, jupyterlab, browser):
    base, token, root = jupyterlab
    served = root / "notebooks" / path.name  # the copy JupyterLab serves
    notebook = nbformat.read(served, as_version=4)
    markdown_cells = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    snippets = solution_snippets(served)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        # A workspace of its own, reset, so that JupyterLab does not reopen the previous notebooks.
        page.goto(f"{base}/lab/workspaces/{path.stem}/tree/notebooks/{path.name}?reset&token={token}",
                  timeout=90_000)
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=90_000)
        texts = wait_until_rendered(page, markdown_cells)
        page.screenshot(path=str(SCREENSHOTS / f"{path.stem}.png"))

        shown = "\n".join(texts)
        for what, pattern in RAW_SYNTAX.items():
            found = pattern.search(shown)
            assert not found, (
                f"{path.name}: JupyterLab shows {what} as text: {shown[max(0, found.start() - 80):found.end() + 80]!r}")

        code_shown = "\n".join(page.evaluate(CODE_TEXTS))
        assert "expected_" not in code_shown, (
            f"{path.name}: a check cell shows how its expected value is computed; "
            "its input should be collapsed (metadata jupyter.source_hidden)")

        # A solution renders as a <details> block whose summary reads "Solution to Exercise N".
        solutions = page.locator(f"{PANEL} .jp-MarkdownCell details.myst-exercise > summary",
                                 has_text=re.compile(r"^\s*Solution to"))
        assert solutions.count() == len(snippets), (
            f"{path.name}: {len(snippets)} solutions in the source, {solutions.count()} rendered as dropdowns")
        visible_words = " ".join(words(shown))
        for snippet in snippets:
            assert snippet not in visible_words, (
                f"{path.name}: a solution is visible before its toggle is clicked: '{snippet} ...'")

        citation = page.locator(f'{PANEL} .jp-MarkdownCell a[href^="#ref-"]').first
        if citation.count():
            target = citation.get_attribute("href")[1:]
            citation.scroll_into_view_if_needed()
            citation.click()
            page.wait_for_timeout(1500)
            box = page.evaluate(f"""() => {{
                const anchor = document.getElementById({target!r});
                if (!anchor) return null;
                const r = anchor.getBoundingClientRect();
                return [r.top, window.innerHeight]; }}""")
            assert box is not None, f"{path.name}: citation link to #{target} has no target in the reference list"
            assert 0 <= box[0] <= box[1], (
                f"{path.name}: clicking a citation did not scroll to its entry in the reference list")
            page.screenshot(path=str(SCREENSHOTS / f"{path.stem}_reference.png"))

        if solutions.count():
            first = solutions.first
            first.scroll_into_view_if_needed()
            page.screenshot(path=str(SCREENSHOTS / f"{path.stem}_exercise_closed.png"))
            for index in range(solutions.count()):
                solutions.nth(index).click()
            first.scroll_into_view_if_needed()
            page.screenshot(path=str(SCREENSHOTS / f"{path.stem}_exercise_open.png"))
            opened = " ".join(words("\n".join(page.evaluate(MARKDOWN_TEXTS))))
            for snippet in snippets:
                assert snippet in opened, (
                    f"{path.name}: a solution did not appear when its toggle was clicked: '{snippet} ...'")
    finally:
        page.close()
        stop_kernels(base, token)
