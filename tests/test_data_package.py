"""The tables in data/ validate against data/datapackage.json, every row names
a source that is in the bibliography, and damaged copies are caught with a
message that names the file, the row and the column ("data/<file>, row N,
column C: what is wrong; what to do"). tests/test_validator_breaks.py breaks
each schema and row rule through the command line."""

import csv
import io
import shutil
import sys

import pytest

from conftest import DATA_DIR, REPO_ROOT, skip_or_fail

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
    problems = only_problem(data_copy)
    assert any(p.startswith("data/nuclear_tests.csv: the file is missing (table nuclear_tests); restore it") for p in problems), problems


def test_renamed_column_is_named(data_copy):
    path = data_copy / "population.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("population_thousands", "pop", 1), encoding="utf-8")
    problems = only_problem(data_copy)
    assert any(p.startswith("data/population.csv, row 1, column population_thousands: the header says 'pop'") for p in problems), problems


def test_malformed_date_is_named(data_copy):
    set_cell(data_copy / "unsc_resolutions.csv", 2, "date_adopted", "14/10/2006")
    problems = only_problem(data_copy)
    assert "data/unsc_resolutions.csv, row 4, column date_adopted: '14/10/2006' is not a valid date; write it as YYYY-MM-DD (a real calendar date)" in problems, problems


def test_malformed_partial_date_is_named(data_copy):
    set_cell(data_copy / "inter_korean_timeline.csv", 1, "date", "August 1948")
    problems = only_problem(data_copy)
    assert any(p.startswith("data/inter_korean_timeline.csv, row 3, column date: 'August 1948' does not match the pattern") for p in problems), problems


def test_empty_source_is_named(data_copy):
    set_cell(data_copy / "military_expenditure.csv", 2, "source_id", "")
    problems = only_problem(data_copy)
    assert "data/military_expenditure.csv, row 4, column source_id: the cell is empty but the column is required; fill it in from the source" in problems, problems


def test_unknown_source_is_named(data_copy):
    set_cell(data_copy / "nuclear_tests.csv", 0, "source_id", "nobody_2099")
    problems = only_problem(data_copy)
    assert "data/nuclear_tests.csv, row 2, column source_id: source 'nobody_2099' is not in references.bib; add the reference there, or correct the key" in problems, problems


def test_duplicate_key_is_named(data_copy):
    path = data_copy / "military_exercises.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + [lines[1]]) + "\n", encoding="utf-8")
    problems = only_problem(data_copy)
    assert f"data/military_exercises.csv, row {len(lines) + 1}, column exercise_id: the row repeats the key (exercise_id) of an earlier row; remove the duplicate row or correct its key" in problems, problems


def test_undescribed_table_is_named(data_copy):
    (data_copy / "stray.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert "data/stray.csv: the file is not described in datapackage.json; describe it there (see 'How to update the data'), or remove it" in only_problem(data_copy)


@pytest.mark.parametrize(
    "derive, table",
    [(derive_missile_tables.derive_cns, "missile_tests_cns.csv"), (derive_missile_tables.derive_csis, "provocations_csis.csv")],
)
def test_launch_tables_are_derived_from_the_raw_copies(derive, table):
    if not RAW.is_dir():
        skip_or_fail(f"{RAW} is not beside the repository (the raw copies the launch tables are derived from)")
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
    """Which chapters use a table is computed from the notebooks' load_table calls;
    whatever datapackage.json stores about it must agree with them."""
    import json

    package = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    chapter_ids = {row["chapter_id"] for row in csv.DictReader(open(DATA_DIR / "chapters.csv", encoding="utf-8"))}
    loaded_by = make_data_sources_page.chapters_using_tables(REPO_ROOT)
    names = {resource["name"] for resource in package["resources"]}
    unknown = sorted(set(loaded_by) - names)
    assert not unknown, f"notebooks load table(s) that datapackage.json does not describe: {unknown} ({loaded_by})"
    for resource in package["resources"]:
        name = resource["name"]
        loaded = loaded_by.get(name, [])
        if "chapters" in resource:
            assert sorted(resource["chapters"]) == loaded, (
                f"{name}: datapackage.json says chapters {sorted(resource['chapters'])} use it, but the notebooks "
                f"that load it are {loaded}; remove 'chapters' (the Data sources page computes it)"
            )
        planned = resource.get("planned_chapters", [])
        assert loaded or planned, f"{name}: no notebook loads it and datapackage.json names no planned chapter for it"
        assert set(planned) <= chapter_ids, f"{name}: planned_chapters {planned} names a chapter not in chapters.csv"
        already = sorted(set(planned) & set(loaded))
        assert not already, f"{name}: planned for {already}, which already load it; remove them from planned_chapters"


def test_load_table_calls_are_found(tmp_path):
    """The scan finds load_table("x") and load_table('y') in code cells only, and maps notebooks to chapters."""
    import json

    (tmp_path / "data").mkdir()
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "data" / "chapters.csv").write_text(
        "chapter_id,number,title,short_title,notebook,part\n"
        "ch01,1,T,T,notebooks/01_one.ipynb,Reading the article\n"
        "ch02,2,T,T,notebooks/02_two.ipynb,Security\n",
        encoding="utf-8",
    )

    def notebook(path, cells):
        path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")

    notebook(tmp_path / "notebooks" / "01_one.ipynb", [
        {"cell_type": "code", "source": ['a = load_table("alpha")\n', "b = load_table('beta')"]},
        {"cell_type": "markdown", "source": 'load_table("gamma") in prose is not a use'},
    ])
    notebook(tmp_path / "notebooks" / "02_two.ipynb", [{"cell_type": "code", "source": "load_table( 'alpha' )"}])
    notebook(tmp_path / "notebooks" / "chapter_template.ipynb", [{"cell_type": "code", "source": 'load_table("delta")'}])
    assert make_data_sources_page.chapters_using_tables(tmp_path) == {"alpha": ["ch01", "ch02"], "beta": ["ch01"]}


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
