"""The Colab set-up cell at the top of every notebook.

    .venv/bin/python scripts/colab_cell.py check                       # every notebook has it, as written here
    .venv/bin/python scripts/colab_cell.py set https://github.com/OWNER/REPO   # name the published repository

Colab opens one notebook from GitHub, without the course's data/ and helpers.
So each notebook's first code cell, on Colab only, clones the course once,
installs the slim requirements (binder/requirements.txt) and moves into
notebooks/; anywhere else it does nothing. The book hides it (tag remove-cell)
and JupyterLab shows it collapsed. Its text is made here, from one template,
so that the tests can exempt exactly this cell, and nothing else, from the
rule that notebooks run no subprocess (tests/test_notebook_structure.py), and
can run it in a simulated Colab (tests/test_colab.py).

The course does not know where it will be published, so the cell names no
repository until `set` (or scripts/enable_launch_buttons.py) writes one in;
on Colab, a cell without one says what to do.
"""

import json
import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO_ROOT / "notebooks"
CELL_ID = "colab-setup"
TAGS = ["remove-cell", "colab-setup"]
FOLDER = "korean-peninsula-course"

TEMPLATE = '''\
# Google Colab only. A notebook opened on Colab arrives without the course's
# data and helpers, so this cell fetches the course once, installs what the
# notebooks need (binder/requirements.txt) and moves into its notebooks/
# folder. Running it again is safe. Anywhere else (JupyterLab, Binder, a
# JupyterHub) it does nothing. If Colab asks to restart the session after the
# installation, restart it and run this cell again.
import os
import subprocess
import sys

COURSE_REPOSITORY = "{repository}"

if "google.colab" in sys.modules and not os.path.exists("course_data.py"):
    if not COURSE_REPOSITORY:
        raise SystemExit(
            "This copy of the notebook does not say where the course is published. Set "
            "COURSE_REPOSITORY above to the course's address (https://github.com/OWNER/REPO) "
            "and run this cell again."
        )
    course = os.path.abspath("{folder}")

    def run(command, what):
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(
                f"Could not {{what}}:\\n{{result.stderr[-1500:]}}\\nCheck COURSE_REPOSITORY and "
                "the session's internet connection, then run this cell again."
            )

    if not os.path.exists(os.path.join(course, ".colab-ready")):
        if not os.path.isdir(os.path.join(course, ".git")):
            run(["git", "clone", "--depth", "1", COURSE_REPOSITORY, course], "download the course")
        requirements = os.path.join(course, "binder", "requirements.txt")
        run([sys.executable, "-m", "pip", "install", "--quiet", "-r", requirements], "install its packages")
        open(os.path.join(course, ".colab-ready"), "w").close()
    os.chdir(os.path.join(course, "notebooks"))
    print("The course is in", course, "and this notebook now works in its notebooks/ folder.")
'''

REPOSITORY_LINE = re.compile(r'^COURSE_REPOSITORY = "([^"\\]*)"$', re.MULTILINE)
ALLOWED_REPOSITORY = re.compile(r"^(|https://github\.com/[\w.-]+/[\w.-]+|file://\S+)$")


def cell_source(repository=""):
    if not ALLOWED_REPOSITORY.match(repository):
        raise ValueError(f"{repository!r} is not a GitHub address of the form https://github.com/OWNER/REPO")
    return TEMPLATE.format(repository=repository, folder=FOLDER)


def repository_in(source):
    """The repository a Colab cell names, or None if the text is not exactly the cell made here."""
    match = REPOSITORY_LINE.search(source)
    if not match or not ALLOWED_REPOSITORY.match(match.group(1)):
        return None
    return match.group(1) if source == cell_source(match.group(1)) else None


def is_colab_cell(cell):
    source = "".join(cell.get("source", ""))
    return cell.get("cell_type") == "code" and cell.get("id") == CELL_ID and repository_in(source) is not None


def new_cell(repository):
    return {
        "cell_type": "code", "execution_count": None, "id": CELL_ID,
        "metadata": {"jupyter": {"source_hidden": True}, "tags": list(TAGS)},
        "outputs": [], "source": cell_source(repository).splitlines(keepends=True),
    }


def put_cell(notebook, repository=None):
    """Place the cell just before the notebook's first other code cell (keeping a named repository)."""
    cells = notebook["cells"]
    existing = [i for i, c in enumerate(cells) if c.get("id") == CELL_ID]
    if repository is None:
        repository = next((repository_in("".join(cells[i]["source"])) or "" for i in existing), "")
    old = cells[existing[0]] if existing else None
    for i in reversed(existing):
        del cells[i]
    first_code = next(i for i, c in enumerate(cells) if c["cell_type"] == "code")
    cell = new_cell(repository)
    if old is not None:  # keep what a run gave it
        cell["execution_count"], cell["outputs"] = old.get("execution_count"), old.get("outputs", [])
    cells.insert(first_code, cell)
    return notebook


def notebook_paths():
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def write(path, notebook):
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def problems(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    if not code or code[0].get("id") != CELL_ID:
        return [f"{path.name}: its first code cell is not the Colab set-up cell (run: .venv/bin/python scripts/colab_cell.py set)"]
    cell = code[0]
    found = []
    if not is_colab_cell(cell):
        found.append(f"{path.name}: the Colab set-up cell differs from the text in scripts/colab_cell.py")
    if sorted(cell.get("metadata", {}).get("tags", [])) != sorted(TAGS):
        found.append(f"{path.name}: the Colab set-up cell must carry the tags {TAGS} (the book hides it)")
    if sum(1 for c in code if c.get("id") == CELL_ID) != 1:
        found.append(f"{path.name}: more than one Colab set-up cell")
    return found


def main(argv):
    if argv[:1] == ["check"]:
        found = [p for path in notebook_paths() for p in problems(path)]
        print("\n".join(found) or f"{len(notebook_paths())} notebooks have the Colab set-up cell.")
        return 1 if found else 0
    if argv[:1] == ["set"]:
        repository = argv[1] if len(argv) > 1 else None
        for path in notebook_paths():
            write(path, put_cell(json.loads(path.read_text(encoding="utf-8")), repository))
        print(f"The Colab set-up cell is in {len(notebook_paths())} notebooks"
              + (f", naming {repository}." if repository else "."))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
