"""Build, grade and bundle the graded seminar assignments (otter-grader 7.0.0).

The four master notebooks live in book/instructor/assignments/<letter_name>/.
They are not in _toc.yml, so the book never publishes them; what this script
builds from them (solutions, hidden tests, autograder zips) goes to _build/ only.

  python scripts/build_assignments.py build [A B ...] [--out _build/assignments]
      For each assignment, copy the master with course_data.py and the tables
      its ASSIGNMENT CONFIG lists into a temporary folder, run `otter assign`
      there (which also grades the solution notebook, and fails unless it
      earns full marks), and write <out>/<letter_name>/:
        student/      the notebook to hand out, with course_data.py and data/
        autograder/   the solution notebook and <name>-autograder.zip
  python scripts/build_assignments.py grade A SUBMISSION... [--out DIR] [--pdf]
      Grade submissions (.ipynb, or the .zip the notebook's last cell writes)
      with otter run, locally and without Docker: DIR/scores.csv has one row
      per submission and question (and a total, or the error that kept a
      submission from being graded), DIR/<submission>.json otter's results.
      With --pdf, also export each submission's written answers (the manual
      questions only) to DIR/<submission>-written.pdf, with nbconvert's webpdf
      exporter and Debian's chromium (nothing is downloaded).
  python scripts/build_assignments.py export SUBMISSION... [--out DIR]
      Only the PDFs of the written answers (for example when the autograded
      parts are graded elsewhere).
  python scripts/build_assignments.py instructor [--out _build/instructor]
      Build every assignment and gather the instructor material in one folder
      (the publishing workflow attaches it as an artifact, never to the site).
"""

import argparse
import concurrent.futures
import csv
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MASTERS_DIR = REPO / "book" / "instructor" / "assignments"
BUILD = REPO / "_build"
# Letter -> folder; each folder holds one master notebook.
ASSIGNMENTS = {
    "A": "A_claim_audit",
    "B": "B_policy_memo",
    "C": "C_negotiation",
    "D": "D_data_investigation",
}
# Where Playwright (1.65, browser revision 1255) looks for the headless shell
# it launches. A symlink to Debian's chromium stands in for it, so that
# `playwright install` is never needed.
PLAYWRIGHT_SHELL = Path("chromium_headless_shell-1255") / "chrome-headless-shell-linux64" / "chrome-headless-shell"


def master_path(letter):
    folder = MASTERS_DIR / ASSIGNMENTS[letter]
    notebooks = sorted(folder.glob("*.ipynb"))
    if len(notebooks) != 1:
        sys.exit(f"{folder}: expected one master notebook, found {len(notebooks)}")
    return notebooks[0]


def assignment_config(master):
    """The ASSIGNMENT CONFIG raw cell of a master notebook, as a dict."""
    import yaml

    notebook = json.loads(Path(master).read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "raw" and source.lstrip().startswith("# ASSIGNMENT CONFIG"):
            return yaml.safe_load(source) or {}
    sys.exit(f"{master}: no '# ASSIGNMENT CONFIG' raw cell")


def stage(master, folder):
    """Copy the master and the support files its config lists (course_data.py, data/...) into folder."""
    shutil.copy2(master, folder / master.name)
    for name in assignment_config(master).get("files", []):
        if name == "course_data.py":
            source = REPO / "notebooks" / "course_data.py"
        elif name.startswith("data/") and "/" not in name[len("data/"):]:
            source = REPO / name
        else:
            sys.exit(f"{master}: files may list course_data.py and data/<file> only, not {name!r}")
        if not source.is_file():
            sys.exit(f"{master}: {name} is listed in files, but {source} does not exist")
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, folder / name)


def build_one(letter, out, run_tests=True):
    """Run otter assign for one assignment into out/<letter_name>/; return that folder."""
    master = master_path(letter)
    result = out / ASSIGNMENTS[letter]
    with tempfile.TemporaryDirectory(prefix=f"assign-{letter}-") as tmp:
        stage(master, Path(tmp))
        run = subprocess.run(
            [sys.executable, "-m", "otter", "assign", str(Path(tmp) / master.name), str(result),
             *([] if run_tests else ["--no-run-tests"])],
            cwd=tmp, capture_output=True, text=True,
        )
    if run.returncode:
        raise RuntimeError(f"otter assign failed for assignment {letter} ({master}):\n{run.stdout}\n{run.stderr}")
    # otter names the zip <name>-autograder_<timestamp>.zip; a fixed name is easier to find.
    zips = sorted((result / "autograder").glob("*-autograder_*.zip"))
    if len(zips) != 1:
        raise RuntimeError(f"assignment {letter}: expected one autograder zip, found {zips}")
    zips[0].rename(result / "autograder" / f"{master.stem}-autograder.zip")
    return result


def build(letters, out, jobs, run_tests=True):
    out.mkdir(parents=True, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {letter: pool.submit(build_one, letter, out, run_tests) for letter in letters}
    failed = []
    for letter, future in futures.items():
        try:
            print(f"Assignment {letter}: {future.result()}")
        except RuntimeError as error:
            failed.append(str(error))
    if failed:
        sys.exit("\n\n".join(failed))


def autograder_zip(letter, built):
    zips = sorted((built / ASSIGNMENTS[letter] / "autograder").glob("*-autograder.zip"))
    if not zips:
        sys.exit(f"No autograder for assignment {letter} in {built}: run `make assignments` first")
    return zips[0]


def find_chromium():
    for name in (os.environ.get("CHROMIUM", ""), "chromium", "chromium-browser"):
        found = shutil.which(name) if name else None
        if found:
            return found
    return None


def playwright_browsers(folder, chromium):
    """Lay out folder as Playwright's browser folder, Debian's chromium standing in for the headless shell."""
    shell = Path(folder) / PLAYWRIGHT_SHELL
    shell.parent.mkdir(parents=True, exist_ok=True)
    if not shell.exists():
        shell.symlink_to(chromium)
    return Path(folder)


def export_written(submission, out):
    """Write out/<submission>-written.pdf: the manual (hand-graded) questions of a notebook,
    or of the notebook in a submission zip, via nbconvert's webpdf exporter; return its path."""
    from otter.export import export_notebook

    submission = Path(submission)
    dest = out / f"{submission.stem}-written.pdf"
    with tempfile.TemporaryDirectory(prefix="otter-pdf-") as tmp:
        notebook = submission
        if submission.suffix == ".zip":
            with zipfile.ZipFile(submission) as archive:
                names = [n for n in archive.namelist() if n.endswith(".ipynb") and "/" not in n]
                if len(names) != 1:
                    sys.exit(f"{submission}: expected one notebook in the zip, found {names}")
                archive.extract(names[0], tmp)
            notebook = Path(tmp) / names[0]
        export_notebook(str(notebook), dest=str(dest), filtering=True, pagebreaks=True, exporter_type="html")
    return dest


def grade_one(submission, zip_path, out, pdf):
    """Grade one submission with otter run (in this process); return its rows for scores.csv.

    A submission that cannot be graded (another assignment's notebook, a broken
    zip) gets one row, question "error", with otter's message; the others go on."""
    from otter.run import main as otter_run

    submission = Path(submission)
    try:
        with tempfile.TemporaryDirectory(prefix="otter-run-") as tmp:
            results = otter_run(str(submission), autograder=str(zip_path), output_dir=tmp, no_logo=True)
            shutil.copy(Path(tmp) / "results.json", out / f"{submission.stem}.json")
    except Exception as error:  # otter raises OtterRuntimeError, zipfile BadZipFile, ...
        return [{"submission": submission.name, "question": "error", "error": str(error)}]
    rows = [{"submission": submission.name, "question": name, "score": test.score, "possible": test.possible}
            for name, test in sorted(results.results.items())]
    rows.append({"submission": submission.name, "question": "total",
                 "score": results.total, "possible": results.possible})
    if pdf:
        export_written(submission, out)
    return rows


def pdf_browser():
    """Point Playwright at Debian's chromium; return the temporary folder to clean up (or None)."""
    chromium = find_chromium()
    if chromium:
        browsers = tempfile.TemporaryDirectory(prefix="playwright-browsers-")
        os.environ["PLAYWRIGHT_BROWSERS_PATH"] = str(playwright_browsers(browsers.name, chromium))
        return browsers
    if not os.environ.get("PLAYWRIGHT_BROWSERS_PATH"):
        sys.exit("No chromium found for the PDF export: install Debian's chromium "
                 "(apt-get install chromium), or set CHROMIUM to a Chromium or Chrome binary.")
    return None


def grade(letter, submissions, out, pdf, jobs, built):
    zip_path = autograder_zip(letter, built)
    out.mkdir(parents=True, exist_ok=True)
    browsers = pdf_browser() if pdf else None
    try:
        if jobs > 1 and len(submissions) > 1:
            # otter run changes the working directory, so parallel grading needs processes.
            context = multiprocessing.get_context("spawn")
            with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                count = len(submissions)
                all_rows = list(pool.map(grade_one, submissions, [zip_path] * count, [out] * count, [pdf] * count))
        else:
            all_rows = [grade_one(s, zip_path, out, pdf) for s in submissions]
    finally:
        if browsers:
            browsers.cleanup()
    with open(out / "scores.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["submission", "question", "score", "possible", "error"])
        writer.writeheader()
        for rows in all_rows:
            writer.writerows(rows)
    errors = 0
    for rows in all_rows:
        total = rows[-1]
        if total["question"] == "error":
            errors += 1
            print(f"{total['submission']}: NOT GRADED: {total['error']}")
        else:
            print(f"{total['submission']}: {total['score']:g} of {total['possible']:g} autograded points")
    print(f"Scores: {out / 'scores.csv'}" + (f"; written answers: {out}/*-written.pdf" if pdf else ""))
    if errors:
        sys.exit(f"{errors} submission(s) could not be graded; see scores.csv")


def export(notebooks, out):
    out.mkdir(parents=True, exist_ok=True)
    browsers = pdf_browser()
    try:
        for notebook in notebooks:
            print(f"{notebook.name}: {export_written(notebook, out)}")
    finally:
        if browsers:
            browsers.cleanup()


INSTRUCTOR_README = """\
# Instructor material: keep it private

Built by `make instructor` from book/instructor/assignments/; the "Assessment"
section of the Instructor guide explains how to hand out, collect and grade.

- `assignments/<letter_name>/student/`: what students receive: the notebook,
  with public tests only, and `course_data.py` and `data/` beside it.
- `assignments/<letter_name>/autograder/`: the solution notebook (with notes
  for graders in the written parts) and `<name>-autograder.zip`, which holds
  the hidden tests. From a copy of the course, grade with
  `python scripts/build_assignments.py grade <letter> SUBMISSION... --pdf --built <this folder>/assignments`,
  or one submission with `otter run -a <zip> SUBMISSION`.
{book_line}

This folder holds the solutions and the hidden tests: do not publish it.
"""


def instructor(out, jobs):
    if out.exists():
        shutil.rmtree(out)
    build(list(ASSIGNMENTS), out / "assignments", jobs)
    html = BUILD / "html"
    if (html / "index.html").is_file():
        shutil.copytree(html, out / "book")
        book_line = "- `book/`: the instructor edition of the book (`make book`), as built before this folder."
    else:
        book_line = "- The instructor edition of the book is not included: run `make book` first to add it."
    (out / "README.md").write_text(INSTRUCTOR_README.format(book_line=book_line), encoding="utf-8")
    print(f"Instructor material: {out}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    jobs = min(4, os.cpu_count() or 1)

    build_cmd = commands.add_parser("build", help="run otter assign for the assignments")
    build_cmd.add_argument("letters", nargs="*", metavar="LETTER", help="A, B, C or D (default: all four)")
    build_cmd.add_argument("--out", type=Path, default=BUILD / "assignments")
    build_cmd.add_argument("--jobs", type=int, default=jobs)
    build_cmd.add_argument("--no-run-tests", action="store_true",
                           help="skip otter's own grading of each solution notebook (the tests grade it)")

    grade_cmd = commands.add_parser("grade", help="grade submissions locally with otter run")
    grade_cmd.add_argument("letter", choices=list(ASSIGNMENTS))
    grade_cmd.add_argument("submissions", nargs="+", type=Path)
    grade_cmd.add_argument("--out", type=Path, default=Path("graded"))
    grade_cmd.add_argument("--pdf", action="store_true", help="also export the written answers to PDF")
    grade_cmd.add_argument("--built", type=Path, default=BUILD / "assignments",
                           help="the folder `build` wrote (default: _build/assignments)")
    grade_cmd.add_argument("--jobs", type=int, default=1)

    export_cmd = commands.add_parser("export", help="export the written answers of notebooks to PDF")
    export_cmd.add_argument("notebooks", nargs="+", type=Path, metavar="SUBMISSION")
    export_cmd.add_argument("--out", type=Path, default=Path("graded"))

    instructor_cmd = commands.add_parser("instructor", help="build everything an instructor needs, in one folder")
    instructor_cmd.add_argument("--out", type=Path, default=BUILD / "instructor")
    instructor_cmd.add_argument("--jobs", type=int, default=jobs)

    args = parser.parse_args(argv)
    if args.command == "build":
        unknown = [letter for letter in args.letters if letter not in ASSIGNMENTS]
        if unknown:
            parser.error(f"unknown assignment(s) {', '.join(unknown)}: choose from {', '.join(ASSIGNMENTS)}")
        build(args.letters or list(ASSIGNMENTS), args.out.resolve(), args.jobs, not args.no_run_tests)
    elif args.command in ("grade", "export"):
        files = args.submissions if args.command == "grade" else args.notebooks
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            sys.exit(f"No such file: {', '.join(missing)}")
        if args.command == "grade":
            grade(args.letter, [f.resolve() for f in files], args.out.resolve(), args.pdf,
                  args.jobs, args.built.resolve())
        else:
            export([f.resolve() for f in files], args.out.resolve())
    else:
        instructor(args.out.resolve(), args.jobs)


if __name__ == "__main__":
    main()
