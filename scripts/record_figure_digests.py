"""Record what every figure in the notebooks draws, for the tests to compare.

    .venv/bin/python scripts/record_figure_digests.py            # every notebook
    .venv/bin/python scripts/record_figure_digests.py 05_drills_and_defence.ipynb

nbval proves that a fresh run reproduces each stored text output, but it does
not compare images. So each notebook is run here, in a kernel with the
course's guards (tests/kernel_guard.py), which computes a short digest of the
numbers and labels each figure draws; the digests are written to
tests/figure_digests.json, keyed by notebook and cell id. While nbval runs,
tests/conftest.py compares every figure with its stored digest, so a data
value that reaches only a figure cannot change unnoticed.

Run it after you change a figure or its data on purpose, and commit the file.
The notebooks themselves are not changed.
"""

from pathlib import Path
import argparse
import json
import sys

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
import notebook_guards  # noqa: E402


def notebook_digests(path):
    """{cell id: [digest, ...]} for every code cell of the notebook that draws a figure."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    digests = {}
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            notebook_guards.clear_cell_report()
            client.execute_cell(cell, index)
            attempts, figures = notebook_guards.cell_report()
            if attempts:
                sys.exit(f"{path.name}, cell {index}: tried to reach the network ({attempts}); fix that first.")
            if figures:
                digests[cell.id] = figures
    return digests


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebook file names in notebooks/ (default: all)")
    args = parser.parse_args(argv)
    notebook_guards.start_guarded_kernels()
    names = args.notebooks or sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))
    recorded = dict(notebook_guards.stored_digests())
    for name in names:
        path = REPO / "notebooks" / Path(name).name
        if not path.exists():
            sys.exit(f"There is no notebook notebooks/{name}.")
        recorded[path.name] = notebook_digests(path)
        count = sum(len(v) for v in recorded[path.name].values())
        print(f"{path.name}: {count} figures")
    # Forget notebooks that no longer exist.
    recorded = {name: value for name, value in sorted(recorded.items()) if (REPO / "notebooks" / name).exists()}
    notebook_guards.DIGESTS_FILE.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"Wrote {notebook_guards.DIGESTS_FILE.relative_to(REPO)}")


if __name__ == "__main__":
    main()
