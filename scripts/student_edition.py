"""Build the student edition of the course from the same source as the instructor edition.

    .venv/bin/python scripts/student_edition.py            # or: make student

writes, under _build/student/:
  source/      a copy of the course with every model answer taken out and
               the instructor pages left out of the table of contents
  _build/html  the student book, built from that copy (warnings are errors)
  notebooks/   the student notebooks, ready to hand out, with the helpers and
               data they need (notebooks/ and data/ side by side)

In the student copy of every chapter notebook:
  - each {solution} block is removed; in its place, right after the markdown
    cell that held it, come two new cells: a fixed "Write this in your
    notebook" box naming the exercise, and an empty markdown cell tagged
    "answer" for the student to type into. A cell that also held the next
    exercise is split, so that the exercise follows the answer cells;
  - the check cells (the code cells that compute an expected_ value and call
    check_answer) are removed, so no expected value reaches the student;
  - the answer cells (answer_1 = None ...) stay, with no outputs;
  - sentences that promise a solution to open or a check to run are
    rewritten (STUDENT_WORDING), and links to instructor pages unlinked.
The book pages (book/*.md) get the same wording and link changes.

The instructor edition is the normal book (make book), which keeps everything.
tests/test_student_edition.py compares every student notebook with its source,
cell by cell, and runs the student notebooks where they are handed out.
"""

from pathlib import Path
import argparse
import ast
import json
import re
import shutil
import subprocess
import sys
import sysconfig

import yaml

REPO = Path(__file__).resolve().parents[1]
# scripts/readable_citations.py: _ext/course_html.py needs it to turn citation links into citations.
COPY = ["book", "notebooks", "data", "_static", "_ext", "_config.yml", "_toc.yml", "references.bib",
        "scripts/readable_citations.py"]
INSTRUCTOR_ONLY = "book/instructor"
# The authors' chapter template holds a sample solution and is not a chapter: it stays out.
TEMPLATE = "notebooks/chapter_template.ipynb"
# A MyST solution block: ```{solution} label ... ``` (the fence may be longer than three backticks).
SOLUTION = re.compile(r"^(?P<fence>`{3,}|~{3,})\{solution\}[ \t]*(?P<label>[^\s`]*)[^\n]*\n.*?^(?P=fence)[ \t]*$\n?",
                      re.MULTILINE | re.DOTALL)
# A Markdown link to an instructor page, which the student edition leaves out.
INSTRUCTOR_LINK = re.compile(r"\[([^\]]+)\]\((?:\.\./)*(?:book/)?instructor/[^)]*\)")
UNLINKED = r"\1 (instructor edition)"
# An answer cell: the placeholder the student replaces (answer_1 = None  # replace None with ...).
ANSWER_CODE = re.compile(r"^answer_\w+\s*=\s*None\b")
ANSWER_TAG = "answer"
PROMPT_TAG = "answer-prompt"
PROMPT_TITLE = "Write this in your notebook"
# Sentences of the instructor edition that are not true of the student edition,
# and what the student reads instead. The patterns are anchored on whole
# phrases so that nothing else in a sentence changes.
STUDENT_WORDING = [
    (r"Try each(?: exercise)? before opening its solution\.",
     "Write your answers in the cells provided; your instructor has the model answers."),
    (r"The data exercises check your answer against the (?:register|data|tables) and, "
     r"if it is wrong, say how and give a hint\.",
     "For a data task, store your result in its answer cell and run that cell."),
    (r",? and run the check cell(?=\.)", ""),
    (r": the data exercises tell you whether your answer is right and, if it is not, give a hint(?=\.)", ""),
    (r"Written exercises have a model answer that you can open once you have tried\.",
     "Write your answers in the cells provided; your instructor has the model answers."),
    (r" with solutions hidden until you ask for them(?=\.)", ", each with a cell for your answer"),
]


def answer_prompt(label):
    """The fixed box that stands where a solution was, in the notebook and in the book.

    Plain HTML, so that JupyterLab shows a readable paragraph with or without
    jupyterlab-myst, and the book (with MyST's html_admonition) a tip box.
    """
    return (f'<div class="admonition tip">\n'
            f'<p class="admonition-title">{PROMPT_TITLE}</p>\n'
            f'<p>Write your answer to exercise <code>{label}</code> in the empty cell just below this box. '
            f'Code goes in a code cell: the exercise\'s <code>answer_</code> cell if it has one, or a new cell.</p>\n'
            f'</div>')


def student_wording(text):
    """The student edition's wording: no solution to open, no check to run, no link to instructor pages."""
    for pattern, replacement in STUDENT_WORDING:
        text = re.sub(pattern, replacement, text)
    return INSTRUCTOR_LINK.sub(UNLINKED, text)


def strip_solutions(text):
    """A book page (MyST text) for students: every {solution} block replaced by the answer box."""
    text = SOLUTION.sub(lambda m: answer_prompt(m.group("label")) + "\n", text)
    return student_wording(text)


def cell_source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def as_lines(text):
    return text.splitlines(keepends=True)


def is_check_cell(cell):
    """A code cell that computes an expected_ value and calls check_answer(...) with it."""
    if cell["cell_type"] != "code":
        return False
    try:
        tree = ast.parse(cell_source(cell))
    except SyntaxError:
        return False
    calls = any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "check_answer"
                for node in ast.walk(tree))
    expects = any(isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id.startswith("expected_")
                  for node in ast.walk(tree))
    return calls and expects


def is_answer_code(cell):
    return cell["cell_type"] == "code" and bool(ANSWER_CODE.match(cell_source(cell)))


def markdown_cell(cell_id, text, tags=()):
    cell = {"cell_type": "markdown", "id": cell_id[:64], "metadata": {"tags": list(tags)} if tags else {},
            "source": as_lines(text)}
    return cell


def trim(text):
    """Text without the blank lines around it (indentation of its first line kept)."""
    return re.sub(r"\A(?:[ \t]*\n)+", "", text).rstrip()


def split_at_solutions(cell):
    """The cells that replace a markdown cell holding {solution} blocks.

    Its text up to the first solution, then, for each solution, the answer
    box and a blank answer cell, then the text up to the next solution, and
    so on; text that is empty is left out.
    """
    text = cell_source(cell)
    cells, position, part = [], 0, 0

    def add_text(piece):
        nonlocal part
        piece = trim(student_wording(piece))
        if piece:
            new = dict(cell, source=as_lines(piece))
            if part:
                new["id"] = f"{cell.get('id', 'cell')}-{part}"[:64]
            cells.append(new)
            part += 1

    for number, block in enumerate(SOLUTION.finditer(text), start=1):
        add_text(text[position:block.start()])
        base = f"{cell.get('id', 'cell')}-answer-{number}"
        cells.append(markdown_cell(f"{base}-prompt", answer_prompt(block.group("label")), [PROMPT_TAG]))
        cells.append(markdown_cell(base, "", [ANSWER_TAG]))
        position = block.end()
    add_text(text[position:])
    return cells


def student_cells(cell):
    """What a source cell becomes in the student notebook: no cell, the cell itself, or several."""
    if is_check_cell(cell):
        return []
    if cell["cell_type"] == "markdown":
        if SOLUTION.search(cell_source(cell)):
            return split_at_solutions(cell)
        return [dict(cell, source=as_lines(student_wording(cell_source(cell))))]
    if is_answer_code(cell):
        return [dict(cell, outputs=[], execution_count=None)]
    return [cell]


def strip_notebook(path):
    """Rewrite a notebook, in place, as its student version; return how many check cells it lost."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = [new for cell in notebook["cells"] for new in student_cells(cell)]
    removed = sum(is_check_cell(cell) for cell in notebook["cells"])
    notebook["cells"] = cells
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return removed


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
            # my_verdicts.csv: an author's own verdicts (notebooks/my_verdicts.py) are not handed out.
            shutil.copytree(item, source / name,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "my_verdicts.csv"))
        elif item.exists():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(item, source / name)
    shutil.rmtree(source / INSTRUCTOR_ONLY, ignore_errors=True)
    (source / TEMPLATE).unlink(missing_ok=True)
    removed = 0
    for notebook in sorted((source / "notebooks").glob("*.ipynb")):
        removed += strip_notebook(notebook)
    for page in (source / "book").rglob("*.md"):
        page.write_text(strip_solutions(page.read_text(encoding="utf-8")), encoding="utf-8")
    toc_path = source / "_toc.yml"
    toc = drop_instructor_pages(yaml.safe_load(toc_path.read_text(encoding="utf-8")))
    toc_path.write_text(yaml.safe_dump(toc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    config_path = source / "_config.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["title"] = "(Student edition) " + config["title"]
    # The answer boxes are HTML <div class="admonition"> blocks; MyST turns them into real admonitions.
    extensions = config.setdefault("parse", {}).setdefault("myst_enable_extensions", [])
    if "html_admonition" not in extensions:
        extensions.append("html_admonition")
    config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    print(f"Student edition: {removed} check cells removed from the notebooks")
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
        # The tool beside this Python (a venv's bin/, conda's Scripts\), else on PATH.
        jupyter_book = (shutil.which("jupyter-book", path=sysconfig.get_path("scripts"))
                        or shutil.which("jupyter-book"))
        if not jupyter_book:
            sys.exit("jupyter-book is not installed with this Python: pip install -r requirements.txt")
        result = subprocess.run([str(jupyter_book), "build", str(source), "--path-output", str(out),
                                 "--warningiserror", "--nitpick", "--keep-going"])
        if result.returncode:
            sys.exit("The student edition did not build; see the warnings above.")
    book = "" if args.no_book else f"book in {out / '_build' / 'html'}, "
    print(f"Student edition: {book}notebooks in {out / 'notebooks'}")


if __name__ == "__main__":
    main()
