"""Every notebook states an honest time to learn, and a core path of at most an hour.

The rule is scripts/time_to_learn.py's (its docstring states it; book/how_to_use.md
explains it to readers). For each notebook a learner studies (chapters 01-11 and the
primer), the Prerequisites cell must state:

- a total time and a time for the exercises, each within 25 % of what the rule computes;
- a core path within 25 % of the computed one, and computed at most 60 minutes;
- in each chapter, a core path that keeps "## Verdicts" and "## Other perspectives";
  a "Core path" line that names every section marked "(optional)", and that tells the
  reader to run all cells first where a core cell needs what an optional one computes.

Unit tests below pin the counting rule on tiny notebooks made up for the purpose, and
a notebook given a wrong stated time must fail. Print the table with
`.venv/bin/python scripts/time_to_learn.py`.
"""

import re

import nbformat
import pytest

from conftest import REPO_ROOT, chain_notebooks, handout_notebooks

import time_to_learn as ttl  # conftest puts scripts/ on sys.path

STUDIED = handout_notebooks()  # the chapters and the primer; not the template
COMMAND = ".venv/bin/python scripts/time_to_learn.py"


def notebook_times(path):
    notebook = ttl.read_notebook(path)
    return notebook, ttl.times_of(notebook, path.name), ttl.stated_times(notebook)


def section_markdown(path, name):
    """The markdown of the "## name" section of a notebook (its "###" parts included)."""
    pieces, inside = [], False
    for cell in ttl.read_notebook(path).cells:
        if cell.cell_type != "markdown":
            continue
        for level, heading, text in ttl.split_at_headings(cell.source):
            if level == 2:
                inside = ttl.plain_heading(heading) == name
            if inside:
                pieces.append(text)
    return "\n".join(pieces)


def within(stated, computed):
    return stated is not None and abs(stated - computed) <= ttl.TOLERANCE * computed


def test_the_rule_covers_every_studied_notebook():
    assert [p.name for p in ttl.studied_notebooks()] == [p.name for p in STUDIED]
    assert "primer_python_pandas.ipynb" in [p.name for p in STUDIED]


@pytest.mark.parametrize("path", STUDIED, ids=[p.name for p in STUDIED])
def test_stated_times_agree_with_the_rule(path):
    _, times, stated = notebook_times(path)
    for label, said, computed in (("total time to learn", stated.total, times.total),
                                  ("time for the exercises", stated.exercises, times.exercises),
                                  ("core path", stated.core, times.core)):
        assert said is not None, (
            f"{path.name}: the Prerequisites cell states no {label} that can be read (expected lines such as "
            f"'- **Time to learn:** about 2 hours: 1 hour 25 minutes for reading and running the chapter, "
            f"35 minutes for the exercises.' and '- **Core path:** about 55 minutes: ...'); the rule computes "
            f"{computed:.0f} minutes; run `{COMMAND}` for the table"
        )
        assert within(said, computed), (
            f"{path.name}: the Prerequisites cell states {said} minutes for the {label}; the rule computes "
            f"{computed:.0f} minutes, more than {ttl.TOLERANCE:.0%} apart. Run `{COMMAND}` for the table "
            f"and restate the time"
        )
    assert stated.total == stated.reading + stated.exercises, (
        f"{path.name}: the total ({stated.total} minutes) is not the sum of its parts "
        f"({stated.reading} + {stated.exercises})"
    )


@pytest.mark.parametrize("path", STUDIED, ids=[p.name for p in STUDIED])
def test_core_path_takes_at_most_an_hour(path):
    _, times, stated = notebook_times(path)
    assert times.core <= ttl.CORE_LIMIT_MINUTES, (
        f"{path.name}: the core path takes {times.core:.0f} minutes by the rule, over {ttl.CORE_LIMIT_MINUTES}; "
        f"mark more sections '(optional)' (robustness checks, second measures, deeper history, extra figures) "
        f"and restate the time; run `{COMMAND}` for the table"
    )
    assert stated.core is not None and stated.core <= ttl.CORE_LIMIT_MINUTES, (
        f"{path.name}: the stated core path is {stated.core} minutes; at most {ttl.CORE_LIMIT_MINUTES}"
    )


@pytest.mark.parametrize("path", chain_notebooks(), ids=[p.name for p in chain_notebooks()])
def test_core_path_reaches_the_verdicts_and_hears_the_other_side(path):
    _, times, _ = notebook_times(path)
    names = {section.name.lower(): section for section in times.sections}
    verdicts = names.get("verdicts")
    assert verdicts is not None, f"{path.name}: no '## Verdicts' section"
    assert verdicts.core, f"{path.name}: the Verdicts section may not be marked optional"
    assert re.search(r"\|\s*verdict\s*\|", section_markdown(path, "Verdicts"), re.IGNORECASE), (
        f"{path.name}: the core Verdicts section holds no table with a Verdict column")
    others = [s for s in times.sections if s.name.lower().startswith(("other perspectives", "other readings"))]
    assert others and all(s.core for s in others), (
        f"{path.name}: 'Other perspectives' must be on the core path (balance is core)"
    )
    for section in times.sections:
        assert not (section.optional and section.kind != "content"), (
            f"{path.name}: '{section.heading}' is a section that may not be optional"
        )


@pytest.mark.parametrize("path", STUDIED, ids=[p.name for p in STUDIED])
def test_core_path_line_names_the_optional_sections(path):
    _, times, stated = notebook_times(path)
    for name, parent in times.left_out():
        assert f"*{name}*" in stated.core_line, (
            f"{path.name}: the section or part '{name}' is marked optional, but the Core path line of the "
            f"Prerequisites does not name it; run `{COMMAND}` for the line to state"
        )
    parents = {parent for _, parent in times.left_out() if parent}
    for section in times.sections:
        for part in section.parts:
            name = ttl.plain_heading(part.heading)
            if not (section.optional or part.optional) and name not in parents:
                assert f"*{name}*" not in stated.core_line, (
                    f"{path.name}: the Core path line names '{name}' as optional, but its heading is not marked "
                    f"'(optional)'; run `{COMMAND}` for the line to state"
                )
    if times.dependencies():
        assert ttl.RUN_ALL in stated.core_line, (
            f"{path.name}: core cells use what optional sections compute "
            f"({times.dependencies()[0][1]!r} -> {times.dependencies()[0][0]!r}), so the Core path line must say "
            f"to run all cells first ({ttl.RUN_ALL})"
        )


PRIMER_ROW = "| [Python and pandas for this course](primer_python_pandas.ipynb) | Helpful |"


@pytest.mark.parametrize("path", chain_notebooks(), ids=[p.name for p in chain_notebooks()])
def test_prerequisites_point_to_the_primer(path):
    rows = [line for line in ttl.prerequisites_text(ttl.read_notebook(path)).splitlines() if line.startswith("|")]
    primer = [i for i, row in enumerate(rows) if row.startswith(PRIMER_ROW)]
    assert len(primer) == 1, f"{path.name}: the Prerequisites table needs one row for the primer ({PRIMER_ROW} ...)"
    chapter_1 = [i for i, row in enumerate(rows) if row.startswith("| [Chapter 1](01_reading_the_article.ipynb)")]
    expected = chapter_1[0] + 1 if chapter_1 else 2  # after the Chapter 1 row, or first after the header
    assert primer[0] == expected, f"{path.name}: the primer's row should come right after the Chapter 1 row"


def stated_range(text, pattern):
    match = re.search(pattern, text)
    assert match, f"no sentence matching {pattern!r}"
    return [ttl.parse_duration(group) for group in match.groups()]


def test_the_book_states_the_computed_range():
    totals, cores = [], []
    for path in chain_notebooks():
        _, times, _ = notebook_times(path)
        totals.append(ttl.rounded(times.reading) + ttl.rounded(times.exercises))
        cores.append(ttl.rounded(times.core))
    how_to_use = (REPO_ROOT / "book" / "how_to_use.md").read_text(encoding="utf-8")
    guide = (REPO_ROOT / "book" / "instructor" / "guide.md").read_text(encoding="utf-8")
    said = stated_range(how_to_use, r"a chapter takes between about ([\w ]+?) and ([\w ]+?);")
    assert said == [min(totals), max(totals)], f"book/how_to_use.md states {said} minutes; the chapters take {min(totals)} to {max(totals)}"
    said = stated_range(guide, r"time to learn, from about ([\w ]+?) to ([\w ]+?) with the exercises")
    assert said == [min(totals), max(totals)], f"book/instructor/guide.md states {said} minutes; the chapters take {min(totals)} to {max(totals)}"
    said = stated_range(how_to_use, r"takes more than an hour \((\d+) to (\d+) minutes\)")
    assert said == [min(cores), max(cores)], f"book/how_to_use.md states core paths of {said} minutes; they are {min(cores)} to {max(cores)}"
    primer = notebook_times(REPO_ROOT / "notebooks" / "primer_python_pandas.ipynb")[1]
    said = stated_range(how_to_use, r"the primer about ([\w ]+?),")
    assert said == [ttl.rounded(primer.reading) + ttl.rounded(primer.exercises)], f"book/how_to_use.md states the primer's time as {said}"


def test_how_to_use_states_the_constants():
    text = (REPO_ROOT / "book" / "how_to_use.md").read_text(encoding="utf-8")
    section = text.split("## How long a chapter takes", 1)[1].split("\n## ", 1)[0]
    for phrase in (f"{ttl.READING_WPM} words a minute", f"{ttl.CELL_MINUTES:g} minute for each code cell",
                   f"{ttl.LINE_MINUTES:g} minute", f"{ttl.EXERCISE_MINUTES:g} minutes each",
                   f"N ÷ {ttl.WRITING_WPM} minutes", "rounded to five minutes", "more than an hour"):
        assert phrase in section, f"book/how_to_use.md, 'How long a chapter takes': expected {phrase!r}"


# ---------------------------------------------------------------- a wrong stated time fails

def restated(path, old, new):
    """A copy of a notebook whose Prerequisites say `new` where they said `old`."""
    notebook = ttl.read_notebook(path)
    cell = next(c for c in notebook.cells if c.cell_type == "markdown" and "**Time to learn:**" in c.source)
    assert old in cell.source
    cell.source = cell.source.replace(old, new, 1)
    return notebook


def test_a_wrong_stated_time_fails(tmp_path):
    path = REPO_ROOT / "notebooks" / "05_drills_and_defence.ipynb"
    notebook = ttl.read_notebook(path)
    line = re.search(r"- \*\*Time to learn:\*\*.*", ttl.prerequisites_text(notebook)).group(0)
    wrong = "- **Time to learn:** about 75 minutes: 50 minutes for reading and running the chapter, 25 minutes for the exercises."
    broken = restated(path, line, wrong)
    copy_path = tmp_path / path.name
    nbformat.write(broken, str(copy_path))
    with pytest.raises(AssertionError, match=r"05_drills_and_defence.ipynb: the Prerequisites cell states 75 minutes"):
        test_stated_times_agree_with_the_rule(copy_path)
    found = ttl.problems(ttl.times_of(broken, path.name), ttl.stated_times(broken))
    assert any("states 75 minutes for the whole notebook" in problem and COMMAND in problem for problem in found), found
    assert ttl.main(["--check", str(copy_path)]) == 1


def test_a_core_path_over_an_hour_fails(tmp_path):
    path = REPO_ROOT / "notebooks" / "05_drills_and_defence.ipynb"
    notebook = ttl.read_notebook(path)
    for cell in notebook.cells:  # take every "(optional)" mark off
        if cell.cell_type == "markdown":
            cell.source = re.sub(r"^(##+ .*?) \(optional\)[ \t]*$", r"\1", cell.source, flags=re.M)
    times = ttl.times_of(notebook, path.name)
    assert times.core > ttl.CORE_LIMIT_MINUTES
    copy_path = tmp_path / path.name
    nbformat.write(notebook, str(copy_path))
    with pytest.raises(AssertionError, match="core path takes"):
        test_core_path_takes_at_most_an_hour(copy_path)


# ---------------------------------------------------------------- the counting rule, on tiny notebooks

def tiny(*cells):
    """A notebook from ("md" | "code", source[, tags]) tuples."""
    notebook = nbformat.v4.new_notebook()
    for kind, source, *tags in cells:
        cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
        if tags:
            cell.metadata["tags"] = tags[0]
        notebook.cells.append(cell)
    return notebook


def test_words_leave_out_markup():
    text = ("One two three [four five](#ref-x) {term}`six`.\n\n<div class=\"x\">seven</div> <!-- not read -->\n\n"
            "(a-label)=\n\n| eight | nine |\n| --- | --- |\n\n```{note}\n:class: dropdown\nten\n```")
    assert ttl.count_words(text) == 10
    assert ttl.count_words("don't re-run `pd.to_datetime` 2,000 times") == 5


def test_sections_split_at_headings_outside_fences():
    pieces = ttl.split_at_headings("intro\n## First\ntext\n```\n## not a heading\n```\n### Part\nmore\n## Second")
    assert [(level, heading) for level, heading, _ in pieces] == [(0, None), (2, "First"), (3, "Part"), (2, "Second")]


def test_code_cells_and_lines():
    notebook = tiny(("md", "# Title\n\n## Setup"), ("code", "import pandas as pd\n\n# a comment\nx = 1"),
                    ("code", "answer_1 = None  # replace None"),
                    ("code", "# Importing again is harmless\nfrom self_check import check_answer\ncheck_answer(answer_1, 1)",
                     ["remove-input"]))
    setup = ttl.times_of(notebook).sections[0]
    assert (setup.name, setup.total("code_cells"), setup.total("code_lines")) == ("Setup", 1, 3)
    assert setup.reading_minutes == pytest.approx(ttl.count_words("Title") / ttl.READING_WPM
                                                  + ttl.CELL_MINUTES + 3 * ttl.LINE_MINUTES)


def test_exercises_cost_their_fixed_time_their_writing_and_their_solution():
    solution_words = " ".join(["word"] * 30)
    notebook = tiny(("md", "## Exercises\n\nTry them.\n\n```{exercise}\n:label: ex-a\n\n**Written.** In about 150 words, argue.\n```"),
                    ("md", f"```{{solution}} ex-a\n:class: dropdown\n\n{solution_words}\n```\n\n```{{exercise}}\n:label: ex-b\n\nCount.\n```"))
    exercises = ttl.times_of(notebook).sections[0]
    assert exercises.total("exercises") == 2
    assert exercises.total("words") == 2  # "Try them."; exercise and solution text are the exercise's
    assert exercises.exercise_minutes == pytest.approx(2 * ttl.EXERCISE_MINUTES + 150 / ttl.WRITING_WPM
                                                       + 30 / ttl.READING_WPM)
    assert not exercises.core


def test_optional_sections_parts_and_excluded_cells():
    words = " ".join(["word"] * 150)  # one minute of reading
    notebook = tiny(("md", f"# Title\n\n## Overview\n\n{words}"),
                    ("md", f"## A robustness check (optional)\n\n{words}"),
                    ("code", "y = 2"),
                    ("md", f"## The main finding\n\n{words}\n\n### A second measure (optional)\n\n{words}"),
                    ("md", f"## Verdicts\n\n{words}"),
                    ("md", f"## Discussion questions\n\n1. {words}"),
                    ("md", f"## Sources\n\n{words}"),
                    ("md", f"## References cited in this notebook\n\n{words}", ["remove-cell", "references-list"]))
    times = ttl.times_of(notebook)
    assert [s.name for s in times.sections] == ["Overview", "A robustness check", "The main finding", "Verdicts",
                                                "Discussion questions", "Sources"]
    assert [s.core for s in times.sections] == [True, False, True, True, False, False]
    title = ttl.count_words("Title") / ttl.READING_WPM
    assert times.sections[-1].total("words") == 0  # Sources are not counted; the reference list is not a section
    assert times.reading == pytest.approx(title + 6 + 1 / ttl.READING_WPM + ttl.CELL_MINUTES + 1 * ttl.LINE_MINUTES)
    assert times.core == pytest.approx(title + 3)  # Overview, the main finding without its part, Verdicts
    assert times.left_out() == [("A robustness check", None), ("A second measure", "The main finding")]
    time_line, core_line = ttl.stated_lines(times)
    assert "*A second measure* (part of *The main finding*)" in core_line and ttl.RUN_ALL not in core_line


def test_a_core_cell_that_needs_an_optional_one_is_found():
    notebook = tiny(("md", "## Setup"), ("code", "table = load()\nrows = [r for r in table]"),
                    ("md", "## A second measure (optional)"), ("code", "table['share'] = 1\nlabel = 'x'"),
                    ("md", "## Core"), ("code", "label = 'y'\nprint(label, rows)"), ("code", "table.plot()"))
    times = ttl.times_of(notebook)
    assert times.dependencies() == [("Core", "A second measure (optional)", ["table"])]
    assert ttl.RUN_ALL in ttl.stated_lines(times)[1]


@pytest.mark.parametrize("text, minutes", [("about 2 hours 20 minutes", 140), ("1 hour 40", 100), ("1 hour", 60),
                                           ("75 minutes", 75), ("40", 40), ("about 45 minutes", 45), ("soon", None)])
def test_durations_are_read_back(text, minutes):
    assert ttl.parse_duration(text) == minutes


def test_stated_times_are_read_back_in_both_forms():
    old = tiny(("md", "## Prerequisites\n\n| a | b |\n\n- **Time to learn:** about 75 minutes: 50 for reading and "
                      "running the chapter, 25 for the exercises.\n- **System requirements:** none."))
    stated = ttl.stated_times(old)
    assert (stated.total, stated.reading, stated.exercises, stated.core) == (75, 50, 25, None)
    times = ttl.times_of(tiny(("md", "## Overview\n\n" + " ".join(["word"] * 9000)),
                              ("md", "## Exercises\n\n```{exercise}\n:label: e\n\nx\n```")))
    new = tiny(("md", "## Prerequisites\n\n" + "\n".join(ttl.stated_lines(times))))
    stated = ttl.stated_times(new)
    assert (stated.total, stated.reading, stated.exercises, stated.core) == (65, 60, 5, 60)
    assert ttl.duration(140) == "2 hours 20 minutes" and ttl.duration(60) == "1 hour" and ttl.duration(45) == "45 minutes"
    assert [ttl.rounded(m) for m in (2, 57.4, 57.6, 83)] == [5, 55, 60, 85]
