"""One source, two editions: the student edition (scripts/student_edition.py)
holds no model answer and no expected value, in its HTML or in its notebooks,
and keeps every exercise; the instructor edition (the normal book) keeps the
solutions.

The student notebooks are checked by difference, not by pattern: each one is
compared with its source notebook cell by cell, with rules written here, not
taken from the script. Every source cell except a check cell must come back
unchanged (source and outputs), apart from the approved rewordings listed in
REWORDED; a markdown cell that held {solution} blocks comes back without
them, split where a solution stood, with a fixed answer box and a blank
answer cell in each solution's place. Nothing else may be added. Then the
student notebooks are run where they are handed out.
"""

from difflib import SequenceMatcher
import copy
import json
import re
import sys
import time

import pytest

from conftest import NOTEBOOK_DIR, REPO_ROOT, cell_text, handout_notebooks, read_notebook

sys.path.insert(0, str(REPO_ROOT / "scripts"))
from student_edition import STUDENT_WORDING, UNLINKED, answer_prompt, main as build_student_edition  # noqa: E402

# A check cell: code that computes an expected_ value and gives it to check_answer(...).
CHECK_CALL = re.compile(r"\bcheck_answer\s*\(")
EXPECTED = re.compile(r"\bexpected_\w*\s*=(?!=)")
ANSWER_CODE = re.compile(r"^answer_\w+\s*=")
# Wording that must not reach a student: a solution to open, a check cell to run.
FORBIDDEN_WORDING = re.compile(
    r"\bopen(?:ing)?\s+(?:the|its|a|each)\s+(?:model\s+)?solutions?\b|model answers? that you can open"
    r"|solutions? hidden|\bcheck cell|\bcheck your answer", re.IGNORECASE)
FORBIDDEN_STRINGS = ["check_answer(", "expected_", "{solution}"]
# check_answer's verdict on a right answer.
RIGHT = "Right:"
# The only passages of a source cell that the student edition may reword.
REWORDED = [re.compile(pattern) for pattern in (
    r"Try each(?: exercise)? before opening its solution\.",
    r"The data exercises check your answer against the \w+ and, if it is wrong, say how and give a hint\.",
    r",? and run the check cell",
    r": the data exercises tell you whether your answer is right and, if it is not, give a hint",
    r"Written exercises have a model answer that you can open once you have tried\.",
    r" with solutions hidden until you ask for them",
    r"\[[^\]\n]+\]\((?:\.\./)*(?:book/)?instructor/[^)\s]*\)",  # a link to an instructor page
)]
TOKEN = re.compile(r"\w+|[^\w\s]")
# The words the student edition may put in their place: those of its replacements.
REPLACEMENT_WORDS = {token for _, new in STUDENT_WORDING for token in TOKEN.findall(new)} | set(
    TOKEN.findall(UNLINKED.replace(r"\1", "")))


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def is_check_cell(cell):
    return cell["cell_type"] == "code" and bool(CHECK_CALL.search(source(cell)) and EXPECTED.search(source(cell)))


def split_solutions(text):
    """(the text between {solution} blocks, the blocks' labels, the blocks' text), read line by line.

    A block opens with a fence of three or more backticks or tildes followed
    by {solution}, and closes at a line holding only a fence of the same
    character, at least as long.
    """
    segments, labels, blocks = [[]], [], []
    fence = None
    for line in text.splitlines(keepends=True):
        if fence is None:
            opening = re.match(r"^(`{3,}|~{3,})\{solution\}[ \t]*(\S*)", line)
            if opening:
                fence = opening.group(1)
                labels.append(opening.group(2))
                blocks.append([line])
            else:
                segments[-1].append(line)
        else:
            blocks[-1].append(line)
            closing = line.strip()
            if closing and set(closing) == {fence[0]} and len(closing) >= len(fence):
                fence = None
                segments.append([])
    assert fence is None, f"a {{solution}} block is not closed: {''.join(blocks[-1])[:80]!r}"
    return ["".join(s) for s in segments], labels, ["".join(b) for b in blocks]


def output_text(output):
    """The text an output shows (streams, text/* data, errors); images are left out."""
    parts = [output.get("text", "")]
    for kind, value in output.get("data", {}).items():
        if kind.startswith("text/") or kind.endswith("json"):
            parts.append(value if isinstance(value, str) else "".join(value) if isinstance(value, list) else json.dumps(value))
    parts += [output.get("ename", ""), output.get("evalue", "")]
    return "".join("".join(p) if isinstance(p, list) else p for p in parts)


def solution_lines():
    """Distinctive lines that occur only inside solutions (long enough not to occur by chance).

    A line that the chapter also shows outside its solutions (the same code in
    a worked example, say) is not a secret, so it is not counted.
    """
    lines, elsewhere = set(), set()
    for notebook in handout_notebooks():
        for cell in read_notebook(notebook)["cells"]:
            text = source(cell)
            if cell["cell_type"] == "markdown":
                segments, _, blocks = split_solutions(text)
                for block in blocks:
                    for line in block.splitlines()[1:-1]:
                        line = line.strip()
                        if len(line) >= 40 and not line.startswith(":"):
                            lines.add(line)
                text = "".join(segments)
            elsewhere |= {line.strip() for line in text.splitlines() if len(line.strip()) >= 40}
    # Substrings count too: a solution line may be part of a longer line the chapter shows.
    return {line for line in lines if not any(line in other for other in elsewhere)}


def reworded_only(before, after):
    """None when `after` is `before` with only approved rewordings; else what changed.

    Compares words and punctuation (so blank lines at a split do not count):
    every passage of `before` that changed must lie inside a REWORDED
    passage, and every word that came in must be one of the replacements'.
    """
    old, new = list(TOKEN.finditer(before)), list(TOKEN.finditer(after))
    spans = []
    for low, high in sorted(m.span() for pattern in REWORDED for m in pattern.finditer(before)):
        if spans and not before[spans[-1][1]:low].strip():  # reworded passages side by side count as one
            spans[-1] = (spans[-1][0], max(high, spans[-1][1]))
        else:
            spans.append((low, high))
    matcher = SequenceMatcher(None, [t.group() for t in old], [t.group() for t in new], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        start = old[i1].start() if i1 < len(old) else len(before)
        end = old[i2 - 1].end() if i2 > i1 else start
        inside = any(low <= start and end <= high for low, high in spans)
        added = [t.group() for t in new[j1:j2]]
        if not inside or any(word not in REPLACEMENT_WORDS for word in added):
            was = before[max(0, start - 30):end + 30]
            now = after[new[j1].start():new[j2 - 1].end()] if j2 > j1 else "(nothing)"
            return f"differs from the source: near {was!r}, {before[start:end]!r} became {now!r}"
    return None


def expected_cells(notebook):
    """What the student notebook must hold, worked out from the source notebook alone.

    A list of (kind, what, source index): kind is "same" (the cell, unchanged),
    "text" (markdown that may only be reworded), "answer-code" (an answer
    cell, unchanged and with no outputs), "prompt" (the answer box of a
    solution's label) or "blank" (an empty markdown cell tagged answer).
    """
    expected = []
    for index, cell in enumerate(notebook["cells"]):
        if is_check_cell(cell):
            continue
        if cell["cell_type"] == "markdown":
            segments, labels, _ = split_solutions(source(cell))
            for number, segment in enumerate(segments):
                if segment.strip():
                    expected.append(("text", segment, index))
                if number < len(labels):
                    expected += [("prompt", labels[number], index), ("blank", None, index)]
        elif ANSWER_CODE.match(source(cell)):
            expected.append(("answer-code", cell, index))
        else:
            expected.append(("same", cell, index))
    return expected


def cell_mismatch(kind, what, cell):
    """None when student `cell` is what the source requires; else why not."""
    text = source(cell)
    if kind == "same":
        if cell["cell_type"] != what["cell_type"] or text != source(what):
            return f"is not the source cell: {text[:80]!r} instead of {source(what)[:80]!r}"
        if cell.get("outputs", []) != what.get("outputs", []):
            return "has outputs that differ from the source's"
        return None
    if kind == "answer-code":
        if cell["cell_type"] != "code" or text != source(what):
            return f"is an answer cell that is not blank: {text[:80]!r} instead of the placeholder {source(what)!r}"
        if cell.get("outputs"):
            return f"is an answer cell with stored outputs: {output_text(cell['outputs'][0])[:80]!r}"
        return None
    if cell["cell_type"] != "markdown":
        return f"is a {cell['cell_type']} cell where a markdown cell belongs: {text[:80]!r}"
    if kind == "text":
        if {"answer", "answer-prompt"} & set(tags(cell)):
            return "is tagged as an answer cell where the exercise text belongs"
        return reworded_only(what, text)
    if kind == "prompt":
        if text.strip() != answer_prompt(what).strip():
            return f"is not the answer box of exercise {what}: {text[:80]!r}"
        return None
    if "answer" not in tags(cell) or text != "":
        return f"is not a blank answer cell tagged 'answer': {text[:80]!r}"
    return None


def compare_with_source(source_notebook, student_notebook, name):
    """The problems of a student notebook, compared cell by cell with its source; [] when there are none.

    Stops at the first cell out of place, since the cells after it cannot be
    lined up.
    """
    expected = expected_cells(source_notebook)
    cells = student_notebook["cells"]
    for number, (kind, what, index) in enumerate(expected):
        if number >= len(cells):
            return [f"{name}: the student notebook ends at cell {number}; source cell {index} ({kind}) is missing"]
        cell = cells[number]
        if is_check_cell(cell):
            return [f"{name}: student cell {number} is a check cell (it computes an expected_ value and calls "
                    f"check_answer); check cells must be removed: {source(cell)[:80]!r}"]
        problem = cell_mismatch(kind, what, cell)
        if problem:
            return [f"{name}: student cell {number} (from source cell {index}) {problem}"]
    extra = cells[len(expected):]
    if extra:
        return [f"{name}: student cell {len(expected)} is an extra cell with no source: {source(extra[0])[:80]!r}"]
    return []


def leaks(student_notebook, name, hidden):
    """Whatever in a student notebook could give an answer away, by cell; [] when nothing does."""
    problems = []
    for number, cell in enumerate(student_notebook["cells"]):
        text = source(cell)
        shown = "\n".join(output_text(output) for output in cell.get("outputs", []))
        where = f"{name}: student cell {number}"
        for string in FORBIDDEN_STRINGS:
            if string in text or string in shown:
                problems.append(f"{where} contains {string!r}")
        wording = FORBIDDEN_WORDING.search(text + "\n" + shown)
        if wording:
            problems.append(f"{where} promises what the student edition does not have: {wording.group()!r}")
        if RIGHT in shown:
            problems.append(f"{where} has a stored output with check_answer's verdict {RIGHT!r}: {shown[:80]!r}")
        leaked = [line for line in hidden if line in text or line in shown]
        if leaked:
            problems.append(f"{where} shows solution text: {leaked[0]!r}")
        if "answer" in tags(cell) and cell["cell_type"] == "markdown" and text:
            problems.append(f"{where} is an answer cell that is not blank: {text[:80]!r}")
        if cell["cell_type"] == "code" and ANSWER_CODE.match(text) and (cell.get("outputs") or " None" not in text):
            problems.append(f"{where} is an answer cell that is filled in or has outputs: {text[:80]!r}")
    return problems


def visible_text(html):
    """The text of an HTML page, with tags removed and entities decoded."""
    from bs4 import BeautifulSoup

    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    build_student_edition(["--out", str(out)])
    return out


@pytest.fixture(scope="module")
def hidden():
    return solution_lines()


def student_notebooks(student):
    return sorted((student / "notebooks" / "notebooks").glob("*.ipynb"))


def test_there_are_solutions_to_hide(hidden):
    assert len(hidden) >= 20, "found too few solution lines; is the solution parser still right?"


def test_the_answer_box_and_rewordings_promise_nothing():
    box = answer_prompt("ch01-ex-example")
    assert "Write this in your notebook" in box and "ch01-ex-example" in box
    for text in [box] + [new for _, new in STUDENT_WORDING]:
        assert not FORBIDDEN_WORDING.search(text), text
        assert not any(string in text for string in FORBIDDEN_STRINGS + [RIGHT]), text


def test_student_notebooks_differ_from_their_sources_only_as_allowed(student):
    notebooks = student_notebooks(student)
    # Every notebook but the chapter template is handed out: the chapters and the primer.
    assert [n.name for n in notebooks] == [n.name for n in handout_notebooks()]
    problems, checks, solutions = [], 0, 0
    for notebook in notebooks:
        original = read_notebook(NOTEBOOK_DIR / notebook.name)
        checks += sum(is_check_cell(cell) for cell in original["cells"])
        solutions += sum(len(split_solutions(source(c))[1]) for c in original["cells"] if c["cell_type"] == "markdown")
        problems += compare_with_source(original, read_notebook(notebook), notebook.name)
    assert not problems, "\n".join(problems)
    assert checks >= 20 and solutions >= 40, f"only {checks} check cells and {solutions} solutions: is the parser right?"


def test_nothing_in_the_student_notebooks_gives_an_answer_away(student, hidden):
    problems = []
    for notebook in student_notebooks(student):
        cells = read_notebook(notebook)
        problems += leaks(cells, notebook.name, hidden)
        text = "\n".join(cell_text(c) for c in cells["cells"])
        if "{exercise}" not in text:
            problems.append(f"{notebook.name} lost its exercises")
    assert not problems, "\n".join(problems)


PLANTED = {
    "solution text moved into the exercise": "shows solution text",
    "a filled-in answer cell with a verdict below it": "Right:",
    "a check cell left in": "is a check cell",
    # Too short for the solution-line scan: only the comparison with the source sees it.
    "a hint added to the exercise": "differs from the source",
}


@pytest.mark.parametrize("planted", PLANTED)
def test_a_planted_leak_is_caught(student, hidden, tmp_path, planted):
    """Plant a leak in a copy of a student notebook: the comparison must report it, naming notebook and cell."""
    name = "02_division.ipynb"
    original = read_notebook(NOTEBOOK_DIR / name)
    copied = tmp_path / name
    copied.write_text((student / "notebooks" / "notebooks" / name).read_text(encoding="utf-8"), encoding="utf-8")
    notebook = read_notebook(copied)
    cells = notebook["cells"]
    answers = [n for n, c in enumerate(cells) if c["cell_type"] == "code" and ANSWER_CODE.match(source(c))]
    if planted == "solution text moved into the exercise":
        exercise = next(n for n, c in enumerate(cells) if "ch02-ex-war-days" in source(c) and "{exercise}" in source(c))
        block = next(b for c in original["cells"] if c["cell_type"] == "markdown"
                     for b, label in zip(split_solutions(source(c))[2], split_solutions(source(c))[1])
                     if label == "ch02-ex-war-days")
        body = "\n".join(block.splitlines()[3:-1])
        cells[exercise]["source"] = source(cells[exercise]).rstrip("`\n") + "\n\n" + body + "\n```"
        where = exercise
    elif planted == "a filled-in answer cell with a verdict below it":
        where = answers[1]
        cells[where]["source"] = ["answer_2 = 8"]
        cells[where]["outputs"] = [{"name": "stdout", "output_type": "stream", "text": ["Right: 8.\n"]}]
    elif planted == "a hint added to the exercise":
        where = next(n for n, c in enumerate(cells) if "ch02-ex-war-days" in source(c) and "{exercise}" in source(c))
        cells[where]["source"] = source(cells[where]).replace("Why might", "(Subtract, then take .days.) Why might")
    else:
        check = next(c for c in original["cells"] if is_check_cell(c))
        where = answers[0] + 1
        cells.insert(where, copy.deepcopy(check))
    copied.write_text(json.dumps(notebook, indent=1, ensure_ascii=False), encoding="utf-8")

    problems = compare_with_source(original, read_notebook(copied), name) + leaks(read_notebook(copied), name, hidden)
    assert problems, f"the planted leak ({planted}) was not caught"
    assert any(problem.startswith(f"{name}: student cell {where} ") for problem in problems), problems
    assert any(PLANTED[planted] in problem for problem in problems), problems


def test_no_solution_text_in_student_html(student, hidden):
    hidden = {" ".join(visible_text(line).split()) for line in hidden}
    html_root = student / "_build" / "html"
    pages = list(html_root.rglob("*.html"))
    assert pages, "the student book was not built"
    problems = []
    for page in pages:
        if "_static" in page.parts:
            continue
        name = page.relative_to(html_root)
        text = visible_text(page.read_text(encoding="utf-8"))
        leaked = [line for line in hidden if len(line) >= 40 and line in text]
        if leaked:
            problems.append(f"{name} leaks solution text: {leaked[0]!r}")
        problems += [f"{name} shows {string!r}" for string in FORBIDDEN_STRINGS + [RIGHT] if string in text]
        wording = FORBIDDEN_WORDING.search(text)
        if wording:
            problems.append(f"{name} promises what the student edition does not have: {wording.group()!r}")
    # The book also offers each page's source for download: those copies must be the student ones.
    for copied in html_root.rglob("_sources/**/*"):
        if copied.is_file() and "{solution}" in copied.read_text(encoding="utf-8", errors="replace"):
            problems.append(f"{copied.relative_to(html_root)} holds a solution block")
    assert not problems, "\n".join(problems)
    assert not (html_root / "book" / "instructor").exists(), "the instructor pages reached the student edition"


def test_each_solution_became_a_box_in_the_student_html(student):
    from bs4 import BeautifulSoup

    html_root = student / "_build" / "html"
    for notebook in handout_notebooks():
        labels = [label for c in read_notebook(notebook)["cells"] if c["cell_type"] == "markdown"
                  for label in split_solutions(source(c))[1]]
        soup = BeautifulSoup((html_root / "notebooks" / f"{notebook.stem}.html").read_text(encoding="utf-8"), "html.parser")
        boxes = [box for box in soup.select("div.admonition") if "Write this in your notebook" in box.get_text()]
        assert len(boxes) == len(labels), f"{notebook.stem}.html: {len(boxes)} answer boxes for {len(labels)} solutions"
        for box, label in zip(boxes, labels):
            assert label in box.get_text(), f"{notebook.stem}.html: the box for {label} is out of place"


def test_student_notebooks_run_where_they_are_handed_out(student):
    """Run every student notebook from the folder it is handed out in (data/ beside it): no cell may fail."""
    import nbformat
    from nbclient import NotebookClient

    folder = student / "notebooks" / "notebooks"
    assert (folder / "course_data.py").exists() and (folder / "self_check.py").exists()
    assert (student / "notebooks" / "data" / "datapackage.json").exists()
    problems, started = [], time.monotonic()
    for path in student_notebooks(student):
        notebook = nbformat.read(path, as_version=4)
        NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(folder)}}).execute()
        for number, cell in enumerate(notebook.cells):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    problems.append(f"{path.name}: cell {number} failed: {output.ename}: {output.evalue[:200]}")
                elif RIGHT in output_text(output):
                    problems.append(f"{path.name}: cell {number} printed a verdict: {output_text(output)[:80]!r}")
    print(f"ran {len(student_notebooks(student))} student notebooks in {time.monotonic() - started:.0f} s")
    assert not problems, "\n".join(problems)


def test_instructor_edition_keeps_solutions():
    text = "\n".join(cell_text(c) for c in read_notebook(NOTEBOOK_DIR / "01_reading_the_article.ipynb")["cells"])
    assert re.search(r"\{solution\}", text)
