"""The slim run environment in binder/ (Binder, a JupyterHub image, Colab).

nbval runs every notebook in a kernel from this environment (see
tests/slim_environment.py and the plugin tests/notebook_guards.py); these
tests hold the rest: the slim file pins exactly what the root file pins, and
nothing of the book, test or grading tools comes with it.
"""

import json
import re
import subprocess

import pytest

import slim_environment
from slim_environment import REPO_ROOT, SLIM_REQUIREMENTS

ROOT_REQUIREMENTS = REPO_ROOT / "requirements.txt"
# What the notebooks import beyond the standard library, and what runs them.
NEEDED = {"pandas", "numpy", "matplotlib", "jupyterlab", "jupyterlab-myst", "ipykernel"}
# Tools of the full environment that the slim one must not carry.
NOT_FOR_LEARNERS = {"jupyter-book", "pytest", "nbval", "playwright", "axe-playwright-python",
                    "otter-grader", "frictionless", "sphinx", "pypdf"}


def pins(path):
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.\-+]+)", line)
        assert match, f"{path.relative_to(REPO_ROOT)}: '{line}' is not pinned exactly (name==version)"
        found[match.group(1).lower().replace("_", "-")] = match.group(2)
    return found


def test_slim_requirements_pin_what_the_root_file_pins():
    slim, full = pins(SLIM_REQUIREMENTS), pins(ROOT_REQUIREMENTS)
    assert set(slim) == NEEDED, (
        f"binder/requirements.txt should list exactly {sorted(NEEDED)}; it lists {sorted(slim)}"
    )
    for name, version in slim.items():
        assert name in full, f"{name} is in binder/requirements.txt but not pinned in requirements.txt"
        assert full[name] == version, (
            f"{name} is {version} in binder/requirements.txt but {full[name]} in requirements.txt; "
            "the two must pin the same version"
        )


def test_binder_runtime_is_the_root_runtime():
    slim = (REPO_ROOT / "binder" / "runtime.txt").read_text(encoding="utf-8").strip()
    full = (REPO_ROOT / "runtime.txt").read_text(encoding="utf-8").strip()
    assert slim == full, f"binder/runtime.txt says {slim}, runtime.txt says {full}"


@pytest.fixture(scope="module")
def slim_distributions():
    python = slim_environment.ensure_slim_env()
    listing = subprocess.run(
        [str(python), "-c",
         "import importlib.metadata as m, json; "
         "print(json.dumps({d.metadata['Name'].lower().replace('_', '-'): d.version for d in m.distributions()}))"],
        capture_output=True, text=True, check=True,
    )
    return json.loads(listing.stdout)


def test_slim_environment_has_the_pinned_versions(slim_distributions):
    for name, version in pins(SLIM_REQUIREMENTS).items():
        assert slim_distributions.get(name) == version, (
            f"the slim environment has {name} {slim_distributions.get(name)}, binder/requirements.txt pins {version}"
        )


def test_slim_environment_carries_no_build_or_test_tools(slim_distributions):
    extra = sorted(NOT_FOR_LEARNERS & set(slim_distributions))
    assert not extra, f"binder/requirements.txt pulls in tools learners do not need: {extra}"
