"""Every notebook has the shape the course promises: one title, a python3
kernel, outputs stored from a clean top-to-bottom run, no errors, no absolute
paths and no network access."""

import re

import pytest

from conftest import REPO_ROOT, all_notebooks, cell_text, chain_notebooks, output_text, read_notebook

NOTEBOOKS = all_notebooks()
IDS = [path.name for path in NOTEBOOKS]

# Paths that only exist on one machine.
ABSOLUTE_PATH = re.compile(r"(?<![\w.])(/home/|/Users/|/root/|/work/|/tmp/|/mnt/|/opt/|[A-Za-z]:\\\\)")
# Ways a notebook could reach the network.
NETWORK_CODE = re.compile(
    r"https?://|ftp://|\b(requests|urllib|urllib3|httpx|socket|aiohttp|http\.client)\b|\bread_(csv|json|html|excel)\(\s*['\"]http"
)
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
    for number, cell in enumerate(read_notebook(path)["cells"], start=1):
        for label, text in (("source", cell_text(cell)), ("output", output_text(cell))):
            match = ABSOLUTE_PATH.search(text)
            assert not match, f"{path.name}, cell {number}: absolute path {match.group(0)!r} in its {label}"


def first_code_match(path, pattern):
    """The first code cell of a notebook whose source matches pattern: (cell number, match), or None."""
    for number, cell in enumerate(read_notebook(path)["cells"], start=1):
        if cell["cell_type"] == "code":
            match = pattern.search(cell_text(cell))
            if match:
                return number, match
    return None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_network_access(path):
    found = first_code_match(path, NETWORK_CODE)
    assert not found, f"{path.name}, cell {found[0]}: {found[1].group(0)!r} could reach the network; notebooks read only files in data/"


def test_helpers_stay_offline():
    for helper in sorted((REPO_ROOT / "notebooks").glob("*.py")):
        code = "\n".join(line for line in helper.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#"))
        match = NETWORK_CODE.search(code)
        assert not match, f"{helper.name}: {match.group(0)!r} could reach the network"


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


# Ways a notebook could write a file; notebooks only read (and never touch data/).
FILE_WRITES = re.compile(r"\.to_(csv|excel|json|parquet|pickle)\(|\.write_(text|bytes)\(|open\([^)]*['\"][wax]b?\+?['\"]|savefig\(|shutil\.|os\.remove|\.unlink\(")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebooks_write_no_files(path):
    found = first_code_match(path, FILE_WRITES)
    assert not found, f"{path.name}, cell {found[0]}: {found[1].group(0)!r} writes a file; notebooks only read data/"


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
