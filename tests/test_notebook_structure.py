"""Every notebook has the shape the course promises: one title, a python3
kernel, outputs stored from a clean top-to-bottom run, no errors, no absolute
paths, no network access, no file writes and no shell escapes."""

import re
import sys

import pytest

from conftest import REPO_ROOT, all_notebooks, cell_text, chain_notebooks, output_text, read_notebook
from forbidden_code import forbidden_code

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import colab_cell  # noqa: E402

NOTEBOOKS = all_notebooks()
IDS = [path.name for path in NOTEBOOKS]

# Absolute paths in stored outputs (an output shows where a notebook ran).
ABSOLUTE_PATH = re.compile(r"(?<![\w.])(/home/|/Users/|/root/|/work/|/tmp/|/mnt/|/opt/|/content/|~/|[A-Za-z]:\\)")
FENCE = re.compile(r"^(```|~~~)")


def headings(markdown, level):
    """Markdown headings of exactly `level` #'s, skipping fenced code and directives."""
    found, fenced = [], False
    for line in markdown.splitlines():
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if not fenced and re.match(rf"^{'#' * level}\s+\S", line):
            found.append(line)
    return found


def test_the_chain_exists():
    assert chain_notebooks(), "notebooks/ holds no numbered chapter notebook (01_*.ipynb)"
    assert (REPO_ROOT / "notebooks" / "chapter_template.ipynb").exists(), "the chapter template is missing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exactly_one_title(path):
    nb = read_notebook(path)
    titles = [h for cell in nb["cells"] if cell["cell_type"] == "markdown" for h in headings(cell_text(cell), 1)]
    assert len(titles) == 1, f"{path.name}: expected exactly one H1 title, found {titles}"
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and headings(cell_text(first), 1), f"{path.name}: the first cell must hold the title"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_python3_kernel(path):
    kernelspec = read_notebook(path)["metadata"].get("kernelspec", {})
    assert kernelspec.get("name") == "python3", f"{path.name}: kernelspec is {kernelspec!r}, expected name 'python3'"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_executed_in_order_without_errors(path):
    code_cells = [c for c in read_notebook(path)["cells"] if c["cell_type"] == "code"]
    assert code_cells, f"{path.name} has no code cells"
    counts = [c.get("execution_count") for c in code_cells]
    assert counts == list(range(1, len(code_cells) + 1)), (
        f"{path.name}: execution counts are {counts}; re-run the notebook from a fresh kernel "
        "(Kernel > Restart Kernel and Run All Cells) before committing"
    )
    for number, cell in enumerate(code_cells, start=1):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if "raises-exception" not in cell.get("metadata", {}).get("tags", []):
            assert not errors, f"{path.name}, code cell {number}: stored output is an error ({errors[0].get('ename')})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_absolute_paths(path):
    """No output or prose names a path that exists on one machine only (code: see forbidden_code)."""
    for number, cell in enumerate(read_notebook(path)["cells"], start=1):
        texts = [("output", output_text(cell))]
        if cell["cell_type"] == "markdown":
            texts.append(("text", cell_text(cell)))
        for label, text in texts:
            match = ABSOLUTE_PATH.search(text)
            assert not match, f"{path.name}, cell {number}: absolute path {match.group(0)!r} in its {label}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_code_stays_offline_and_read_only(path):
    """No cell reaches the network, writes a file, runs a shell or names an absolute path.

    The cell is read as Python (after IPython's own translation of magics and
    shell escapes), not matched as text: see forbidden_code.py. nbval's run adds
    the run-time guards (tests/notebook_guards.py).
    """
    code_cells = [c for c in read_notebook(path)["cells"] if c["cell_type"] == "code"]
    for number, cell in enumerate(code_cells, start=1):
        # The one exception: the Colab set-up cell, exactly as scripts/colab_cell.py
        # writes it (it clones the course and installs packages, on Colab only;
        # tests/test_colab.py runs it in a simulated Colab).
        if colab_cell.is_colab_cell(cell):
            continue
        problems = forbidden_code(cell_text(cell))
        assert not problems, f"{path.name}, code cell {number}: {problems[0]}"


# The one write a helper may make: my_verdicts.py saves a learner's own verdicts
# (my_verdicts.csv in their working folder, never in data/), in a single call;
# tests/test_my_verdicts.py checks where it writes and that it refuses data/.
ALLOWED_HELPER_WRITES = {"my_verdicts.py": ["path.write_text(...) creates, changes or deletes a file; notebooks only read"]}


def test_helpers_stay_offline_and_read_only():
    for helper in sorted((REPO_ROOT / "notebooks").glob("*.py")):
        problems = forbidden_code(helper.read_text(encoding="utf-8"))
        if helper.name in ALLOWED_HELPER_WRITES:
            allowed = ALLOWED_HELPER_WRITES[helper.name]
            assert problems == allowed, f"notebooks/{helper.name}: expected only {allowed}, found {problems}"
        else:
            assert not problems, f"notebooks/{helper.name}: {problems[0]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_figures_have_alt_text_and_caption(path):
    for number, cell in enumerate(read_notebook(path)["cells"], start=1):
        has_image = any("image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {}) for o in cell.get("outputs", []))
        if not has_image:
            continue
        mystnb = cell.get("metadata", {}).get("mystnb", {})
        alt = mystnb.get("image", {}).get("alt", "")
        caption = mystnb.get("figure", {}).get("caption", "")
        assert len(alt) >= 40, f"{path.name}, cell {number}: a figure needs alt text that says what it shows (metadata mystnb.image.alt)"
        assert "Source" in caption or "source" in caption, f"{path.name}, cell {number}: the figure's caption (mystnb.figure.caption) must name its source"


@pytest.mark.parametrize("path", chain_notebooks(), ids=[p.name for p in chain_notebooks()])
def test_chapter_anatomy(path):
    """The sections every chapter promises (../shared/STYLE.md)."""
    nb = read_notebook(path)
    section_titles = [h.lstrip("#").strip().lower() for cell in nb["cells"] if cell["cell_type"] == "markdown" for h in headings(cell_text(cell), 2)]
    for required in ("overview", "prerequisites", "discussion questions", "exercises", "summary", "what's next", "sources"):
        assert any(title.startswith(required) for title in section_titles), f"{path.name}: no '## {required.capitalize()}' section"
    markdown = "\n".join(cell_text(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "{exercise}" in markdown and "{solution}" in markdown, f"{path.name}: exercises need sphinx-exercise solutions"
    assert ":class: dropdown" in markdown, f"{path.name}: solutions must be hidden in dropdowns"


@pytest.mark.parametrize("path", chain_notebooks(), ids=[p.name for p in chain_notebooks()])
def test_chapter_has_enough_teaching_material(path):
    """At least three figures, four discussion questions, three exercises, and a checked data task."""
    nb = read_notebook(path)
    figures = sum(
        1 for cell in nb["cells"] if cell["cell_type"] == "code"
        for output in cell.get("outputs", []) if "image/png" in output.get("data", {})
    )
    assert figures >= 3, f"{path.name} has {figures} figures; a chapter needs at least three"
    markdown = [cell_text(c) for c in nb["cells"] if c["cell_type"] == "markdown"]
    exercises = sum(text.count("{exercise}") for text in markdown)
    assert exercises >= 3, f"{path.name} has {exercises} exercises; a chapter needs at least three"
    section = next((t for t in markdown if re.search(r"^## Discussion questions", t, re.M)), "")
    section = section.split("## Discussion questions", 1)[-1].split("\n## ", 1)[0]
    questions = len(re.findall(r"^\d+\.\s", section, re.M))
    assert questions >= 4, f"{path.name} has {questions} discussion questions; a chapter needs at least four"
    code = "\n".join(cell_text(c) for c in nb["cells"] if c["cell_type"] == "code")
    assert "check_answer(" in code, f"{path.name} has no data exercise with a check cell (check_answer)"


def is_check_cell(cell):
    """A cell that computes an exercise's expected value and checks the student's answer."""
    text = cell_text(cell)
    return cell["cell_type"] == "code" and "check_answer(" in text and "expected_" in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_check_cells_hide_the_expected_value(path):
    """A student scrolling past a check cell sees its feedback, not the computation of the answer:
    JupyterLab collapses its code (jupyter.source_hidden) and the book leaves it out (remove-input)."""
    for number, cell in enumerate(read_notebook(path)["cells"], start=1):
        if not is_check_cell(cell):
            continue
        metadata = cell.get("metadata", {})
        assert metadata.get("jupyter", {}).get("source_hidden") is True, (
            f"{path.name}, cell {number}: a check cell must have its code collapsed in JupyterLab "
            "(metadata jupyter.source_hidden: true), so the expected value is not read before it is tried"
        )
        assert "remove-input" in metadata.get("tags", []), (
            f"{path.name}, cell {number}: a check cell needs the tag remove-input, so the book shows only its feedback"
        )
