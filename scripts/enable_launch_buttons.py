"""Switch on the book's launch buttons for a published copy of the course.

    python scripts/enable_launch_buttons.py https://github.com/OWNER/REPO [--hub https://hub.example.org]

_config.yml ships without a repository address, because the course does not
know where it will be published; the publishing workflow calls this script
with the real address before building. It sets the repository URL and the
Binder, Colab and (with --hub) JupyterHub launch buttons, so that each chapter
page offers "launch" and "download" buttons.
"""

import argparse
import re
from pathlib import Path

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


if __name__ == "__main__":
    main()
