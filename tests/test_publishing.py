"""Publishing helpers: the launch-button switch used by the publishing workflow."""

import sys

import yaml

from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "scripts"))
from enable_launch_buttons import enable  # noqa: E402


def test_launch_buttons_point_at_the_given_repository():
    config = yaml.safe_load(enable((REPO_ROOT / "_config.yml").read_text(encoding="utf-8"),
                                   "https://github.com/example/course", hub="https://hub.example.org"))
    assert config["repository"]["url"] == "https://github.com/example/course"
    buttons = config["launch_buttons"]
    assert buttons["binderhub_url"] == "https://mybinder.org"
    assert buttons["colab_url"] == "https://colab.research.google.com"
    assert buttons["jupyterhub_url"] == "https://hub.example.org"
    assert config["html"]["use_repository_button"] is True
    # Everything else in the configuration survives.
    original = yaml.safe_load((REPO_ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["sphinx"] == original["sphinx"] and config["title"] == original["title"]


def test_workflow_builds_with_the_readme_commands():
    workflow = (REPO_ROOT / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8")
    assert "make book" in workflow and "enable_launch_buttons.py" in workflow
    assert "upload-pages-artifact" in workflow
