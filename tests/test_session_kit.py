"""The seminar kit (make slides) says what the register and the notebooks say, and works offline.

The kit is built once, into a temporary folder, by scripts/session_kit.py (as
`make slides` does). The checks read the guide, data/claims.csv,
data/chapters.csv and the notebooks themselves, not the script's own readers:

- one deck per session of the guide's six-session plan, titled as the guide's
  "### Session N: ..." heading, with each of its chapters; every chapter in one session;
- every claim of a session's chapters appears in its deck and in the chapter's
  summary with its current type, verdict and confidence, and no other claim does;
- each chapter's key figure, in the deck and in the summary, is byte for byte
  the PNG stored in the notebook's output, with the notebook's alt text;
- the three discussion questions are the chapter's own, under their numbers,
  including any the guide's plan names;
- the decks load no script or style sheet from the network, and everything they
  load is in the kit (reveal.js among it); in Chromium, with every request to
  the network refused, each deck starts with no error;
- a kit built from a register with one changed verdict fails these checks
  against the real register, and passes them against the changed one.

The reveal.js and RequireJS tarballs are cached in _build/vendor/ by the first
build (npm pack); without npm or that cache the tests skip (fail in CI).
"""

from pathlib import Path
import base64
import csv
import functools
import json
import re
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup

from conftest import REPO_ROOT, find_tool, read_notebook, cell_text, skip_or_fail

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import session_kit  # noqa: E402

GUIDE = REPO_ROOT / "book" / "instructor" / "guide.md"
SCRIPT = REPO_ROOT / "scripts" / "session_kit.py"
SESSION_HEADING = re.compile(r"^### Session (\d+): (.+) \(chapters? ([^)]*)\)\s*$", re.MULTILINE)
MYST_ROLE = re.compile(r"\{\w+(?::\w+)?\}`[^`]*`")


# ---------------------------------------------------------------- what the sources say

def guide_sessions():
    """{session number: (title, [chapter numbers])}, from the guide's headings."""
    text = GUIDE.read_text(encoding="utf-8")
    return {int(n): (title, [int(c) for c in re.findall(r"\d+", chapters)])
            for n, title, chapters in SESSION_HEADING.findall(text)}


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def chapters_by_number():
    return {int(row["number"]): row for row in read_rows(REPO_ROOT / "data" / "chapters.csv")}


def stored_png(chapter_id):
    """The PNG stored in the output of the chapter's key figure, and its alt text."""
    row = next(r for r in chapters_by_number().values() if r["chapter_id"] == chapter_id)
    label = session_kit.KEY_FIGURES[chapter_id]
    for cell in read_notebook(REPO_ROOT / row["notebook"])["cells"]:
        mystnb = cell.get("metadata", {}).get("mystnb", {})
        if mystnb.get("figure", {}).get("name") == label:
            data = next(o["data"]["image/png"] for o in cell["outputs"] if "image/png" in o.get("data", {}))
            data = "".join(data) if isinstance(data, list) else data
            return base64.b64decode(data), mystnb.get("image", {}).get("alt", "")
    raise AssertionError(f"{row['notebook']} has no figure labelled {label}")


def notebook_questions(chapter_id):
    """{number: text} of the chapter's numbered discussion questions."""
    row = next(r for r in chapters_by_number().values() if r["chapter_id"] == chapter_id)
    text = "\n".join(cell_text(c) for c in read_notebook(REPO_ROOT / row["notebook"])["cells"]
                     if c["cell_type"] == "markdown")
    section = re.search(r"^## Discussion questions\s*$(.*?)(?=^#{1,2} |\Z)", text, re.MULTILINE | re.DOTALL).group(1)
    return {int(n): q for n, q in re.findall(r"^(\d+)\.\s+(.*)$", section, re.MULTILINE)}


def words(text):
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def says_question(shown, question):
    """True when `shown` (rendered text) says `question` (chapter markdown): every stretch between MyST roles, in order."""
    shown_words, position = words(shown), 0
    question = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", question)  # a Markdown link shows its text
    for piece in MYST_ROLE.split(question):
        piece = words(piece)
        if not piece:
            continue
        found = shown_words.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    return True


# ---------------------------------------------------------------- what the kit says

@functools.lru_cache(maxsize=None)
def soup(path):
    """A built page, parsed once (the tests only read it)."""
    return BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")


def tagged(page, tag):
    """The rendered cells of a deck that carry the kit's tag (nbconvert writes celltag_<tag> as a class)."""
    return page.select(f".celltag_{tag}")


def table_claims(elements):
    """{claim id: [cells after the id]} from the tables inside `elements`."""
    found = {}
    for element in elements:
        for row in element.select("tbody tr"):
            cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
            if cells:
                found[cells[0]] = cells[1:]
    return found


def data_uri_bytes(img):
    src = img["src"]
    assert src.startswith("data:image/png;base64,"), f"the figure is not an embedded PNG: {src[:60]}"
    return base64.b64decode(src.split(",", 1)[1])


def assert_kit_matches_register(kit_dir, claims, sessions=None):
    """Every claim of each built session's chapters, and no other, with its current type, verdict, confidence."""
    chapters = chapters_by_number()
    for number, (title, chapter_numbers) in guide_sessions().items():
        if sessions and number not in sessions:
            continue
        deck = soup(kit_dir / f"session_{number}.slides.html")
        for chapter_number in chapter_numbers:
            chapter_id = chapters[chapter_number]["chapter_id"]
            expected = {c["claim_id"]: c for c in claims if c["chapter_id"] == chapter_id}
            in_deck = table_claims(tagged(deck, f"kit-claims-{chapter_id}"))
            summary = soup(kit_dir / "summaries" / f"{chapter_id}.html")
            in_summary = table_claims(summary.select("table.claims"))
            for where, shown in ((f"session_{number}.slides.html", in_deck), (f"summaries/{chapter_id}.html", in_summary)):
                assert set(shown) == set(expected), (
                    f"{where}: claims of {chapter_id} shown {sorted(shown)}, register has {sorted(expected)}")
                for claim_id, claim in expected.items():
                    want = [claim["claim_type"], claim["verdict"], claim["confidence"]]
                    assert shown[claim_id][-3:] == want, (
                        f"{where}: {claim_id} shows {shown[claim_id][-3:]}, the register says {want}")
            for claim_id, claim in expected.items():
                assert in_summary[claim_id][0] == claim["paraphrase"], f"summaries/{chapter_id}.html: {claim_id} paraphrase"
                assert in_deck[claim_id][0] == claim["short_label"], f"session_{number}: {claim_id} short paraphrase"


# ---------------------------------------------------------------- building it

def vendor_available():
    cache = session_kit.VENDOR_CACHE
    cached = all((cache / f"{name}-{version}.tgz").is_file() for name, (version, _) in session_kit.VENDOR.items())
    return cached or find_tool("npm") is not None


def start_build(out, *options):
    """Start scripts/session_kit.py, as make slides runs it, writing the kit into `out`."""
    return subprocess.Popen([sys.executable, str(SCRIPT), "--out", str(out), *options],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_build(process, out):
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, f"scripts/session_kit.py failed:\n{stdout}\n{stderr}"
    return Path(out)


def write_register(rows, path):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


BROKEN_CLAIM, BROKEN_SESSION = "C31", 4  # a claim of chapter 9, which session 4 covers


@pytest.fixture(scope="session")
def register():
    return read_rows(REPO_ROOT / "data" / "claims.csv")


@pytest.fixture(scope="session")
def changed_register(register):
    """The register with one promise broken: C31's verdict changed (the real file is not touched)."""
    changed = [dict(row, verdict="supported") if row["claim_id"] == BROKEN_CLAIM else row for row in register]
    assert changed != register, f"{BROKEN_CLAIM} is already 'supported'; pick another claim to change"
    return changed


@pytest.fixture(scope="session")
def kits(tmp_path_factory, changed_register):
    """Two builds, run side by side to save time: the whole kit from the real register, and
    session 4 alone from a copy of the register in which one verdict has changed."""
    if not vendor_available():
        skip_or_fail("npm is not installed and reveal.js is not cached in _build/vendor, so the kit cannot be built")
    folder = tmp_path_factory.mktemp("session_kit")
    copy = write_register(changed_register, folder / "claims_changed.csv")
    for package in session_kit.VENDOR:  # fetch reveal.js and RequireJS once, before two builds want them
        session_kit.vendor_tarball(package)
    real = start_build(folder / "kit")
    changed = start_build(folder / "kit_changed", "--claims", str(copy), "--sessions", str(BROKEN_SESSION))
    return finish_build(real, folder / "kit"), finish_build(changed, folder / "kit_changed")


@pytest.fixture(scope="session")
def kit(kits):
    return kits[0]


# ---------------------------------------------------------------- the tests

def test_one_deck_per_session_of_the_guide(kit):
    sessions = guide_sessions()
    chapters = chapters_by_number()
    assert sorted(sessions) == [1, 2, 3, 4, 5, 6], f"the guide's plan has sessions {sorted(sessions)}"
    named = sorted(n for _, numbers in sessions.values() for n in numbers)
    assert named == sorted(chapters), f"the sessions name chapters {named}; data/chapters.csv has {sorted(chapters)}"
    assert [(s.number, s.title, s.chapters) for s in session_kit.read_sessions()] == [
        (n, title, numbers) for n, (title, numbers) in sorted(sessions.items())]
    for number, (title, chapter_numbers) in sessions.items():
        deck = soup(kit / f"session_{number}.slides.html")
        assert (kit / f"session_{number}.ipynb").is_file()
        assert deck.find("h1").get_text(" ", strip=True).rstrip("¶ ") == f"Session {number}: {title}"
        headings = [h.get_text(" ", strip=True).rstrip("¶ ") for h in deck.find_all("h2")]
        assert headings == [f"Chapter {n}: {chapters[n]['title']}" for n in chapter_numbers], (
            f"session_{number}.slides.html has chapters {headings}")
    assert len(list((kit / "summaries").glob("ch*.html"))) == len(chapters)


def test_every_claim_appears_with_its_current_verdict(kit, register):
    assert_kit_matches_register(kit, register)


def test_key_figures_are_the_notebooks_stored_outputs(kit):
    for number, (_, chapter_numbers) in guide_sessions().items():
        deck = soup(kit / f"session_{number}.slides.html")
        for chapter_number in chapter_numbers:
            chapter_id = chapters_by_number()[chapter_number]["chapter_id"]
            png, alt = stored_png(chapter_id)
            deck_images = [img for cell in tagged(deck, f"kit-figure-{chapter_id}") for img in cell.find_all("img")]
            assert len(deck_images) == 1, f"session_{number}: {len(deck_images)} key figures for {chapter_id}"
            assert data_uri_bytes(deck_images[0]) == png, f"session_{number}: the {chapter_id} figure is not the stored one"
            assert deck_images[0].get("alt", "").split() == re.sub(r"[\[\]]", " ", alt).split()
            summary_image = soup(kit / "summaries" / f"{chapter_id}.html").select_one(
                f"figure#{session_kit.KEY_FIGURES[chapter_id]} img")
            assert summary_image is not None and data_uri_bytes(summary_image) == png, (
                f"summaries/{chapter_id}.html: the figure is not the notebook's stored output")
            assert summary_image["alt"] == alt


def test_the_three_questions_are_the_chapters(kit):
    named = {}
    for chapter, question in re.findall(r"chapter (\d+), discussion question (\d+)", GUIDE.read_text(encoding="utf-8")):
        named.setdefault(int(chapter), set()).add(int(question))
    for number, (_, chapter_numbers) in guide_sessions().items():
        deck = soup(kit / f"session_{number}.slides.html")
        for chapter_number in chapter_numbers:
            chapter_id = chapters_by_number()[chapter_number]["chapter_id"]
            questions = notebook_questions(chapter_id)
            shown = [li.get_text(" ", strip=True) for cell in tagged(deck, f"kit-questions-{chapter_id}")
                     for li in cell.find_all("li")]
            summary = [(int(li["value"]), li.get_text(" ", strip=True))
                       for li in soup(kit / "summaries" / f"{chapter_id}.html").select("ol.questions li")]
            assert len(shown) == len(summary) == 3, f"{chapter_id}: {len(shown)} questions on the slide, {len(summary)} in the summary"
            numbers = []
            for text, (value, summary_text) in zip(shown, summary):
                label = re.match(r"Question (\d+)\.", text)
                assert label, f"session_{number}: a question of {chapter_id} has no number: {text[:60]!r}"
                numbers.append(int(label.group(1)))
                assert value == numbers[-1], f"{chapter_id}: slide and summary number the questions differently"
                assert numbers[-1] in questions, f"{chapter_id} has no discussion question {numbers[-1]}"
                for where, said in (("slide", text), ("summary", summary_text)):
                    assert says_question(said, questions[numbers[-1]]), (
                        f"{chapter_id} question {numbers[-1]} on the {where} is not the chapter's: {said[:80]!r}")
            assert len(set(numbers)) == 3 and named.get(chapter_number, set()) <= set(numbers), (
                f"{chapter_id}: questions {numbers}; the guide names {sorted(named.get(chapter_number, []))}")


def test_decks_load_nothing_from_the_network(kit):
    for folder, script in (("reveal.js", "dist/reveal.js"), ("require.js", "require.js")):
        assert (kit / folder / script).is_file(), f"{folder}/{script} is not in the kit"
    package = json.loads((kit / "reveal.js" / "package.json").read_text(encoding="utf-8"))
    assert package["version"] == session_kit.VENDOR["reveal.js"][0]
    for deck_path in sorted(kit.glob("session_*.slides.html")):
        deck = soup(deck_path)
        loaded = [t["src"] for t in deck.find_all("script", src=True)] + [t["href"] for t in deck.find_all("link", href=True)]
        for url in loaded:
            assert not re.match(r"^(https?:)?//", url, re.IGNORECASE), f"{deck_path.name} loads {url} from the network"
            assert (kit / url.split("?")[0]).is_file(), f"{deck_path.name} loads {url}, which is not in the kit"
        assert "reveal.js/dist/reveal.css" in loaded, f"{deck_path.name} does not load the kit's reveal.js"
        for script in deck.find_all("script", src=False):
            code = script.get_text()
            assert not re.search(r"""(import|require)\b[^;]*['"](https?:)?//""", code), (
                f"{deck_path.name}: an inline script loads code from the network")
            for module in re.findall(r'"(reveal\.js/[^"]+\.js)"', code):
                assert (kit / module).is_file(), f"{deck_path.name} requires {module}, which is not in the kit"
        for style in deck.find_all("style"):
            assert not re.search(r"@import\s+(url\()?['\"]?(https?:)?//", style.get_text()), (
                f"{deck_path.name}: a style sheet imports from the network")


def test_decks_start_in_a_browser_without_a_network(kit, browser):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    # An offline context: any request to the network fails, and is reported.
    context = browser.new_context(offline=True)
    for deck_path in sorted(kit.glob("session_*.slides.html")):
        page = context.new_page()
        problems = []
        page.on("console", lambda m, p=problems: p.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e, p=problems: p.append(f"page error: {e}"))
        page.on("requestfailed", lambda r, p=problems: p.append(f"failed request: {r.url}"))
        page.goto(deck_path.as_uri(), wait_until="load")
        try:
            page.wait_for_selector(".reveal.ready", timeout=10000)
            page.keyboard.press("ArrowRight")
            page.wait_for_function("location.hash === '#/1'", timeout=5000)
        except PlaywrightTimeout:
            problems.append("reveal.js did not start, or the arrow key did not move to the next slide")
        assert not problems, f"{deck_path.name}: " + "; ".join(problems)
        page.close()
    context.close()

def test_summaries_list_the_reading_path(kit):
    for chapter in chapters_by_number().values():
        notebook = read_notebook(REPO_ROOT / chapter["notebook"])
        sections = [line[3:].strip() for cell in notebook["cells"] if cell["cell_type"] == "markdown"
                    and "remove-cell" not in cell["metadata"].get("tags", [])
                    for line in cell_text(cell).splitlines() if line.startswith("## ")]
        body = [s for s in sections if s.lower() not in session_kit.FRAME_SECTIONS]
        page = soup(kit / "summaries" / f"{chapter['chapter_id']}.html")
        core = [li.get_text(" ", strip=True) for li in page.select("ol.path")[0].find_all("li")]
        assert [words(c) for c in core] == [words(MYST_ROLE.sub("", s)) for s in body if "(optional)" not in s.lower()], (
            f"{chapter['chapter_id']}: the core path is not the chapter's sections")


def test_a_section_marked_optional_leaves_the_core_path():
    def heading_cell(text):
        return {"cell_type": "markdown", "source": text, "metadata": {}}
    notebook = {"cells": [heading_cell("# Title\n\n## Overview\n\ntext"), heading_cell("## Counting launches\n\n### By day (optional)"),
                          heading_cell("## A second test (Optional)\n\n### Inside it"), heading_cell("## Verdicts\n\n## Sources")]}
    path = session_kit.reading_path(notebook)
    assert [(s.heading, s.optional, s.parts) for s in path] == [
        ("Counting launches", False, ["By day"]), ("A second test", True, []), ("Verdicts", False, [])]


def test_a_missing_key_figure_stops_the_build_with_its_name():
    notebook = read_notebook(REPO_ROOT / "notebooks" / "05_drills_and_defence.ipynb")
    with pytest.raises(session_kit.KitError, match=r"05_drills_and_defence.*fig-ch05-no-such-figure"):
        session_kit.key_figure(notebook, "fig-ch05-no-such-figure", "notebooks/05_drills_and_defence.ipynb")


def test_a_stale_kit_fails_and_a_rebuilt_one_passes(kits, register, changed_register):
    kit, rebuilt = kits
    # The kit built from the real register disagrees with the changed one, naming the claim ...
    with pytest.raises(AssertionError, match=f"{BROKEN_CLAIM} shows .*'inaccurate'.* the register says .*'supported'"):
        assert_kit_matches_register(kit, changed_register, sessions={BROKEN_SESSION})
    # ... and the kit built from the changed register shows the new verdict, and fails against the real one.
    assert_kit_matches_register(rebuilt, changed_register, sessions={BROKEN_SESSION})
    with pytest.raises(AssertionError, match=BROKEN_CLAIM):
        assert_kit_matches_register(rebuilt, register, sessions={BROKEN_SESSION})


def test_make_slides_builds_the_kit():
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^\.PHONY:.*\bslides\b", makefile, re.MULTILINE), "slides is not in the Makefile's .PHONY"
    assert re.search(r"^slides:.*\n(\t.*\n)*\t.*scripts/session_kit\.py", makefile, re.MULTILINE), (
        "the Makefile has no slides target running scripts/session_kit.py")
