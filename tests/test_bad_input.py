"""A notebook run without its files stops at its first code cell with one
sentence that says what is missing and how to fix it.

Each test runs a real chapter, in a temporary copy of the course, with nbclient."""

import shutil

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from conftest import DATA_DIR, NOTEBOOK_DIR, chain_notebooks

FIRST_CHAPTER = chain_notebooks()[0]


def run_until_error(notebook_path):
    """Execute the notebook; return (index of the first code cell, the failing cell's index, the error output)."""
    nb = nbformat.read(notebook_path, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(notebook_path.parent)}})
    with pytest.raises(CellExecutionError):
        client.execute()
    # The Colab set-up cell comes first and does nothing off Colab; the course's
    # own first cell is the one that must stop with a clear message.
    code_cells = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and cell.get("id") != "colab-setup"]
    failing = [i for i in code_cells if any(o.get("output_type") == "error" for o in nb.cells[i].get("outputs", []))]
    error = next(o for o in nb.cells[failing[0]].outputs if o.output_type == "error")
    return code_cells[0], failing[0], error


def course_copy(tmp_path, with_data=True):
    shutil.copytree(NOTEBOOK_DIR, tmp_path / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    if with_data:
        shutil.copytree(DATA_DIR, tmp_path / "data")
    return tmp_path / "notebooks" / FIRST_CHAPTER.name


def test_notebook_alone_in_the_wrong_folder(tmp_path):
    lonely = tmp_path / FIRST_CHAPTER.name
    shutil.copy(FIRST_CHAPTER, lonely)
    first, failing, error = run_until_error(lonely)
    assert failing == first
    assert error.ename == "SystemExit"
    assert "open it from the notebooks/ folder" in error.evalue


def test_data_folder_missing(tmp_path):
    first, failing, error = run_until_error(course_copy(tmp_path, with_data=False))
    assert failing == first
    assert error.ename == "CourseDataError"
    assert "data/ folder is missing" in error.evalue
    # One line, not a traceback through pandas.
    assert error.traceback == [f"CourseDataError: {error.evalue}"]


def test_data_file_missing(tmp_path):
    notebook = course_copy(tmp_path)
    (tmp_path / "data" / "claims.csv").unlink()
    first, failing, error = run_until_error(notebook)
    assert failing == first
    assert "data/claims.csv is missing" in error.evalue and "git checkout -- data/claims.csv" in error.evalue


def test_data_file_malformed(tmp_path):
    notebook = course_copy(tmp_path)
    table = tmp_path / "data" / "claims.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("short_label", "label", 1), encoding="utf-8")
    first, failing, error = run_until_error(notebook)
    assert failing == first
    assert "data/claims.csv lacks the column(s) short_label" in error.evalue
