"""How long each notebook takes to learn, computed from its size by one stated rule.

    .venv/bin/python scripts/time_to_learn.py           # a table per notebook
    .venv/bin/python scripts/time_to_learn.py --check   # exit 1 if a stated time is off
    .venv/bin/python scripts/time_to_learn.py notebooks/05_drills_and_defence.ipynb

THE RULE, the same for every notebook in notebooks/ (chapters 01-11 and the
primer; the chapter template is not a page anyone studies). Its constants are
chosen once, here, and book/how_to_use.md ("How long a chapter takes") states
them for readers:

  prose      The words of the markdown cells, read carefully at READING_WPM
             (150) words a minute: slower than the 200-250 of light reading,
             because the prose is an argument with figures and numbers to check
             against it. Not counted: the generated reference list (the cell
             tagged `references-list`), the "## Sources" section (a list of
             citations, not read through), exercise and solution blocks (their
             time is the exercise's, below), and syntax that is not read as
             words: HTML tags and comments, MyST targets such as `(ref-x)=`,
             directive fences and their `:option:` lines, table rules, the
             targets of links (the link text is read) and role names such as
             {term} (the term is read).
  code       Each code cell the learner runs costs CELL_MINUTES (1): run it and
             look at what it shows, a table or a figure. Each non-blank line of
             it (comments included: they are read) adds LINE_MINUTES (0.1).
             Not counted here: answer cells, whose every line is an answer stub
             `answer_... = None`, and the hidden check cells (tagged
             `remove-input`, importing `check_answer` from `self_check`); both
             belong to an exercise.
  exercises  Each {exercise} costs EXERCISE_MINUTES (5): read the task, try it,
             run its check cell or draft the answer, and put one thing right.
             Its solution is then read at READING_WPM (the words of its
             ```{solution}``` block, code included). A written exercise that
             asks for "about N words" adds the writing, at WRITING_WPM (15)
             words a minute: considered prose that argues from the chapter's
             evidence, not dictation. So a one-line data task in the primer
             costs about 5 minutes, a 150-word essay about 16.
  sections   A notebook is split at its "##" headings (outside fenced blocks);
             the title and the claims, above the first one, are read with it.
             A "###" heading starts a part of its section. Each section's (and
             each part's) reading and running minutes and its exercise minutes
             are reported apart.
  core path  The reading and running minutes of every section except those
             whose heading ends with "(optional)", the "Exercises" section and
             the "Discussion questions" (a seminar's time rather than a
             reader's), and except the parts of core sections whose "###"
             heading ends with "(optional)". Exercises are never in the core
             path, wherever they sit (the primer has one in each section).
             "Verdicts" and "Other perspectives" (in chapter 1, "Other readings")
             may not be optional: a chapter's core reaches its verdicts and hears
             the other side. A core path may take at most CORE_LIMIT_MINUTES
             (60). When a core cell uses a name that an optional section defines
             or changes (DEPENDENCY RULE, optional_dependencies), the stated core
             path must tell the reader to run all cells first.
  stating    Each Prerequisites cell states the times as computed, rounded to
             the nearest ROUND_TO (5) minutes: reading and running, exercises,
             their sum, and on a line of its own the core path, naming the
             optional sections. `--check` (and tests/test_time_to_learn.py) fail
             when a stated time is more than TOLERANCE (25 %) away from the
             computed one, or when a core path is longer than
             CORE_LIMIT_MINUTES.

The counts are a careful reader's, not a fast one's: someone who knows the
material will be quicker, someone new to pandas slower on the code.
"""

from dataclasses import dataclass, field
from pathlib import Path
import argparse
import ast
import functools
import re
import sys

import nbformat

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
NOT_STUDIED = {"chapter_template.ipynb"}

READING_WPM = 150          # words a minute, careful reading of an argument
CELL_MINUTES = 1.0         # run a code cell and look at its output
LINE_MINUTES = 0.1         # read one line of code
EXERCISE_MINUTES = 5.0     # read an exercise, try it, check it, put one thing right
WRITING_WPM = 15           # words a minute, writing an argued answer
CORE_LIMIT_MINUTES = 60    # longest core path a notebook may have
ROUND_TO = 5               # stated times are rounded to this many minutes
TOLERANCE = 0.25           # largest relative gap between a stated and a computed time

OPTIONAL_MARK = re.compile(r"\s*\(optional\)\s*$", re.IGNORECASE)
NEVER_OPTIONAL = ("verdicts", "other perspectives", "other readings")  # chapter 1 has "Other readings"
HEADING = re.compile(r"^(#{2,3})\s+(\S.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})\s*(?:\{([\w-]+)\})?")
ANSWER_STUB = re.compile(r"^answer_\w*\s*=\s*None\b")
REQUESTED_WORDS = re.compile(r"\babout (\d+) words\b", re.IGNORECASE)
WORD = re.compile(r"[^\W_]+(?:(?:['’_.-]|(?<=\d),(?=\d))[^\W_]+)*")
RUN_ALL = "Run All Cells"  # what the core path line says when core cells need optional ones
COMMAND = ".venv/bin/python scripts/time_to_learn.py"


# ---------------------------------------------------------------- counting prose

def strip_markup(text):
    """The text a reader reads in a piece of markdown: HTML, MyST targets, directive
    option lines, table rules, link targets and role names taken out."""
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)              # HTML comments
    text = re.sub(r"</?[A-Za-z][^>]*>", " ", text)                         # HTML tags
    text = re.sub(r"^\s*\([\w:.-]+\)=\s*$", " ", text, flags=re.M)         # (label)= targets
    text = re.sub(r"^\s*(`{3,}|~{3,}|:{3,}).*$", " ", text, flags=re.M)    # fence lines
    text = re.sub(r"^\s*:[\w-]+:.*$", " ", text, flags=re.M)                # :label: x, :class: dropdown
    text = re.sub(r"^\s*\|?(\s*:?-{3,}:?\s*\|)+\s*(:?-{3,}:?)?\s*$", " ", text, flags=re.M)  # table rules
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)                 # [text](target): the text
    text = re.sub(r"\{[\w:-]+\}`([^`]*)`", r"\1", text)                     # {term}`X`: X
    return text


def count_words(text):
    """Words in a piece of markdown, after strip_markup: runs of letters and digits
    (joined by an apostrophe, hyphen, dot or underscore, or digits by a comma, they count as one)."""
    return len(WORD.findall(strip_markup(text)))


def split_blocks(text):
    """A markdown text as [(kind, text)]: kind is "exercise" or "solution" for a
    ```{exercise}``` or ```{solution}``` block, else "prose" (other fences included)."""
    pieces, current, kind, closing = [], [], "prose", None
    for line in text.splitlines():
        match = FENCE.match(line)
        if kind == "prose" and match and match.group(2) in ("exercise", "solution"):
            pieces.append(("prose", "\n".join(current)))
            current, kind, closing = [line], match.group(2), match.group(1)
        elif kind != "prose" and line.strip() == closing:
            current.append(line)
            pieces.append((kind, "\n".join(current)))
            current, kind, closing = [], "prose", None
        else:
            current.append(line)
    pieces.append((kind, "\n".join(current)))
    return [(k, t) for k, t in pieces if t.strip()]


def split_at_headings(text):
    """A markdown cell as [(level, heading, text)]: a new piece at each "##" or "###"
    heading outside a fenced block (level 2 or 3; level 0 and heading None for the
    text before the first heading). A heading's own line is not part of its text."""
    pieces, level, heading, current, fenced = [], 0, None, [], None
    for line in text.splitlines():
        match = FENCE.match(line)
        if match and fenced is None:
            fenced = match.group(1)
        elif fenced is not None and line.strip() == fenced:
            fenced = None
        found = HEADING.match(line) if fenced is None else None
        if found:
            pieces.append((level, heading, "\n".join(current)))
            level, heading, current = len(found.group(1)), found.group(2), []
        else:
            current.append(line)
    pieces.append((level, heading, "\n".join(current)))
    return [p for p in pieces if p[1] is not None or p[2].strip()]


# ---------------------------------------------------------------- counting code

def source_of(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def code_lines(source):
    """Non-blank lines of a code cell (comments count: they are read)."""
    return sum(1 for line in source.splitlines() if line.strip())


def is_answer_cell(cell):
    """A cell of answer stubs (`answer_x = None  # ...`) only: part of an exercise."""
    lines = [line.strip() for line in source_of(cell).splitlines()
             if line.strip() and not line.strip().startswith("#")]
    return bool(lines) and all(ANSWER_STUB.match(line) for line in lines)


def is_check_cell(cell):
    """A hidden check cell (tag remove-input; imports check_answer): part of an exercise."""
    tags = cell.get("metadata", {}).get("tags", [])
    return "remove-input" in tags and "from self_check import check_answer" in source_of(cell)


def exercise_minutes(exercise_text):
    """One exercise: the fixed EXERCISE_MINUTES, plus the writing it asks for ("about N words")."""
    requested = sum(int(n) for n in REQUESTED_WORDS.findall(exercise_text))
    return EXERCISE_MINUTES + requested / WRITING_WPM


# ---------------------------------------------------------------- sections and parts

def is_optional(heading):
    return bool(OPTIONAL_MARK.search(heading or ""))


def plain_heading(heading):
    """A heading without its "(optional)" mark."""
    return OPTIONAL_MARK.sub("", heading).strip()


@dataclass
class Part:
    """What one stretch of a notebook holds: a "##" heading's own text, or a "###" part."""
    heading: str
    level: int = 2
    words: int = 0
    code_cells: int = 0
    code_lines: int = 0
    exercises: int = 0
    exercise_minutes: float = 0.0
    code: list = field(default_factory=list)  # sources of the counted code cells

    @property
    def optional(self):
        return is_optional(self.heading)

    @property
    def reading_minutes(self):
        """Reading its prose and running and reading its code (exercises apart)."""
        return self.words / READING_WPM + self.code_cells * CELL_MINUTES + self.code_lines * LINE_MINUTES

    def add_markdown(self, text):
        """Prose as words; an exercise as its fixed cost and writing; a solution as reading."""
        for kind, block in split_blocks(text):
            if kind == "prose":
                self.words += count_words(block)
            elif kind == "exercise":
                self.exercises += 1
                self.exercise_minutes += exercise_minutes(block)
            else:  # a solution is read after the exercise is tried
                self.exercise_minutes += count_words(block) / READING_WPM

    def add_code(self, cell):
        """A code cell the learner runs and reads (an exercise's answer and check cells are not)."""
        if is_answer_cell(cell) or is_check_cell(cell) or "colab-setup" in cell.get("metadata", {}).get("tags", []):
            return  # (the Colab set-up cell is hidden and runs only on Colab)
        self.code_cells += 1
        self.code_lines += code_lines(source_of(cell))
        self.code.append(source_of(cell))


@dataclass
class Section:
    """A "##" section: parts[0] is the heading's own text, then one part per "###" heading."""
    parts: list

    @property
    def heading(self):
        return self.parts[0].heading

    @property
    def name(self):
        return plain_heading(self.heading)

    @property
    def optional(self):
        return self.parts[0].optional

    @property
    def kind(self):
        """"sources", "exercises", "discussion", "never optional" or "content"."""
        name = self.name.lower()
        if name.startswith("sources"):
            return "sources"
        if name.startswith("exercises"):
            return "exercises"
        if name.startswith("discussion questions"):
            return "discussion"
        if name.startswith(NEVER_OPTIONAL):
            return "never optional"
        return "content"

    @property
    def core(self):
        return not self.optional and self.kind not in ("exercises", "discussion", "sources")

    def total(self, attribute):
        return sum(getattr(part, attribute) for part in self.parts)

    @property
    def reading_minutes(self):
        return self.total("reading_minutes")

    @property
    def exercise_minutes(self):
        return self.total("exercise_minutes")

    @property
    def core_minutes(self):
        """Its reading and running minutes on the core path: none if it is not core,
        else all but its optional parts."""
        return sum(p.reading_minutes for p in self.core_parts())

    def core_parts(self):
        return [p for p in self.parts if not p.optional] if self.core else []

    def optional_parts(self):
        """The "###" parts marked optional inside a core section."""
        return [p for p in self.parts[1:] if p.optional] if self.core else []


def sections_of(notebook):
    """The notebook's "##" sections in order, each with its parts and counts."""
    sections = [Section([Part("(above the first section)")])]
    for cell in notebook["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] == "markdown" and "references-list" not in tags:
            for level, heading, text in split_at_headings(source_of(cell)):
                if level == 2:
                    sections.append(Section([Part(heading)]))
                elif level == 3:
                    sections[-1].parts.append(Part(heading, level=3))
                if sections[-1].kind != "sources":
                    sections[-1].parts[-1].add_markdown(text)
        elif cell["cell_type"] == "code":
            sections[-1].parts[-1].add_code(cell)
    if len(sections) > 1:  # the title and the claims are read with the first section
        above, first = sections.pop(0).parts[0], sections[0].parts[0]
        first.words += above.words
        first.code_cells += above.code_cells
        first.code_lines += above.code_lines
        first.code = above.code + first.code
    return sections


# ---------------------------------------------------------------- DEPENDENCY RULE

class _NameFlow(ast.NodeVisitor):
    """The names a cell reads before binding them (free), binds, and changes in place,
    visited in the order Python evaluates them (the value of an assignment before
    its targets, a loop's iterable before its variable)."""

    MUTATORS = {"update", "append", "add", "extend", "insert", "pop", "remove", "clear",
                "setdefault", "sort", "discard", "popitem"}

    def __init__(self):
        self.free, self.bound, self.changed = set(), set(), set()

    def load(self, name):
        if name not in self.bound:
            self.free.add(name)

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            self.load(node.id)
        else:
            self.bound.add(node.id)

    def visit_Assign(self, node):
        self.visit(node.value)
        for target in node.targets:
            self.visit(target)

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self.visit(node.value)
        self.visit(node.target)

    def visit_AugAssign(self, node):
        self.visit(node.value)
        base = self.base_name(node.target)
        if base:
            self.load(base)
            self.changed.add(base)
        self.generic_visit(node.target)

    def base_name(self, node):
        while isinstance(node, (ast.Subscript, ast.Attribute)):
            node = node.value
        return node.id if isinstance(node, ast.Name) else None

    def visit_Subscript(self, node):
        self.visit_target_or_load(node)

    def visit_Attribute(self, node):
        self.visit_target_or_load(node)

    def visit_target_or_load(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)):  # df["x"] = ...: df is read and changed
            base = self.base_name(node)
            if base:
                self.load(base)
                self.changed.add(base)
            for child in ast.iter_child_nodes(node):
                if not isinstance(child, ast.Name):
                    self.visit(child)
        else:
            self.generic_visit(node)

    def visit_Call(self, node):
        if isinstance(node.func, ast.Attribute) and node.func.attr in self.MUTATORS:
            base = self.base_name(node.func.value)
            if base:
                self.changed.add(base)
        self.generic_visit(node)

    def visit_For(self, node):
        self.visit(node.iter)
        self.visit(node.target)
        for child in node.body + node.orelse:
            self.visit(child)

    def visit_comprehension_node(self, node, elements):
        inner = _NameFlow()
        inner.bound = set(self.bound)
        for generator in node.generators:
            inner.visit(generator.iter)
            inner.visit(generator.target)
            for condition in generator.ifs:
                inner.visit(condition)
        for element in elements:
            inner.visit(element)
        self.free |= inner.free - self.bound
        self.changed |= inner.changed

    def visit_ListComp(self, node):
        self.visit_comprehension_node(node, [node.elt])

    visit_SetComp = visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node):
        self.visit_comprehension_node(node, [node.key, node.value])

    def visit_function(self, node):
        for decorator in getattr(node, "decorator_list", []):
            self.visit(decorator)
        for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
            self.visit(default)
        inner = _NameFlow()
        arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
        arguments += [a for a in (node.args.vararg, node.args.kwarg) if a]
        inner.bound = set(self.bound) | {a.arg for a in arguments}
        body = node.body if isinstance(node.body, list) else [node.body]
        for child in body:
            inner.visit(child)
        self.free |= inner.free - self.bound
        if hasattr(node, "name"):
            self.bound.add(node.name)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = visit_function

    def visit_ClassDef(self, node):
        self.generic_visit(node)
        self.bound.add(node.name)

    def visit_Import(self, node):
        for alias in node.names:
            self.bound.add((alias.asname or alias.name).split(".")[0])

    visit_ImportFrom = visit_Import

    def visit_ExceptHandler(self, node):
        if node.type:
            self.visit(node.type)
        if node.name:
            self.bound.add(node.name)
        for child in node.body:
            self.visit(child)


@functools.cache
def _ipython_translator():
    """IPython's own translation of magics into Python (None without IPython)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # plain Python cells parse without IPython
        return None
    return TransformerManager().transform_cell


def name_flow(source):
    """(free, bound, changed): the names a cell reads before binding, binds, and changes in place."""
    translate = _ipython_translator()
    if translate:
        source = translate(source)
    flow = _NameFlow()
    flow.visit(ast.parse(source))
    return flow.free, flow.bound, flow.changed


def optional_dependencies(sections):
    """DEPENDENCY RULE: [(core heading, optional heading, names)] for every core cell that
    reads a name whose value an optional section or part set or changed. A reader on the
    core path must then run all cells first, or that cell fails or shows something else."""
    writers, found = {}, {}
    for section in sections:
        for part in section.parts:
            skipped = section.optional or part.optional
            counted = section.core and not part.optional
            for source in part.code:
                free, bound, changed = name_flow(source)
                if counted:
                    for name in free:
                        for writer in writers.get(name, ()):
                            found.setdefault((part.heading, writer), set()).add(name)
                for name in bound:
                    writers[name] = {part.heading} if skipped else set()
                for name in changed - bound:
                    if skipped:
                        writers.setdefault(name, set()).add(part.heading)
    return [(reader, writer, sorted(names)) for (reader, writer), names in found.items()]


# ---------------------------------------------------------------- a notebook's times

@dataclass
class Times:
    name: str
    sections: list

    @property
    def reading(self):
        return sum(s.reading_minutes for s in self.sections)

    @property
    def exercises(self):
        return sum(s.exercise_minutes for s in self.sections)

    @property
    def total(self):
        return self.reading + self.exercises

    @property
    def core(self):
        return sum(s.core_minutes for s in self.sections)

    def left_out(self):
        """[(heading, None)] for each optional section and [(heading, its section's heading)] for
        each optional part of a core section, without the "(optional)" marks."""
        names = []
        for section in self.sections:
            if section.optional:
                names.append((section.name, None))
            names += [(plain_heading(p.heading), section.name) for p in section.optional_parts()]
        return names

    def dependencies(self):
        return optional_dependencies(self.sections)


def times_of(notebook, name="notebook"):
    return Times(name, sections_of(notebook))


def read_notebook(path):
    return nbformat.read(str(path), as_version=4)


def studied_notebooks(folder=NOTEBOOKS):
    """Every notebook a learner studies: the chapters and the primer, not the template."""
    return sorted(p for p in Path(folder).glob("*.ipynb") if p.name not in NOT_STUDIED)


# ---------------------------------------------------------------- stating and reading back

def rounded(minutes):
    """Minutes rounded to the nearest ROUND_TO, never below ROUND_TO."""
    return max(ROUND_TO, ROUND_TO * round(minutes / ROUND_TO))


def duration(minutes):
    """45 -> "45 minutes", 60 -> "1 hour", 140 -> "2 hours 20 minutes"."""
    hours, rest = divmod(int(minutes), 60)
    parts = [f"{hours} hour{'s' if hours > 1 else ''}"] if hours else []
    if rest or not hours:
        parts.append(f"{rest} minutes")
    return " ".join(parts)


def stated_lines(times, what="the chapter"):
    """The two lines a Prerequisites cell states: the time to learn, and the core path."""
    reading, exercises = rounded(times.reading), rounded(times.exercises)
    time_line = (f"- **Time to learn:** about {duration(reading + exercises)}: {duration(reading)} for reading "
                 f"and running {what}, {duration(exercises)} for the exercises.")
    skipped = ("the discussion questions, the exercises"
               if any(s.kind == "discussion" for s in times.sections) else "the exercises")
    optional = times.left_out()
    if optional:
        marked = ("the parts" if any(parent for _, parent in optional)
                  else "the sections" if len(optional) > 1 else "the section")
        names = "; ".join(f"*{name}*" + (f" (part of *{parent}*)" if parent else "") for name, parent in optional)
        core_line = (f"- **Core path:** about {duration(rounded(times.core))}: every section except {skipped} "
                     f"and {marked} marked *(optional)* ({names}).")
    else:
        core_line = (f"- **Core path:** about {duration(rounded(times.core))}: every section except "
                     f"{skipped.replace(', the', ' and the')}; no section is optional.")
    if times.dependencies():
        core_line += (f" Later cells use what the optional ones compute, so run all cells first "
                      f"(*Run > {RUN_ALL}*), then read the core.")
    return time_line, core_line


def parse_duration(text):
    """Minutes in "2 hours 20 minutes", "1 hour 40", "1 hour", "75 minutes" or "40"; None if none."""
    match = re.fullmatch(r"\s*(?:about\s+)?(?:(\d+)\s*hours?(?:\s+(\d+)(?:\s*minutes?)?)?|(\d+)(?:\s*minutes?)?)\s*",
                         text or "")
    if not match:
        return None
    hours, hour_minutes, minutes = match.groups()
    return int(hours) * 60 + int(hour_minutes or 0) if hours else int(minutes)


def prerequisites_text(notebook):
    """The markdown of the "## Prerequisites" section (it may share a cell with the Overview)."""
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for level, heading, text in split_at_headings(source_of(cell)):
            if level == 2 and heading.lower().startswith("prerequisites"):
                return text
    return ""


@dataclass
class Stated:
    """The times a Prerequisites cell states, in minutes (None where it states none)."""
    total: int | None
    reading: int | None
    exercises: int | None
    core: int | None
    core_line: str = ""


def stated_times(notebook):
    """Read back "Time to learn: about T: R for reading ..., E for the exercises." and
    "Core path: about C, ..." from the Prerequisites cell."""
    text = prerequisites_text(notebook)
    line = re.search(r"\*\*Time to learn:\*\*\s*(.*)", text)
    core = re.search(r"\*\*Core path:\*\*\s*(.*)", text)
    total = reading = exercises = None
    if line:
        parts = re.match(r"about\s+([^:]*):\s*(.*?)\s+for reading[^,]*,\s*(.*?)\s+for the\b[^.]*?exercises",
                         line.group(1))
        if parts:
            total, reading, exercises = (parse_duration(p) for p in parts.groups())
        else:
            total = parse_duration(re.split(r"[:.,]", line.group(1))[0])
    core_minutes = None
    if core:
        core_minutes = parse_duration(re.split(r"[,.;:]", core.group(1))[0])
    return Stated(total, reading, exercises, core_minutes, core.group(1) if core else "")


# ---------------------------------------------------------------- checking

def off_by(stated, computed):
    """The relative gap between a stated and a computed time (infinite if nothing is stated)."""
    if stated is None:
        return float("inf")
    return abs(stated - computed) / computed if computed else float(stated != 0)


def problems(times, stated):
    """What is wrong with a notebook's stated times and optional marks, one sentence each."""
    found = []
    for label, said, computed in (("the whole notebook", stated.total, times.total),
                                  ("the exercises", stated.exercises, times.exercises),
                                  ("the core path", stated.core, times.core)):
        if off_by(said, computed) > TOLERANCE:
            said_text = "nothing" if said is None else f"{said} minutes"
            found.append(f"{times.name}: the Prerequisites cell states {said_text} for {label}, the rule "
                         f"computes {computed:.0f} minutes (more than {TOLERANCE:.0%} apart); "
                         f"run `{COMMAND}` for the table and restate it")
    if times.core > CORE_LIMIT_MINUTES:
        found.append(f"{times.name}: the core path takes {times.core:.0f} minutes, over {CORE_LIMIT_MINUTES}; "
                     f"mark more sections \"(optional)\" (run `{COMMAND}` for the table)")
    for section in times.sections:
        if section.optional and section.kind != "content":
            found.append(f"{times.name}: the section \"{section.heading}\" may not be optional")
    if times.dependencies() and RUN_ALL not in stated.core_line:
        found.append(f"{times.name}: core cells use what optional parts compute, but the Core path line does "
                     f"not say to run all cells first (*{RUN_ALL}*); run `{COMMAND}` to see which")
    return found


# ---------------------------------------------------------------- the table

def table(times, stated=None):
    """A notebook's sections, their parts and its times as plain text."""
    rows = []
    for section in times.sections:
        core = "yes" if section.core else "-"
        rows.append((section.heading, section.total("words"), section.total("code_cells"),
                     section.total("code_lines"), section.reading_minutes, section.exercise_minutes, core))
        for part in section.parts[1:]:
            rows.append(("  ### " + part.heading, part.words, part.code_cells, part.code_lines,
                         part.reading_minutes, part.exercise_minutes, "-" if part.optional or not section.core else "yes"))
    width = max(len(r[0]) for r in rows)
    lines = [times.name, f"  {'section':<{width}}  {'words':>5} {'cells':>5} {'lines':>5} {'read+run':>8} "
                         f"{'exerc.':>6}  core"]
    lines += [f"  {h:<{width}}  {w:>5} {c:>5} {n:>5} {r:>8.1f} {e:>6.1f}  {k}" for h, w, c, n, r, e, k in rows]
    lines.append(f"  computed: reading and running {times.reading:.1f} min, exercises {times.exercises:.1f} min, "
                 f"total {times.total:.1f} min; core path {times.core:.1f} min (limit {CORE_LIMIT_MINUTES})")
    for reader, writer, names in times.dependencies():
        lines.append(f"  core \"{reader}\" uses {', '.join(names)} from optional \"{writer}\"")
    if stated is not None:
        show = lambda m: "-" if m is None else f"{m} min"  # noqa: E731
        lines.append(f"  stated:   total {show(stated.total)}, reading {show(stated.reading)}, "
                     f"exercises {show(stated.exercises)}, core path {show(stated.core)}")
    what = "the primer" if times.name.startswith("primer") else "the chapter"
    lines += ["  to state:"] + [f"    {line}" for line in stated_lines(times, what)]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to measure (default: every studied notebook)")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when a stated time is off by more than 25 %% or a core path is over 60 minutes")
    args = parser.parse_args(argv)
    paths = args.notebooks or studied_notebooks()
    found = []
    for path in paths:
        notebook = read_notebook(path)
        times, stated = times_of(notebook, Path(path).name), stated_times(notebook)
        if not args.check:
            print(table(times, stated), end="\n\n")
        found += problems(times, stated)
    if args.check:
        for problem in found:
            print(problem, file=sys.stderr)
        if found:
            return 1
        print(f"The stated times of {len(paths)} notebooks agree with the rule (within {TOLERANCE:.0%}), "
              f"and every core path takes at most {CORE_LIMIT_MINUTES} minutes.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
