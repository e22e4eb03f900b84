"""Publishing: the launch-button switch used by the publishing workflow, and the
workflow itself (it deploys only after a job that ran the README's test
command, with chromium and TeX installed as .ci/run installs them)."""

import re
import sys

import yaml

from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "scripts"))
from enable_launch_buttons import enable  # noqa: E402

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "publish.yml"
CI_RUN = REPO_ROOT / ".ci" / "run"


def apt_packages(script):
    """The packages of every `apt-get install` in a shell script (continuation lines joined)."""
    packages = set()
    for line in script.replace("\\\n", " ").splitlines():
        if "apt-get install" not in line:
            continue
        for token in line.split("apt-get install", 1)[1].split():
            if token.startswith((">", "&", "|", ";")):
                break
            if not token.startswith("-"):
                packages.add(token)
    return packages


def runs(job):
    """The shell commands of a job's steps, one string per step (skipping steps allowed to fail)."""
    return [step.get("run", "") for step in job.get("steps", []) if not step.get("continue-on-error")]


def needs(job):
    value = job.get("needs", [])
    return [value] if isinstance(value, str) else list(value)


def workflow_problems(workflow_text, ci_run_text):
    """What keeps the workflow from deploying only a tested book (an empty list when nothing)."""
    workflow = yaml.safe_load(workflow_text)
    jobs = workflow.get("jobs", {})
    required = apt_packages(ci_run_text)
    problems = []

    def runs_the_tests(name):
        job = jobs[name]
        if job.get("continue-on-error"):
            return False
        commands = runs(job)
        return any(re.search(r"^\s*make test\s*$", c, re.M) for c in commands)

    testers = [name for name in jobs if runs_the_tests(name)]
    if not testers:
        problems.append("no job runs `make test` (the README's test command)")
    for name in testers:
        job = jobs[name]
        installed = set().union(*(apt_packages(c) for c in runs(job)))
        if not required <= installed:
            problems.append(f"job {name!r} runs the tests without installing {sorted(required - installed)} "
                            "with apt (as .ci/run does)")
        env = {**workflow.get("env", {}), **job.get("env", {})}
        if str(env.get("CI", "")).lower() != "true":
            problems.append(f"job {name!r} does not set CI=true, so missing tools would skip tests")
        image = job.get("container", {})
        image = image.get("image", "") if isinstance(image, dict) else image
        if not re.search(r"debian|bookworm|trixie", str(image)):
            problems.append(f"job {name!r} does not run on Debian (its chromium is Debian's), as .ci/run does")

    deployers = [name for name, job in jobs.items()
                 if any(str(step.get("uses", "")).startswith("actions/deploy-pages") for step in job.get("steps", []))]
    if not deployers:
        problems.append("no job deploys with actions/deploy-pages")

    def upstream(name, seen=()):
        found = set()
        for need in needs(jobs[name]):
            if need in jobs and need not in seen:
                found |= {need} | upstream(need, seen + (name,))
        return found

    for name in deployers:
        if not set(testers) & set(needs(jobs[name])):
            problems.append(f"job {name!r} deploys, but does not `needs:` a job that ran the tests "
                            f"(it needs {needs(jobs[name])})")
        if runs_the_tests(name) or any("upload-pages-artifact" in str(s.get("uses", "")) for s in jobs[name]["steps"]):
            continue
        if not any(any("upload-pages-artifact" in str(s.get("uses", "")) for s in jobs[up].get("steps", []))
                   for up in upstream(name)):
            problems.append(f"job {name!r} deploys an artifact that no job it needs uploads")
    return problems


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
    workflow = WORKFLOW.read_text(encoding="utf-8")
    assert "make book" in workflow and "enable_launch_buttons.py" in workflow
    assert "upload-pages-artifact" in workflow


def test_ci_run_installs_chromium_and_tex_and_runs_make_test():
    script = CI_RUN.read_text(encoding="utf-8")
    assert {"chromium", "texlive-xetex", "latexmk", "fonts-noto-cjk"} <= apt_packages(script)
    assert re.search(r"^export CI=true$", script, re.M) and re.search(r"^make test$", script, re.M)


def test_workflow_deploys_only_after_the_tests():
    problems = workflow_problems(WORKFLOW.read_text(encoding="utf-8"), CI_RUN.read_text(encoding="utf-8"))
    assert not problems, f"{WORKFLOW.relative_to(REPO_ROOT)}:\n" + "\n".join(problems)


def test_the_workflow_check_catches_a_deploy_without_tests():
    good = WORKFLOW.read_text(encoding="utf-8")
    ci_run = CI_RUN.read_text(encoding="utf-8")
    breaks = {
        "deploy needs only the build": (good.replace("needs: [test, build]", "needs: build"),
                                        "does not `needs:` a job that ran the tests"),
        "no make test": (good.replace("run: make test", "run: make book"), "no job runs `make test`"),
        "no chromium": (good.replace("make chromium nodejs npm \\", "make nodejs npm \\"), "without installing ['chromium']"),
        "tests may fail": (good.replace("    timeout-minutes: 90", "    timeout-minutes: 90\n    continue-on-error: true"),
                           "no job runs `make test`"),
        "not CI": (good.replace('      CI: "true"\n', ""), "does not set CI=true"),
    }
    for what, (broken, expected) in breaks.items():
        assert broken != good, f"the break {what!r} no longer applies to publish.yml; update this test"
        problems = workflow_problems(broken, ci_run)
        assert any(expected in p for p in problems), f"{what}: {problems}"


def test_the_workflow_turns_on_the_jupyterhub_button_from_a_repository_variable():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = [step for job in workflow["jobs"].values() for step in job.get("steps", [])
             if "enable_launch_buttons.py" in step.get("run", "")]
    assert steps, "publish.yml never runs scripts/enable_launch_buttons.py"
    for step in steps:
        assert step.get("env", {}).get("JUPYTERHUB_URL") == "${{ vars.JUPYTERHUB_URL }}", (
            "the launch-button step must read the hub's address from the repository variable JUPYTERHUB_URL")
        assert '--hub "${JUPYTERHUB_URL}"' in step["run"], "the launch-button step must pass --hub"
    # With the variable unset, the script still runs and leaves the hub button off.
    config = yaml.safe_load(enable((REPO_ROOT / "_config.yml").read_text(encoding="utf-8"),
                                   "https://github.com/example/course", hub=""))
    assert config["launch_buttons"]["jupyterhub_url"] == ""
