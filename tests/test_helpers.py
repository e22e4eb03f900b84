"""Unit tests for the two small helpers the notebooks import."""

import datetime
import decimal
import re
import shutil
import sys

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbclient import NotebookClient

from conftest import DATA_DIR, NOTEBOOK_DIR

sys.path.insert(0, str(NOTEBOOK_DIR))
from course_data import CourseDataError, load_table  # noqa: E402
import self_check  # noqa: E402
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


def verdict(capsys, answer, expected, **options):
    """The one line check_answer prints (it must print exactly one)."""
    check_answer(answer, expected, hint="look again.", **options)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.endswith("\n"), out
    return out.rstrip("\n")


def test_none_answer_keeps_the_stored_message(capsys):
    assert verdict(capsys, None, 4) == "No answer yet: replace None with your answer and run this cell again."


def test_float_noise_is_right(capsys):
    assert verdict(capsys, 5.0000000001, 5.0) == "Right: 5.0000000001."
    assert verdict(capsys, 0.1 + 0.2, 0.3) == "Right: 0.3."


def test_a_real_float_difference_is_wrong(capsys):
    assert verdict(capsys, 5.001, 5) == "Not quite: 5.001 is too high. Hint: look again."
    assert verdict(capsys, 0.2999, 0.3) == "Not quite: 0.2999 is too low. Hint: look again."


def test_decimals_asks_for_agreement_to_that_many_places(capsys):
    assert verdict(capsys, 74.63, 74.6, decimals=1) == "Right: 74.63."
    assert verdict(capsys, 74.7, 74.6, decimals=1) == "Not quite: 74.7 is too high. Hint: look again."


def test_nan_is_a_missing_value_not_too_low(capsys):
    line = verdict(capsys, float("nan"), 3)
    assert line.startswith("Your answer is nan, a missing value") and "too" not in line


@pytest.mark.parametrize("empty", ["", "   ", [], set(), (), pd.Series([], dtype=float), pd.DataFrame()],
                         ids=["str", "spaces", "list", "set", "tuple", "Series", "DataFrame"])
def test_empty_answer(empty, capsys):
    assert verdict(capsys, empty, 3).startswith("Your answer is empty")


def test_one_value_series_counts_as_its_value(capsys):
    assert verdict(capsys, pd.Series([42], index=["ch09"]), 42) == "Right: 42."


def test_one_value_dataframe_counts_as_its_value(capsys):
    assert verdict(capsys, pd.DataFrame({"count": [42]}), 42) == "Right: 42."


def test_big_dataframe_is_described_not_printed(capsys):
    frame = pd.DataFrame(np.arange(6000).reshape(300, 20))
    line = verdict(capsys, frame, 42)
    assert line.startswith("Your answer is a DataFrame of 300 rows × 20 columns, not one value")
    assert len(line) < 300
    assert verdict(capsys, pd.Series(range(24)), 3).startswith("Your answer is a Series of 24 values, not one value")


@pytest.mark.parametrize("answer, expected", [(0.746, 74.6), (74.6, 0.746), (-0.91, -91)],
                         ids=["share for percent", "percent for share", "negative change"])
def test_factor_of_100_asks_percent_or_share(answer, expected, capsys):
    assert verdict(capsys, answer, expected) == (
        f"Not quite: {answer} is off by a factor of 100: this looks like a share where a percentage "
        "is wanted, or the other way round: percent or share? Hint: look again.")


def test_numpy_scalars(capsys):
    assert verdict(capsys, np.int64(3), 3) == "Right: 3."
    assert verdict(capsys, 3, np.int64(3)) == "Right: 3."
    assert verdict(capsys, np.float64(0.1) + np.float64(0.2), 0.3) == "Right: 0.3."
    assert verdict(capsys, np.bool_(True), True) == "Right: True."
    assert verdict(capsys, False, np.bool_(True)) == "Not quite: False is not the answer. Hint: look again."


def test_decimal(capsys):
    assert verdict(capsys, decimal.Decimal("74.6"), 74.6) == "Right: 74.6."
    assert verdict(capsys, decimal.Decimal("74.5"), 74.6) == "Not quite: 74.5 is too low. Hint: look again."


@pytest.mark.parametrize("answer", [pd.Timestamp("2018-04-27"), "2018-04-27", " 2018-04-27 ",
                                    datetime.datetime(2018, 4, 27, 15, 30), datetime.date(2018, 4, 27),
                                    np.datetime64("2018-04-27")],
                         ids=["Timestamp", "str", "str with spaces", "datetime", "date", "datetime64"])
def test_dates_compare_as_dates(answer, capsys):
    assert verdict(capsys, answer, pd.Timestamp("2018-04-27")) == "Right: 2018-04-27."


def test_wrong_or_unreadable_date(capsys):
    expected = pd.Timestamp("2018-04-27")
    assert verdict(capsys, "2018-04-28", expected) == "Not quite: 2018-04-28 is too late. Hint: look again."
    assert verdict(capsys, pd.Timestamp("2018-01-01"), expected).startswith("Not quite: 2018-01-01 is too early.")
    assert "wants a date, written like '2000-01-31'" in verdict(capsys, "April 27", expected)
    assert "wants a date" in verdict(capsys, 2018, expected)


def test_bool_against_bool_and_int(capsys):
    assert verdict(capsys, True, True) == "Right: True."
    assert verdict(capsys, False, True) == "Not quite: False is not the answer. Hint: look again."
    assert verdict(capsys, 1, True) == ("Your answer is 1, an int; this exercise wants True or False "
                                        "(no quotes). Hint: look again.")
    assert "wants True or False" in verdict(capsys, "True", True)
    assert "wants a number" in verdict(capsys, True, 1)


@pytest.mark.parametrize("answer", ["c10", "  C10  ", "south   korea ", "SOUTH KOREA"])
def test_strings_ignore_case_and_spaces(answer, capsys):
    expected = "C10" if "10" in answer else "South Korea"
    assert verdict(capsys, answer, expected) == f"Right: {expected}."


def test_ids_with_missing_and_extra_ones(capsys):
    expected = {"C01", "C02", "C03", "C04"}
    line = verdict(capsys, ["C01", "c02", "C99"], expected)
    assert line == "Not quite: 2 missing, 1 that should not be there: 'C99'. Hint: look again."
    assert "C03" not in line and "C04" not in line  # the answer is not given away
    assert verdict(capsys, ("C01", "C02", "C03"), expected) == "Not quite: 1 missing. Hint: look again."


@pytest.mark.parametrize("answer", [{"c04", "C03", " C02", "C01"}, ["C04", "C03", "C02", "C01", "C01"],
                                    pd.Series(["C01", "C02", "C03", "C04"]), np.array(["C01", "C02", "C03", "C04"])],
                         ids=["set", "list", "Series", "array"])
def test_ids_all_there(answer, capsys):
    assert verdict(capsys, answer, ["C01", "C02", "C03", "C04"]) == "Right: all 4 of them."


def test_ids_as_numbers(capsys):
    assert verdict(capsys, [3, 4.0], {np.int64(3), np.int64(4)}) == "Right: all 2 of them."
    assert "wants several values" in verdict(capsys, "C01", {"C01", "C02"})


def test_number_in_quotes(capsys):
    assert verdict(capsys, "42", 42) == ("Your answer '42' is text; this exercise wants a number: "
                                         "remove the quotes. Hint: look again.")


class Unshowable:
    def __repr__(self):
        raise RuntimeError("no repr")


@pytest.mark.parametrize("answer", [object(), {"a": 1}, [[1, 2], [3]], pd.NA, pd.NaT, 10**400, float("inf"),
                                    decimal.Decimal("sNaN"), np.zeros((2, 2)), lambda: 3, "x" * 500, Unshowable()],
                         ids=lambda value: type(value).__name__)
@pytest.mark.parametrize("expected", [3, 0.3, "C10", True, pd.Timestamp("2018-04-27"), {"C01", "C02"}],
                         ids=lambda value: type(value).__name__)
def test_never_raises_always_one_short_line(answer, expected, capsys):
    assert len(verdict(capsys, answer, expected)) < 250


def test_importing_outside_ipython_is_harmless():
    assert self_check.explain_name_errors() is None  # no IPython shell here: nothing to do, no error


# --- A NameError in a real kernel ------------------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run_in_kernel(*cells):
    """Run the cells in a fresh kernel whose working folder is notebooks/; the error output of each (or None)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(NOTEBOOK_DIR)}}).execute()
    return [next((o for o in cell.outputs if o.output_type == "error"), None) for cell in nb.cells]


def test_name_error_in_a_check_cell_explains_what_to_do():
    imported, check, division, unbound, defined, typo = run_in_kernel(
        "from self_check import check_answer",
        "check_answer(answer_9, expected_9, hint='count')",
        "1 / 0",
        "def bump():\n    count += 1\nbump()",
        "total = 3",
        "totl + 1",
    )
    assert imported is None and defined is None
    assert check.ename == "NameError"
    assert len(check.traceback) == 1  # one paragraph, no traceback
    paragraph = check.traceback[0]
    assert paragraph.startswith("NameError: 'answer_9' is not defined.")
    assert "Run > Run All Above Selected Cell" in paragraph
    assert "Kernel > Restart Kernel and Run All Cells" in paragraph
    # Other errors keep their normal traceback.
    assert division.ename == "ZeroDivisionError"
    text = ANSI.sub("", "\n".join(division.traceback))
    assert "1 / 0" in text and "ZeroDivisionError" in text and "Run All Above" not in text
    # UnboundLocalError is a kind of NameError, but not a cell left unrun.
    assert unbound.ename == "UnboundLocalError" and "count += 1" in ANSI.sub("", "\n".join(unbound.traceback))
    assert "Did you mean 'total'?" in typo.traceback[0]


def test_name_error_right_after_a_restart():
    """The check cell runs first in a fresh kernel: its own import installs the message."""
    (error,) = run_in_kernel(
        "from self_check import check_answer\n"
        "expected_1 = len(claims)\n"
        "check_answer(answer_1, expected_1, hint='count')"
    )
    assert error.ename == "NameError"
    assert error.traceback[0].startswith("NameError: 'claims' is not defined.")
    assert "Run > Run All Above Selected Cell" in error.traceback[0]
