"""The claims register (data/claims.csv) and the chapter plan (data/chapters.csv)
agree with each other, with the table of contents and with the chapters."""

import csv
import re

import pytest
from frictionless import Package

from conftest import DATA_DIR, REPO_ROOT, cell_text, output_text, read_notebook, toc_files, toc_page_path

CLAIM_ID = re.compile(r"\bC\d{2}\b")
TESTABLE_VERDICTS = {"supported", "partly supported", "not supported", "inaccurate", "contested"}


def read_csv(name):
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


CLAIMS = read_csv("claims.csv")
CHAPTERS = {row["chapter_id"]: row for row in read_csv("chapters.csv")}
PUBLISHED = {entry for entry in toc_files() if entry.startswith("notebooks/")}


def page_text(entry):
    """Everything a page of the book shows: markdown, code and stored outputs."""
    path = toc_page_path(entry)
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8")
    cells = read_notebook(path)["cells"]
    return "\n".join(cell_text(c) + "\n" + output_text(c) for c in cells)


def test_data_package_validates():
    report = Package(str(DATA_DIR / "datapackage.json")).validate()
    problems = report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    assert report.valid, "data/datapackage.json does not validate:\n" + "\n".join(map(str, problems))


def test_register_size_and_order():
    ids = [row["claim_id"] for row in CLAIMS]
    assert 20 <= len(ids) <= 35, f"the register holds {len(ids)} claims; the article's claims number 20 to 35 by our reading"
    assert ids == [f"C{n:02d}" for n in range(1, len(ids) + 1)], "claim ids must run C01, C02, ... in article order, without gaps"


def test_every_claim_names_a_planned_chapter():
    for row in CLAIMS:
        assert row["chapter_id"] in CHAPTERS, f"{row['claim_id']} names chapter {row['chapter_id']!r}, which is not in data/chapters.csv"
        assert row["chapter_id"] != "ch01", f"{row['claim_id']}: chapter 1 maps the claims; name the chapter that tests it"


def test_chapter_plan_matches_table_of_contents():
    for chapter in CHAPTERS.values():
        notebook = chapter["notebook"].removesuffix(".ipynb")
        if (REPO_ROOT / chapter["notebook"]).exists():
            assert notebook in PUBLISHED, f"{chapter['notebook']} exists but is not in _toc.yml"
    for entry in PUBLISHED:
        if re.match(r"notebooks/\d{2}_", entry):
            assert any(c["notebook"] == f"{entry}.ipynb" for c in CHAPTERS.values()), f"_toc.yml publishes {entry}, which data/chapters.csv does not list"


@pytest.mark.parametrize("row", CLAIMS, ids=[row["claim_id"] for row in CLAIMS])
def test_claim_is_examined_where_the_register_says(row):
    chapter = CHAPTERS[row["chapter_id"]]
    entry = chapter["notebook"].removesuffix(".ipynb")
    if entry in PUBLISHED:
        assert row["claim_id"] in set(CLAIM_ID.findall(page_text(entry))), (
            f"{row['claim_id']} is assigned to {chapter['notebook']}, which is published but never mentions it"
        )
        assert row["verdict"] != "pending", f"{row['claim_id']}: its chapter is published, so it needs a verdict"
        assert row["evidence"].strip(), f"{row['claim_id']}: a verdict must name its evidence"
        assert row["confidence"], f"{row['claim_id']}: a verdict must give its confidence"
    else:
        assert row["verdict"] == "pending", f"{row['claim_id']} has verdict {row['verdict']!r} but its chapter is not published"


@pytest.mark.parametrize("row", CLAIMS, ids=[row["claim_id"] for row in CLAIMS])
def test_verdict_fits_claim_type(row):
    if row["verdict"] == "pending":
        assert not row["confidence"] and not row["evidence"], f"{row['claim_id']}: a pending claim has no confidence or evidence yet"
    elif row["claim_type"] == "normative":
        assert row["verdict"] == "premises weighed", f"{row['claim_id']}: a normative claim can only have its premises weighed"
    else:
        assert row["verdict"] in TESTABLE_VERDICTS, f"{row['claim_id']}: {row['verdict']!r} is not a verdict for a {row['claim_type']} claim"


def test_every_claim_id_mentioned_exists():
    known = {row["claim_id"] for row in CLAIMS}
    for entry in toc_files():
        unknown = set(CLAIM_ID.findall(page_text(entry))) - known
        assert not unknown, f"{entry} mentions {sorted(unknown)}, which the register does not hold"


def test_argument_map_is_a_tree_with_one_conclusion():
    supports = {row["claim_id"]: row["supports"] for row in CLAIMS}
    conclusions = [claim for claim, parent in supports.items() if not parent]
    assert len(conclusions) == 1, f"the map needs exactly one main conclusion (empty 'supports'), found {conclusions}"
    for claim in supports:
        seen, current = set(), claim
        while supports[current]:
            assert supports[current] in supports, f"{current} supports {supports[current]}, which is not in the register"
            assert current not in seen, f"the map has a loop through {current}"
            seen.add(current)
            current = supports[current]
        assert current == conclusions[0]
