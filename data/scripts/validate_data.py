"""Validate every table in data/ against data/datapackage.json and the bibliography.

    python data/scripts/validate_data.py                  # prints each problem; exit 1 if any
    python data/scripts/validate_data.py --data-dir DIR   # check another copy of data/

Each problem is one line, "data/<file>, row N, column C: what is wrong; what to
do", so that a maintainer can go straight to it (row 1 is the header, row 2 the
first data row). The script never stops with a traceback: a file it cannot read
is one more problem, named like the others.

Beyond Frictionless (types, ranges, patterns, keys, the CSV dialect), it checks
each row: low <= high and start <= end for every pair of such columns, parts
that add up to their total where a table defines one, a source for every
alternative value, real calendar dates in partial-date text columns, and source
keys that are in references.bib. The test suite (tests/test_data_package.py)
runs the same checks, on the real files and on deliberately damaged copies.
"""

from pathlib import Path
import argparse
import codecs
import csv
import datetime
import io
import json
import re
import sys
import traceback

REPO = Path(__file__).resolve().parents[2]
SOURCE_COLUMNS = re.compile(r"(^|_)source_id$")  # source_id, alt_source_id, method_source_id, ...
COURSE_TABLES = ("claims", "chapters")  # written by the course authors: no terms of reuse needed
RESTORE = "restore it with 'git checkout -- {shown}' or fix it from the source"

# Pairs of columns where the first may not exceed the second. Pairs named
# low/high, min/max, lower/upper or start/end are found from the column names;
# these are the ones whose names do not say so.
ORDERED_PAIRS = {
    "unsc_resolutions": [("date_adopted", "panel_mandate_until")],
}
PAIR_WORDS = (("low", "high"), ("min", "max"), ("lower", "upper"), ("start", "end"))

# Tables whose columns hold parts and their total, as their descriptions in
# datapackage.json define them: (total, [parts]). Checked where every cell is given.
TOTALS = {
    "separated_families": [
        ("registered_total", ["alive", "deceased"]),
        ("alive", ["alive_male", "alive_female"]),
        ("deceased", ["deceased_male", "deceased_female"]),
    ],
    "defector_arrivals": [("arrivals_total", ["arrivals_male", "arrivals_female"])],
    "north_korea_trade": [("total_trade_usd_millions", ["exports_usd_millions", "imports_usd_millions"])],
    "inter_korean_trade": [("total_usd_millions", ["from_north_usd_millions", "to_north_usd_millions"])],
}
# A part that can never exceed a total in the same row: (part, total).
PARTS_OF_TOTAL = {
    "north_korea_trade": [("china_trade_usd_millions", "total_trade_usd_millions")],
}
# Rows whose parts do not add up to the total because the sources say so. Each
# is kept as published (the course never reconciles sources); the reason is
# what the table and its research notes record. Key: (table, primary-key values).
KNOWN_MISMATCHES = {
    ("north_korea_trade", ("2003", "kotra_alt_report")):
        "exports 771 (Tongil News 2004) stand beside a total and imports from other reports of the same year",
    ("north_korea_trade", ("2005", "kotra")):
        "exports 998 and imports 2030 add up to 3028, not the stated total 3002; kept as recorded, to be checked against the source",
    ("inter_korean_trade", ("2005", "mou")):
        "the source gives inbound and outbound only as approximately 340 and 710",
    ("inter_korean_trade", ("2009", "kotra_report")):
        "the total is KOTRA's, the split KDI's",
}
ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


# ----------------------------------------------------------------------------
# Messages


def shown(file_name):
    return f"data/{file_name}"


def message(file_name, what, todo, row=None, column=None):
    """ "data/<file>, row N, column C: what is wrong; what to do" """
    where = shown(file_name)
    if row is not None:
        where += f", row {row}"
    if column:
        where += f", column {column}"
    return f"{where}: {what}; {todo}"


def package_message(what, todo):
    return f"data/datapackage.json: {what}; {todo}"


# ----------------------------------------------------------------------------
# Reading the files safely


def bibliography_keys(bib_path):
    """The citation keys defined in a BibTeX file."""
    text = Path(bib_path).read_text(encoding="utf-8")
    return set(re.findall(r"^@\w+\{([^,\s]+),", text, flags=re.MULTILINE))


def read_descriptor(data_dir):
    """(descriptor, problems): data/datapackage.json as a dict, or None and why not."""
    path = Path(data_dir) / "datapackage.json"
    todo = "restore it with 'git checkout -- data/datapackage.json'"
    if not path.is_file():
        return None, [package_message("the file is missing", todo)]
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        return None, [package_message(f"the file is not UTF-8 ({error.reason} at byte {error.start})", todo)]
    except json.JSONDecodeError as error:
        return None, [package_message(f"line {error.lineno}, column {error.colno}: not valid JSON ({error.msg})",
                                      "fix the JSON there, or " + todo)]
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        return None, [package_message("it has no list of 'resources'", todo)]
    for index, resource in enumerate(descriptor["resources"]):
        if not isinstance(resource, dict) or not resource.get("name") or not resource.get("path") \
                or not isinstance(resource.get("schema", {}).get("fields"), list):
            return None, [package_message(f"resource number {index + 1} lacks a name, a path or a schema with fields",
                                          "describe it completely, or " + todo)]
    return descriptor, []


def field_names(resource):
    return [field.get("name") for field in resource["schema"]["fields"]]


def _row_and_column(text_before, header):
    """Row number (header = 1) and column name of the cell at the end of text_before."""
    records = list(csv.reader(io.StringIO(text_before)))
    if not records:
        return 1, header[0] if header else None
    row = len(records)
    index = max(len(records[-1]) - 1, 0)
    if text_before.endswith(("\n", "\r")):  # the bad byte starts a new row
        row, index = row + 1, 0
    column = header[index] if index < len(header) else f"number {index + 1}"
    return row, column


def read_table_text(data_dir, resource):
    """(text, problems): the CSV's text if it is UTF-8 without a BOM and uses the pinned delimiter."""
    file_name = resource["path"]
    path = Path(data_dir) / file_name
    expected = field_names(resource)
    first = expected[0] if expected else None
    raw = path.read_bytes()
    save = "save the file again as UTF-8 (without a byte-order mark)"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (raw[:200].count(b"\x00") > 10):
        return None, [message(file_name, "the file is UTF-16 encoded, not UTF-8", save, row=1, column=first)]
    if raw.startswith(codecs.BOM_UTF8):
        return None, [message(file_name, "the file starts with a UTF-8 byte-order mark (BOM), "
                              f"which sticks to the first column name '{first}'", save, row=1, column=first)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        lenient = raw.decode("latin-1")
        header = next(csv.reader(io.StringIO(lenient)), [])
        row, column = _row_and_column(lenient[: error.start], header)
        byte = raw[error.start]
        return None, [message(file_name, f"byte 0x{byte:02x} is not UTF-8 (the file looks Latin-1 or "
                              "Windows-1252 encoded)", save, row=row, column=column)]
    dialect = resource.get("dialect") or {}
    delimiter = dialect.get("delimiter") or dialect.get("csv", {}).get("delimiter") or ","
    header_line = text.splitlines()[0] if text.strip() else ""
    header = next(csv.reader(io.StringIO(header_line), delimiter=delimiter), [])
    if len(expected) > 1 and len(header) <= 1:
        for other in (";", "\t", "|", ","):
            if other != delimiter and other in header_line:
                name = {"\t": "tabs"}.get(other, f"'{other}'")
                return None, [message(
                    file_name, f"the columns are separated by {name}, not by '{delimiter}' as datapackage.json "
                    f"pins for table {resource['name']} (the header reads as one column)",
                    f"save the file again as comma-separated CSV", row=1, column=first)]
    return text, []


def rows_of(text):
    """(header, [(row number, {column: value})]) with row 2 = first data row."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        rows.append((number, {column: (cells[i] if i < len(cells) else "") for i, column in enumerate(header)}))
    return header, rows


# ----------------------------------------------------------------------------
# Frictionless: types, constraints, keys, header


TYPE_HINTS = {
    "date": "write it as YYYY-MM-DD (a real calendar date)",
    "integer": "write a whole number, without thousands separators",
    "number": "write a number with '.' as the decimal point and no thousands separators",
    "year": "write a four-digit year",
    "boolean": "write true or false",
}


def _constraint_text(field, note, cell):
    """What is wrong, and what to do, for a Frictionless constraint-error."""
    match = re.search(r'constraint "(\w+)" is "(.*)"', note or "")
    name, value = (match.group(1), match.group(2)) if match else ("", "")
    constraints = (field or {}).get("constraints", {})
    if name == "required":
        return "the cell is empty but the column is required", "fill it in from the source"
    column = (field or {}).get("name", "")
    if "year" in column:
        hint = "check the year against the source (a typo, such as a digit too many?)"
    elif "pct" in column or "share" in column:
        hint = "check the value against the source (a share is a percentage, from 0 to 100)"
    else:
        hint = "check the value against the source (a count, amount or population cannot be negative)"
    if name == "minimum":
        return f"'{cell}' is below the minimum {constraints.get('minimum', value)} that datapackage.json allows", hint
    if name == "maximum":
        return f"'{cell}' is above the maximum {constraints.get('maximum', value)} that datapackage.json allows", hint
    if name == "pattern":
        pattern = constraints.get("pattern", value)
        human = ""
        if pattern.startswith("[0-9]{4}"):
            human = " (a date such as YYYY-MM or YYYY-MM-DD, month 01-12, day 01-31)"
        elif "A-Z" in pattern:
            human = " (an ISO 3166 alpha-3 code such as KOR)"
        elif pattern.startswith("([01]"):
            human = " (a time HH:MM:SS)"
        return f"'{cell}' does not match the pattern {pattern}{human}", "correct the value"
    if name == "enum":
        allowed = ", ".join(map(str, constraints.get("enum", [])))
        return (f"'{cell}' is not one of the allowed values ({allowed})",
                "use one of them, or add the new value to the enum in datapackage.json")
    if name in ("minLength", "maxLength"):
        return f"'{cell}' is {len(str(cell))} characters long, against {name} {value}", "shorten or lengthen it"
    if name == "unique":
        return f"'{cell}' repeats a value that must be unique in this column", "remove the duplicate row or correct the value"
    return f"'{cell}' breaks the constraint {name} = {value}", "correct the value"


def _error_line(resource, error, fields, pk):
    file_name = resource["path"]
    kind = error.type
    row = getattr(error, "row_number", None)
    column = getattr(error, "field_name", None) or None
    cell = getattr(error, "cell", None)
    label = getattr(error, "label", None)
    field = fields.get(column)
    if kind == "type-error":
        ftype = (field or {}).get("type", "value")
        return message(file_name, f"'{cell}' is not a valid {ftype}", TYPE_HINTS.get(ftype, "correct the value"), row, column)
    if kind == "constraint-error":
        what, todo = _constraint_text(field, error.note, cell)
        return message(file_name, what, todo, row, column)
    if kind == "unique-error":
        return message(file_name, f"'{cell}' repeats a value that must be unique in this column",
                       "remove the duplicate row or correct the value", row, column)
    if kind == "primary-key":
        columns = " + ".join(pk)
        return message(file_name, f"the row repeats the key ({columns}) of an earlier row",
                       "remove the duplicate row or correct its key", row, columns)
    if kind == "foreign-key":
        return message(file_name, f"the value does not match any row of the table it refers to ({error.note})",
                       "use a value that exists there", row, column)
    if kind == "extra-label":
        return message(file_name, f"column '{label}' is not described in datapackage.json (table {resource['name']})",
                       "describe it in the table's schema there, or remove the column", 1, label)
    if kind == "missing-label":
        return message(file_name, f"the column '{column}' that datapackage.json describes is missing",
                       "restore the column (or remove it from the schema)", 1, column)
    if kind == "incorrect-label":
        return message(file_name, f"the header says '{label}' where datapackage.json expects '{column}'",
                       f"rename the header to '{column}' (or the field in datapackage.json)", 1, column)
    if kind == "duplicate-label":
        return message(file_name, f"the header repeats the column name '{label}'", "rename or remove one of them", 1, label)
    if kind == "blank-label":
        return message(file_name, "a column has no name in the header", "name it or remove the column", 1, column)
    if kind == "extra-cell":
        return message(file_name, "the row has more cells than the header",
                       "remove the extra cell, or quote a value that contains a comma", row, column)
    if kind == "missing-cell":
        return message(file_name, "the row has fewer cells than the header",
                       "add the missing cells (an empty cell is just ',')", row, column)
    if kind == "blank-row":
        return message(file_name, "the row is empty", "remove it", row, None)
    return message(file_name, f"{kind}: {error.note}", RESTORE.format(shown=shown(file_name)), row, column)


def frictionless_problems(data_dir, descriptor, readable):
    """Schema problems of the tables in `readable` (names), one line each."""
    from frictionless import Package  # imported here: reading the files needs no Frictionless

    # A table whose file cannot be read is reported already; the foreign keys of
    # other tables that point to it are not checked, rather than failing on its bytes.
    descriptor = json.loads(json.dumps(descriptor))
    for resource in descriptor["resources"]:
        schema = resource["schema"]
        if "foreignKeys" in schema:
            schema["foreignKeys"] = [key for key in schema["foreignKeys"]
                                     if key.get("reference", {}).get("resource", "") in readable | {""}]
            if not schema["foreignKeys"]:
                del schema["foreignKeys"]
    try:
        package = Package(descriptor, basepath=str(data_dir))
    except Exception as error:  # the descriptor breaks the Data Package standard
        return [package_message(f"Frictionless cannot read it ({error})", "fix the descriptor")]
    problems = []
    for resource in package.resources:
        if resource.name not in readable:
            continue
        described = next(r for r in descriptor["resources"] if r["name"] == resource.name)
        fields = {field["name"]: field for field in described["schema"]["fields"]}
        pk = described["schema"].get("primaryKey") or []
        pk = [pk] if isinstance(pk, str) else pk
        try:
            report = resource.validate()
        except Exception as error:
            problems.append(message(resource.path, f"Frictionless cannot read the file ({error})",
                                    RESTORE.format(shown=shown(resource.path)), 1))
            continue
        errors = [error for task in report.tasks for error in task.errors]
        extra = {e.field_name for e in errors if e.type == "extra-label"}
        missing = {e.field_name for e in errors if e.type == "missing-label"}
        for error in errors:
            # An undescribed or missing column makes every row one cell too long or
            # short: the header problem says it once.
            if error.type == "extra-cell" and getattr(error, "field_name", None) in extra:
                continue
            if error.type == "missing-cell" and getattr(error, "field_name", None) in missing:
                continue
            problems.append(_error_line(described, error, fields, pk))
    return problems


# ----------------------------------------------------------------------------
# Row checks beyond Frictionless


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _half_unit(value):
    """Half a unit of the last decimal place shown: how far rounding can move it."""
    decimals = len(value.split(".", 1)[1]) if "." in value else 0
    return 0.5 * 10 ** -decimals


def ordered_pairs(resource):
    """[(first, second)] column pairs where first <= second, from the names and ORDERED_PAIRS."""
    names = field_names(resource)
    pairs = list(ORDERED_PAIRS.get(resource["name"], []))
    for name in names:
        tokens = name.split("_")
        for low, high in PAIR_WORDS:
            if low in tokens:
                partner = "_".join(high if token == low else token for token in tokens)
                if partner in names and (name, partner) not in pairs:
                    pairs.append((name, partner))
    return pairs


def _comparable(field, value):
    """A value that orders correctly: a number for numeric fields, the text for ISO dates."""
    if field.get("type") in ("integer", "number", "year"):
        return _number(value)
    return value


def _before(first, second):
    """first > second? For ISO date text of different precision, compare the common part."""
    if isinstance(first, str) and isinstance(second, str):
        size = min(len(first), len(second))
        return first[:size] > second[:size]
    return first > second


def row_problems(resource, rows, bib_keys):
    """The row checks of one table: sources, order, totals, alternative sources, calendar dates."""
    file_name, name = resource["path"], resource["name"]
    fields = {field["name"]: field for field in resource["schema"]["fields"]}
    names = list(fields)
    pk = resource["schema"].get("primaryKey") or []
    pk = [pk] if isinstance(pk, str) else pk
    pairs = ordered_pairs(resource)
    alternatives = []  # (source column, [value columns])
    for column in names:
        if SOURCE_COLUMNS.search(column) and column != "source_id":
            prefix = column[: -len("source_id")]
            values = [c for c in names if c != column and not SOURCE_COLUMNS.search(c)
                      and (c.startswith(prefix) or c == prefix.rstrip("_"))]
            if values:
                alternatives.append((column, values))
    date_text = [c for c, f in fields.items() if f.get("type") == "string"
                 and str(f.get("constraints", {}).get("pattern", "")).startswith("[0-9]{4}")]
    problems = []
    for number, row in rows:
        # Every source key is in the bibliography.
        for column, value in row.items():
            if column is None or not SOURCE_COLUMNS.search(column):
                continue
            for key in filter(None, (part.strip() for part in (value or "").split(";"))):
                if key not in bib_keys:
                    problems.append(message(file_name, f"source '{key}' is not in references.bib",
                                            "add the reference there, or correct the key", number, column))
        # Partial-date text holds real calendar days (2018-02-30 matches the pattern but is no date).
        for column in date_text:
            for year, month, day in ISO_DAY.findall(row.get(column, "")):
                if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
                    continue  # the pattern constraint reports it
                try:
                    datetime.date(int(year), int(month), int(day))
                except ValueError:
                    problems.append(message(file_name, f"'{year}-{month}-{day}' is not a calendar date",
                                            "correct the date from the source", number, column))
            value = row.get(column, "")
            if "/" in value:  # a range such as 2015-07-01/2015-07-24
                start, _, end = value.partition("/")
                if _before(start, end):
                    problems.append(message(file_name, f"the range '{value}' ends before it starts",
                                            "swap or correct the dates", number, column))
        # low <= high, start <= end.
        for first, second in pairs:
            a, b = row.get(first, ""), row.get(second, "")
            if not a or not b:
                continue
            ca, cb = _comparable(fields[first], a), _comparable(fields[second], b)
            if ca is None or cb is None:
                continue  # not a number: Frictionless reports it
            if _before(ca, cb):
                numeric = fields[first].get("type") in ("integer", "number", "year")
                what = f"{first} {a} is greater than {second} {b}" if numeric else f"{second} {b} is before {first} {a}"
                problems.append(message(file_name, what, "correct one of them from the source, or swap them",
                                        number, second))
        # Parts add up to their total.
        key = tuple(row.get(column, "") for column in pk)
        known = KNOWN_MISMATCHES.get((name, key))
        for total, parts in TOTALS.get(name, []):
            cells = [row.get(column, "") for column in [total] + parts]
            values = [_number(cell) for cell in cells]
            if not all(cells) or None in values or known:
                continue
            tolerance = sum(_half_unit(cell) for cell in cells) + 1e-9
            if abs(sum(values[1:]) - values[0]) > tolerance:
                shown_parts = " + ".join(f"{column} {cell}" for column, cell in zip(parts, cells[1:]))
                problems.append(message(
                    file_name, f"{shown_parts} = {sum(values[1:]):g}, not the {total} {cells[0]}",
                    "correct the figures from the source; if the source itself does not add up, record the row in "
                    "KNOWN_MISMATCHES in data/scripts/validate_data.py with the reason", number, total))
        for part, total in PARTS_OF_TOTAL.get(name, []):
            a, b = _number(row.get(part, "")), _number(row.get(total, ""))
            if a is not None and b is not None and a > b:
                problems.append(message(file_name, f"{part} {row[part]} is greater than {total} {row[total]}",
                                        "correct the figures from the source", number, part))
        # An alternative value names its source.
        for source_column, value_columns in alternatives:
            given = [c for c in value_columns if row.get(c, "").strip()]
            if given and not row.get(source_column, "").strip():
                problems.append(message(
                    file_name, f"the row gives an alternative value ({given[0]} '{row[given[0]]}') but no source for it",
                    f"put the key of its source in {source_column}", number, source_column))
            elif row.get(source_column, "").strip() and not given:
                problems.append(message(
                    file_name, f"{source_column} names a source but the row gives no alternative value "
                    f"({', '.join(value_columns)} empty)", f"fill in the value or clear {source_column}",
                    number, source_column))
    return problems


# ----------------------------------------------------------------------------
# The description of each table


def description_problems(data_dir, descriptor, chapter_ids, row_counts):
    """Each table says what it covers, where it comes from, its terms, caveats and gaps."""
    problems = []
    described = set()
    for resource in descriptor["resources"]:
        name = resource["name"]
        described.add(resource["path"])
        where = f"table {name}"
        needed = ["title", "description", "sources"]
        if name not in COURSE_TABLES:
            needed += ["coverage", "terms_of_reuse", "caveats", "gaps"]
        for key in needed:
            if not resource.get(key):
                problems.append(package_message(f"{where} gives no '{key}'", f"add '{key}' to the table's entry"))
        for source in resource.get("sources", []):
            if name not in COURSE_TABLES and not source.get("accessed"):
                problems.append(package_message(f"{where}: source '{source.get('title')}' has no access date",
                                                "add 'accessed' (YYYY-MM-DD)"))
        for chapter in resource.get("planned_chapters", []):
            if chapter_ids and chapter not in chapter_ids:
                problems.append(package_message(f"{where} plans chapter {chapter}, which is not in chapters.csv",
                                                "name a chapter from data/chapters.csv"))
        if "chapters" in resource:
            problems.append(package_message(
                f"{where} gives 'chapters'; the chapters that use a table are computed from the notebooks",
                "remove 'chapters' (use 'planned_chapters' for a table no notebook reads yet)"))
        dialect = resource.get("dialect") or {}
        if (dialect.get("delimiter") or dialect.get("csv", {}).get("delimiter")) != ",":
            problems.append(package_message(f"{where} does not pin its CSV dialect",
                                            'add "dialect": {"delimiter": ","} to the table\'s entry'))
        if "rows" in resource and name in row_counts and row_counts[name] != resource["rows"]:
            problems.append(message(resource["path"], f"datapackage.json says {resource['rows']} rows, "
                                    f"the file has {row_counts[name]}", "update 'rows' in datapackage.json"))
    for csv_path in sorted(Path(data_dir).glob("*.csv")):
        if csv_path.name not in described:
            problems.append(message(csv_path.name, "the file is not described in datapackage.json",
                                    "describe it there (see 'How to update the data'), or remove it"))
    return problems


# ----------------------------------------------------------------------------


def all_problems(data_dir=REPO / "data", bib_path=REPO / "references.bib"):
    """Every problem in a data folder, one line each, in the order of datapackage.json."""
    data_dir = Path(data_dir)
    descriptor, problems = read_descriptor(data_dir)
    if descriptor is None:
        return problems
    try:
        bib_keys = bibliography_keys(bib_path)
    except (OSError, UnicodeDecodeError) as error:
        return [f"{Path(bib_path).name}: cannot be read ({error}); restore it with 'git checkout -- references.bib'"]
    texts = {}
    for resource in descriptor["resources"]:
        path = data_dir / resource["path"]
        if not path.is_file():
            problems.append(message(resource["path"], f"the file is missing (table {resource['name']})",
                                    f"restore it with 'git checkout -- {shown(resource['path'])}'"))
            continue
        text, read_problems = read_table_text(data_dir, resource)
        problems += read_problems
        if text is not None:
            texts[resource["name"]] = text
    problems += frictionless_problems(data_dir, descriptor, set(texts))
    parsed = {name: rows_of(text) for name, text in texts.items()}
    for resource in descriptor["resources"]:
        if resource["name"] in parsed:
            problems += row_problems(resource, parsed[resource["name"]][1], bib_keys)
    chapter_ids = set()
    if "chapters" in parsed:
        chapter_ids = {row.get("chapter_id") for _, row in parsed["chapters"][1]}
    row_counts = {name: len(rows) for name, (_, rows) in parsed.items()}
    problems += description_problems(data_dir, descriptor, chapter_ids, row_counts)
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(REPO / "data"), help="the data folder to check (default: data/)")
    parser.add_argument("--bib", default=str(REPO / "references.bib"), help="the bibliography (default: references.bib)")
    parser.add_argument("--debug", action="store_true", help="show a traceback if the validator itself fails")
    args = parser.parse_args(argv)
    try:
        found = all_problems(args.data_dir, args.bib)
    except Exception as error:  # a bug in this script: say so in one line, never a traceback
        if args.debug:
            traceback.print_exc()
        print(f"validate_data.py could not finish ({type(error).__name__}: {error}); "
              "run it again with --debug and report the output")
        return 2
    for line in found:
        print(line)
    print(f"{len(found)} problem(s) in data/." if found else "data/: every table validates.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
