"""The whole course as a zip (_ext/course_zip.py): offered on every page, and it runs.

The book's build writes korean-peninsula-course.zip and links it from every
page's footer. These tests take the zip from the same cold build the other
book tests use, unpack it into an empty folder, and run a chapter there from
its notebooks/ folder, in the slim environment that binder/requirements.txt
makes, as a reader who downloads it would.
"""

import re
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import slim_environment
from conftest import REPO_ROOT, all_notebooks

ZIP_NAME = "korean-peninsula-course.zip"
TOP = "korean-peninsula-course"
CHAPTER = "05_drills_and_defence.ipynb"  # reads several tables and the helpers, and draws figures


@pytest.fixture(scope="module")
def course_zip(built_book):
    assert built_book.returncode == 0, "the book did not build:\n" + "\n".join(built_book.warnings()[:20])
    path = built_book.html / ZIP_NAME
    assert path.exists(), f"the build wrote no {ZIP_NAME} (see _ext/course_zip.py)"
    return path


def test_every_page_links_to_the_zip(built_book, course_zip):
    pages = sorted(built_book.html.rglob("*.html"))
    missing, broken = [], []
    for page in pages:
        html = page.read_text(encoding="utf-8")
        if "_static" in page.relative_to(built_book.html).parts or 'http-equiv="Refresh"' in html:
            continue  # theme fragments, and the root page that forwards to the introduction
        match = re.search(r'<a href="([^"]*' + re.escape(ZIP_NAME) + r')" download>', html)
        if not match:
            missing.append(str(page.relative_to(built_book.html)))
        elif (page.parent / match.group(1)).resolve() != course_zip.resolve():
            broken.append(f"{page.relative_to(built_book.html)} -> {match.group(1)}")
    assert not missing, f"no link to the course zip on {missing}"
    assert not broken, f"the zip link leads nowhere on {broken}"


def test_the_zip_holds_the_course_and_nothing_private(course_zip):
    with zipfile.ZipFile(course_zip) as archive:
        names = set(archive.namelist())
    expected = {f"{TOP}/notebooks/{p.name}" for p in all_notebooks()}
    expected |= {f"{TOP}/notebooks/{p.name}" for p in (REPO_ROOT / "notebooks").glob("*.py")}
    expected |= {f"{TOP}/data/{p.name}" for p in (REPO_ROOT / "data").glob("*.csv")}
    expected |= {f"{TOP}/data/datapackage.json", f"{TOP}/binder/requirements.txt", f"{TOP}/LICENSE"}
    assert not expected - names, f"the zip lacks {sorted(expected - names)[:10]}"
    outside = sorted(n for n in names if not n.startswith(TOP + "/"))
    assert not outside, f"files outside the zip's top folder: {outside[:5]}"
    private = sorted(n for n in names if "/book/" in n or "instructor" in n or "my_verdicts.csv" in n)
    assert not private, f"the zip holds instructor or personal files: {private[:5]}"


def test_a_chapter_runs_from_the_unpacked_zip(course_zip, tmp_path):
    with zipfile.ZipFile(course_zip) as archive:
        archive.extractall(tmp_path)
    notebooks = tmp_path / TOP / "notebooks"
    python = slim_environment.ensure_slim_env()
    slim_environment.install_kernelspec(python, tmp_path / "jupyter")
    notebook = nbformat.read(notebooks / CHAPTER, as_version=4)
    stored_figures = sum(1 for c in notebook.cells if c.cell_type == "code"
                         for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    client = NotebookClient(notebook, kernel_name=slim_environment.KERNEL_NAME, timeout=300,
                            resources={"metadata": {"path": str(notebooks)}})
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, f"{CHAPTER} failed in the unpacked zip: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    figures = sum(1 for c in notebook.cells if c.cell_type == "code"
                  for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    assert figures == stored_figures > 0, f"{CHAPTER} drew {figures} figures from the zip, the book shows {stored_figures}"
