"""Switch on the book's launch buttons for a published copy of the course.

    python scripts/enable_launch_buttons.py https://github.com/OWNER/REPO [--hub https://hub.example.org]

_config.yml ships without a repository address, because the course does not
know where it will be published; the publishing workflow calls this script
with the real address before building. It sets the repository URL and the
Binder, Colab and (with --hub) JupyterHub launch buttons, so that each chapter
page offers "launch" and "download" buttons.

It also writes the address into each notebook's Colab set-up cell
(scripts/colab_cell.py), so that a notebook downloaded from the book can fetch
the course on Colab. Colab's button opens the notebook from GitHub, though, so
the committed notebooks must name the address too: run
`python scripts/colab_cell.py set https://github.com/OWNER/REPO` once and commit
(RELEASING.md). Until then this script prints a warning that the publishing
workflow shows.
"""

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import colab_cell  # noqa: E402

CONFIG = Path(__file__).resolve().parents[1] / "_config.yml"


def enable(config_text, repository, hub=""):
    block = (
        "repository:\n"
        f"  url: {repository}\n"
        "  branch: main\n"
        "\n"
        "launch_buttons:\n"
        "  notebook_interface: jupyterlab\n"
        "  binderhub_url: https://mybinder.org\n"
        "  colab_url: https://colab.research.google.com\n"
        f"  jupyterhub_url: \"{hub}\"\n"
        "  thebe: false\n"
    )
    without = re.sub(r"^launch_buttons:\n(?:[ ]+.*\n)*", "", config_text, flags=re.MULTILINE)
    without = re.sub(r"^repository:\n(?:[ ]+.*\n)*", "", without, flags=re.MULTILINE)
    without = without.replace("  use_repository_button: false", "  use_repository_button: true")
    return without.rstrip("\n") + "\n\n" + block


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repository", help="the repository's public address, e.g. https://github.com/OWNER/REPO")
    parser.add_argument("--hub", default="", help="a JupyterHub address, for a JupyterHub launch button")
    args = parser.parse_args()
    CONFIG.write_text(enable(CONFIG.read_text(encoding="utf-8"), args.repository, args.hub), encoding="utf-8")
    print(f"Launch buttons now point at {args.repository}")
    unnamed = []
    for path in colab_cell.notebook_paths():
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = [c for c in notebook["cells"] if c.get("id") == colab_cell.CELL_ID]
        if not cells or colab_cell.repository_in("".join(cells[0]["source"])) != args.repository:
            unnamed.append(path.name)
        colab_cell.write(path, colab_cell.put_cell(notebook, args.repository))
    if unnamed:
        print(f"::warning::{len(unnamed)} committed notebooks do not name {args.repository} in their Colab "
              "set-up cell, so Colab's button (which opens them from GitHub) cannot fetch the course. Run "
              f"python scripts/colab_cell.py set {args.repository} and commit the notebooks.")


if __name__ == "__main__":
    main()
