"""The graded seminar assignments (otter-grader 7.0.0): four master notebooks in
book/instructor/assignments/, built by scripts/build_assignments.py.

The masters are checked against the rubrics of book/instructor/assignments.md.
They are then built once per session (into a temporary folder) and, for each
assignment, three notebooks are graded locally with otter run: the solution
(full marks), the solution with every answer replaced by a wrong value of the
right form (it must lose exactly the points of the hidden tests), and the
student notebook left unanswered (no autograded point). The student notebook
must hold no solution and no hidden test; the autograder zip must hold the
hidden tests; the PDF of the written answers must hold what the student wrote;
and the published book must hold none of it.
"""

import ast
import concurrent.futures
import csv
import html
import json
import re
import shutil
import subprocess
import sys
import zipfile

import pytest
import yaml

from conftest import REPO_ROOT, cell_text, read_notebook, skip_or_fail, toc_files, toc_page_path

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import build_assignments  # noqa: E402

SCRIPT = REPO_ROOT / "scripts" / "build_assignments.py"
LETTERS = list(build_assignments.ASSIGNMENTS)
RUBRICS = REPO_ROOT / "book" / "instructor" / "assignments.md"
SOLUTION_TAG = "otter_assign_solution_cell"
ANSWER_TAG = "otter_answer_cell"

# For each autograded question, code appended to its solution cell that keeps
# the answer's form (type, shape, range: the public tests pass) and makes its
# value wrong (the hidden tests fail).
WRONG = {
    "A": {
        "q1": "n_testable = n_testable + 1",
        "q2": 'verdicts_by_type = verdicts_by_type.rename(index={"causal": "empirical", "empirical": "causal"})',
        "q3": 'my_claims = ["C10", "C14", "C18"]',
        "q4": 'my_register_rows = my_register_rows.assign(chapter_id="ch01")',
    },
    "B": {
        "q1": "share_year, china_share = share_year - 1, china_share - 1.0",
        "q2": 'n_sanctions, last_sanctions = n_sanctions - 1, sorted(sanctions["date_adopted"])[0]',
        "q3": "launches_by_year = launches_by_year + 1",
        "q4": "trade_vs_2019_pct = trade_vs_2019_pct + 5.0",
    },
    "C": {
        "q1": "n_summits, summits_2018 = n_summits + 1, summits_2018 - 1",
        "q2": "talks_to_beijing_days, beijing_to_summit_days = beijing_to_summit_days, talks_to_beijing_days",
        "q3": "russia_since_2022 = russia_since_2022.iloc[:-1]",
        "q4": ('not_held_2018_2021, first_held_again = not_held_2018_2021 - 1, '
               'exercises.loc[exercises["start_date"] > "2018-06-12", "start_date"].min()'),
    },
    "D": {
        "q1": "rule_1_per_year = rule_1_per_year + 1",
        "q2": "rule_2_per_year = rule_2_per_year + 1",
        "q3": "window_counts = window_counts + 1",
        "q4": "fewer_after_rule_1, rules_agree = (fewer_after_rule_1 + 1) % (len(window_counts) + 1), not rules_agree",
    },
}


def sentence(letter):
    """What the test writes into a written answer, to find in the PDF."""
    return f"Heron {letter} counts the launches at dawn."


# --- Reading a master ---------------------------------------------------------

def unparsed(code):
    """Each top-level statement of code as otter writes it into a test (ast.unparse, one line each)."""
    return [ast.unparse(node) for node in ast.parse(code).body]


def read_test_config(source):
    match = re.match(r'\s*"""\s*#\s*BEGIN TEST CONFIG\n(.*?)"""\s*#\s*END TEST CONFIG\n?', source, re.S)
    if not match:
        return {}, source
    return yaml.safe_load(match.group(1)) or {}, source[match.end():]


def parse_master(path):
    """Questions (with their tests), solution lines and hidden-test code of an otter master notebook."""
    questions, solution_code, solution_prose, public_text = [], [], [], []
    question, block = None, None
    for cell in read_notebook(path)["cells"]:
        source = cell_text(cell)
        if cell["cell_type"] == "raw":
            first = source.strip().splitlines()[0] if source.strip() else ""
            if first == "# BEGIN QUESTION":
                question = {**yaml.safe_load(source), "tests": [], "prompt": ""}
                questions.append(question)
            elif first == "# END QUESTION":
                question = None
            elif first.startswith("# BEGIN "):
                block = first[len("# BEGIN "):]
            elif first.startswith("# END "):
                block = None
            continue
        if block == "TESTS":
            config, body = read_test_config(source)
            question["tests"].append({"hidden": bool(config.get("hidden")), "code": body})
            if not config.get("hidden"):
                public_text.append(body)
        elif block == "SOLUTION":
            if cell["cell_type"] == "markdown":
                solution_prose += [line.strip() for line in source.splitlines() if line.strip()]
            else:
                inside = False
                for line in source.splitlines():
                    marker = line.rstrip()
                    if re.search(r"# BEGIN SOLUTION( NO PROMPT)?$", marker):
                        inside = True
                    elif marker.endswith("# END SOLUTION"):
                        inside = False
                    elif inside or re.search(r"# SOLUTION( NO PROMPT)?$", marker):
                        solution_code.append(re.sub(r"\s*# SOLUTION( NO PROMPT)?$", "", line).strip())
                    else:
                        public_text.append(line)
        else:
            public_text.append(source)
            if question is not None and cell["cell_type"] == "markdown" and not question["prompt"]:
                question["prompt"] = source
    for question in questions:
        points = question.get("points")
        tests = question["tests"]
        if isinstance(points, list):
            assert len(points) == len(tests), f"{path.name}, {question['name']}: one point value per test"
            for test, value in zip(tests, points):
                test["points"] = value
        else:
            for test in tests:
                test["points"] = (points if points is not None else 1) / len(tests)
    # Lines too short to be distinctive (counts = {}) say nothing about a leak.
    code = sorted({line for line in solution_code if len(line) >= 12})
    prose = sorted(set(solution_prose))
    hidden = []
    for question in questions:
        for test in question["tests"]:
            if test["hidden"]:
                lines = [line.strip() for line in test["code"].splitlines() if line.strip()]
                hidden.append({"question": question["name"], "statements": unparsed(test["code"]), "lines": lines})
    return {"questions": questions, "solution_lines": code + prose, "solution_code": code,
            "solution_prose": prose, "hidden": hidden, "public": "\n".join(public_text)}


MASTERS = {letter: build_assignments.master_path(letter) for letter in LETTERS}
PARSED = {letter: parse_master(path) for letter, path in MASTERS.items()}


def autograded(letter):
    return [q for q in PARSED[letter]["questions"] if not q.get("manual")]


def manual(letter):
    return [q for q in PARSED[letter]["questions"] if q.get("manual")]


def possible(letter):
    return sum(t["points"] for q in autograded(letter) for t in q["tests"])


def hidden_points(letter):
    return sum(t["points"] for q in autograded(letter) for t in q["tests"] if t["hidden"])


def rubric(letter):
    """(criterion, full table row, top points) for each row of the assignment's rubric in assignments.md."""
    text = RUBRICS.read_text(encoding="utf-8")
    section = text.split(f"## Assignment {letter}:", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 5 and re.search(r"\*\*\d", cells[1]):
            rows.append((cells[0], line, max(int(n) for n in re.findall(r"\*\*(\d+)", cells[1]))))
    return rows


def notebook_text(path):
    """Everything a notebook carries as text: cell sources and outputs, and the tests in its metadata."""
    notebook = read_notebook(path)
    parts = [cell_text(cell) for cell in notebook["cells"]]
    parts += [json.dumps(cell.get("outputs", [])) for cell in notebook["cells"]]
    for test in notebook["metadata"].get("otter", {}).get("tests", {}).values():
        parts += [case["code"] for suite in test["suites"] for case in suite["cases"]]
    parts.append(json.dumps(notebook["metadata"]))
    return "\n".join(parts)


# --- The masters, without building ---------------------------------------------

def test_masters_stay_out_of_the_book():
    in_toc = {str(REPO_ROOT / entry) for entry in toc_files()}
    for letter, master in MASTERS.items():
        assert str(master.with_suffix("")) not in in_toc, f"{master.relative_to(REPO_ROOT)} is in _toc.yml"
    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config.get("only_build_toc_files") is True, "_config.yml must build only the files in _toc.yml"


@pytest.mark.parametrize("letter", LETTERS)
def test_written_parts_follow_the_rubric(letter):
    """One manual question per rubric row, showing the row, worth its top mark (25 points in all)."""
    rows = rubric(letter)
    questions = manual(letter)
    assert [q["points"] for q in questions] == [top for _, _, top in rows], (
        f"assignment {letter}: the written parts' points differ from the rubric in assignments.md")
    assert sum(top for _, _, top in rows) == 25
    for question, (criterion, row, _) in zip(questions, rows):
        assert criterion in question["prompt"] and row in question["prompt"], (
            f"assignment {letter}, {question['name']}: the prompt does not show the rubric row {criterion!r} "
            "as assignments.md has it")
        assert not question["tests"]


@pytest.mark.parametrize("letter", LETTERS)
def test_data_questions_have_public_and_hidden_tests(letter):
    questions = autograded(letter)
    assert 3 <= len(questions) <= 5, f"assignment {letter}: {len(questions)} data questions"
    for question in questions:
        kinds = [t["hidden"] for t in question["tests"]]
        assert False in kinds and True in kinds, (
            f"assignment {letter}, {question['name']}: needs a public test (feedback) and a hidden test (the grade)")
        assert WRONG[letter].get(question["name"]), f"no wrong answer for {letter} {question['name']} in WRONG"


@pytest.mark.parametrize("letter", LETTERS)
def test_masters_public_parts_hold_no_secret(letter):
    """No solution line or hidden check is repeated where students see it (a prompt, a public test,
    code outside the solution markers), so that a leak into the student notebook can be detected."""
    parsed = PARSED[letter]
    secrets = parsed["solution_lines"] + [s for h in parsed["hidden"] for s in h["statements"] + h["lines"]]
    shown = [s for s in secrets if s in parsed["public"]]
    assert not shown, f"assignment {letter}: the master's public parts repeat {shown[:3]}"


@pytest.mark.parametrize("letter", LETTERS)
def test_support_files_and_pins(letter):
    """The tables an assignment ships exist, and its grading environment pins what requirements.txt pins."""
    config = build_assignments.assignment_config(MASTERS[letter])
    assert config["name"] == MASTERS[letter].stem
    assert "course_data.py" in config["files"] and "data/datapackage.json" in config["files"]
    for name in config["files"]:
        assert (REPO_ROOT / ("notebooks" if name == "course_data.py" else "") / name).is_file(), name
    pins = dict(line.split("==") for line in (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
                if "==" in line and not line.startswith("#"))
    assert pins.get("otter-grader") == "7.0.0"
    for requirement in config["requirements"]:
        name, version = requirement.split("==")
        assert pins.get(name) == version, f"assignment {letter} pins {requirement}; requirements.txt has {pins.get(name)}"
    assert config["generate"]["show_hidden"] is False


# --- Built and graded once per session -----------------------------------------

@pytest.fixture(scope="session")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("assignments")
    # otter assign's own grading of the solutions is skipped: the tests below grade them.
    result = subprocess.run([sys.executable, str(SCRIPT), "build", "--out", str(out), "--jobs", "2", "--no-run-tests"],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def folder(built, letter):
    return built / build_assignments.ASSIGNMENTS[letter]


def with_wrong_answers(solution, letter):
    notebook = read_notebook(solution)
    done = set()
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code" or SOLUTION_TAG not in cell["metadata"].get("tags", []):
            continue
        for name, code in WRONG[letter].items():
            target = code.split("=")[0].split(",")[0].strip()
            if re.search(rf"^{re.escape(target)}\s*=.*# SOLUTION$", cell_text(cell), re.M):
                cell["source"] = cell_text(cell) + "\n" + code + "\n"
                done.add(name)
    assert done == set(WRONG[letter]), f"assignment {letter}: no solution cell found for {set(WRONG[letter]) - done}"
    return notebook


def with_written_sentence(student, letter):
    notebook = read_notebook(student)
    answers = [c for c in notebook["cells"] if c["cell_type"] == "markdown" and ANSWER_TAG in c["metadata"].get("tags", [])]
    answers[0]["source"] = sentence(letter) + "\n\n" + cell_text(answers[0])
    return notebook


def run(command):
    result = subprocess.run([sys.executable, str(SCRIPT), *map(str, command)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{command[0]} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result


@pytest.fixture(scope="session")
def graded(built, tmp_path_factory):
    """Grade the solution, wrong and unanswered notebooks of every assignment; export written answers."""
    root = tmp_path_factory.mktemp("graded")
    commands, written = [], []
    for letter in LETTERS:
        work = root / letter
        work.mkdir()
        name = MASTERS[letter].name
        # Named by kind and letter: scores.csv and the PDFs are named after the submission.
        solution, wrong, empty = (work / f"{kind}-{letter}.ipynb" for kind in ("solution", "wrong", "empty"))
        shutil.copy(folder(built, letter) / "autograder" / name, solution)
        wrong.write_text(json.dumps(with_wrong_answers(solution, letter)), encoding="utf-8")
        empty.write_text(json.dumps(with_written_sentence(folder(built, letter) / "student" / name, letter)), encoding="utf-8")
        commands.append(["grade", letter, solution, wrong, empty, "--built", built, "--out", work / "graded"])
        written.append(empty)
    pdf = build_assignments.find_chromium() is not None
    if pdf:
        commands.append(["export", *written, "--out", root / "pdf"])
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, commands))
    scores = {}
    for letter in LETTERS:
        with open(root / letter / "graded" / "scores.csv", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                kind = row["submission"].removesuffix(f"-{letter}.ipynb")
                scores.setdefault(letter, {}).setdefault(kind, {})[row["question"]] = (float(row["score"]), float(row["possible"]))
    return {"scores": scores, "pdf": root / "pdf" if pdf else None}


@pytest.mark.parametrize("letter", LETTERS)
def test_solution_scores_full_marks(graded, letter):
    score, out_of = graded["scores"][letter]["solution"]["total"]
    assert out_of == pytest.approx(possible(letter)), "otter's total differs from the master's point values"
    assert score == pytest.approx(out_of), f"assignment {letter}: the solution scores {score} of {out_of}"


@pytest.mark.parametrize("letter", LETTERS)
def test_wrong_answers_lose_exactly_the_hidden_points(graded, letter):
    scores = graded["scores"][letter]["wrong"]
    score, out_of = scores["total"]
    assert hidden_points(letter) > 0
    assert score == pytest.approx(out_of - hidden_points(letter)), (
        f"assignment {letter}: wrong answers score {score} of {out_of}; expected to lose exactly the "
        f"{hidden_points(letter)} hidden-test points. Per question: {scores}")


@pytest.mark.parametrize("letter", LETTERS)
def test_unanswered_notebook_scores_nothing(graded, letter):
    scores = graded["scores"][letter]["empty"]
    assert scores["total"] == (0.0, pytest.approx(possible(letter))), f"assignment {letter}: {scores}"
    assert set(scores) == {q["name"] for q in autograded(letter)} | {"total"}, "every question was graded"


@pytest.mark.parametrize("letter", LETTERS)
def test_student_notebook_has_no_solution_or_hidden_test(built, letter):
    student = folder(built, letter) / "student"
    text = notebook_text(student / MASTERS[letter].name)
    parsed = PARSED[letter]
    assert parsed["solution_lines"]
    leaked = [line for line in parsed["solution_lines"] if line in text]
    assert not leaked, f"assignment {letter}: the student notebook contains solution lines: {leaked[:3]}"
    for hidden in parsed["hidden"]:
        leaked = [s for s in hidden["statements"] + hidden["lines"] if s in text]
        assert not leaked, f"assignment {letter}, {hidden['question']}: the student notebook holds a hidden test: {leaked[:2]}"
    assert not (student / "tests").exists() and not list(student.rglob("*.zip"))


@pytest.mark.parametrize("letter", LETTERS)
def test_autograder_zip_holds_the_hidden_tests(built, letter):
    zips = list((folder(built, letter) / "autograder").glob("*-autograder.zip"))
    assert len(zips) == 1
    with zipfile.ZipFile(zips[0]) as archive:
        names = set(archive.namelist())
        for question in autograded(letter):
            namespace = {}
            exec(archive.read(f"tests/{question['name']}.py").decode("utf-8"), namespace)
            cases = [case for suite in namespace["test"]["suites"] for case in suite["cases"]]
            assert namespace["test"]["points"] == [t["points"] for t in question["tests"]]
            for test, case in zip(question["tests"], cases, strict=True):
                assert case["hidden"] == test["hidden"]
                for statement in unparsed(test["code"]):
                    assert statement in case["code"], f"{question['name']}: {statement!r} is not in the autograder's test"
        for name in build_assignments.assignment_config(MASTERS[letter])["files"]:
            assert f"files/{name}" in names, f"the autograder lacks {name}"


@pytest.mark.parametrize("letter", LETTERS)
def test_pdf_of_written_answers_holds_the_students_text(graded, letter):
    if graded["pdf"] is None:
        skip_or_fail("Debian's chromium is not installed, so the written answers cannot be exported to PDF")
    from pypdf import PdfReader

    pdf = graded["pdf"] / f"empty-{letter}-written.pdf"
    reader = PdfReader(pdf)
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert sentence(letter) in text, f"the PDF of assignment {letter}'s written answers lacks the student's sentence"
    assert "Written part 1" in text and "grader.check" not in text, "the PDF should hold the written parts only"


def site_secrets():
    """What must never reach the site, in the forms a page could show it: code lines (as written, and
    escaped as in a copied .ipynb) and plain-text fragments of the graders' notes (Markdown, quotes and
    code spans split off, since the HTML renders them differently); minus what published pages show anyway."""
    public = "\n".join(toc_page_path(entry).read_text(encoding="utf-8") for entry in toc_files())
    code, prose = set(), set()
    for parsed in PARSED.values():
        code |= set(parsed["solution_code"])
        for hidden in parsed["hidden"]:
            code |= set(hidden["statements"]) | set(hidden["lines"])
        for line in parsed["solution_prose"]:
            prose |= {f.strip() for f in re.split(r"[*_`\[\]()|\"'“”‘’]", line) if len(f.strip()) >= 25}
    code = {s for s in code if len(s) >= 20 and s not in public and json.dumps(s, ensure_ascii=False)[1:-1] not in public}
    prose = {s for s in prose if s not in public}
    return code | {json.dumps(s, ensure_ascii=False)[1:-1] for s in code} | prose


def test_published_book_holds_no_graded_solution(built_book):
    """No solution line, hidden test, master notebook or autograder zip reaches the site."""
    assert built_book.returncode == 0, "the book did not build; see test_book_build"
    secrets = site_secrets()
    assert len(secrets) > 100
    master_names = {path.name for path in MASTERS.values()}
    texts = []
    for path in sorted(built_book.html.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(built_book.html)
        if relative.as_posix() == "korean-peninsula-course.zip":
            # The one zip the site offers, the course for download (_ext/course_zip.py):
            # its files are searched for solutions and hidden tests like the pages.
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    assert not member.endswith(".zip"), f"the course zip holds a zip file: {member}"
                    assert member.rsplit("/", 1)[-1] not in master_names, f"the course zip holds a master notebook: {member}"
                    texts.append((f"{relative}:{member}", archive.read(member).decode("utf-8", "replace")))
            continue
        assert path.suffix != ".zip", f"the site holds a zip file: {relative}"
        assert path.name not in master_names, f"the site holds a master notebook: {relative}"
        try:
            raw = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        texts.append((relative, raw))
        if path.suffix == ".html":
            texts.append((relative, html.unescape(re.sub(r"<[^>]+>", "", raw))))
    everything = "\0".join(text for _, text in texts)
    found = sorted(s for s in secrets if s in everything)
    if found:
        where = sorted({str(relative) for relative, text in texts if found[0] in text})
        pytest.fail(f"the site shows {len(found)} graded solution or hidden-test line(s), e.g. {found[0]!r} in {where}")
