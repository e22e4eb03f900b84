"""Unit tests for the two small helpers the notebooks import."""

import shutil
import sys

import pytest

from conftest import DATA_DIR, NOTEBOOK_DIR

sys.path.insert(0, str(NOTEBOOK_DIR))
from course_data import CourseDataError, load_table  # noqa: E402
from self_check import check_answer  # noqa: E402


@pytest.fixture
def data_copy(tmp_path):
    """A private copy of data/, so that no test ever touches the real files."""
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def test_loads_the_real_register():
    claims = load_table("claims")
    assert list(claims.columns)[0] == "claim_id"
    assert len(claims) == sum(1 for _ in open(DATA_DIR / "claims.csv", encoding="utf-8")) - 1


def test_missing_file(data_copy):
    (data_copy / "claims.csv").unlink()
    with pytest.raises(CourseDataError, match=r"data/claims\.csv is missing.*git checkout -- data/claims\.csv"):
        load_table("claims", data_dir=data_copy)


def test_missing_data_folder(tmp_path):
    with pytest.raises(CourseDataError, match=r"data/ folder is missing"):
        load_table("claims", data_dir=tmp_path / "nowhere")


def test_renamed_column(data_copy):
    path = data_copy / "claims.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("claim_type", "kind", 1), encoding="utf-8")
    with pytest.raises(CourseDataError, match=r"lacks the column\(s\) claim_type"):
        load_table("claims", data_dir=data_copy)


def test_unreadable_file(data_copy):
    (data_copy / "claims.csv").write_bytes(b"\xff\xfe\x00garbage\x00\xff")
    with pytest.raises(CourseDataError, match=r"cannot be read as a UTF-8 CSV"):
        load_table("claims", data_dir=data_copy)


def test_header_only(data_copy):
    path = data_copy / "claims.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    with pytest.raises(CourseDataError, match=r"no rows"):
        load_table("claims", data_dir=data_copy)


def test_unknown_table(data_copy):
    with pytest.raises(CourseDataError, match=r"no table called 'claimz'.*claims"):
        load_table("claimz", data_dir=data_copy)


def test_error_shows_one_line_in_jupyter():
    error = CourseDataError("data/x.csv is missing.")
    assert error._render_traceback_() == ["CourseDataError: data/x.csv is missing."]


@pytest.mark.parametrize(
    "answer, expected, feedback",
    [
        (None, 4, "No answer yet"),
        (4, 4, "Right: 4."),
        (5, 4, "Not quite: 5 is too high. Hint: count"),
        (3, 4, "Not quite: 3 is too low. Hint: count"),
        ("four", 4, "wants a number"),
        (True, 1, "wants a number"),
        (" c10 ", "C10", "Right: C10."),
        ("C11", "C10", "Not quite: 'C11' is not the answer. Hint: count"),
        (10, "C10", "wants a str"),
    ],
)
def test_check_answer_feedback(answer, expected, feedback, capsys):
    check_answer(answer, expected, hint="count")
    assert feedback in capsys.readouterr().out


def test_check_answer_accepts_numpy_numbers(capsys):
    numpy = pytest.importorskip("numpy")
    check_answer(3, numpy.int64(3), hint="count")
    assert "Right" in capsys.readouterr().out
