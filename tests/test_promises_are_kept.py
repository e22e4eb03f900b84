"""The suite catches the breaks it promises to catch.

On a temporary copy of the course, one promise at a time is broken in a
different file (a figure that draws other numbers, a data value that only a
figure shows, a cell that writes into
data/, a cell that reaches the network and hides the error, a verdict table
that disagrees with the register, a chapter notebook left out of the book, a
shell escape, an impossible date in a table). Then the README's test command
runs on the copy, limited to the tests that guard those promises, and every
break must make it fail with a message that names the file (and, for data,
the row and the column).
"""

from pathlib import Path
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO_ROOT, cell_text

SKIP = {".git", ".venv", ".venv-slim", "_build", "__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
FIGURE_NOTEBOOK = "05_drills_and_defence.ipynb"


def copy_course(target):
    """A copy of the working tree (no environment, no builds), with ../shared beside it."""
    def ignore(folder, names):
        return [name for name in names if name in SKIP]

    shutil.copytree(REPO_ROOT, target / "main", ignore=ignore)
    shared = REPO_ROOT.parent / "shared"
    if shared.exists():
        (target / "shared").symlink_to(shared, target_is_directory=True)
    return target / "main"


def edit_notebook(path, change):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    change(notebook["cells"])
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def code_cell(source, cell_id):
    return {"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": {},
            "outputs": [], "source": source}


def break_figure_and_add_rogue_cells(cells):
    """The first bar chart draws 1% more than its data; two new cells write a file and go online."""
    for cell in cells:
        if cell["cell_type"] == "code" and "per_month[True], width" in cell_text(cell):
            cell["source"] = cell_text(cell).replace("per_month[True], width", "per_month[True] * 1.01, width")
            break
    else:
        raise AssertionError(f"{FIGURE_NOTEBOOK} no longer has the bar chart this test breaks; update the test")
    # Placed after the setup cell, so the notebook's own cells still run.
    setup = next(i for i, c in enumerate(cells) if c["cell_type"] == "code")
    cells.insert(setup + 1, code_cell("%%writefile ../data/stray.csv\na,b\n1,2\n", "rogue-write"))
    cells.insert(setup + 2, code_cell(
        "import urllib.request\ntry:\n    urllib.request.urlopen('http://example.org', timeout=3)\n"
        "except Exception:\n    pass  # the error is hidden, the attempt is not\n", "rogue-network"))


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory):
    copy = copy_course(tmp_path_factory.mktemp("broken"))
    edit_notebook(copy / "notebooks" / FIGURE_NOTEBOOK, break_figure_and_add_rogue_cells)
    # A chapter notebook that is neither in _toc.yml nor in data/chapters.csv.
    shutil.copy(copy / "notebooks" / "chapter_template.ipynb", copy / "notebooks" / "12_stray_chapter.ipynb")
    # The register gives C05 another confidence than chapter 5's verdict table.
    claims = copy / "data" / "claims.csv"
    lines = claims.read_text(encoding="utf-8").splitlines(keepends=True)
    c05 = next(i for i, line in enumerate(lines) if line.startswith("C05,"))
    assert ",supported,high," in lines[c05], "C05's verdict changed; update this test"
    lines[c05] = lines[c05].replace(",supported,high,", ",supported,low,")
    claims.write_text("".join(lines), encoding="utf-8")
    # A data value that reaches only a figure: Japan's share of GDP in 1995,
    # which chapter 5 plots but prints nowhere.
    milex = copy / "data" / "military_expenditure.csv"
    rows = milex.read_text(encoding="utf-8").splitlines(keepends=True)
    japan_1995 = next(i for i, row in enumerate(rows) if row.startswith("JPN,Japan,1995,"))
    fields = rows[japan_1995].split(",")
    fields[4] = str(float(fields[4]) + 0.05)
    rows[japan_1995] = ",".join(fields)
    milex.write_text("".join(rows), encoding="utf-8")
    # An impossible date in a table (month 13, day 45).
    timeline = copy / "data" / "inter_korean_timeline.csv"
    rows = timeline.read_text(encoding="utf-8").splitlines(keepends=True)
    header = rows[0].rstrip("\n").split(",")
    date_column = header.index("date")
    first = rows[1].split(",")
    first[date_column] = "2018-13-45"
    rows[1] = ",".join(first)
    timeline.write_text("".join(rows), encoding="utf-8")

    environment = dict(os.environ)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", f"notebooks/{FIGURE_NOTEBOOK}", "tests/test_notebook_structure.py",
         "tests/test_claims_register.py", "tests/test_data_package.py", "-q", "-p", "no:randomly"],
        cwd=copy, capture_output=True, text=True, timeout=600, env=environment,
    )
    return copy, result


def test_the_broken_copy_fails(broken_run):
    copy, result = broken_run
    assert result.returncode != 0, "the test command passed on a copy with seven broken promises:\n" + result.stdout[-3000:]


@pytest.mark.parametrize("expected", [
    pytest.param(f"{FIGURE_NOTEBOOK}, cell", id="the-data-a-figure-draws"),
    pytest.param("changed files of the repository: data/stray.csv", id="writes-into-data"),
    pytest.param("tried to reach the network (('example.org', 80))", id="hidden-network-access"),
    pytest.param("uses the magic %writefile", id="writefile-rejected-before-running"),
    pytest.param("notebooks/12_stray_chapter.ipynb is a chapter notebook but _toc.yml does not list it", id="chapter-outside-book"),
    pytest.param("verdict table, C05, column confidence", id="verdict-table-disagrees"),
    pytest.param("inter_korean_timeline", id="impossible-date"),
])
def test_each_break_is_named(broken_run, expected):
    copy, result = broken_run
    output = result.stdout + result.stderr
    assert expected in output, f"no failure mentions {expected!r}; the run printed:\n" + output[-4000:]


def figure_cell_id(snippet):
    cells = json.loads((REPO_ROOT / "notebooks" / FIGURE_NOTEBOOK).read_text(encoding="utf-8"))["cells"]
    return next(c["id"] for c in cells if c["cell_type"] == "code" and snippet in cell_text(c))


@pytest.mark.parametrize("snippet", [
    pytest.param("per_month[True], width", id="changed-plotting-code"),
    pytest.param("ax.plot(shares.index, shares[iso3]", id="changed-data-value-only-in-a-figure"),
])
def test_figure_break_names_the_figure(broken_run, snippet):
    output = broken_run[1].stdout
    expected = f"(id {figure_cell_id(snippet)}): the data its figures draw differ from the stored digests"
    assert expected in output, output[-3000:]


def test_stray_file_is_removed(broken_run):
    copy, _ = broken_run
    assert not (copy / "data" / "stray.csv").exists(), "the file a notebook wrote into data/ was left behind"


def test_impossible_date_names_row_and_column(broken_run):
    output = broken_run[1].stdout
    lines = [line for line in output.splitlines() if "inter_korean_timeline" in line and "2018-13-45" in line]
    assert lines, "the impossible date is not reported with its value:\n" + output[-3000:]
    assert any("row" in line and "date" in line for line in lines), lines
