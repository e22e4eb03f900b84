"""The slim run environment (binder/requirements.txt), made for the test run.

Binder, a JupyterHub image and Colab install only binder/requirements.txt, not
the root requirements.txt with its book, test and grading tools. So that the
slim set cannot fall behind what the notebooks need, the test suite runs every
notebook under nbval in a kernel from a virtual environment made from that
file alone (.venv-slim/ beside .venv/), not in the full environment.

The environment is made once and reused while binder/requirements.txt and the
Python version stay the same (a stamp file named for their hash says so); a
fresh clone, as in CI, always makes it afresh.
"""

from pathlib import Path
import hashlib
import json
import os
import shutil
import subprocess
import sys

TESTS = Path(__file__).resolve().parent
REPO_ROOT = TESTS.parent
SLIM_REQUIREMENTS = REPO_ROOT / "binder" / "requirements.txt"
KERNEL_NAME = "course-slim"
# Copies of the course made by the tests (tests/test_promises_are_kept.py)
# inherit this variable, so they reuse the environment instead of making one.
ENV_VARIABLE = "COURSE_SLIM_ENV"


def slim_env_dir():
    return Path(os.environ.get(ENV_VARIABLE) or REPO_ROOT / ".venv-slim")


def slim_python(env_dir=None):
    return (env_dir or slim_env_dir()) / "bin" / "python"


def _stamp_name(requirements_text):
    key = requirements_text + sys.version.split()[0]
    return ".installed-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


class SlimEnvironmentError(RuntimeError):
    pass


def ensure_slim_env(requirements=SLIM_REQUIREMENTS):
    """Make (or reuse) the slim environment; return its python. Raises SlimEnvironmentError with what to do."""
    if not requirements.exists():
        raise SlimEnvironmentError(
            f"{requirements} is missing: it lists what the notebooks need to run (Binder, JupyterHub, Colab). "
            "Restore it from git (git checkout -- binder/requirements.txt)."
        )
    env_dir = slim_env_dir()
    stamp = env_dir / _stamp_name(requirements.read_text(encoding="utf-8"))
    python = slim_python(env_dir)
    if stamp.exists() and python.exists():
        return python
    if env_dir.exists():
        shutil.rmtree(env_dir)
    steps = [
        [sys.executable, "-m", "venv", str(env_dir)],
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(requirements)],
    ]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True)
        if result.returncode != 0:
            raise SlimEnvironmentError(
                f"Could not make the slim environment in {env_dir} ({' '.join(step[:4])} ...):\n"
                f"{result.stdout[-2000:]}{result.stderr[-2000:]}\n"
                "Check binder/requirements.txt (every pin must exist for this Python) and that the package "
                "index can be reached; then run the tests again."
            )
    stamp.touch()
    return python


def install_kernelspec(python, jupyter_dir):
    """A kernel named course-slim that runs in the slim environment, visible through JUPYTER_PATH."""
    folder = Path(jupyter_dir) / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (course, slim environment)",
        "language": "python",
    }
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    paths = [str(jupyter_dir)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(paths)
    return folder
