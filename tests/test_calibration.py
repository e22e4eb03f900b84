"""The calibration samples (book/instructor/calibration.md) are marked as the rubrics allow.

For each assignment of book/instructor/assignments.md, the page has one strong and
one weak sample. Each sample's marks table must mark every criterion of that
assignment's rubric exactly once, at one of the rubric's levels, with marks inside
the range the rubric gives that level for that criterion; its total must be the sum.
The samples must also keep to what the page promises: 120 to 200 words, claims that
are in the register, citations that are in references.bib, links only to pages in
the table of contents, and a strong sample that scores above the weak one.
"""

import csv
import re

import pytest

from conftest import DATA_DIR, REPO_ROOT, toc_files

ASSIGNMENTS = REPO_ROOT / "book" / "instructor" / "assignments.md"
CALIBRATION = REPO_ROOT / "book" / "instructor" / "calibration.md"
LEVELS = ["Excellent", "Proficient", "Developing", "Insufficient"]
WORDS = (120, 200)
MYST_ROLE = re.compile(r"\{(\w+(?::\w+)?)\}`([^`]*)`")


def sections(text, level):
    """{heading: body} for the headings of exactly `level` #s."""
    parts = re.split(rf"^{'#' * level} (.+)$", text, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def table_rows(body, header_start):
    """The rows (lists of cells) of the first Markdown table whose header begins with `header_start`."""
    lines = body.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(header_start):
            rows = []
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                rows.append([cell.strip() for cell in row.strip().strip("|").split("|")])
            return rows
    return None


def marks_range(cell):
    """'... **4–5**' -> (4, 5); '... **6**' -> (6, 6)."""
    match = re.search(r"\*\*(\d+)(?:\s*[–-]\s*(\d+))?\*\*\s*$", cell)
    assert match, f"no marks at the end of rubric cell {cell!r}"
    low = int(match.group(1))
    return low, int(match.group(2) or low)


def rubrics(text):
    """{'A': {criterion: {level: (low, high)}}, ...} from the assignments page."""
    found = {}
    for heading, body in sections(text, 2).items():
        letter = re.match(r"Assignment ([A-Z]):", heading)
        if not letter:
            continue
        rows = table_rows(body, "| Criterion | " + " | ".join(LEVELS) + " |")
        assert rows, f"assignments.md: {heading} has no rubric table"
        found[letter.group(1)] = {row[0]: dict(zip(LEVELS, map(marks_range, row[1:]))) for row in rows}
    return found


def samples(text):
    """{'A': {'Strong sample: ...': (sample text, marks rows)}, ...} from the calibration page."""
    found = {}
    for heading, body in sections(text, 2).items():
        letter = re.match(r"Assignment ([A-Z]):", heading)
        if not letter:
            continue
        found[letter.group(1)] = {
            title: ("\n".join(line[2:] for line in sample.splitlines() if line.startswith("> ")),
                    table_rows(sample, "| Criterion | Level | Marks | Why |"))
            for title, sample in sections(body, 3).items()}
    return found


def word_count(text):
    return len(re.findall(r"\w+(?:['’.,-]\w+)*", MYST_ROLE.sub(" ", text)))


def calibration_problems(calibration_text, assignments_text):
    """Every way in which the calibration page breaks the rubrics; empty when it keeps them."""
    problems = []
    rubric = rubrics(assignments_text)
    page = samples(calibration_text)
    if sorted(page) != sorted(rubric):
        problems.append(f"the page calibrates assignments {sorted(page)}; the rubrics are {sorted(rubric)}")
    for letter, criteria in rubric.items():
        top = sum(levels["Excellent"][1] for levels in criteria.values())
        if top != 25:
            problems.append(f"assignment {letter}: the rubric's top marks add up to {top}, not 25")
        kinds = sorted(title.split(":")[0] for title in page.get(letter, {}))
        if kinds != ["Strong sample", "Weak sample"]:
            problems.append(f"assignment {letter}: samples {kinds}, expected one strong and one weak")
        totals = {}
        for title, (text, rows) in page.get(letter, {}).items():
            where = f"assignment {letter}, {title}"
            if not rows:
                problems.append(f"{where}: no marks table (| Criterion | Level | Marks | Why |)")
                continue
            marked, total = {}, None
            for row in rows:
                name = row[0].strip("* ")
                if name == "Total":
                    total = int(re.sub(r"\D", "", row[2]) or -1)
                    continue
                if name in marked:
                    problems.append(f"{where}: {name!r} is marked twice")
                if name not in criteria:
                    problems.append(f"{where}: {name!r} is not a criterion of the rubric")
                    continue
                level, marks = row[1], int(row[2]) if row[2].isdigit() else None
                if level not in criteria[name]:
                    problems.append(f"{where}: {name!r} has level {level!r}, not one of {LEVELS}")
                    continue
                low, high = criteria[name][level]
                if marks is None or not low <= marks <= high:
                    problems.append(f"{where}: {name!r} at {level} gets {row[2]}, outside the rubric's {low}–{high}")
                if not row[3]:
                    problems.append(f"{where}: {name!r} has no reason")
                marked[name] = marks or 0
            for name in criteria:
                if name not in marked:
                    problems.append(f"{where}: the criterion {name!r} is not marked")
            if total != sum(marked.values()):
                problems.append(f"{where}: the total is {total}, but the marks add up to {sum(marked.values())}")
            totals[title.split(":")[0]] = sum(marked.values())
            count = word_count(text)
            if not WORDS[0] <= count <= WORDS[1]:
                problems.append(f"{where}: {count} words, outside {WORDS[0]}–{WORDS[1]}")
        if len(totals) == 2 and totals["Strong sample"] <= totals["Weak sample"]:
            problems.append(f"assignment {letter}: the strong sample ({totals['Strong sample']}) does not "
                            f"score above the weak one ({totals['Weak sample']})")
    return problems


@pytest.fixture(scope="module")
def pages():
    assert CALIBRATION.is_file(), "book/instructor/calibration.md is missing"
    return CALIBRATION.read_text(encoding="utf-8"), ASSIGNMENTS.read_text(encoding="utf-8")


def test_every_sample_is_marked_within_the_rubric(pages):
    problems = calibration_problems(*pages)
    assert not problems, "book/instructor/calibration.md:\n  " + "\n  ".join(problems)


def test_the_check_catches_a_mark_out_of_range_a_missing_criterion_and_a_wrong_total(pages):
    calibration, assignments = pages
    out_of_range = calibration.replace("| Reading the claims | Excellent | 5 |", "| Reading the claims | Excellent | 3 |", 1)
    assert out_of_range != calibration
    assert any("'Reading the claims' at Excellent gets 3, outside the rubric's 5–5" in p
               for p in calibration_problems(out_of_range, assignments))
    missing = re.sub(r"^\| Memo craft \|.*\n", "", calibration, count=1, flags=re.MULTILINE)
    assert missing != calibration
    assert any("'Memo craft' is not marked" in p for p in calibration_problems(missing, assignments))
    wrong_total = calibration.replace("| **Total** | | **24** | |", "| **Total** | | **25** | |", 1)
    assert any("the total is 25, but the marks add up to 24" in p for p in calibration_problems(wrong_total, assignments))
    # A rubric whose range changes makes the page out of date: it must fail too.
    stricter = assignments.replace("Accurate and cited, relying on the brief. **4–5**",
                                   "Accurate and cited, relying on the brief. **4**", 1)
    assert stricter != assignments
    assert any("Fidelity to the government's position" in p and "at Proficient gets 5, outside the rubric's 4–4" in p
               for p in calibration_problems(calibration, stricter))

def test_samples_name_real_claims_and_sources(pages):
    calibration, _ = pages
    with open(DATA_DIR / "claims.csv", encoding="utf-8", newline="") as handle:
        claim_ids = {row["claim_id"] for row in csv.DictReader(handle)}
    named = set(re.findall(r"\bC\d{2}\b", calibration))
    assert named and named <= claim_ids, f"calibration.md names claims not in the register: {sorted(named - claim_ids)}"
    bibliography = (REPO_ROOT / "references.bib").read_text(encoding="utf-8")
    keys = {key.strip() for role, content in MYST_ROLE.findall(calibration) if role.startswith("cite")
            for key in content.split(",")}
    missing = sorted(key for key in keys if not re.search(rf"^@\w+\{{{re.escape(key)},", bibliography, re.MULTILINE))
    assert keys and not missing, f"calibration.md cites keys that references.bib lacks: {missing}"
    for table in set(re.findall(r"`(?:data/)?([a-z0-9_]+\.csv)`", calibration)):
        assert (DATA_DIR / table).is_file(), f"calibration.md names data/{table}, which does not exist"


def test_links_go_only_to_pages_in_the_table_of_contents(pages):
    calibration, _ = pages
    in_toc = set(toc_files())
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", calibration):
        if re.match(r"https?://", target):
            continue
        page = (CALIBRATION.parent / target).resolve().relative_to(REPO_ROOT).with_suffix("").as_posix()
        assert page in in_toc, f"calibration.md links to {target}, which is not in _toc.yml (the -W build would fail)"
