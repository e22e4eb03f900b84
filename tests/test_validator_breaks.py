"""Break each rule of data/datapackage.json and of the validator's row checks on
a copy of data/, run data/scripts/validate_data.py on it as a maintainer would
(`--data-dir`), and check that it exits non-zero, prints no traceback and names
the file, the row and the column: "data/<file>, row N, column C: ...; ...".

Row numbers count the header as row 1, so the first data row is row 2."""

import codecs
import csv
import io
import shutil
import subprocess
import sys

import pytest

from conftest import DATA_DIR, REPO_ROOT

VALIDATOR = DATA_DIR / "scripts" / "validate_data.py"


@pytest.fixture
def data_copy(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy, ignore=shutil.ignore_patterns("scripts", "provenance"))
    return copy


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path, rows, fieldnames=None, delimiter=","):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fieldnames or list(rows[0]), lineterminator="\n", delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def set_cell(path, row_number, column, value):
    """Change one cell; row_number as the validator counts it (2 = first data row)."""
    rows = read_rows(path)
    rows[row_number - 2][column] = value
    write_rows(path, rows)


def first_row(path, condition):
    """The row number (2 = first data row) of the first row meeting condition."""
    for number, row in enumerate(read_rows(path), start=2):
        if condition(row):
            return number, row
    raise AssertionError(f"no row of {path.name} fits the test")


def validate(data_dir):
    result = subprocess.run(
        [sys.executable, str(VALIDATOR), "--data-dir", str(data_dir)],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=300,
    )
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 1, f"exit code {result.returncode}, expected 1:\n{output}"
    return result.stdout.splitlines()


def assert_reported(lines, expected):
    """One printed line starts with `expected` (file, row, column and what is wrong) and says what
    to do; every problem printed is in the damaged file (the last line is the count)."""
    hits = [line for line in lines if line.startswith(expected)]
    assert hits, f"no line starts with {expected!r}:\n" + "\n".join(lines)
    assert all("; " in line.split(": ", 1)[1] for line in hits), hits
    damaged = expected.split(",")[0]
    assert lines[-1].endswith("problem(s) in data/."), lines
    others = [line for line in lines[:-1] if not line.startswith(damaged)]
    assert not others, f"problems reported beyond {damaged}:\n" + "\n".join(others)


def test_the_real_data_validates_on_the_command_line():
    result = subprocess.run([sys.executable, str(VALIDATOR)], capture_output=True, text=True, cwd=REPO_ROOT, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("table, column", [
    ("inter_korean_timeline.csv", "date"),       # partial-date text, pattern
    ("ch07_china_russia_dprk_record.csv", "date"),
    ("unsc_resolutions.csv", "date_adopted"),   # a date column
])
def test_impossible_date(data_copy, table, column):
    path = data_copy / table
    number, _ = first_row(path, lambda row: row[column])
    set_cell(path, number, column, "2018-13-45")
    assert_reported(validate(data_copy), f"data/{table}, row {number}, column {column}: '2018-13-45' ")


def test_impossible_day_that_matches_the_pattern(data_copy):
    path = data_copy / "ch03_nonproliferation_record.csv"
    set_cell(path, 3, "date", "2018-02-30")
    assert_reported(validate(data_copy), "data/ch03_nonproliferation_record.csv, row 3, column date: '2018-02-30' is not a calendar date")


def test_negative_count(data_copy):
    path = data_copy / "defector_arrivals.csv"
    number, _ = first_row(path, lambda row: row["arrivals_total"] and not row["arrivals_male"])
    set_cell(path, number, "arrivals_total", "-5")
    assert_reported(validate(data_copy), f"data/defector_arrivals.csv, row {number}, column arrivals_total: '-5' is below the minimum 0")


def test_negative_money(data_copy):
    set_cell(data_copy / "south_korea_gdp.csv", 5, "gdp_current_usd", "-1000")
    assert_reported(validate(data_copy), "data/south_korea_gdp.csv, row 5, column gdp_current_usd: '-1000' is below the minimum 0")


def test_share_above_100(data_copy):
    set_cell(data_copy / "unification_opinion.csv", 2, "share_pct", "120")
    assert_reported(validate(data_copy), "data/unification_opinion.csv, row 2, column share_pct: '120' is above the maximum 100")


def test_implausible_year(data_copy):
    set_cell(data_copy / "military_expenditure.csv", 7, "year", "20177")
    assert_reported(validate(data_copy), "data/military_expenditure.csv, row 7, column year: '20177' is above the maximum 2030")


def test_lowercase_country_code(data_copy):
    set_cell(data_copy / "population.csv", 2, "country_iso3", "kor")
    assert_reported(validate(data_copy), "data/population.csv, row 2, column country_iso3: 'kor' does not match the pattern")


def test_low_above_high(data_copy):
    path = data_copy / "nuclear_tests.csv"
    number, row = first_row(path, lambda row: row["yield_kt_low"] and row["yield_kt_high"])
    set_cell(path, number, "yield_kt_low", str(float(row["yield_kt_high"]) + 10))
    assert_reported(validate(data_copy), f"data/nuclear_tests.csv, row {number}, column yield_kt_high: yield_kt_low ")


def test_end_before_start(data_copy):
    path = data_copy / "military_exercises.csv"
    number, row = first_row(path, lambda row: row["start_date"] and row["end_date"])
    set_cell(path, number, "end_date", "2001-01-01")
    assert_reported(validate(data_copy), f"data/military_exercises.csv, row {number}, column end_date: end_date 2001-01-01 is before start_date")


def test_range_that_ends_before_it_starts(data_copy):
    path = data_copy / "unification_opinion.csv"
    number, _ = first_row(path, lambda row: "/" in row["fieldwork_dates"])
    set_cell(path, number, "fieldwork_dates", "2015-07-24/2015-07-01")
    assert_reported(validate(data_copy), f"data/unification_opinion.csv, row {number}, column fieldwork_dates: the range '2015-07-24/2015-07-01' ends before it starts")


def test_parts_that_do_not_add_up(data_copy):
    path = data_copy / "separated_families.csv"
    number, row = first_row(path, lambda row: row["alive"] and row["alive_male"] and row["alive_female"])
    set_cell(path, number, "alive_male", str(int(row["alive_male"]) + 100))
    assert_reported(validate(data_copy), f"data/separated_families.csv, row {number}, column alive: alive_male ")


def test_semicolon_delimited_table(data_copy):
    path = data_copy / "nuclear_tests.csv"
    rows = read_rows(path)
    write_rows(path, rows, delimiter=";")
    assert_reported(validate(data_copy), "data/nuclear_tests.csv, row 1, column test_number: the columns are separated by ';', not by ','")


def test_chapters_in_latin_1(data_copy):
    path = data_copy / "chapters.csv"
    set_cell(path, 4, "title", "Café diplomacy?")
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    assert_reported(validate(data_copy), "data/chapters.csv, row 4, column title: byte 0xe9 is not UTF-8")


def test_chapters_in_utf_16(data_copy):
    path = data_copy / "chapters.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    assert_reported(validate(data_copy), "data/chapters.csv, row 1, column chapter_id: the file is UTF-16 encoded")


def test_chapters_with_a_byte_order_mark(data_copy):
    path = data_copy / "chapters.csv"
    path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    assert_reported(validate(data_copy), "data/chapters.csv, row 1, column chapter_id: the file starts with a UTF-8 byte-order mark")


def test_extra_column(data_copy):
    path = data_copy / "population.csv"
    rows = read_rows(path)
    for row in rows:
        row["foo"] = "1"
    write_rows(path, rows)
    lines = validate(data_copy)
    assert_reported(lines, "data/population.csv, row 1, column foo: column 'foo' is not described in datapackage.json (table population)")
    assert not [line for line in lines if line.startswith("data/population.csv") and "row 1," not in line], lines


@pytest.mark.parametrize("table, value_column, source_column", [
    ("military_exercises.csv", "alt_start_date", "alt_source_id"),
    ("inter_korean_timeline.csv", "date_alternative", "date_alternative_source_id"),
])
def test_alternative_value_without_its_source(data_copy, table, value_column, source_column):
    path = data_copy / table
    number, _ = first_row(path, lambda row: row[value_column])
    set_cell(path, number, source_column, "")
    assert_reported(validate(data_copy), f"data/{table}, row {number}, column {source_column}: the row gives an alternative value ({value_column} ")


def test_broken_descriptor_is_named(data_copy):
    path = data_copy / "datapackage.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"resources": [', '"resources": [,', 1), encoding="utf-8")
    lines = validate(data_copy)
    assert lines[0].startswith("data/datapackage.json: line "), lines
    assert "not valid JSON" in lines[0] and "; " in lines[0], lines


def test_every_table_pins_the_comma(data_copy):
    """The dialect is in datapackage.json itself, so Frictionless alone (as tests/test_claims_register.py
    runs it) rejects a semicolon-delimited copy instead of guessing the delimiter."""
    import json

    from frictionless import Package

    descriptor = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    unpinned = [r["name"] for r in descriptor["resources"] if (r.get("dialect") or {}).get("delimiter") != ","]
    assert not unpinned, f"tables without a pinned delimiter ',': {unpinned}"
    path = data_copy / "nuclear_tests.csv"
    write_rows(path, read_rows(path), delimiter=";")
    report = Package(str(data_copy / "datapackage.json")).get_resource("nuclear_tests").validate()
    assert not report.valid, "Frictionless accepted a semicolon-delimited nuclear_tests.csv"
