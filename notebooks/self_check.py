"""Give feedback on a student's answer to a data exercise.

The expected value is always computed from the data in the notebook, never
typed in, so the check stays right when the data change.

`check_answer(answer, expected, hint)` prints one short verdict and never
raises, whatever the student typed. How it compares:

- Numbers (int, float, numpy numbers, Decimal) are equal when they agree to
  the precision the exercise asks for. With `decimals=d` that means within
  half a unit of the d-th decimal place (at decimals=1, 74.63 passes for
  74.6 and 74.7 does not). Without it, the tolerance is relative 1e-9 plus
  absolute 1e-9: float noise passes (0.1 + 0.2 for 0.3), a real difference
  does not (5.001 for 5). An answer 100 times too small or too large gets a
  "percent or share?" hint.
- Text is equal when it differs only in upper/lower case or in spaces
  around or inside it ("c10 " for "C10").
- Dates (pandas Timestamp, datetime, date) are compared as calendar dates;
  a string such as "2018-04-27" is read as a date.
- True/False must be answered with True or False, not 1 or 0.
- A set of ids (expected a set, list or tuple) is compared as a set of
  text values; the verdict counts what is missing and names what should not
  be there, without giving the answer away.
- A one-value Series or DataFrame counts as the value it holds; a bigger one
  gets a one-line message naming its shape.

Importing this module also makes a NameError in a notebook cell (a cell above
not run yet, for instance after a kernel restart) show a short paragraph that
says what to do, instead of a traceback: see `explain_name_errors`. After a
kernel restart nothing has been imported yet, so a check cell should begin
with its own import, which installs the message before the cell's first
missing name is reached:

    from self_check import check_answer  # also explains a missing name
    expected_1 = len(claims)
    check_answer(answer_1, expected_1, hint="...")
"""

import datetime
import decimal
import difflib
import math
import numbers

import numpy as np
import pandas as pd

NO_ANSWER = "No answer yet: replace None with your answer and run this cell again."
PERCENT_OR_SHARE = ("this looks like a share where a percentage is wanted, "
                    "or the other way round: percent or share?")
# What a set of ids may come as; what may hold one value or many.
COLLECTIONS = (list, tuple, set, frozenset, pd.Series, pd.Index, np.ndarray)
TABLES = (pd.Series, pd.DataFrame, pd.Index, np.ndarray)


def check_answer(answer, expected, hint, decimals=None):
    """Print whether `answer` equals `expected`; on a wrong answer, say what is off and give `hint`.

    Numbers count as equal within a relative and an absolute tolerance of
    1e-9, or, with `decimals=d`, when they agree to d decimal places (within
    half a unit of the last one). See the module's description for text,
    dates, True/False and sets of ids. Prints one line and returns nothing,
    so a notebook cell shows only the feedback; it never raises.
    """
    try:
        verdict = _verdict(answer, expected, decimals)
    except Exception:  # whatever was typed, the student gets a sentence, not a traceback
        verdict = f"Your answer is {_describe(answer)}, which cannot be compared with the expected answer."
    if verdict.startswith("Right") or verdict == NO_ANSWER:
        print(verdict)
    else:
        print(f"{verdict} Hint: {hint}")


def _verdict(answer, expected, decimals):
    """The verdict on `answer`, without the hint."""
    if answer is None:
        return NO_ANSWER
    answer, expected = _single_value(answer), _single_value(expected)
    if _is_empty(answer):
        return ("Your answer is empty: put your value between the quotes or brackets, "
                "or check that your selection keeps some rows.")
    if isinstance(expected, COLLECTIONS):
        return _compare_sets(answer, expected)
    if isinstance(answer, TABLES + COLLECTIONS):
        return (f"Your answer is {_describe(answer)}, not one value: narrow it down to the one "
                "value asked for (with .loc[...], or a method such as .max() or .item()).")
    if _is_missing(answer):
        return (f"Your answer is {answer}, a missing value: check that your selection "
                "keeps some rows and that the column holds the values you expect.")
    if isinstance(expected, bool):
        return _compare_bools(answer, expected)
    if isinstance(expected, datetime.date):
        return _compare_dates(answer, expected)
    if isinstance(expected, numbers.Real):
        return _compare_numbers(answer, expected, decimals)
    if isinstance(expected, str):
        return _compare_strings(answer, expected)
    return f"Right: {answer}." if answer == expected else f"Not quite: {_describe(answer)} is not the answer."


def _single_value(value):
    """A numpy scalar, a Decimal, or a one-value Series/DataFrame/array as the plain Python value inside."""
    if isinstance(value, TABLES) and value.size == 1:
        value = np.asarray(value).ravel()[0]
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def _is_empty(value):
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, TABLES):
        return value.size == 0
    return isinstance(value, (list, tuple, set, frozenset, dict)) and len(value) == 0


def _is_missing(value):
    return value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _compare_numbers(answer, expected, decimals):
    if isinstance(answer, str) and _reads_as_number(answer):
        return f"Your answer {answer!r} is text; this exercise wants a number: remove the quotes."
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return f"Your answer is {_describe(answer)}; this exercise wants a number."
    if _agree(answer, expected, decimals):
        return f"Right: {_show_number(answer)}."
    if expected != 0 and (_roughly(answer * 100, expected) or _roughly(answer, expected * 100)):
        return f"Not quite: {_show_number(answer)} is off by a factor of 100: {PERCENT_OR_SHARE}"
    direction = "too high" if answer > expected else "too low"
    return f"Not quite: {_show_number(answer)} is {direction}."


def _agree(answer, expected, decimals=None):
    """The tolerance rule: relative 1e-9 plus absolute 1e-9, or half a unit of the `decimals`-th place."""
    absolute = 1e-9 if decimals is None else 0.5 * 10.0 ** -decimals
    return math.isclose(answer, expected, rel_tol=1e-9, abs_tol=absolute)


def _roughly(answer, expected):
    """Close enough to suspect a slip of a factor of 100 (within 0.5%)."""
    return math.isclose(answer, expected, rel_tol=0.005)


def _reads_as_number(text):
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _show_number(number):
    """An int as typed; a float without its noise (0.30000000000000004 shows as 0.3)."""
    return str(number) if isinstance(number, int) else repr(float(f"{number:.12g}"))


def _compare_strings(answer, expected):
    if not isinstance(answer, str):
        return f"Your answer is {_describe(answer)}; this exercise wants a str: text in quotes."
    if _normal(answer) == _normal(expected):
        return f"Right: {expected}."
    return f"Not quite: {_show(answer)} is not the answer."


def _normal(text):
    """Text without case and with single spaces: ' c10 ' and 'C10' agree."""
    return " ".join(str(text).split()).casefold()


def _compare_bools(answer, expected):
    if not isinstance(answer, bool):
        return f"Your answer is {_describe(answer)}; this exercise wants True or False (no quotes)."
    return f"Right: {answer}." if answer == expected else f"Not quite: {answer} is not the answer."


def _compare_dates(answer, expected):
    given = _as_date(answer)
    if given is None:
        return f"Your answer is {_describe(answer)}; this exercise wants a date, written like '2000-01-31'."
    wanted = _as_date(expected)
    if given == wanted:
        return f"Right: {given.isoformat()}."
    return f"Not quite: {given.isoformat()} is {'too late' if given > wanted else 'too early'}."


def _as_date(value):
    """The calendar date in a date, datetime, Timestamp or ISO text such as '2018-04-27'; else None."""
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value.strip()).date()
        except ValueError:
            return None
    if isinstance(value, datetime.datetime):  # a pandas Timestamp is one too
        return value.date()
    return value if isinstance(value, datetime.date) else None


def _compare_sets(answer, expected):
    if isinstance(answer, pd.DataFrame):
        return (f"Your answer is {_describe(answer)}; this exercise wants a list of values: "
                "take one column, for example with .tolist().")
    if not isinstance(answer, COLLECTIONS):
        return f"Your answer is {_describe(answer)}; this exercise wants several values, in a list like ['A', 'B']."
    given = {_normal(_id_text(item)): _id_text(item) for item in np.ravel(list(answer))}
    wanted = {_normal(_id_text(item)) for item in np.ravel(list(expected))}
    missing = wanted - given.keys()
    extra = sorted(given[key] for key in given.keys() - wanted)
    if not missing and not extra:
        return f"Right: all {len(wanted)} of them."
    parts = [f"{len(missing)} missing"] if missing else []
    if extra:
        named = ", ".join(repr(item) for item in extra[:5]) + (", ..." if len(extra) > 5 else "")
        parts.append(f"{len(extra)} that should not be there: {named}")
    return f"Not quite: {', '.join(parts)}."


def _id_text(item):
    """An id as text: 3, 3.0, np.int64(3) and '3' all become '3'."""
    item = _single_value(item)
    if isinstance(item, float) and item.is_integer():
        item = int(item)
    return str(item)


def _describe(value):
    """A short description of any value, never a whole table."""
    if isinstance(value, pd.DataFrame):
        return f"a DataFrame of {value.shape[0]} rows × {value.shape[1]} columns"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (pd.Series, pd.Index, list, tuple, set, frozenset, dict)):
        return f"a {type(value).__name__} of {len(value)} value{'' if len(value) == 1 else 's'}"
    name = type(value).__name__
    return f"{_show(value)}, {'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _show(value):
    """repr(value), cut short if it is long."""
    try:
        text = repr(value)
    except Exception:  # a value that cannot even show itself
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 40 else text[:37] + "..."


def explain_name_errors():
    """Make a NameError in a notebook cell show a short paragraph instead of a traceback.

    Runs when this module is imported, so a check cell that begins with
    `from self_check import check_answer` is covered even just after a kernel
    restart: IPython looks the handler up when the error happens, not when the
    cell starts. Does nothing outside IPython, or when another tool has
    already installed its own handler. Other errors keep their traceback.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or shell.custom_exceptions not in ((), (NameError,)):
        return
    shell.set_custom_exc((NameError,), _show_name_error)


def _show_name_error(shell, etype, value, tb, tb_offset=None):
    """IPython's handler: the paragraph when a cell uses a name not defined yet; the normal traceback otherwise."""
    if issubclass(etype, UnboundLocalError) or not _raised_in_a_cell(shell, tb):
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    paragraph = _name_error_paragraph(value, shell.user_ns)
    shell._showtraceback(etype, value, [paragraph])
    return [paragraph]


def _raised_in_a_cell(shell, tb):
    """True when the innermost frame runs in the notebook's namespace, not inside a library."""
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_globals is shell.user_global_ns


def _name_error_paragraph(error, namespace):
    name = getattr(error, "name", None) or "".join(str(error).split("'")[1:2])
    close = difflib.get_close_matches(name, [key for key in namespace if not key.startswith("_")], n=1)
    spelling = f" Did you mean '{close[0]}'?" if close else ""
    return (f"NameError: '{name}' is not defined. Python does not know this name yet: the cell "
            "above that defines it has not been run in this session (after a kernel restart, "
            "or when cells run out of order, nothing from earlier cells exists until they run "
            "again). In JupyterLab, click this cell and choose Run > Run All Above Selected "
            "Cell, then run this cell again; or choose Kernel > Restart Kernel and Run All "
            f"Cells. If you typed the name yourself, check its spelling.{spelling}")


explain_name_errors()
