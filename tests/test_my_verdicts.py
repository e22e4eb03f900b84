"""A learner's own verdicts: notebooks/my_verdicts.py, the cells that call it in
each chapter, chapter 11's comparison with the course's verdicts, and
scripts/merge_verdicts.py, which pools a class's files.

Every test that records a verdict runs in a temporary working folder, so no
test ever writes into the repository."""

import ast
import csv
import hashlib
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from conftest import DATA_DIR, NOTEBOOK_DIR, REPO_ROOT, cell_text, chain_notebooks, output_text, read_notebook

sys.path.insert(0, str(NOTEBOOK_DIR))
sys.path.insert(0, str(REPO_ROOT / "scripts"))
import my_verdicts  # noqa: E402
from my_verdicts import COLUMNS, MyVerdictsError, read_my_verdicts, read_verdicts_file, record_my_verdict  # noqa: E402
import merge_verdicts  # noqa: E402

MERGE_SCRIPT = REPO_ROOT / "scripts" / "merge_verdicts.py"
HEADER = ",".join(COLUMNS)
WHEN = "2026-12-01T10:00:00+09:00"


def read_register():
    with open(DATA_DIR / "claims.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


CLAIMS = read_register()


def data_hashes():
    return {path.relative_to(DATA_DIR): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(DATA_DIR.rglob("*")) if path.is_file()}


@pytest.fixture
def learner(tmp_path, monkeypatch):
    """A learner's working folder, with the default file name (no COURSE_MY_VERDICTS)."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv(my_verdicts.ENV_VARIABLE, raising=False)
    return folder


def verdicts_file(folder, *rows):
    path = folder / "my_verdicts.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


# --- Recording ---------------------------------------------------------------


def test_first_verdict_creates_the_file_in_the_working_folder_not_in_data(learner, capsys):
    before = data_hashes()
    assert not (learner / "my_verdicts.csv").exists()
    record_my_verdict("C05", verdict="supported", confidence="high")
    assert "Recorded C05: supported, high confidence, in my_verdicts.csv" in capsys.readouterr().out
    rows = list(csv.DictReader(open(learner / "my_verdicts.csv", encoding="utf-8")))
    assert [(r["claim_id"], r["verdict"], r["confidence"]) for r in rows] == [("C05", "supported", "high")]
    assert rows[0]["recorded_at"], "a recorded verdict carries its time"
    assert data_hashes() == before, "recording a verdict changed data/"
    assert not list(DATA_DIR.rglob("my_verdicts*")), "a verdicts file appeared in data/"


def test_an_unfilled_cell_writes_nothing(learner, capsys):
    record_my_verdict("C05", verdict=None, confidence=None)
    record_my_verdict("C29")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith('C05 (empirical) not recorded yet: replace None with a verdict ("supported", ')
    assert out[1].startswith('C29 (normative) not recorded yet: replace None with "premises weighed"')
    assert not list(learner.iterdir()), "a cell whose values are None must not create the file"


def test_recording_a_claim_again_replaces_the_earlier_row(learner, capsys):
    verdicts_file(learner, f"C05,partly supported,low,{WHEN}", f"C07,contested,medium,{WHEN}")
    record_my_verdict("C05", verdict="Supported", confidence="high")  # case does not matter
    assert "replacing partly supported, low (on 2026-12-01 at 10:00)" in capsys.readouterr().out
    table = read_my_verdicts()
    assert sorted(table["claim_id"]) == ["C05", "C07"], "re-recording must replace, not add"
    c05 = table.set_index("claim_id").loc["C05"]
    assert (c05["verdict"], c05["confidence"]) == ("supported", "high")
    assert c05["recorded_at"] != WHEN, "the replaced row gets a new time"
    record_my_verdict("C05", verdict="supported", confidence="high")
    assert "nothing changed" in capsys.readouterr().out
    record_my_verdict("C05")
    assert "C05: you recorded supported, high confidence" in capsys.readouterr().out


def test_the_environment_variable_names_the_file(learner, tmp_path, monkeypatch):
    elsewhere = tmp_path / "hub" / "alice.csv"
    elsewhere.parent.mkdir()
    monkeypatch.setenv(my_verdicts.ENV_VARIABLE, str(elsewhere))
    record_my_verdict("C31", verdict="inaccurate", confidence="high")
    assert elsewhere.exists() and not (learner / "my_verdicts.csv").exists()
    monkeypatch.setenv(my_verdicts.ENV_VARIABLE, str(tmp_path / "no-such-folder" / "my_verdicts.csv"))
    with pytest.raises(MyVerdictsError, match="does not exist, so my_verdicts.csv cannot be created"):
        record_my_verdict("C31", verdict="inaccurate", confidence="high")


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of data/ that my_verdicts.py takes for the course's data folder (so a failure writes only there)."""
    copy = tmp_path / "course" / "data"
    shutil.copytree(DATA_DIR, copy)
    monkeypatch.setattr(my_verdicts, "DATA_DIR", copy)
    return copy


def test_never_written_inside_data(data_copy, monkeypatch):
    files = sorted(p.name for p in data_copy.iterdir())
    monkeypatch.delenv(my_verdicts.ENV_VARIABLE, raising=False)
    monkeypatch.chdir(data_copy)  # a notebook run from inside data/
    with pytest.raises(MyVerdictsError, match=r"inside the course's data/ folder"):
        record_my_verdict("C05", verdict="supported", confidence="high")
    monkeypatch.setenv(my_verdicts.ENV_VARIABLE, str(data_copy / "scripts" / "mine.csv"))
    with pytest.raises(MyVerdictsError, match=r"inside the course's data/ folder"):
        record_my_verdict("C05", verdict="supported", confidence="high")
    assert sorted(p.name for p in data_copy.iterdir()) == files
    assert not list(data_copy.rglob("mine.csv")) and not list(data_copy.rglob("my_verdicts.csv"))


@pytest.mark.parametrize("call, message", [
    (("C99", "supported", "high"), r"There is no claim 'C99' in the claims register \(data/claims\.csv\)"),
    (("C05", "suported", "high"), r"'suported' is not a verdict for C05, an empirical claim: use \"supported\", .* "
                                  r"Did you mean \"supported\"\?"),
    (("C29", "supported", "high"), r"'supported' is not a verdict for C29, a normative claim: .*\"premises weighed\""),
    (("C05", "premises weighed", "high"), r"\"premises weighed\" is for normative claims"),
    (("C05", "supported", "hi"), r"'hi' is not a confidence: use \"low\", \"medium\" or \"high\"\. Did you mean \"high\"\?"),
    (("C05", "supported", None), r"C05: give a confidence as well"),
    (("C05", "pending", "low"), r"'pending' is not a verdict for C05"),
    ((5, "supported", "high"), r"A claim id is text in quotes"),
])
def test_a_verdict_that_cannot_be_recorded_says_why(learner, call, message):
    with pytest.raises(MyVerdictsError, match=message):
        record_my_verdict(*call)
    assert not list(learner.iterdir()), "a refused verdict must not create the file"


def test_the_words_come_from_the_data_package(data_copy, monkeypatch):
    testable, normative, confidences = my_verdicts.vocabulary()
    assert normative == ["premises weighed"]
    assert set(testable) == {"supported", "partly supported", "not supported", "inaccurate", "contested"}
    assert confidences == ["low", "medium", "high"]
    # Add a verdict to the schema of a copy: the helper accepts it without being edited.
    package = data_copy / "datapackage.json"
    package.write_text(package.read_text(encoding="utf-8").replace('"contested",', '"contested",\n"refuted",', 1),
                       encoding="utf-8")
    assert "refuted" in my_verdicts.vocabulary(data_copy)[0]


# --- Reading a file ------------------------------------------------------------


@pytest.mark.parametrize("text, message", [
    ("", r"mine\.csv is empty"),
    ("claim_id,verdict,confidence\nC05,supported,high\n",
     r"mine\.csv has the columns claim_id, verdict, confidence; .*written by an older version of the course"),
    (f"{HEADER}\nC05,supported,high,{WHEN}\nC07,maybe,high,{WHEN}\n", r"mine\.csv, row 3: 'maybe' is not a verdict for C07"),
    (f"{HEADER}\nC36,supported,high,{WHEN}\n", r"mine\.csv, row 2: 'C36' is not a claim of this version's register"),
    (f"{HEADER}\nC29,supported,high,{WHEN}\n", r"mine\.csv, row 2: 'supported' is not a verdict for C29, a normative claim"),
    (f"{HEADER}\nC05,supported,sure,{WHEN}\n", r"mine\.csv, row 2: 'sure' is not a confidence"),
    (f"{HEADER}\nC05,supported,high,yesterday\n", r"mine\.csv, row 2: recorded_at is 'yesterday'"),
    (f"{HEADER}\nC05,supported,high\n", r"mine\.csv, row 2: 3 values where the header has 4"),
    (f"{HEADER}\nC05,supported,high,{WHEN}\nC05,contested,low,{WHEN}\n", r"mine\.csv, row 3: C05 is recorded twice \(rows 2 and 3\)"),
])
def test_a_malformed_file_is_named_with_its_row(tmp_path, text, message):
    path = tmp_path / "mine.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MyVerdictsError, match=message):
        read_verdicts_file(path, shown="mine.csv")


def test_a_file_that_is_not_text(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(MyVerdictsError, match="not a UTF-8 text file"):
        read_verdicts_file(path, shown="mine.csv")


def test_no_file_yet_is_an_empty_table(learner):
    assert read_my_verdicts().empty
    verdicts_file(learner)  # a header and nothing else
    assert read_my_verdicts().empty


# --- The cells in the chapters -----------------------------------------------


def record_calls(cell):
    """(claim id, keyword values) of every record_my_verdict(...) call in a code cell."""
    calls = []
    for node in ast.walk(ast.parse(cell_text(cell))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record_my_verdict":
            keywords = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
            calls.append((ast.literal_eval(node.args[0]), keywords))
    return calls


def verdicts_section_cells(cells):
    """The cells of the '## Verdicts' section: from its heading to the next '## ' heading."""
    start = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
                 and re.search(r"^## Verdicts\s*$", cell_text(c), re.M))
    end = next((i for i in range(start + 1, len(cells)) if cells[i]["cell_type"] == "markdown"
                and re.search(r"^## ", cell_text(cells[i]), re.M)), len(cells))
    assert not re.search(r"^## ", cell_text(cells[start]).split("## Verdicts", 1)[1], re.M), (
        "the Verdicts heading shares its cell with the next section")
    return start, end


@pytest.mark.parametrize("path", chain_notebooks(), ids=[p.name for p in chain_notebooks()])
def test_each_chapter_asks_for_exactly_its_claims(path):
    """One cell, at the end of the Verdicts section, with one unfilled call per claim of the chapter."""
    chapter_id = f"ch{path.name[:2]}"
    expected = [row["claim_id"] for row in CLAIMS if row["chapter_id"] == chapter_id]
    cells = read_notebook(path)["cells"]
    holding = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and record_calls(c)]
    start, end = verdicts_section_cells(cells)
    if not expected:
        assert not holding, f"{path.name} tests no claim, yet calls record_my_verdict"
        assert any("my_verdicts.csv" in cell_text(c) for c in cells[start:end]), (
            f"{path.name}: the Verdicts section should say where learners' own verdicts are kept")
        return
    assert len(holding) == 1, f"{path.name}: expected one cell of record_my_verdict calls, found {len(holding)}"
    index = holding[0]
    assert index == end - 1, f"{path.name}: the record_my_verdict cell must end the '## Verdicts' section"
    calls = record_calls(cells[index])
    assert [claim for claim, _ in calls] == expected, (
        f"{path.name}: the cell records {[c for c, _ in calls]}; data/claims.csv assigns {expected} to {chapter_id}")
    for claim, keywords in calls:
        assert keywords == {"verdict": None, "confidence": None}, (
            f"{path.name}: {claim} must be committed unfilled (verdict=None, confidence=None), so a run writes nothing")
    note = cell_text(cells[index - 1])
    assert cells[index - 1]["cell_type"] == "markdown" and "my_verdicts.csv" in note and "never in `data/`" in note
    printed = output_text(cells[index]).splitlines()
    assert [line.split(" ", 1)[0] for line in printed] == expected and all("not recorded yet" in line for line in printed)


# --- Chapter 11: your verdicts beside the course's -----------------------------

CHAPTER_11 = NOTEBOOK_DIR / "11_synthesis.ipynb"


def test_chapter_11_stores_the_no_file_message():
    cell = next(c for c in read_notebook(CHAPTER_11)["cells"] if c.get("id") == "my-verdicts-map")
    assert output_text(cell).strip() == my_verdicts.HOW_TO_RECORD
    assert not any("image/png" in o.get("data", {}) for o in cell["outputs"]), "the book shows the no-file branch"


def test_chapter_11_draws_your_verdicts_beside_the_course(tmp_path, monkeypatch):
    """Run chapter 11 up to its comparison cell, in a copy of the course, with a learner's file."""
    from nbclient import NotebookClient

    shutil.copytree(NOTEBOOK_DIR, tmp_path / "notebooks", ignore=shutil.ignore_patterns(
        ".ipynb_checkpoints", "__pycache__", "my_verdicts.csv"))
    shutil.copytree(DATA_DIR, tmp_path / "data")
    sample = verdicts_file(tmp_path, f"C05,supported,high,{WHEN}", f"C19,supported,medium,{WHEN}",
                           f"C23,premises weighed,low,{WHEN}")
    monkeypatch.setenv(my_verdicts.ENV_VARIABLE, str(sample))
    notebook = nbformat.read(tmp_path / "notebooks" / CHAPTER_11.name, as_version=4)
    at = next(i for i, c in enumerate(notebook.cells) if c.get("id") == "my-verdicts-map")
    notebook.cells = notebook.cells[:at + 1] + [nbformat.v4.new_code_cell(
        "print([t.get_text() for t in fig.axes[0].texts])")]
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path / "notebooks")}}).execute()
    cell = notebook.cells[at]
    assert "You have recorded 3 of 35 claims; your verdict is the course's on 2 of them." in output_text(cell)
    assert any("image/png" in o.get("data", {}) for o in cell.outputs), "no figure was drawn"
    texts = ast.literal_eval(output_text(notebook.cells[-1]).strip())
    for yours in ("supported, high", "supported, medium", "premises weighed, low"):
        assert yours in texts, f"the figure does not show the learner's {yours!r}"
    assert "contested, medium" in texts, "the figure does not show the course's verdict on C19"
    assert texts.count("not recorded") == len(CLAIMS) - 3
    assert texts.count("≠") == 1 and texts.count("=") == 2


# --- Pooling a class's files ---------------------------------------------------


def learner_files(folder, votes):
    """One verdicts file per learner: votes = {name: {claim: (verdict, confidence)}}."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, claims in votes.items():
        rows = [f"{claim},{verdict},{confidence},{WHEN}" for claim, (verdict, confidence) in claims.items()]
        path = folder / f"{name}.csv"
        path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def run_merge(*args, cwd):
    return subprocess.run([sys.executable, str(MERGE_SCRIPT), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_merging_two_rounds_into_a_class_table_and_figure(tmp_path):
    before = learner_files(tmp_path / "before", {
        "ana": {"C05": ("supported", "high"), "C19": ("supported", "low")},
        "ben": {"C05": ("partly supported", "medium"), "C19": ("contested", "medium")},
    })
    after = learner_files(tmp_path / "after", {
        "ana": {"C05": ("supported", "high"), "C19": ("contested", "medium")},
        "ben": {"C05": ("supported", "medium"), "C19": ("contested", "high")},
    })
    table, figure = tmp_path / "class_verdicts.csv", tmp_path / "class_verdicts.png"
    first = run_merge(*before, "--label", "before", "--out", table, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    second = run_merge(*after, "--label", "after", "--out", table, "--figure", figure, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "C19 Drills speed up the nuclear programme (course: contested): before 1 of 2, after 2 of 2" in second.stdout
    rows = list(csv.DictReader(open(table, encoding="utf-8")))
    assert list(rows[0]) == merge_verdicts.CLASS_COLUMNS
    assert {(r["round"], r["learner"]) for r in rows} == {(r, n) for r in ("before", "after") for n in ("ana", "ben")}
    assert len(rows) == 8
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Merging a round again replaces it and keeps the other.
    again = run_merge(after[0], "--label", "after", "--out", table, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    rows = list(csv.DictReader(open(table, encoding="utf-8")))
    assert sorted((r["round"], r["learner"]) for r in rows if r["claim_id"] == "C05") == [
        ("after", "ana"), ("before", "ana"), ("before", "ben")]


def test_the_class_figure_shows_each_round_and_the_course(tmp_path):
    files = learner_files(tmp_path, {"ana": {"C31": ("inaccurate", "high")}, "ben": {"C31": ("supported", "low")}})
    table = merge_verdicts.read_learners(files, "before")
    figure = merge_verdicts.draw(table)
    ax = figure.axes[0]
    assert "course: inaccurate" in [t.get_text() for t in ax.texts]
    assert [label.get_text() for label in ax.get_yticklabels()] == ["C31 2018 summit declared the war over  (before)"]
    assert sorted(p.get_width() for p in ax.patches) == [1, 1]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["supported", "inaccurate"]


def test_malformed_files_are_named_with_their_rows_and_nothing_is_written(tmp_path):
    good, = learner_files(tmp_path, {"ana": {"C05": ("supported", "high")}})
    bad = tmp_path / "ben.csv"
    bad.write_text(f"{HEADER}\nC05,supported,high,{WHEN}\nC19,suported,low,{WHEN}\n", encoding="utf-8")
    old = tmp_path / "chae.csv"
    old.write_text("claim_id,verdict\nC05,supported\n", encoding="utf-8")
    result = run_merge("ana.csv", "ben.csv", "chae.csv", "ana.csv", "--out", "class.csv", cwd=tmp_path)
    assert result.returncode != 0
    assert "ben.csv, row 3: 'suported' is not a verdict for C19" in result.stderr
    assert "chae.csv has the columns claim_id, verdict" in result.stderr and "older version" in result.stderr
    assert "ana.csv: named twice" in result.stderr
    assert "Nothing was written." in result.stderr
    assert not (tmp_path / "class.csv").exists()


def test_two_files_for_one_learner_are_refused(tmp_path):
    # A file under its default name is named after its folder: both of these are 'ana'.
    paths = [tmp_path / "ana" / "my_verdicts.csv", tmp_path / "copies" / "ana.csv"]
    for path in paths:
        path.parent.mkdir()
        path.write_text(f"{HEADER}\nC05,supported,high,{WHEN}\n", encoding="utf-8")
    with pytest.raises(merge_verdicts.MergeError, match=r"names the same learner, 'ana'"):
        merge_verdicts.read_learners(paths)


def test_an_out_file_that_is_not_a_class_table_is_left_alone(tmp_path):
    files = learner_files(tmp_path, {"ana": {"C05": ("supported", "high")}})
    out = tmp_path / "notes.csv"
    out.write_text("a,b\n1,2\n", encoding="utf-8")
    result = run_merge(*files, "--label", "after", "--out", out, cwd=tmp_path)
    assert result.returncode != 0 and "not those of a class table" in result.stderr
    assert out.read_text(encoding="utf-8") == "a,b\n1,2\n"


def test_an_authors_own_verdicts_are_not_handed_out(tmp_path, monkeypatch):
    """The student edition copies notebooks/, but never a my_verdicts.csv left there."""
    import student_edition

    course = tmp_path / "course"
    for name in student_edition.COPY:
        item = REPO_ROOT / name
        if item.is_dir():
            shutil.copytree(item, course / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        elif item.exists():
            (course / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(item, course / name)
    (course / "notebooks" / "my_verdicts.csv").write_text(f"{HEADER}\nC05,supported,high,{WHEN}\n", encoding="utf-8")
    monkeypatch.setattr(student_edition, "REPO", course)
    source = student_edition.make_source(tmp_path / "out")
    assert (source / "notebooks" / "my_verdicts.py").exists()
    assert not list(source.rglob("my_verdicts.csv")), "a my_verdicts.csv reached the student edition"
