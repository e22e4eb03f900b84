"""The Colab set-up cell (scripts/colab_cell.py), run in a simulated Colab.

Colab cannot run here, so the test makes what the cell looks for: a module
named google.colab, a session folder, and a course repository to clone (a
small git repository served over file://, cloned for real with git). pip is
the one command not run: the test records what the cell asks of it and
answers as pip would. The chapters themselves run from a fresh copy in
tests/test_course_zip.py and, in the slim environment Colab installs, under
nbval.
"""

import json
import subprocess
import sys
import types

import pytest

from conftest import REPO_ROOT, all_notebooks, cell_text, read_notebook
from forbidden_code import forbidden_code

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import colab_cell  # noqa: E402


@pytest.fixture
def course_repository(tmp_path):
    """A tiny course repository: the files the cell and the first cells of a chapter need."""
    origin = tmp_path / "origin"
    (origin / "notebooks").mkdir(parents=True)
    (origin / "binder").mkdir()
    (origin / "data").mkdir()
    (origin / "notebooks" / "course_data.py").write_text("COURSE = 'here'\n", encoding="utf-8")
    (origin / "binder" / "requirements.txt").write_text("pandas==3.1.1\n", encoding="utf-8")
    (origin / "data" / "claims.csv").write_text("claim_id\nC01\n", encoding="utf-8")
    for command in (["init", "-q", "-b", "main"], ["add", "."],
                    ["-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "course"]):
        subprocess.run(["git", *command], cwd=origin, check=True, capture_output=True)
    return f"file://{origin}"


class Colab:
    """A simulated Colab session: google.colab importable, a session folder, pip recorded."""

    def __init__(self, monkeypatch, session_folder, pip_fails=False):
        self.commands = []
        self.pip_fails = pip_fails
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
        monkeypatch.chdir(session_folder)
        real_run = subprocess.run

        def run(command, *args, **kwargs):
            self.commands.append(list(command))
            if command[1:4] == ["-m", "pip", "install"]:
                if self.pip_fails:
                    return subprocess.CompletedProcess(command, 1, "", "ERROR: No matching distribution found for pandas==3.1.1")
                return subprocess.CompletedProcess(command, 0, "", "")
            return real_run(command, *args, **kwargs)

        monkeypatch.setattr(subprocess, "run", run)

    def run_cell(self, repository):
        namespace = {}
        exec(compile(colab_cell.cell_source(repository), "colab-setup", "exec"), namespace)
        return namespace


def test_every_notebook_starts_with_the_colab_cell():
    problems = [p for path in all_notebooks() for p in colab_cell.problems(path)]
    assert not problems, "\n".join(problems)


def test_first_run_clones_installs_and_moves_into_notebooks(monkeypatch, tmp_path, course_repository, capsys):
    session = tmp_path / "content"
    session.mkdir()
    colab = Colab(monkeypatch, session)
    colab.run_cell(course_repository)
    course = session / colab_cell.FOLDER
    assert colab.commands == [
        ["git", "clone", "--depth", "1", course_repository, str(course)],
        [sys.executable, "-m", "pip", "install", "--quiet", "-r", str(course / "binder" / "requirements.txt")],
    ]
    assert (course / "notebooks" / "course_data.py").exists(), "the clone did not bring the course's helpers"
    assert (course / "data" / "claims.csv").exists(), "the clone did not bring data/"
    import os
    assert os.getcwd() == str(course / "notebooks"), "the cell did not move into notebooks/"
    assert "notebooks/ folder" in capsys.readouterr().out


def test_running_it_again_is_safe(monkeypatch, tmp_path, course_repository):
    import os
    session = tmp_path / "content"
    session.mkdir()
    colab = Colab(monkeypatch, session)
    colab.run_cell(course_repository)
    notebooks = os.getcwd()
    colab.commands.clear()
    colab.run_cell(course_repository)  # again, from notebooks/
    assert colab.commands == [] and os.getcwd() == notebooks
    os.chdir(session)  # after Colab restarts the session, the kernel starts in its folder again
    colab.run_cell(course_repository)
    assert colab.commands == [], "a re-run after a restart downloaded or installed again"
    assert os.getcwd() == notebooks


def test_a_failed_install_says_what_to_do_and_is_retried(monkeypatch, tmp_path, course_repository):
    session = tmp_path / "content"
    session.mkdir()
    colab = Colab(monkeypatch, session, pip_fails=True)
    with pytest.raises(SystemExit) as stopped:
        colab.run_cell(course_repository)
    message = str(stopped.value)
    assert "Could not install its packages" in message and "No matching distribution" in message
    assert "run this cell again" in message
    colab.pip_fails = False
    colab.commands.clear()
    colab.run_cell(course_repository)
    assert [c[:2] for c in colab.commands] == [[sys.executable, "-m"]], "the retry cloned again or skipped pip"


def test_a_cell_without_a_repository_says_what_to_set(monkeypatch, tmp_path):
    colab = Colab(monkeypatch, tmp_path)
    with pytest.raises(SystemExit) as stopped:
        colab.run_cell("")
    assert "Set COURSE_REPOSITORY" in str(stopped.value)
    assert colab.commands == []


def test_elsewhere_it_does_nothing(monkeypatch, tmp_path, course_repository):
    import os
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    session = tmp_path / "lab"
    session.mkdir()
    monkeypatch.chdir(session)
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(a))
    exec(compile(colab_cell.cell_source(course_repository), "colab-setup", "exec"), {})
    assert calls == [] and os.getcwd() == str(session) and list(session.iterdir()) == []


def test_the_exemption_covers_this_cell_only():
    cell = colab_cell.new_cell("https://github.com/owner/course")
    assert colab_cell.is_colab_cell(cell)
    # The cell does run subprocesses: the structure test exempts it by its exact text...
    assert forbidden_code(cell_text(cell)), "forbidden_code no longer sees the cell's subprocess calls"
    # ... so one line more, or another repository host, is no longer the cell.
    changed = dict(cell, source=cell_text(cell) + "os.system('curl example.org')\n")
    assert not colab_cell.is_colab_cell(changed)
    with pytest.raises(ValueError):
        colab_cell.cell_source('https://example.org/x"; import os; os.system("ls")  #')


def test_the_book_hides_the_cell(built_book):
    shown = [page.relative_to(built_book.html) for page in built_book.html.rglob("*.html")
             if "COURSE_REPOSITORY" in page.read_text(encoding="utf-8")]
    assert not shown, f"the Colab set-up cell shows on {shown}; it needs the tag remove-cell"


def test_jupyterlab_shows_it_collapsed():
    for path in all_notebooks():
        cell = next(c for c in read_notebook(path)["cells"] if c["cell_type"] == "code")
        assert cell.get("metadata", {}).get("jupyter", {}).get("source_hidden") is True, (
            f"{path.name}: the Colab set-up cell should be collapsed in JupyterLab (metadata jupyter.source_hidden)"
        )


def test_naming_the_repository_keeps_the_cell_and_its_outputs(tmp_path):
    notebook = read_notebook(all_notebooks()[0])
    colab_cell.put_cell(notebook, "https://github.com/owner/course")
    cells = [c for c in notebook["cells"] if c.get("id") == colab_cell.CELL_ID]
    assert len(cells) == 1 and colab_cell.repository_in(cell_text(cells[0])) == "https://github.com/owner/course"
    first_code = next(c for c in notebook["cells"] if c["cell_type"] == "code")
    assert first_code is cells[0], "the Colab cell must come before every other code cell"
    colab_cell.put_cell(notebook)  # again, without an address: the address stays
    cells = [c for c in notebook["cells"] if c.get("id") == colab_cell.CELL_ID]
    assert len(cells) == 1 and colab_cell.repository_in(cell_text(cells[0])) == "https://github.com/owner/course"
