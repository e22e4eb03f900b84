"""Record your own verdict on each claim, beside the course's.

At the end of each chapter's Verdicts section a cell calls, for every claim of
the chapter,

    record_my_verdict("C05", verdict=None, confidence=None)

Replace None with your verdict and your confidence, in the course's words, and
run the cell. Your verdicts are kept in a small CSV file of your own:

- ``my_verdicts.csv`` in the folder the notebook runs in (``notebooks/``),
  created the first time you record a verdict;
- or, when the environment variable ``COURSE_MY_VERDICTS`` names a file, that
  file (an instructor on a shared server may set it; the course's tests point
  it at a file that does not exist, so that nobody's own verdicts change a
  test run).

It is never written inside ``data/``, which holds the course's tables.
Recording a claim again replaces your earlier verdict on it. A cell whose
values are still None writes nothing. Chapter 11 reads the file with
``read_my_verdicts`` and draws your verdicts beside the course's;
``scripts/merge_verdicts.py`` pools many learners' files into a class table
and figure.

The words allowed are read from the claims register's schema
(``data/datapackage.json``): a normative claim gets "premises weighed", as in
the register, and the other kinds one of the verdicts for testable claims.

The file has one row per claim and the columns ``claim_id, verdict,
confidence, recorded_at`` (an ISO 8601 time). A file with other columns
(written by an older version of the course, or edited by hand) is not
guessed at: the message says what to do.
"""

from pathlib import Path
import csv
import datetime
import difflib
import io
import json
import os

import pandas as pd

from course_data import DATA_DIR, PACKAGE_FILE, load_table

FILE_NAME = "my_verdicts.csv"
ENV_VARIABLE = "COURSE_MY_VERDICTS"
COLUMNS = ["claim_id", "verdict", "confidence", "recorded_at"]
# The register's rule (tests/test_claims_register.py checks it there too): a
# normative claim can only have its premises weighed; "pending" means that a
# chapter has not judged a claim yet, which is not a verdict anyone records.
NORMATIVE_VERDICT = "premises weighed"
NOT_A_VERDICT = "pending"

HOW_TO_RECORD = (
    "You have not recorded any verdicts of your own yet, so there is nothing to put beside "
    "the course's. Each chapter from 2 to 11 ends its Verdicts section with a cell of "
    "record_my_verdict(...) lines, one for each claim it tests: replace None with your verdict "
    "and your confidence, in quotes, and run that cell. Then run this cell again. Your verdicts "
    f"are kept in {FILE_NAME} in the folder the notebooks run in (or in the file that the "
    f"environment variable {ENV_VARIABLE} names), never in data/."
)


class MyVerdictsError(ValueError):
    """A verdict that cannot be recorded, or a verdicts file that cannot be read.

    Jupyter shows only the message, not a traceback: the message already says
    what is wrong and what to do.
    """

    def _render_traceback_(self):
        # IPython calls this, when it exists, instead of printing a traceback.
        return [f"MyVerdictsError: {self}"]


# --- Where the file lives ----------------------------------------------------


def my_verdicts_file():
    """The learner's file: $COURSE_MY_VERDICTS if it is set, else my_verdicts.csv in the working folder."""
    named = os.environ.get(ENV_VARIABLE, "").strip()
    path = Path(named).expanduser() if named else Path.cwd() / FILE_NAME
    return path if path.is_absolute() else Path.cwd() / path


def _shown(path):
    """The path as the learner knows it: relative to the working folder when it is inside it."""
    try:
        relative = Path(path).resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return str(path)
    return str(relative) if relative.parts else str(path)


def _refuse_data_folder(path):
    data = DATA_DIR.resolve()
    if path.resolve() == data or data in path.resolve().parents:
        raise MyVerdictsError(
            f"Your verdicts would be saved in {_shown(path)}, inside the course's data/ folder, which "
            f"holds only the course's own tables. Run the notebook from notebooks/, or point "
            f"{ENV_VARIABLE} at a file outside data/."
        )


# --- The course's words ------------------------------------------------------


def _claim_schema(data_dir=None):
    """The verdict and confidence fields of the claims table, from datapackage.json."""
    data_dir = DATA_DIR if data_dir is None else Path(data_dir)
    load_table("claims", data_dir)  # a missing or malformed package gets course_data's message
    package = json.loads((data_dir / PACKAGE_FILE).read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r.get("name") == "claims")
    return {field["name"]: field for field in resource["schema"]["fields"]}


def vocabulary(data_dir=None):
    """(verdicts for empirical, causal and predictive claims, verdicts for normative claims, confidences).

    Read from the constraints of data/datapackage.json, so the words stay the register's.
    """
    fields = _claim_schema(data_dir)
    verdicts = [v for v in fields["verdict"]["constraints"]["enum"] if v != NOT_A_VERDICT]
    if NORMATIVE_VERDICT not in verdicts:
        raise MyVerdictsError(
            f"data/{PACKAGE_FILE} no longer lists the verdict {NORMATIVE_VERDICT!r} for normative "
            "claims; update notebooks/my_verdicts.py to the register's new words."
        )
    testable = [v for v in verdicts if v != NORMATIVE_VERDICT]
    return testable, [NORMATIVE_VERDICT], list(fields["confidence"]["constraints"]["enum"])


def allowed_verdicts(claim_type, words=None):
    """The verdicts a claim of this type can have (`words`: what vocabulary() returns)."""
    testable, normative, _ = vocabulary() if words is None else words
    return normative if claim_type == "normative" else testable


def _words(values, joiner="or"):
    quoted = [f'"{v}"' for v in values]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} {joiner} {quoted[-1]}"


def _normal(text):
    """Case, spaces, hyphens and underscores do not matter: 'Partly_Supported ' is 'partly supported'."""
    return " ".join(str(text).replace("_", " ").replace("-", " ").split()).casefold()


def _claims(data_dir=None):
    return load_table("claims", data_dir).set_index("claim_id")


def _claim_row(claim_id, claims):
    if not isinstance(claim_id, str):
        raise MyVerdictsError(f"A claim id is text in quotes, such as \"C05\", not {claim_id!r}.")
    key = claim_id.strip().upper()
    if key not in claims.index:
        raise MyVerdictsError(
            f"There is no claim {claim_id!r} in the claims register (data/claims.csv): its claims "
            f"run from {claims.index.min()} to {claims.index.max()}. Check the id in the chapter's "
            "list of claims."
        )
    return key, claims.loc[key]


def _check_word(value, allowed, what, claim_id, claim_type):
    """The course's word that `value` means, or MyVerdictsError saying which words fit."""
    if not isinstance(value, str):
        raise MyVerdictsError(
            f"{claim_id}: the {what} is text in quotes, one of {_words(allowed)}, not {value!r}."
        )
    for word in allowed:
        if _normal(value) == _normal(word):
            return word
    close = difflib.get_close_matches(_normal(value), allowed, n=1)
    hint = f" Did you mean \"{close[0]}\"?" if close else ""
    if what == "confidence":
        raise MyVerdictsError(f"{value!r} is not a confidence: use {_words(allowed)}.{hint}")
    where = f"{value!r} is not a verdict for {claim_id}, {_a(claim_type)} claim"
    if claim_type == "normative":
        reason = (f"data alone cannot settle it, so its verdict is {_words(allowed)}, as in the register "
                  "(your confidence says how well you think its premises hold)")
    elif _normal(value) == _normal(NORMATIVE_VERDICT):
        reason = f"use {_words(allowed)}; \"{NORMATIVE_VERDICT}\" is for normative claims"
    else:
        reason = f"use {_words(allowed)}"
    raise MyVerdictsError(f"{where}: {reason}.{hint}")


def _a(word):
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


# --- Reading the file -------------------------------------------------------


def read_verdicts_file(path, shown=None, data_dir=None):
    """The verdicts in a learner's file, as a DataFrame with the columns COLUMNS.

    Every row is checked against the register: a known claim id, a verdict
    that fits the claim's type, a confidence, a time, and one row per claim.
    Raises MyVerdictsError naming the file (`shown`, else the path) and the
    row (row 1 is the header, row 2 the first verdict).
    """
    path = Path(path)
    shown = _shown(path) if shown is None else shown
    again = f"Fix that row, or rename the file (for example to old_{path.name}) and record your verdicts again."
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MyVerdictsError(f"{shown} does not exist.") from None
    except IsADirectoryError:
        raise MyVerdictsError(f"{shown} is a folder, not a verdicts file.") from None
    except UnicodeDecodeError:
        raise MyVerdictsError(f"{shown} is not a UTF-8 text file, so it is not a verdicts file of this course.") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise MyVerdictsError(
            f"{shown} is empty: a verdicts file starts with the header {','.join(COLUMNS)}. "
            "Delete it; record_my_verdict creates it again."
        )
    header = [cell.strip() for cell in rows[0]]
    if header != COLUMNS:
        raise MyVerdictsError(
            f"{shown} has the columns {', '.join(header)}; this version of the course reads and writes "
            f"{', '.join(COLUMNS)}. It may have been written by an older version of the course, or edited "
            f"by hand: rename it (for example to old_{path.name}) and record your verdicts again, or fix "
            "its first row."
        )
    claims = _claims(data_dir)
    words = vocabulary(data_dir)
    found, first_row = [], {}
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, as an editor may leave at the end
        where = f"{shown}, row {number}"
        if len(cells) != len(COLUMNS):
            raise MyVerdictsError(f"{where}: {len(cells)} values where the header has {len(COLUMNS)}. {again}")
        row = dict(zip(COLUMNS, (cell.strip() for cell in cells)))
        claim_id = row["claim_id"]
        try:
            if claim_id not in claims.index:
                raise MyVerdictsError(
                    f"{claim_id!r} is not a claim of this version's register (data/claims.csv, "
                    f"{claims.index.min()} to {claims.index.max()}); the file may have been written "
                    "for another version of the course"
                )
            claim_type = claims.loc[claim_id, "claim_type"]
            allowed = allowed_verdicts(claim_type, words)
            for column, fitting in (("verdict", allowed), ("confidence", words[2])):
                if row[column] not in fitting:
                    word = _check_word(row[column], fitting, column, claim_id, claim_type)
                    raise MyVerdictsError(f"the {column} is written {row[column]!r}; the course writes {word!r}")
            datetime.datetime.fromisoformat(row["recorded_at"])
        except ValueError as error:  # MyVerdictsError is one; so is a time that cannot be read
            problem = str(error) if isinstance(error, MyVerdictsError) else (
                f"recorded_at is {row['recorded_at']!r}, not a time such as 2026-12-01T10:30:00+09:00")
            problem = problem if problem.endswith((".", "?")) else problem + "."
            raise MyVerdictsError(f"{where}: {problem} {again}") from None
        if claim_id in first_row:
            raise MyVerdictsError(
                f"{where}: {claim_id} is recorded twice (rows {first_row[claim_id]} and {number}); a "
                "verdicts file holds one row per claim. Delete the row you no longer want."
            )
        first_row[claim_id] = number
        found.append(row)
    return pd.DataFrame(found, columns=COLUMNS)


def read_my_verdicts(path=None, data_dir=None):
    """Your verdicts (see read_verdicts_file); an empty table if you have not recorded any yet."""
    path = my_verdicts_file() if path is None else Path(path)
    if not path.exists():
        return pd.DataFrame(columns=COLUMNS)
    return read_verdicts_file(path, data_dir=data_dir)


def _write(path, table):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(table.sort_values("claim_id")[COLUMNS].itertuples(index=False))
    path.write_text(buffer.getvalue(), encoding="utf-8")


# --- Recording a verdict ----------------------------------------------------


def record_my_verdict(claim_id, verdict=None, confidence=None):
    """Save your verdict and confidence on one claim; with None, say how, and save nothing.

    The file (my_verdicts_file()) is created the first time a verdict is
    recorded; recording the same claim again replaces the earlier row. Prints
    one line and returns nothing.
    """
    claims = _claims()
    claim_id, claim = _claim_row(claim_id, claims)
    claim_type = claim["claim_type"]
    words = vocabulary()
    allowed, confidences = allowed_verdicts(claim_type, words), words[2]
    path = my_verdicts_file()
    if verdict is None and confidence is None:
        earlier = _earlier(path, claim_id)
        if earlier is not None:
            print(f"{claim_id}: you recorded {earlier['verdict']}, {earlier['confidence']} confidence "
                  f"({_when(earlier)}). To change it, give another verdict and run the cell again.")
            return
        verdicts = (f"{_words(allowed)} (the verdict for a normative claim)" if claim_type == "normative"
                    else f"a verdict ({_words(allowed)})")
        print(f"{claim_id} ({claim_type}) not recorded yet: replace None with {verdicts} and a "
              f"confidence ({_words(confidences)}), in quotes, then run this cell again.")
        return
    if verdict is None or confidence is None:
        missing = "verdict" if verdict is None else "confidence"
        words = allowed if verdict is None else confidences
        raise MyVerdictsError(f"{claim_id}: give a {missing} as well ({_words(words)}), then run the cell again.")
    verdict = _check_word(verdict, allowed, "verdict", claim_id, claim_type)
    confidence = _check_word(confidence, confidences, "confidence", claim_id, claim_type)
    _refuse_data_folder(path)
    if path.is_dir():
        raise MyVerdictsError(f"{_shown(path)} is a folder; {ENV_VARIABLE} must name a file, such as "
                              f"{_shown(path / FILE_NAME)}.")
    if not path.parent.is_dir():
        raise MyVerdictsError(f"The folder {_shown(path.parent)} does not exist, so {path.name} cannot be "
                              f"created there; create the folder or point {ENV_VARIABLE} elsewhere.")
    table = read_my_verdicts(path)
    earlier = _earlier(path, claim_id, table)
    if earlier is not None and (earlier["verdict"], earlier["confidence"]) == (verdict, confidence):
        print(f"{claim_id}: already recorded as {verdict}, {confidence} confidence ({_when(earlier)}); "
              "nothing changed.")
        return
    now = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    new_row = pd.DataFrame([[claim_id, verdict, confidence, now]], columns=COLUMNS)
    others = table[table["claim_id"] != claim_id]
    table = new_row if others.empty else pd.concat([others, new_row], ignore_index=True)
    _write(path, table)
    replaced = "" if earlier is None else (
        f", replacing {earlier['verdict']}, {earlier['confidence']} ({_when(earlier)})")
    print(f"Recorded {claim_id}: {verdict}, {confidence} confidence, in {_shown(path)}{replaced}. "
          f"Verdicts recorded so far: {len(table)} of {len(claims)}.")


def _earlier(path, claim_id, table=None):
    """Your earlier row for this claim, or None."""
    if table is None:
        table = read_my_verdicts(path)
    rows = table[table["claim_id"] == claim_id]
    return None if rows.empty else rows.iloc[0]


def _when(row):
    return f"on {row['recorded_at'][:16].replace('T', ' at ')}"
