"""pytest never collects the copies of notebooks that the book build leaves in _build/."""

import json
import subprocess
import sys

from conftest import REPO_ROOT


def test_build_copies_are_not_collected():
    # Plant a notebook where Jupyter Book puts its copies, so the check can fail.
    canary = REPO_ROOT / "_build" / "jupyter_execute" / "canary" / "canary.ipynb"
    canary.parent.mkdir(parents=True, exist_ok=True)
    canary.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly"],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        )
        collected = [line for line in result.stdout.splitlines() if "::" in line or line.endswith(".ipynb")]
        assert collected, "collection found nothing:\n" + result.stdout[-2000:]
        assert any("01_reading_the_article.ipynb" in line for line in collected), "the chapters are not collected"
        assert not any(line.startswith("_build") or "/_build/" in line for line in collected), "pytest collected notebooks under _build/"
    finally:
        canary.unlink()
