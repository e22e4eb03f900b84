"""The test side of the run-time guards on notebooks (see kernel_guard.py).

A pytest plugin (pytest.ini loads it for every test, notebooks included:
a conftest.py in tests/ would not reach the notebooks in notebooks/), and a
module that scripts/record_figure_digests.py uses.

- `start_guarded_kernels()` makes a temporary IPYTHONDIR whose start-up file is
  kernel_guard.py, so every kernel started afterwards by this process (or its
  children) refuses the network and records figure digests; it also points
  COURSE_MY_VERDICTS at a file that does not exist (see notebooks/my_verdicts.py).
- `cell_report()` reads, after a cell has run, what the kernel recorded.
- `RepositorySnapshot` hashes every file in data/ and notes every other file
  of the repository before a cell runs; `changes()` then names what the cell
  created, changed or deleted, and `restore()` undoes it, so that a notebook
  that writes into data/ fails and leaves no stray file behind.
"""

from pathlib import Path
import functools
import hashlib
import json
import os
import shutil
import tempfile

import pytest

import slim_environment

TESTS = Path(__file__).resolve().parent
REPO_ROOT = TESTS.parent
DIGESTS_FILE = TESTS / "figure_digests.json"
# Folders whose contents change for reasons of their own (builds, caches,
# environments); everything else in the repository must stay as it was.
IGNORED_PARTS = {".git", ".venv", ".venv-slim", "_build", "__pycache__", ".ipynb_checkpoints", ".pytest_cache"}


def start_guarded_kernels():
    """Point IPython at a temporary profile whose start-up file installs the guards."""
    guard_dir = Path(tempfile.mkdtemp(prefix="course-kernel-guard-"))
    startup = guard_dir / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    shutil.copy(TESTS / "kernel_guard.py", startup / "00-course-guard.py")
    os.environ["IPYTHONDIR"] = str(guard_dir / "ipython")
    os.environ["COURSE_GUARD_DIR"] = str(guard_dir)
    # Learners' own verdicts (notebooks/my_verdicts.py) would go to a file in a
    # folder that does not exist, so a developer's my_verdicts.csv never changes
    # what a test run shows, and a stray recording fails instead of writing.
    os.environ["COURSE_MY_VERDICTS"] = str(guard_dir / "no-learner" / "my_verdicts.csv")
    return guard_dir


def guard_dir():
    value = os.environ.get("COURSE_GUARD_DIR")
    return Path(value) if value else None


def clear_cell_report():
    folder = guard_dir()
    for name in ("network.log", "figures.json"):
        (folder / name).unlink(missing_ok=True)


def cell_report():
    """(network targets the cell tried to reach, figure digests it drew), read from the guard's files."""
    folder = guard_dir()
    network_log = folder / "network.log"
    attempts = network_log.read_text(encoding="utf-8").splitlines() if network_log.exists() else []
    figures_file = folder / "figures.json"
    figures = json.loads(figures_file.read_text(encoding="utf-8")) if figures_file.exists() else []
    return attempts, figures


@functools.lru_cache(maxsize=None)
def stored_digests():
    """tests/figure_digests.json, read once per process (the plugin consults it after every cell)."""
    if not DIGESTS_FILE.exists():
        return {}
    return json.loads(DIGESTS_FILE.read_text(encoding="utf-8"))


def repository_files(root=REPO_ROOT):
    # os.walk, pruned: the ignored folders (.venv above all, tens of thousands of files)
    # are never entered, so a snapshot before and after each cell stays cheap.
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name not in IGNORED_PARTS)
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file():
                yield path.relative_to(root)


class RepositorySnapshot:
    """What the repository holds now: a hash of every file in data/, the size and time of the rest."""

    def __init__(self, root=REPO_ROOT):
        self.root = root
        self.data = {}
        self.others = {}
        for relative in repository_files(root):
            path = root / relative
            if relative.parts[0] == "data":
                content = path.read_bytes()
                self.data[relative] = (hashlib.sha256(content).hexdigest(), content)
            else:
                stat = path.stat()
                self.others[relative] = (stat.st_size, stat.st_mtime_ns)

    def changes(self):
        """Files created, changed or deleted since the snapshot, as sorted repository paths."""
        changed = set()
        for relative in repository_files(self.root):
            path = self.root / relative
            if relative.parts[0] == "data":
                before = self.data.get(relative)
                if before is None or hashlib.sha256(path.read_bytes()).hexdigest() != before[0]:
                    changed.add(relative)
            else:
                stat = path.stat()
                if self.others.get(relative) != (stat.st_size, stat.st_mtime_ns):
                    changed.add(relative)
        for relative in list(self.data) + list(self.others):
            if not (self.root / relative).exists():
                changed.add(relative)
        return sorted(str(p) for p in changed)

    def restore(self, changed):
        """Undo what a cell did to data/ (its files are held in memory) and remove files it created."""
        for name in changed:
            relative = Path(name)
            path = self.root / relative
            if relative in self.data:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(self.data[relative][1])
            elif relative not in self.others and path.exists():
                path.unlink()


# --- The pytest plugin (pytest.ini loads it with -p notebook_guards) ----------
# Every kernel started from here on refuses the network and records what its
# figures draw (tests/kernel_guard.py). After each notebook cell, the hook
# below fails the cell, naming notebook and cell, if it tried to reach the
# network, if it created, changed or deleted a file of the repository (data/
# is hashed file by file before and after; the change is undone), or if a
# figure it drew differs from the digest stored in tests/figure_digests.json.


def pytest_configure(config):
    start_guarded_kernels()
    os.environ.setdefault(slim_environment.ENV_VARIABLE, str(slim_environment.slim_env_dir()))


# --- Notebooks run in the slim environment -------------------------------------
# nbval runs every notebook in a kernel from binder/requirements.txt alone (see
# tests/slim_environment.py), so a notebook that needs a package the slim set
# lacks fails here, not on Binder, a hub or Colab. The first cell of each
# notebook also checks, from what the kernel itself wrote at start-up, that it
# really ran there.

def pytest_collection_modifyitems(session, config, items):
    if not any(_nbval_cell(item) for item in items):
        return
    try:
        python = slim_environment.ensure_slim_env()
    except slim_environment.SlimEnvironmentError as error:
        raise pytest.UsageError(str(error)) from None
    slim_environment.install_kernelspec(python, guard_dir() / "jupyter")
    config.option.nbval_current_env = False
    config.option.nbval_kernel_name = slim_environment.KERNEL_NAME


_kernel_checked = set()


def _check_kernel_environment(item):
    """The notebook's kernel must run in the slim environment (the kernel guard wrote its sys.prefix)."""
    notebook_file = item.parent.path
    if notebook_file in _kernel_checked:
        return None
    _kernel_checked.add(notebook_file)
    if item.config.option.nbval_kernel_name != slim_environment.KERNEL_NAME:
        return None
    written = guard_dir() / "kernel_prefix.txt"
    expected = os.path.realpath(slim_environment.slim_env_dir())
    found = written.read_text(encoding="utf-8").strip() if written.exists() else "(nothing: the kernel guard did not run)"
    if found != expected:
        return (
            f"{notebook_file.name}: its kernel ran in {found}, not in the slim environment {expected} "
            "made from binder/requirements.txt; check the course-slim kernelspec in tests/slim_environment.py"
        )
    return None


RECORD_HINT = (
    "If the change is intended, re-run the notebook, commit it, and record the "
    "new digests with: .venv/bin/python scripts/record_figure_digests.py"
)


def _nbval_cell(item):
    return type(item).__name__ == "IPyNbCell"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    if not _nbval_cell(item):
        return (yield)
    from nbval.plugin import NbCellError

    notebook = item.parent.path.name
    wrong_kernel = _check_kernel_environment(item)
    if wrong_kernel:
        raise NbCellError(item.cell_num, wrong_kernel, item.cell.source)
    snapshot = RepositorySnapshot()
    clear_cell_report()
    try:
        result = yield
    finally:
        changed = snapshot.changes()
        snapshot.restore(changed)
    attempts, figures = cell_report()
    problems = []
    if changed:
        problems.append(
            f"{notebook}, cell {item.cell_num} changed files of the repository: {', '.join(changed)} "
            "(notebooks never write into data/ or anywhere else in the course; the change has been undone)"
        )
    if attempts:
        problems.append(
            f"{notebook}, cell {item.cell_num} tried to reach the network ({', '.join(attempts)}); "
            "notebooks read only files in data/"
        )
    cell_id = item.cell.get("id")
    stored = stored_digests().get(notebook, {}).get(cell_id, [])
    if figures != stored and item.parent.compare_outputs:
        problems.append(
            f"{notebook}, cell {item.cell_num} (id {cell_id}): the data its figures draw differ from the "
            f"stored digests (drawn {figures}, stored {stored}). {RECORD_HINT}"
        )
    if problems:
        raise NbCellError(item.cell_num, "\n".join(problems), item.cell.source)
    return result
