"""Build the student edition of the course from the same source as the instructor edition.

    .venv/bin/python scripts/student_edition.py            # or: make student

writes, under _build/student/:
  source/      a copy of the course with every exercise solution removed and
               the instructor pages left out of the table of contents
  _build/html  the student book, built from that copy (warnings are errors)
  notebooks/   the student notebooks, ready to hand out, with the helpers and
               data they need (notebooks/ and data/ side by side)

The instructor edition is the normal book (make book), which keeps everything.
tests/test_student_edition.py proves that no solution text reaches the
student HTML or notebooks.
"""

from pathlib import Path
import argparse
import json
import re
import shutil
import subprocess
import sys

import yaml

REPO = Path(__file__).resolve().parents[1]
COPY = ["book", "notebooks", "data", "_static", "_ext", "_config.yml", "_toc.yml", "references.bib"]
INSTRUCTOR_ONLY = "book/instructor"
# A MyST solution block: ```{solution} label ... ``` (the fence may be longer than three backticks).
SOLUTION = re.compile(r"^(?P<fence>`{3,}|~{3,})\{solution\}[^\n]*\n.*?^(?P=fence)[ \t]*$\n?", re.MULTILINE | re.DOTALL)
# A Markdown link to an instructor page, which the student edition leaves out.
INSTRUCTOR_LINK = re.compile(r"\[([^\]]+)\]\((?:\.\./)*(?:book/)?instructor/[^)]*\)")
BLANK = "```{admonition} Your answer\n:class: tip\nWrite your answer here; your instructor has the model answer.\n```\n"


def strip_solutions(text):
    """Replace every {solution} block in MyST text by a blank answer box, and unlink instructor pages."""
    text = SOLUTION.sub(BLANK, text)
    return INSTRUCTOR_LINK.sub(r"\1 (instructor edition)", text)


def strip_notebook(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = strip_solutions(source)
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def drop_instructor_pages(toc):
    """Remove table-of-contents entries (and emptied parts) under book/instructor/."""
    for part in toc.get("parts", []):
        part["chapters"] = [c for c in part.get("chapters", []) if not c.get("file", "").startswith(INSTRUCTOR_ONLY)]
    toc["parts"] = [p for p in toc.get("parts", []) if p["chapters"]]
    return toc


def make_source(out):
    source = out / "source"
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    for name in COPY:
        item = REPO / name
        if item.is_dir():
            shutil.copytree(item, source / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        elif item.exists():
            shutil.copy2(item, source / name)
    shutil.rmtree(source / INSTRUCTOR_ONLY, ignore_errors=True)
    for notebook in (source / "notebooks").glob("*.ipynb"):
        strip_notebook(notebook)
    for page in (source / "book").rglob("*.md"):
        page.write_text(strip_solutions(page.read_text(encoding="utf-8")), encoding="utf-8")
    toc_path = source / "_toc.yml"
    toc = drop_instructor_pages(yaml.safe_load(toc_path.read_text(encoding="utf-8")))
    toc_path.write_text(yaml.safe_dump(toc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    config = source / "_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'title: "Reading an argument with data', 'title: "(Student edition) Reading an argument with data', 1), encoding="utf-8")
    return source


def export_notebooks(source, out):
    target = out / "notebooks"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copytree(source / "notebooks", target / "notebooks", ignore=shutil.ignore_patterns("chapter_template.ipynb"))
    shutil.copytree(source / "data", target / "data", ignore=shutil.ignore_patterns("scripts", "provenance"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "_build" / "student", help="output folder")
    parser.add_argument("--no-book", action="store_true", help="only prepare the source and the notebooks")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    source = make_source(out)
    export_notebooks(source, out)
    if not args.no_book:
        jupyter_book = Path(sys.executable).parent / "jupyter-book"
        result = subprocess.run([str(jupyter_book), "build", str(source), "--path-output", str(out),
                                 "--warningiserror", "--nitpick", "--keep-going"])
        if result.returncode:
            sys.exit("The student edition did not build; see the warnings above.")
    print(f"Student edition: book in {out / '_build' / 'html'}, notebooks in {out / 'notebooks'}")


if __name__ == "__main__":
    main()
