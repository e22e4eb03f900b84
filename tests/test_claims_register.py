"""The claims register (data/claims.csv) and the chapter plan (data/chapters.csv)
agree with each other, with the table of contents and with the chapters."""

import csv
import re

import pytest
from frictionless import Package

from conftest import ARTICLE, DATA_DIR, REPO_ROOT, cell_text, output_text, read_notebook, skip_or_fail, toc_files, toc_page_path

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


def article_paragraphs():
    """The article's paragraphs of prose (lines of 15 words or more), in order."""
    if not ARTICLE.exists():
        skip_or_fail(f"{ARTICLE} is not beside the repository (the course's source article)")
    lines = ARTICLE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if len(line.split()) >= 15]


def test_register_size_and_order():
    """The register follows the article: ids C01..Cn without gaps, in the order of its paragraphs."""
    ids = [row["claim_id"] for row in CLAIMS]
    assert ids, "data/claims.csv holds no claim"
    assert ids == [f"C{n:02d}" for n in range(1, len(ids) + 1)], "claim ids must run C01, C02, ... in article order, without gaps"
    paragraphs = len(article_paragraphs())
    first_paragraph = []
    for row in CLAIMS:
        numbers = [int(n) for n in row["article_paragraphs"].split(";")]
        assert all(1 <= n <= paragraphs for n in numbers), (
            f"data/claims.csv, {row['claim_id']}, column article_paragraphs: {row['article_paragraphs']!r}; "
            f"the article has paragraphs 1 to {paragraphs}"
        )
        first_paragraph.append((numbers[0], row["claim_id"]))
    for (before, earlier), (after, later) in zip(first_paragraph, first_paragraph[1:]):
        assert after >= before, (
            f"data/claims.csv: {later} starts in paragraph {after}, before {earlier} (paragraph {before}); "
            "claims must follow the article's order"
        )
    covered = {int(n) for row in CLAIMS for n in row["article_paragraphs"].split(";")}
    assert covered == set(range(1, paragraphs + 1)), (
        f"no claim comes from paragraph(s) {sorted(set(range(1, paragraphs + 1)) - covered)} of the article"
    )


def test_every_chapter_notebook_is_in_the_book():
    """A notebook named like a chapter (NN_name.ipynb) is in _toc.yml and in data/chapters.csv."""
    planned = {row["notebook"] for row in CHAPTERS.values()}
    for path in sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        entry = f"notebooks/{path.stem}"
        assert entry in PUBLISHED, f"notebooks/{path.name} is a chapter notebook but _toc.yml does not list it"
        assert f"{entry}.ipynb" in planned, f"notebooks/{path.name} is a chapter notebook but data/chapters.csv does not list it"


def verdicts_section(entry):
    """The markdown of a chapter's '## Verdicts' section, or '' if it has none."""
    cells = read_notebook(toc_page_path(entry))["cells"]
    markdown = "\n".join(cell_text(c) for c in cells if c["cell_type"] == "markdown")
    match = re.search(r"^## Verdicts\s*$(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    return match.group(1) if match else ""


def table_verdicts(section):
    """(claim id, verdict, confidence, line) for every row of the tables in a Verdicts section.

    Tables have a header with 'Verdict' and 'Confidence' columns; the claim is
    named in the row's 'Claim' column or, where the table has none, in the
    nearest line above the table.
    """
    found, header, claim_above = [], None, None
    for line in section.splitlines():
        if not line.startswith("|"):
            header = None
            ids = CLAIM_ID.findall(line)
            if ids:
                claim_above = ids[0]
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if header is None:
            header = [cell.lower() for cell in cells]
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        row = dict(zip(header, cells))
        ids = CLAIM_ID.findall(row.get("claim", "")) or ([claim_above] if claim_above else [])
        found.append((ids[0] if ids else None, row.get("verdict", ""), row.get("confidence", ""), line[:80]))
    return found


TESTING_CHAPTERS = sorted({row["chapter_id"] for row in CLAIMS})


@pytest.mark.parametrize("chapter_id", TESTING_CHAPTERS)
def test_verdict_table_agrees_with_register(chapter_id):
    """Each chapter's verdict table gives, claim by claim, the register's verdict and confidence."""
    chapter = CHAPTERS[chapter_id]
    entry = chapter["notebook"].removesuffix(".ipynb")
    if entry not in PUBLISHED:
        pytest.skip(f"{chapter['notebook']} is not published yet")
    rows = table_verdicts(verdicts_section(entry))
    assert rows, f"{chapter['notebook']} has no '## Verdicts' table with Verdict and Confidence columns"
    register = {row["claim_id"]: row for row in CLAIMS if row["chapter_id"] == chapter_id}
    listed = [claim for claim, *_ in rows]
    assert sorted(listed) == sorted(register), (
        f"{chapter['notebook']}: the verdict table lists {listed}; the register assigns {sorted(register)} to this chapter"
    )
    for claim, verdict, confidence, line in rows:
        expected = register[claim]
        for column, shown in (("verdict", verdict), ("confidence", confidence)):
            assert shown == expected[column], (
                f"{chapter['notebook']}, verdict table, {claim}, column {column}: the table says {shown!r}, "
                f"data/claims.csv says {expected[column]!r} (row: {line}...)"
            )


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
