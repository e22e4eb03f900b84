"""One source, two editions: the student edition (scripts/student_edition.py)
contains no solution text, in its HTML or in its notebooks, and keeps every
exercise; the instructor edition (the normal book) keeps the solutions."""

import json
import re
import sys

import pytest

from conftest import NOTEBOOK_DIR, REPO_ROOT, cell_text, chain_notebooks, read_notebook

sys.path.insert(0, str(REPO_ROOT / "scripts"))
from student_edition import SOLUTION, main as build_student_edition  # noqa: E402


def solution_lines():
    """Distinctive lines that occur only inside solutions (long enough not to occur by chance).

    A line that the chapter also shows outside its solutions (the same code in
    a worked example, say) is not a secret, so it is not counted.
    """
    lines, elsewhere = set(), set()
    for notebook in chain_notebooks():
        for cell in read_notebook(notebook)["cells"]:
            text = cell_text(cell)
            if cell["cell_type"] == "markdown":
                for block in SOLUTION.finditer(text):
                    for line in block.group(0).splitlines()[1:-1]:
                        line = line.strip()
                        if len(line) >= 40 and not line.startswith(":"):
                            lines.add(line)
                text = SOLUTION.sub("", text)
            elsewhere |= {line.strip() for line in text.splitlines() if len(line.strip()) >= 40}
    # Substrings count too: a solution line may be part of a longer line the chapter shows.
    return {line for line in lines if not any(line in other for other in elsewhere)}


def visible_text(html):
    """The text of an HTML page, with tags removed and entities decoded."""
    from bs4 import BeautifulSoup

    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    build_student_edition(["--out", str(out)])
    return out


def test_there_are_solutions_to_hide():
    assert len(solution_lines()) >= 20, "found too few solution lines; is the SOLUTION pattern still right?"


def test_no_solution_text_in_student_notebooks(student):
    hidden = solution_lines()
    notebooks = sorted((student / "notebooks" / "notebooks").glob("*.ipynb"))
    assert len(notebooks) == len(chain_notebooks())
    for notebook in notebooks:
        text = "\n".join(cell_text(c) for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"])
        assert "{solution}" not in text, f"{notebook.name} still has a solution block"
        leaked = [line for line in hidden if line in text]
        assert not leaked, f"{notebook.name} leaks solution text: {leaked[0]!r}"
        assert "{exercise}" in text, f"{notebook.name} lost its exercises"


def test_no_solution_text_in_student_html(student):
    hidden = {" ".join(visible_text(line).split()) for line in solution_lines()}
    html_root = student / "_build" / "html"
    pages = list(html_root.rglob("*.html"))
    assert pages, "the student book was not built"
    for page in pages:
        if "_static" in page.parts:
            continue
        text = visible_text(page.read_text(encoding="utf-8"))
        leaked = [line for line in hidden if len(line) >= 40 and line in text]
        assert not leaked, f"{page.relative_to(html_root)} leaks solution text: {leaked[0]!r}"
    assert not (html_root / "book" / "instructor").exists(), "the instructor pages reached the student edition"


def test_student_notebooks_run_where_they_are_handed_out(student):
    assert (student / "notebooks" / "notebooks" / "course_data.py").exists()
    assert (student / "notebooks" / "data" / "datapackage.json").exists()


def test_instructor_edition_keeps_solutions():
    text = "\n".join(cell_text(c) for c in read_notebook(NOTEBOOK_DIR / "01_reading_the_article.ipynb")["cells"])
    assert re.search(r"\{solution\}", text)
