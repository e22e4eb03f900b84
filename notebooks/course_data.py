"""Load the course's data tables, with a clear message when something is wrong.

Every chapter starts by loading tables from the repository's ``data/`` folder.
Doing the checks below in every notebook would bury the lesson, so they live
here, in one small, tested function: ``load_table``.

The data folder is found from this file's own location (``notebooks/../data``),
not from the folder Jupyter happens to run in. A graded assignment's notebook
is handed out and graded with a copy of this file and a ``data/`` folder beside
it (see book/instructor/guide.md); that folder is used when the first is absent.
"""

from pathlib import Path
import json

import pandas as pd

_HERE = Path(__file__).resolve().parent
DATA_DIR = _HERE.parent / "data"
if not DATA_DIR.is_dir() and (_HERE / "data").is_dir():
    DATA_DIR = _HERE / "data"
PACKAGE_FILE = "datapackage.json"
GET_THE_FILES = (
    "Get a complete copy of the course (git clone, or download the repository "
    "as a zip) and open this notebook from its notebooks/ folder."
)


class CourseDataError(Exception):
    """A course data file is missing or malformed.

    Jupyter shows only the message, not a traceback: the message already says
    what is wrong and what to do.
    """

    def _render_traceback_(self):
        # IPython calls this, when it exists, instead of printing a traceback.
        return [f"CourseDataError: {self}"]


def _table_schema(name, data_dir):
    """Return the path and field names that datapackage.json gives for table `name`."""
    package_path = data_dir / PACKAGE_FILE
    if not data_dir.is_dir():
        raise CourseDataError(
            f"The course's data/ folder is missing (looked for it beside notebooks/). {GET_THE_FILES}"
        )
    try:
        package = json.loads(package_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CourseDataError(
            f"data/{PACKAGE_FILE} is missing, so the tables cannot be checked. {GET_THE_FILES}"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CourseDataError(
            f"data/{PACKAGE_FILE} is not valid JSON ({error}). Restore it with "
            f"'git checkout -- data/{PACKAGE_FILE}'."
        ) from None
    for resource in package.get("resources", []):
        if resource.get("name") == name:
            fields = [field["name"] for field in resource["schema"]["fields"]]
            return data_dir / resource["path"], fields
    known = ", ".join(sorted(r.get("name", "?") for r in package.get("resources", [])))
    raise CourseDataError(
        f"There is no table called '{name}' in data/{PACKAGE_FILE}. Known tables: {known}."
    )


def load_table(name, data_dir=None):
    """Read the table `name` from data/ as a DataFrame, after checking it.

    Checks that the file exists, can be read as UTF-8 CSV, is not empty and
    has exactly the columns that data/datapackage.json describes.
    Raises CourseDataError with a one-sentence explanation otherwise.
    """
    data_dir = DATA_DIR if data_dir is None else Path(data_dir)
    path, expected_columns = _table_schema(name, data_dir)
    shown = f"data/{path.name}"
    restore = f"Restore it with 'git checkout -- {shown}' or get a fresh copy of the course."
    if not path.is_file():
        raise CourseDataError(f"The table {shown} is missing. {restore}")
    try:
        # Every column is read as text first, so that a stray value cannot
        # silently change a column's type; chapters convert what they need.
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CourseDataError(f"{shown} cannot be read as a UTF-8 CSV file ({reason}). {restore}") from None
    missing = [column for column in expected_columns if column not in table.columns]
    unexpected = [column for column in table.columns if column not in expected_columns]
    if missing:
        raise CourseDataError(
            f"{shown} lacks the column(s) {', '.join(missing)} that data/{PACKAGE_FILE} describes. {restore}"
        )
    if unexpected:
        raise CourseDataError(
            f"{shown} has column(s) {', '.join(unexpected)} that data/{PACKAGE_FILE} does not describe; "
            f"describe them there or remove them."
        )
    if table.empty:
        raise CourseDataError(f"{shown} has a header but no rows. {restore}")
    return table[expected_columns]
