"""The tables in data/ validate against data/datapackage.json, every row names
a source that is in the bibliography, and damaged copies are caught with a
message that names the table, the row and the column."""

import csv
import io
import shutil
import sys

import pytest

from conftest import DATA_DIR, REPO_ROOT

sys.path.insert(0, str(DATA_DIR / "scripts"))
import derive_missile_tables  # noqa: E402
import make_data_sources_page  # noqa: E402
from validate_data import all_problems  # noqa: E402

BIB = REPO_ROOT / "references.bib"
RAW = REPO_ROOT.parent / "shared" / "raw"


def test_real_data_validates():
    problems = all_problems(DATA_DIR, BIB)
    assert not problems, "data/ does not validate:\n" + "\n".join(problems)


@pytest.fixture
def data_copy(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy, ignore=shutil.ignore_patterns("scripts", "provenance"))
    return copy


def set_cell(path, row_index, column, value):
    """Change one cell of a CSV file (row_index 0 = first data row)."""
    rows = list(csv.DictReader(open(path, encoding="utf-8", newline="")))
    rows[row_index][column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def only_problem(data_copy):
    problems = all_problems(data_copy, BIB)
    assert problems, "the damage was not detected"
    return problems


def test_missing_file_is_named(data_copy):
    (data_copy / "nuclear_tests.csv").unlink()
    assert "table nuclear_tests: file data/nuclear_tests.csv is missing" in only_problem(data_copy)


def test_renamed_column_is_named(data_copy):
    path = data_copy / "population.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("population_thousands", "pop", 1), encoding="utf-8")
    problems = only_problem(data_copy)
    assert any("table population" in p and "column population_thousands" in p and "'pop'" in p for p in problems), problems


def test_malformed_date_is_named(data_copy):
    set_cell(data_copy / "unsc_resolutions.csv", 2, "date_adopted", "14/10/2006")
    problems = only_problem(data_copy)
    assert any(p.startswith("table unsc_resolutions, row 4, column date_adopted: type-error") for p in problems), problems


def test_malformed_partial_date_is_named(data_copy):
    set_cell(data_copy / "inter_korean_timeline.csv", 1, "date", "August 1948")
    problems = only_problem(data_copy)
    assert any(p.startswith("table inter_korean_timeline, row 3, column date: constraint-error") for p in problems), problems


def test_empty_source_is_named(data_copy):
    set_cell(data_copy / "military_expenditure.csv", 2, "source_id", "")
    problems = only_problem(data_copy)
    assert any(p.startswith("table military_expenditure, row 4, column source_id") and "required" in p for p in problems), problems


def test_unknown_source_is_named(data_copy):
    set_cell(data_copy / "nuclear_tests.csv", 0, "source_id", "nobody_2099")
    problems = only_problem(data_copy)
    assert "table nuclear_tests, row 2, column source_id: source 'nobody_2099' is not in references.bib" in problems


def test_duplicate_key_is_named(data_copy):
    path = data_copy / "military_exercises.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + [lines[1]]) + "\n", encoding="utf-8")
    problems = only_problem(data_copy)
    assert any(p.startswith(f"table military_exercises, row {len(lines) + 1}: primary-key") for p in problems), problems


def test_undescribed_table_is_named(data_copy):
    (data_copy / "stray.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert "data/stray.csv: not described in datapackage.json" in only_problem(data_copy)


@pytest.mark.skipif(not RAW.is_dir(), reason="shared/raw/ is not beside the repository")
@pytest.mark.parametrize(
    "derive, table",
    [(derive_missile_tables.derive_cns, "missile_tests_cns.csv"), (derive_missile_tables.derive_csis, "provocations_csis.csv")],
)
def test_launch_tables_are_derived_from_the_raw_copies(derive, table):
    derived = derive().to_csv(index=False, lineterminator="\n")
    committed = (DATA_DIR / table).read_text(encoding="utf-8")
    assert derived == committed, f"data/{table} differs from what data/scripts/derive_missile_tables.py derives; run it again"


def test_data_sources_page_is_up_to_date():
    import json

    package = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    committed = (REPO_ROOT / "book" / "data_sources.md").read_text(encoding="utf-8")
    assert make_data_sources_page.render(package) == committed, (
        "book/data_sources.md is out of date: run .venv/bin/python data/scripts/make_data_sources_page.py"
    )


def test_every_table_is_used_or_planned():
    import json

    package = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    chapter_ids = {row["chapter_id"] for row in csv.DictReader(open(DATA_DIR / "chapters.csv", encoding="utf-8"))}
    for resource in package["resources"]:
        assert set(resource.get("chapters", [])) & chapter_ids, f"{resource['name']} names no chapter that uses it"


def test_bibliography_entries_are_well_formed():
    """Every entry formats (a stray brace or % breaks the whole book build) and web sources carry an access date."""
    from pybtex.database import parse_file
    from pybtex.plugin import find_plugin

    style = find_plugin("pybtex.style.formatting", "plain")()
    bibliography = parse_file(str(BIB))
    for key, entry in bibliography.entries.items():
        try:
            list(style.format_entries([entry]))
        except Exception as error:  # pybtex raises several kinds of error
            pytest.fail(f"references.bib entry {key} cannot be formatted: {error}")
        assert "title" in entry.fields, f"references.bib entry {key} has no title"
        if "url" in entry.fields:
            assert entry.fields.get("urldate"), f"references.bib entry {key} has a url but no urldate (access date)"
