"""Validate every table in data/ against data/datapackage.json and the bibliography.

    python data/scripts/validate_data.py        # prints each problem; exit 1 if any

Each problem is one line naming the table, the row and the column, so that a
maintainer can go straight to it. The test suite (tests/test_data_package.py)
runs the same checks, on the real files and on deliberately damaged copies.
"""

from pathlib import Path
import csv
import json
import re
import sys

from frictionless import Package

REPO = Path(__file__).resolve().parents[2]
SOURCE_COLUMNS = re.compile(r"(^|_)source_id$")  # source_id, alt_source_id, method_source_id, ...


def bibliography_keys(bib_path):
    """The citation keys defined in a BibTeX file."""
    text = Path(bib_path).read_text(encoding="utf-8")
    return set(re.findall(r"^@\w+\{([^,\s]+),", text, flags=re.MULTILINE))


def frictionless_problems(package_path):
    """Schema problems (types, constraints, keys, headers, missing files), one line each."""
    problems = []
    try:
        package = Package(str(package_path))
    except Exception as error:  # the descriptor itself is broken
        return [f"datapackage.json: cannot be read ({error})"]
    for resource in package.resources:
        if not (Path(package_path).parent / resource.path).is_file():
            problems.append(f"table {resource.name}: file data/{resource.path} is missing")
            continue
        report = resource.validate()
        for task in report.tasks:
            for error in task.errors:
                row = getattr(error, "row_number", None)
                field = getattr(error, "field_name", None)
                where = f"table {resource.name}"
                if row:
                    where += f", row {row}"
                if field:
                    where += f", column {field}"
                note = error.note
                if error.type == "incorrect-label":
                    note = f"the header says '{getattr(error, 'label', '')}' where the schema expects '{field}'"
                elif error.type == "missing-label":
                    note = f"the column '{field}' that the schema describes is missing"
                problems.append(f"{where}: {error.type}: {note}")
    return problems


def source_problems(package_path, bib_path):
    """Every source key named in a *source_id column must be in the bibliography."""
    keys = bibliography_keys(bib_path)
    data_dir = Path(package_path).parent
    descriptor = json.loads(Path(package_path).read_text(encoding="utf-8"))
    problems = []
    for resource in descriptor["resources"]:
        path = data_dir / resource["path"]
        if not path.is_file():
            continue
        with open(path, encoding="utf-8", newline="") as handle:
            for row_number, row in enumerate(csv.DictReader(handle), start=2):
                for column, value in row.items():
                    if column is None or not SOURCE_COLUMNS.search(column):
                        continue
                    for key in filter(None, (part.strip() for part in (value or "").split(";"))):
                        if key not in keys:
                            problems.append(
                                f"table {resource['name']}, row {row_number}, column {column}: "
                                f"source '{key}' is not in references.bib"
                            )
    return problems


def description_problems(package_path, chapter_ids):
    """Each table must say what it covers, where it comes from, its terms, caveats and gaps."""
    descriptor = json.loads(Path(package_path).read_text(encoding="utf-8"))
    data_dir = Path(package_path).parent
    problems = []
    described = set()
    for resource in descriptor["resources"]:
        name = resource.get("name", "?")
        described.add(resource.get("path"))
        needed = ["title", "description", "sources"]
        if name not in ("claims", "chapters"):  # the course's own tables need no terms of reuse
            needed += ["coverage", "terms_of_reuse", "caveats", "gaps", "chapters"]
        for key in needed:
            if not resource.get(key):
                problems.append(f"table {name}: datapackage.json gives no '{key}'")
        for source in resource.get("sources", []):
            if name not in ("claims", "chapters") and not source.get("accessed"):
                problems.append(f"table {name}: source '{source.get('title')}' has no access date")
        for chapter in resource.get("chapters", []):
            if chapter not in chapter_ids:
                problems.append(f"table {name}: names chapter {chapter}, which is not in chapters.csv")
        path = data_dir / resource.get("path", "")
        if "rows" in resource and path.is_file():
            with open(path, encoding="utf-8", newline="") as handle:
                actual = sum(1 for _ in csv.DictReader(handle))
            if actual != resource["rows"]:
                problems.append(f"table {name}: datapackage.json says {resource['rows']} rows, the file has {actual}")
    for csv_path in sorted(data_dir.glob("*.csv")):
        if csv_path.name not in described:
            problems.append(f"data/{csv_path.name}: not described in datapackage.json")
    return problems


def all_problems(data_dir=REPO / "data", bib_path=REPO / "references.bib"):
    package_path = Path(data_dir) / "datapackage.json"
    chapters_csv = Path(data_dir) / "chapters.csv"
    chapter_ids = set()
    if chapters_csv.is_file():
        with open(chapters_csv, encoding="utf-8", newline="") as handle:
            chapter_ids = {row["chapter_id"] for row in csv.DictReader(handle)}
    problems = frictionless_problems(package_path)
    if not problems or not problems[0].startswith("datapackage.json: cannot"):
        problems += source_problems(package_path, bib_path) + description_problems(package_path, chapter_ids)
    return problems


if __name__ == "__main__":
    found = all_problems()
    for line in found:
        print(line)
    print(f"{len(found)} problem(s) in data/." if found else "data/: every table validates.")
    sys.exit(1 if found else 0)
