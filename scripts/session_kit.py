"""Build the seminar kit: slides for every session of the six-session plan and a one-page summary of every chapter.

    .venv/bin/python scripts/session_kit.py                  # or: make slides
    .venv/bin/python scripts/session_kit.py --out DIR --claims FILE --sessions 2 4

writes, under _build/session_kit/ (or --out):
  session_N.ipynb         the deck of session N as a notebook with slide metadata
  session_N.slides.html   the deck, made from it by `jupyter nbconvert --to slides`
  summaries/chNN.html     a one-page summary of each chapter (print it, or hand it out)
  reveal.js/, require.js/ local copies of reveal.js and RequireJS: the decks load
                          nothing from the network, so they work offline
  index.html              a page linking to all of the above

Nothing is retyped; everything is read when the kit is built:
  sessions and chapters   the "### Session N: Title (chapters X and Y)" headings of
                          book/instructor/guide.md (read_sessions)
  chapter titles          data/chapters.csv
  claims and verdicts     data/claims.csv: every claim whose chapter_id is the chapter's
  key figure              the stored output of the chapter figure that KEY_FIGURES names
  discussion questions    the chapter's "Discussion questions" list (QUESTION RULE below)
  reading path            the chapter's section headings (PATH RULE below)
A figure, a question or a session that cannot be found stops the build with a
message naming the file, rather than producing a kit that is quietly wrong.

reveal.js and RequireJS come from the npm registry, pinned to exact versions and
checked against their published sha512 integrity (VENDOR). `npm pack` fetches each
tarball once into a cache (_build/vendor/); later builds, and the tests, reuse it.
nbconvert's slide template loads reveal.js, RequireJS, jQuery, Mermaid and MathJax
from CDNs; the kit's template (SLIDE_TEMPLATE) points reveal.js and RequireJS at the
local copies and leaves out the other three, which the decks do not use.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
import argparse
import base64
import csv
import hashlib
import html
import itertools
import json
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile

import nbformat
from markdown_it import MarkdownIt

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "book" / "instructor" / "guide.md"
CLAIMS = REPO / "data" / "claims.csv"
CHAPTERS = REPO / "data" / "chapters.csv"
BIBLIOGRAPHY = REPO / "references.bib"
OUT = REPO / "_build" / "session_kit"
VENDOR_CACHE = REPO / "_build" / "vendor"

# KEY FIGURE RULE. One figure per chapter, named by its MyST figure label (the
# `mystnb.figure.name` of the plotting cell's metadata): the label is what the
# book's cross-references use, so it is unique and stable, while cell ids may be
# regenerated. The chapter notebooks carry no "key figure" tag; this table is the
# choice, made for the seminar: the figure that the session's discussion turns on.
KEY_FIGURES = {
    "ch01": "fig-argument-map",
    "ch02": "fig-ch02-division-timeline",
    "ch03": "fig-ch03-record-timeline",
    "ch04": "fig-ch04-timeline",
    "ch05": "fig-ch05-launches-by-month-type",
    "ch06": "fig-ch06-inter-korean-trade",
    "ch07": "fig-ch07-china-trade-share",
    "ch08": "fig-ch08-drills-2018",
    "ch09": "fig-ch09-joint-projects",
    "ch10": "fig-ch10-necessity-trend",
    "ch11": "fig-ch11-argument-map",
}

# QUESTION RULE. Three questions per chapter, from its "## Discussion questions"
# list: first the questions that the guide's six-session plan names ("chapter 4,
# discussion question 2"), then the chapter's questions in order until there are
# three. They are shown in the chapter's order, with the chapter's numbers.
QUESTIONS_PER_CHAPTER = 3

# PATH RULE. The reading path lists the chapter's sections (its "##" headings) in
# order, leaving out the frame every chapter shares (FRAME_SECTIONS). A section is
# optional when its heading contains "(optional)", in any case; a "###" heading so
# marked is listed as an optional part of its section. Every other section is core:
# until the chapters carry markers, the whole chapter is the core path. Cells the
# book leaves out (tagged remove-cell) are not part of the path.
FRAME_SECTIONS = {"overview", "prerequisites", "setup", "summary", "what's next", "sources"}
OPTIONAL_MARK = re.compile(r"\s*\(optional\)\s*", re.IGNORECASE)

CLAIMS_PER_SLIDE = 5  # more rows than this do not fit on a 960 x 700 slide

# Exact versions, with the sha512 integrity that the npm registry publishes
# (`npm view reveal.js@5.2.1 dist.integrity`). reveal.js 5 has the dist/ and
# plugin/notes/ layout that nbconvert's template expects (6.x moved the notes plugin).
VENDOR = {
    "reveal.js": ("5.2.1", "sha512-r7//6mIM5p34hFiDMvYfXgyjXqGRta+/psd9YtytsgRlrpRzFv4RbH76TXd2qD+7ZPZEbpBDhdRhJaFgfQ7zNQ=="),
    "requirejs": ("2.3.8", "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw=="),
}
# What of each package the kit copies, and where it goes in the kit.
VENDOR_FILES = {
    "reveal.js": ("reveal.js", ("dist/", "plugin/notes/", "LICENSE", "package.json")),
    "requirejs": ("require.js", ("require.js", "LICENSE", "package.json")),
}

# nbconvert's reveal template with every CDN taken out. jQuery serves only the
# "scroll" option (off); Mermaid and MathJax render diagrams and mathematics,
# which the decks do not contain. nbconvert's slide script asks MathJax to
# re-render on every slide change, so a stub answers it.
SLIDE_TEMPLATE = """{%- extends 'reveal/index.html.j2' -%}
{%- block html_head_js_jquery -%}{%- endblock html_head_js_jquery -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
<script>window.MathJax = {Hub: {getAllJax: function () { return null; }, Rerender: function () {}}};</script>
{%- endblock html_head_js_mathjax -%}
{%- block html_head_css -%}
<style type="text/css">
.reveal .slides { text-align: left; }
.reveal table { font-size: 0.62em; margin: 0.4em 0 0.4em 0; }
.reveal td, .reveal th { padding: 0.25em 0.5em; vertical-align: top; }
.reveal .jp-RenderedMarkdown img { max-height: 430px; max-width: 100%; width: auto; display: block; margin: 0 auto; }
.reveal .celltag_kit-caption p { font-size: 0.5em; line-height: 1.3; }
.reveal .celltag_kit-questions li, .reveal .celltag_kit-questions p { font-size: 0.78em; }
.reveal .celltag_kit-title p { font-size: 0.7em; }
</style>
{%- endblock html_head_css -%}
"""


class KitError(Exception):
    """Something the kit needs is missing or inconsistent; the message names the file."""


@dataclass
class Session:
    number: int
    title: str
    chapters: list  # chapter numbers, as the guide's heading gives them


@dataclass
class KeyFigure:
    label: str
    cell_id: str
    png: bytes
    alt: str
    caption: str


@dataclass
class Section:
    heading: str
    optional: bool
    parts: list = field(default_factory=list)  # the "###" headings marked optional inside a core section


@dataclass
class Chapter:
    chapter_id: str
    number: int
    title: str
    notebook: Path
    claims: list
    figure: KeyFigure
    questions: list  # (number in the chapter, text), QUESTIONS_PER_CHAPTER of them
    path: list  # Section
    time_to_learn: str


# ---------------------------------------------------------------- reading the sources

def read_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def seminar_plan(guide_text):
    """The text of the guide's "A six-session seminar" section."""
    match = re.search(r"^## A six-session seminar.*?(?=^## )", guide_text, re.MULTILINE | re.DOTALL)
    if not match:
        raise KitError(f"{GUIDE.relative_to(REPO)} has no '## A six-session seminar' section")
    return match.group(0)


SESSION_HEADING = re.compile(r"^### Session (\d+): (.+) \(chapters? ([\d, and]+)\)\s*$", re.MULTILINE)


def read_sessions(guide_path=GUIDE):
    """The sessions of the six-session plan, from its "### Session N: Title (chapters X and Y)" headings."""
    plan = seminar_plan(Path(guide_path).read_text(encoding="utf-8"))
    sessions = [Session(int(n), title.strip(), [int(c) for c in re.findall(r"\d+", chapters)])
                for n, title, chapters in SESSION_HEADING.findall(plan)]
    if not sessions:
        raise KitError(f"{guide_path}: no '### Session N: Title (chapters X and Y)' heading in the six-session plan")
    return sessions


def guide_questions(guide_path=GUIDE):
    """{chapter number: [question numbers]} that the six-session plan names, in the plan's order."""
    plan = seminar_plan(Path(guide_path).read_text(encoding="utf-8"))
    named = {}
    for chapter, question in re.findall(r"chapter (\d+), discussion question (\d+)", plan):
        named.setdefault(int(chapter), []).append(int(question))
    return named


def read_bibliography(path=BIBLIOGRAPHY):
    """{key: "Author year"} for turning {cite} roles into readable text."""
    labels = {}
    for entry in re.split(r"^@", Path(path).read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]:
        key = re.match(r"\w+\{([^,\s]+),", entry)
        if not key:
            continue
        author = re.search(r"^\s*(?:author|organization|publisher)\s*=\s*\{(.*)\},?\s*$", entry, re.MULTILINE)
        year = re.search(r"^\s*year\s*=\s*\{?(\d{4})", entry, re.MULTILINE)
        labels[key.group(1)] = " ".join(part for part in (author_label(author.group(1)) if author else "",
                                                          year.group(1) if year else "") if part)
    return labels


def author_label(authors):
    """'Bernhardt, Jordan and Sukin, Lauren' -> 'Bernhardt and Sukin'; '{Voice of America}' -> 'Voice of America'."""
    names = [name.strip().strip("{}") for name in re.split(r"\s+and\s+", authors.strip())]
    surnames = [name.split(",")[0].strip() for name in names if name]
    if len(surnames) > 2:
        return f"{surnames[0]} et al."
    return " and ".join(surnames)


MYST_ROLE = re.compile(r"\{(\w+(?::\w+)?)\}`([^`]*)`")
# A Markdown link to a place in the book ("#ref-key", "../book/page.md"), which the kit does not contain.
BOOK_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\((?!https?://)[^)]*\)")


def plain_markdown(text, bibliography):
    """Markdown that stands alone: {cite} becomes (Author year), other roles and links into the book their text."""
    text = BOOK_LINK.sub(r"\1", text)
    def replace(match):
        role, content = match.groups()
        if role.startswith("cite"):
            keys = [key.strip() for key in content.split(",") if key.strip()]
            return "(" + "; ".join(bibliography.get(key) or key for key in keys) + ")"
        explicit = re.match(r"(.+?)\s*<[^>]+>$", content)
        return explicit.group(1) if explicit else content
    return MYST_ROLE.sub(replace, text)


def markdown_text(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def in_book(cell):
    """False for a cell the book leaves out (tagged remove-cell), such as a notebook's own list of references."""
    return "remove-cell" not in cell.get("metadata", {}).get("tags", [])


def headings(notebook):
    """Every markdown heading that the book shows: (level, text, cell index), in order."""
    found = []
    in_fence = False
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "markdown" or not in_book(cell):
            continue
        for line in markdown_text(cell).splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                in_fence = not in_fence
            match = re.match(r"^(#{1,6})\s+(.+?)\s*#*\s*$", line)
            if match and not in_fence:
                found.append((len(match.group(1)), match.group(2), index))
    return found


def section_text(notebook, heading):
    """The markdown under the "## heading" of a notebook, up to the next heading of level 1 or 2."""
    text = "\n".join(markdown_text(c) for c in notebook["cells"] if c["cell_type"] == "markdown")
    match = re.search(rf"^##\s+{re.escape(heading)}(?:\s*\(optional\))?\s*$(.*?)(?=^#{{1,2}}\s|\Z)", text,
                      re.MULTILINE | re.DOTALL | re.IGNORECASE)
    return match.group(1) if match else None


def discussion_questions(notebook, notebook_path):
    """The chapter's discussion questions: [(number, text)], from its numbered list."""
    text = section_text(notebook, "Discussion questions")
    if text is None:
        raise KitError(f"{notebook_path}: no '## Discussion questions' section")
    questions = []
    for line in text.splitlines():
        item = re.match(r"^(\d+)\.\s+(.*)$", line)
        if item:
            questions.append([int(item.group(1)), item.group(2).strip()])
        elif questions and line.strip() and line.startswith((" ", "\t")):
            questions[-1][1] += " " + line.strip()  # a list item continued on the next line
    if not questions:
        raise KitError(f"{notebook_path}: the 'Discussion questions' section has no numbered question")
    return [tuple(q) for q in questions]


def choose_questions(questions, named, notebook_path):
    """QUESTION RULE: the questions the guide names, then the first ones, up to three, in the chapter's order."""
    by_number = dict(questions)
    for number in named:
        if number not in by_number:
            raise KitError(f"the guide names discussion question {number} of {notebook_path}, "
                           f"which has only {len(questions)}")
    chosen = list(dict.fromkeys(list(named) + [number for number, _ in questions]))[:QUESTIONS_PER_CHAPTER]
    if len(chosen) < QUESTIONS_PER_CHAPTER:
        raise KitError(f"{notebook_path} has {len(questions)} discussion questions; "
                       f"the kit shows {QUESTIONS_PER_CHAPTER}")
    return [(number, by_number[number]) for number in sorted(chosen)]


def key_figure(notebook, label, notebook_path):
    """The figure whose MyST label is `label`: its stored PNG, alt text and caption."""
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        mystnb = cell.get("metadata", {}).get("mystnb", {})
        if mystnb.get("figure", {}).get("name") != label:
            continue
        images = [o["data"]["image/png"] for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        if not images:
            raise KitError(f"{notebook_path}: the figure {label!r} (cell {cell.get('id')}) has no stored PNG output; "
                           "run the notebook and save it")
        stored = images[0]
        stored = "".join(stored) if isinstance(stored, list) else stored
        return KeyFigure(label, cell.get("id", ""), base64.b64decode(stored),
                         mystnb.get("image", {}).get("alt", ""), mystnb["figure"].get("caption", ""))
    raise KitError(f"{notebook_path}: no figure labelled {label!r} (the key figure that KEY_FIGURES in "
                   f"scripts/session_kit.py names for this chapter); fix the label there")


def reading_path(notebook):
    """PATH RULE: the chapter's sections, each core or optional, with any optional part of a core section."""
    sections, current = [], None
    for level, text, _ in headings(notebook):
        optional = bool(OPTIONAL_MARK.search(text))
        name = OPTIONAL_MARK.sub(" ", text).strip()
        if level == 2:
            current = None if name.lower() in FRAME_SECTIONS else Section(name, optional)
            if current:
                sections.append(current)
        elif level == 3 and optional and current and not current.optional:
            current.parts.append(name)
    return sections


def time_to_learn(notebook):
    text = section_text(notebook, "Prerequisites") or ""
    match = re.search(r"\*\*Time to learn:\*\*\s*(.+)", text)
    return match.group(1).strip() if match else ""


def load_chapter(row, claims, named_questions, repo=REPO):
    """Everything the kit shows about one chapter, read from its notebook and the register."""
    chapter_id, number = row["chapter_id"], int(row["number"])
    notebook_path = repo / row["notebook"]
    if not notebook_path.is_file():
        raise KitError(f"data/chapters.csv names {row['notebook']} for {chapter_id}, which does not exist")
    notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
    relative = notebook_path.relative_to(repo)
    if chapter_id not in KEY_FIGURES:
        raise KitError(f"KEY_FIGURES in scripts/session_kit.py names no key figure for {chapter_id} ({relative})")
    return Chapter(
        chapter_id=chapter_id, number=number, title=row["title"], notebook=relative,
        claims=[c for c in claims if c["chapter_id"] == chapter_id],
        figure=key_figure(notebook, KEY_FIGURES[chapter_id], relative),
        questions=choose_questions(discussion_questions(notebook, relative), named_questions.get(number, []), relative),
        path=reading_path(notebook),
        time_to_learn=time_to_learn(notebook),
    )


# ---------------------------------------------------------------- the decks

def slide_cell(source, cell_id, slide_type="slide", tags=(), attachments=None):
    metadata = {"slideshow": {"slide_type": slide_type}}
    if tags:
        metadata["tags"] = list(tags)
    cell = nbformat.v4.new_markdown_cell(source, id=cell_id, metadata=metadata)
    if attachments:
        cell["attachments"] = attachments
    return cell


def table_cell_text(value):
    return str(value).replace("|", "\\|").replace("\n", " ")


def claims_table(claims):
    rows = ["| Claim | In short | Type | Verdict | Confidence |", "| --- | --- | --- | --- | --- |"]
    rows += [f"| **{c['claim_id']}** | {table_cell_text(c['short_label'])} | {c['claim_type']} | "
             f"{c['verdict']} | {c['confidence']} |" for c in claims]
    return "\n".join(rows)


def register_overview(all_claims):
    """One sentence on the whole register, for a chapter that tests no claim itself (chapter 1)."""
    counts = {}
    for claim in all_claims:
        counts[claim["claim_type"]] = counts.get(claim["claim_type"], 0) + 1
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items(), key=lambda item: -item[1]))
    return (f"This chapter tests none of the claims itself: it builds the register of the article's "
            f"{len(all_claims)} claims ({kinds}), which the other chapters test.")


def alt_for_markdown(text):
    return re.sub(r"[\[\]\n]", " ", text).strip()


def chapter_slides(chapter, all_claims, bibliography, ids):
    """The slides of one chapter: its title, its claims, its key figure, its questions."""
    heading = f"Chapter {chapter.number}: {chapter.title}"
    claim_ids = ", ".join(c["claim_id"] for c in chapter.claims) or "none (it builds the register)"
    intro = [f"## {heading}", "", f"Claims examined: {claim_ids}."]
    if chapter.time_to_learn:
        intro += ["", f"Time to learn: {chapter.time_to_learn}"]
    cells = [slide_cell("\n".join(intro), next(ids), tags=["kit-chapter", f"kit-chapter-{chapter.chapter_id}"])]

    chunks = [chapter.claims[i:i + CLAIMS_PER_SLIDE] for i in range(0, len(chapter.claims), CLAIMS_PER_SLIDE)]
    for part, chunk in enumerate(chunks, start=1):
        more = f" ({part} of {len(chunks)})" if len(chunks) > 1 else ""
        cells.append(slide_cell(f"### Chapter {chapter.number}: claims and verdicts{more}\n\n{claims_table(chunk)}",
                                next(ids), tags=["kit-claims", f"kit-claims-{chapter.chapter_id}"]))
        notes = "\n".join(f"- **{c['claim_id']}** ({c['claim_type']}): {c['paraphrase']} "
                          f"Verdict: {c['verdict']}, {c['confidence']} confidence." for c in chunk)
        cells.append(slide_cell(notes, next(ids), slide_type="notes"))
    if not chunks:
        cells.append(slide_cell(f"### Chapter {chapter.number}: the claims\n\n{register_overview(all_claims)}",
                                next(ids), tags=["kit-claims", f"kit-claims-{chapter.chapter_id}"]))

    name = f"{chapter.figure.label}.png"
    attachment = {name: {"image/png": base64.b64encode(chapter.figure.png).decode("ascii")}}
    cells.append(slide_cell(f"### Chapter {chapter.number}: key figure\n\n"
                            f"![{alt_for_markdown(chapter.figure.alt)}](attachment:{name})",
                            next(ids), tags=["kit-figure", f"kit-figure-{chapter.chapter_id}"], attachments=attachment))
    cells.append(slide_cell(plain_markdown(chapter.figure.caption, bibliography), next(ids), slide_type="-",
                            tags=["kit-caption"]))
    cells.append(slide_cell(f"What the figure shows: {chapter.figure.alt}", next(ids), slide_type="notes"))

    questions = "\n".join(f"- **Question {number}.** {plain_markdown(text, bibliography)}"
                          for number, text in chapter.questions)
    cells.append(slide_cell(f"### Chapter {chapter.number}: for discussion\n\n{questions}", next(ids),
                            tags=["kit-questions", f"kit-questions-{chapter.chapter_id}"]))
    return cells


def session_notebook(session, chapters, all_claims, bibliography):
    """The deck of one session as a notebook: a title slide, then the slides of each of its chapters."""
    ids = (f"s{session.number}-{n:03d}" for n in itertools.count(1))
    listing = "\n".join(f"- Chapter {c.number}: {c.title}" for c in chapters)
    title = (f"# Session {session.number}: {session.title}\n\n{listing}\n\n"
             "Built from the course's notebooks and its claims register (`data/claims.csv`).")
    cells = [slide_cell(title, next(ids), tags=["kit-title"])]
    for chapter in chapters:
        cells += chapter_slides(chapter, all_claims, bibliography, ids)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["title"] = f"Session {session.number}: {session.title}"
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.validate(notebook)
    return notebook


# ---------------------------------------------------------------- reveal.js, offline

def integrity(data):
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def vendor_tarball(package, cache=VENDOR_CACHE):
    """The pinned npm tarball of `package`: from the cache, else fetched once with `npm pack`; its integrity checked."""
    version, expected = VENDOR[package]
    tarball = Path(cache) / f"{package}-{version}.tgz"
    if not tarball.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise KitError(f"{package} {version} is not in {cache} and npm is not installed: install Node.js "
                           f"and npm, or put the tarball there (npm pack {package}@{version})")
        Path(cache).mkdir(parents=True, exist_ok=True)
        result = subprocess.run([npm, "pack", f"{package}@{version}", "--pack-destination", str(cache),
                                 "--silent"], capture_output=True, text=True)
        if result.returncode != 0 or not tarball.is_file():
            raise KitError(f"npm pack {package}@{version} failed:\n{result.stderr.strip()}")
    found = integrity(tarball.read_bytes())
    if found != expected:
        raise KitError(f"{tarball} has integrity {found}, not the pinned {expected}; delete it and build again")
    return tarball


def install_vendor(out, cache=VENDOR_CACHE):
    """Copy the files of reveal.js and RequireJS that the decks load into the kit."""
    for package, (folder, wanted) in VENDOR_FILES.items():
        target = Path(out) / folder
        if target.exists():
            shutil.rmtree(target)
        with tarfile.open(vendor_tarball(package, cache)) as archive:
            members = [m for m in archive.getmembers() if m.isfile() and m.name.startswith("package/")
                       and m.name[len("package/"):].startswith(wanted)]
            for member in members:
                member.name = member.name[len("package/"):]
                archive.extract(member, target, filter="data")


class ExternalReferences(HTMLParser):
    """Every URL that a page's <script> and <link> tags load, and the text of its inline scripts and styles."""

    def __init__(self):
        super().__init__()
        self.urls, self.inline, self._tag = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        self._tag = tag if tag in ("script", "style") else None

    def handle_data(self, data):
        if self._tag:
            self.inline.append(data)


NETWORK_URL = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
NETWORK_IN_CODE = re.compile(r"""(?:\bimport\b[^;]*?\bfrom\s*|@import\s+(?:url\()?|\burl\()\s*['"]?(?:https?:)?//""",
                             re.IGNORECASE)


def offline_problems(page):
    """What in a built deck would reach the network, or is missing from the kit."""
    parser = ExternalReferences()
    parser.feed(Path(page).read_text(encoding="utf-8"))
    problems = [f"loads {url} from the network" for url in parser.urls if NETWORK_URL.match(url)]
    problems += [f"loads a missing local file {url}" for url in parser.urls
                 if not NETWORK_URL.match(url) and not url.startswith("data:")
                 and not (Path(page).parent / url.split("?")[0]).is_file()]
    problems += [f"an inline script or style reaches the network: {m.group(0)!r}"
                 for text in parser.inline for m in NETWORK_IN_CODE.finditer(text)]
    return problems


def nbconvert_command():
    jupyter = shutil.which("jupyter", path=sysconfig.get_path("scripts")) or shutil.which("jupyter")
    return [jupyter, "nbconvert"] if jupyter else [sys.executable, "-m", "nbconvert"]


def convert_to_slides(notebooks, out):
    """`jupyter nbconvert --to slides` on the session notebooks, with the kit's offline template."""
    with tempfile.TemporaryDirectory() as templates:
        folder = Path(templates) / "session_kit"
        folder.mkdir()
        (folder / "conf.json").write_text(json.dumps({"base_template": "reveal", "mimetypes": {"text/html": True}}))
        (folder / "index.html.j2").write_text(SLIDE_TEMPLATE, encoding="utf-8")
        command = nbconvert_command() + [
            "--to", "slides", "--template", "session_kit", "--log-level", "WARN",
            f"--TemplateExporter.extra_template_basedirs={templates}",
            "--SlidesExporter.reveal_url_prefix=reveal.js",
            "--SlidesExporter.require_js_url=require.js/require.js",
            "--SlidesExporter.reveal_theme=white",
            "--SlidesExporter.reveal_number=c/t",
            "--output-dir", str(out),
        ] + [str(n) for n in notebooks]
        result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise KitError(f"nbconvert failed:\n{result.stderr.strip()}")
    return [Path(out) / (Path(n).stem + ".slides.html") for n in notebooks]


# ---------------------------------------------------------------- the summaries

MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")

SUMMARY_CSS = """
@page { size: A4; margin: 12mm 14mm; }
body { font-family: "Source Sans Pro", "Noto Sans", Helvetica, Arial, sans-serif; font-size: 10.5pt;
       line-height: 1.3; color: #111; background: #fff; max-width: 50em; margin: 1em auto; padding: 0 1em; }
h1 { font-size: 1.4em; margin: 0 0 0.2em; }
h2 { font-size: 1.08em; margin: 0.7em 0 0.25em; border-bottom: 1px solid #999; }
p { margin: 0.25em 0; }
.meta { color: #333; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: 0.1em 0.35em; text-align: left; vertical-align: top; }
td:nth-child(n+3) { white-space: nowrap; }
figure { margin: 0.3em 0; }
figure img { max-width: 100%; max-height: 8cm; display: block; margin: 0 auto; }
figcaption { font-size: 0.88em; color: #333; }
ol { margin: 0.2em 0; padding-left: 2.2em; }
ol.path { columns: 2; column-gap: 2.5em; }
ol.path li { break-inside: avoid; }
@media print {
  body { font-size: 8.4pt; margin: 0; padding: 0; max-width: none; }
  figure img { max-height: 5.6cm; }
  footer { display: none; }
}
"""


def inline_html(text, bibliography):
    return MARKDOWN.renderInline(plain_markdown(text, bibliography))


def summary_html(chapter, session, bibliography):
    """A one-page HTML summary of a chapter; the figure is embedded, so the file stands alone."""
    esc = html.escape
    rows = "\n".join(
        f"<tr><td><strong>{esc(c['claim_id'])}</strong></td><td>{esc(c['paraphrase'])}</td>"
        f"<td>{esc(c['claim_type'])}</td><td>{esc(c['verdict'])}</td><td>{esc(c['confidence'])}</td></tr>"
        for c in chapter.claims)
    claims = (f"<table class=\"claims\"><thead><tr><th>Claim</th><th>Paraphrase</th><th>Type</th><th>Verdict</th>"
              f"<th>Confidence</th></tr></thead><tbody>\n{rows}\n</tbody></table>" if chapter.claims else
              "<p>This chapter tests none of the claims itself: it builds the register that the other chapters "
              "test.</p>")
    questions = "\n".join(f"<li value=\"{number}\">{inline_html(text, bibliography)}</li>"
                          for number, text in chapter.questions)
    core = [s for s in chapter.path if not s.optional]
    optional = [(s.heading, "") for s in chapter.path if s.optional]
    optional += [(part, s.heading) for s in chapter.path for part in s.parts]
    core_items = "\n".join(f"<li>{inline_html(s.heading, bibliography)}</li>" for s in core)
    optional_items = ("<ol class=\"path\">" + "\n".join(
        f"<li>{inline_html(name, bibliography)}{' (in ' + inline_html(parent, bibliography) + ')' if parent else ''}</li>"
        for name, parent in optional) + "</ol>") if optional else (
        "<p>None marked: every section is core until the chapter marks one \"(optional)\".</p>")
    session_line = f" · Session {session.number}: {esc(session.title)}" if session else ""
    time_line = f" · Time to learn: {inline_html(chapter.time_to_learn, bibliography)}" if chapter.time_to_learn else ""
    png = base64.b64encode(chapter.figure.png).decode("ascii")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chapter {chapter.number}: {esc(chapter.title)} (summary)</title>
<style>{SUMMARY_CSS}</style>
</head>
<body>
<main>
<h1>Chapter {chapter.number}: {esc(chapter.title)}</h1>
<p class="meta">Notebook <code>{esc(str(chapter.notebook))}</code>{session_line}{time_line}</p>
<h2>Claims and verdicts</h2>
{claims}
<h2>Key figure</h2>
<figure id="{esc(chapter.figure.label)}">
<img src="data:image/png;base64,{png}" alt="{esc(chapter.figure.alt)}">
<figcaption>{inline_html(chapter.figure.caption, bibliography)}</figcaption>
</figure>
<h2>Three questions for discussion</h2>
<p class="meta">Numbered as in the chapter.</p>
<ol class="questions">
{questions}
</ol>
<h2>Reading path</h2>
<p><strong>Core</strong></p>
<ol class="path">
{core_items}
</ol>
<p><strong>Optional</strong></p>
{optional_items}
</main>
<footer><p class="meta">Generated by <code>scripts/session_kit.py</code> from the notebook and
<code>data/claims.csv</code>; rebuild with <code>make slides</code> rather than editing it.</p></footer>
</body>
</html>
"""


def index_html(sessions, chapters_by_number):
    items = []
    for session in sessions:
        chapter_links = ", ".join(
            f"<a href=\"summaries/{chapters_by_number[n].chapter_id}.html\">chapter {n}</a>" for n in session.chapters)
        items.append(f"<li><a href=\"session_{session.number}.slides.html\">Session {session.number}: "
                     f"{html.escape(session.title)}</a> (summaries: {chapter_links})</li>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Seminar kit</title></head>\n"
            "<body><main><h1>Seminar kit</h1>\n<p>Slides open in any browser, without a network. Keys: arrows to move, "
            "<kbd>S</kbd> for the speaker notes, <kbd>F</kbd> for full screen, <kbd>Esc</kbd> for an overview.</p>\n"
            "<ul>\n" + "\n".join(items) + "\n</ul></main></body></html>\n")


# ---------------------------------------------------------------- the build

def build_kit(out=OUT, claims_path=CLAIMS, chapters_path=CHAPTERS, guide_path=GUIDE,
              vendor_cache=VENDOR_CACHE, only_sessions=None, repo=REPO):
    """Build the kit into `out`; return {"decks": [...], "summaries": [...]}."""
    out = Path(out)
    sessions = read_sessions(guide_path)
    numbers = [n for s in sessions for n in s.chapters]
    if len(numbers) != len(set(numbers)):
        raise KitError(f"{guide_path}: a chapter is named by more than one session: {numbers}")
    if only_sessions:
        unknown = set(only_sessions) - {s.number for s in sessions}
        if unknown:
            raise KitError(f"no session {sorted(unknown)} in the guide's six-session plan")
        sessions = [s for s in sessions if s.number in set(only_sessions)]
    claims = read_csv(claims_path)
    rows = {int(r["number"]): r for r in read_csv(chapters_path)}
    missing = sorted(set(numbers) - set(rows))
    if missing:
        raise KitError(f"the guide's sessions name chapters {missing}, which are not in {chapters_path}")
    named = guide_questions(guide_path)
    bibliography = read_bibliography(repo / "references.bib")
    session_of = {n: s for s in sessions for n in s.chapters}
    wanted = sorted(session_of) if only_sessions else sorted(rows)
    chapters = {n: load_chapter(rows[n], claims, named, repo) for n in wanted}

    out.mkdir(parents=True, exist_ok=True)
    install_vendor(out, vendor_cache)
    notebooks = []
    for session in sessions:
        path = out / f"session_{session.number}.ipynb"
        notebook = session_notebook(session, [chapters[n] for n in session.chapters], claims, bibliography)
        nbformat.write(notebook, path)
        notebooks.append(path)
    decks = convert_to_slides(notebooks, out)
    for deck in decks:
        problems = offline_problems(deck)
        if problems:
            raise KitError(f"{deck} would not work offline:\n  " + "\n  ".join(problems))

    summaries_dir = out / "summaries"
    summaries_dir.mkdir(exist_ok=True)
    summaries = []
    for number, chapter in chapters.items():
        path = summaries_dir / f"{chapter.chapter_id}.html"
        path.write_text(summary_html(chapter, session_of.get(number), bibliography), encoding="utf-8")
        summaries.append(path)
    (out / "index.html").write_text(index_html(sessions, chapters), encoding="utf-8")
    return {"decks": decks, "summaries": summaries}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the kit (default: _build/session_kit)")
    parser.add_argument("--claims", type=Path, default=CLAIMS, help="the claims register (default: data/claims.csv)")
    parser.add_argument("--chapters", type=Path, default=CHAPTERS, help="the chapter plan (default: data/chapters.csv)")
    parser.add_argument("--guide", type=Path, default=GUIDE, help="the instructor guide with the six-session plan")
    parser.add_argument("--vendor-cache", type=Path, default=VENDOR_CACHE,
                        help="where the reveal.js and RequireJS tarballs are kept (default: _build/vendor)")
    parser.add_argument("--sessions", type=int, nargs="*", help="build only these sessions (default: all)")
    args = parser.parse_args(argv)
    try:
        built = build_kit(args.out, args.claims, args.chapters, args.guide, args.vendor_cache, args.sessions)
    except KitError as error:
        print(f"session kit: {error}", file=sys.stderr)
        return 1
    print(f"Session kit: {len(built['decks'])} decks and {len(built['summaries'])} chapter summaries "
          f"in {args.out} (open index.html)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
