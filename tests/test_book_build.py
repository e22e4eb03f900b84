"""The book builds from scratch with warnings as errors (-W), nitpicky (-n),
every page of the table of contents is in the HTML, every chapter's
solutions reach it in dropdowns, every image it shows exists, and every
internal link and anchor resolves (checked statically: no browser needed).

Each checker is also run on a copy of built pages with a break in it, to show
that it can fail and names the page."""

from pathlib import Path
from urllib.parse import unquote, urlsplit
import re
import shutil
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup

from conftest import REPO_ROOT, cell_text, chain_notebooks, read_notebook, toc_files

sys.path.insert(0, str(REPO_ROOT / "scripts"))
from check_built_book import book_pages, image_problems  # noqa: E402

# ```{solution} label  (or :::{solution} label with colon_fence), up to the same fence.
SOLUTION_OPENING = re.compile(r"^(?P<fence>`{3,}|:{3,})\{solution\}\s+(?P<label>\S+)\s*$")
LIST_MARKER = re.compile(r"^\s*(?:[-*+>]|\d+[.)])\s+")


def squash(text):
    """Letters and digits only, lower case: markup, smart quotes and dashes drop out."""
    return re.sub(r"[\W_]+", "", text).lower()


def solutions_in(notebook):
    """[(exercise label, body lines)] for every {solution} block of a notebook's markdown cells."""
    found = []
    for cell in read_notebook(notebook)["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        lines = cell_text(cell).splitlines()
        i = 0
        while i < len(lines):
            opening = SOLUTION_OPENING.match(lines[i].strip())
            i += 1
            if not opening:
                continue
            body = []
            while i < len(lines) and lines[i].strip() != opening["fence"]:
                body.append(lines[i])
                i += 1
            found.append((opening["label"], body))
    return found


def distinctive_line(body):
    """The longest line of a solution whose words reach the HTML as they are written
    (no roles, links, HTML, maths, tables, directive options or fences)."""
    candidates = []
    for line in body:
        text = LIST_MARKER.sub("", line.strip())
        if not text or text.startswith((":", "```", ":::", "#")) or any(s in text for s in ("{", "](", "<", "$", "|")):
            continue
        candidates.append(text)
    return max(candidates, key=lambda t: len(squash(t)), default=None)


def solution_problems(html_page, notebook):
    """Every solution of notebook that is not in html_page as a sphinx-exercise
    dropdown linked to its exercise and holding its own text."""
    soup = BeautifulSoup(Path(html_page).read_text(encoding="utf-8"), "html.parser")
    rendered = soup.select("div.solution.admonition")
    name = Path(html_page).name
    problems = []
    solutions = solutions_in(notebook)
    if not solutions:
        return [f"{notebook.name} has no {{solution}} block to look for"]
    for label, body in solutions:
        if soup.find(id=label) is None:
            problems.append(f"{name}: no exercise with the id {label!r}")
        linked = [div for div in rendered if div.select_one(f'.admonition-title a[href="#{label}"]')]
        if not linked:
            problems.append(f"{name}: no solution admonition whose title links to #{label}")
            continue
        solution = linked[0]
        if "dropdown" not in solution.get("class", []):
            problems.append(f"{name}: the solution to {label} is not in a dropdown")
        line = distinctive_line(body)
        if line is None:
            problems.append(f"{notebook.name}: the solution to {label} has no plain line of text to look for")
        elif squash(line) not in squash(solution.get_text()):
            problems.append(f"{name}: the solution to {label} lacks its text {line!r}")
    return problems


def chapter_page(html_root, notebook):
    return html_root / "notebooks" / f"{notebook.stem}.html"


def dead_links(html_root):
    """Every internal link of the built book whose file or anchor does not exist."""
    ids_cache = {}

    def ids_of(path):
        if path not in ids_cache:
            soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
            ids_cache[path] = ({tag.get("id") for tag in soup.find_all(id=True)}
                               | {tag.get("name") for tag in soup.find_all(attrs={"name": True})})
        return ids_cache[path]

    dead = []
    for page in book_pages(html_root):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for link in soup.find_all("a", href=True):
            href = link["href"]
            parts = urlsplit(href)
            if parts.scheme or href.startswith(("mailto:", "javascript:", "//")):
                continue
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                dead.append(f"{page.relative_to(html_root).as_posix()}: {href} (no such file)")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in ids_of(target):
                dead.append(f"{page.relative_to(html_root).as_posix()}: {href} (no such anchor)")
    return sorted(set(dead))


@pytest.fixture
def built_html(built_book):
    assert built_book.returncode == 0, "the book did not build; see test_book_builds_without_warnings"
    return built_book.html


def copy_of_chapters(html_root, target):
    """A copy of the built chapter pages and their images (not the theme's assets)."""
    for folder in ("notebooks", "_images"):
        shutil.copytree(html_root / folder, target / folder)
    return target


def test_book_builds_without_warnings(built_book):
    assert built_book.returncode == 0, (
        "the book build failed. Warnings and errors:\n"
        + "\n".join(built_book.warnings() or built_book.log.splitlines()[-40:])
    )
    for entry in toc_files():
        page = built_book.html / f"{entry}.html"
        assert page.is_file(), f"{entry} is in _toc.yml but {page.name} was not built"


def test_figures_and_solutions_reach_the_html(built_html):
    chapter = chapter_page(built_html, REPO_ROOT / "notebooks" / "01_reading_the_article.ipynb").read_text(encoding="utf-8")
    assert 'alt="Tree diagram of the article' in chapter, "figure alt text from the cell metadata did not reach the HTML"
    problems = []
    for notebook in chain_notebooks():
        problems += solution_problems(chapter_page(built_html, notebook), notebook)
    assert not problems, "solutions missing from the built chapters:\n" + "\n".join(problems)


def test_the_solution_check_fails_without_the_solutions(built_html, tmp_path):
    notebook = chain_notebooks()[0]
    page = tmp_path / chapter_page(built_html, notebook).name
    soup = BeautifulSoup(chapter_page(built_html, notebook).read_text(encoding="utf-8"), "html.parser")
    for solution in soup.select("div.solution"):
        solution.decompose()
    page.write_text(str(soup), encoding="utf-8")
    problems = solution_problems(page, notebook)
    assert len(problems) == len(solutions_in(notebook)), problems
    assert all(p.startswith(f"{page.name}: no solution admonition") for p in problems), problems

    # A solution that is there but holds other text (or is no dropdown) is caught too.
    soup = BeautifulSoup(chapter_page(built_html, notebook).read_text(encoding="utf-8"), "html.parser")
    first = soup.select_one("div.solution")
    first["class"] = [c for c in first["class"] if c != "dropdown"]
    first.select_one("section").string = "Another answer."
    page.write_text(str(soup), encoding="utf-8")
    problems = solution_problems(page, notebook)
    label = solutions_in(notebook)[0][0]
    assert f"{page.name}: the solution to {label} is not in a dropdown" in problems, problems
    assert any(p.startswith(f"{page.name}: the solution to {label} lacks its text") for p in problems), problems


def test_every_image_of_the_book_exists(built_html):
    problems, seen, expected = image_problems(built_html, REPO_ROOT)
    assert not problems, "images missing from the built book:\n" + "\n".join(problems)
    assert seen >= expected > 0


def test_the_image_check_names_the_page_of_a_missing_image(built_html, tmp_path):
    copy = copy_of_chapters(built_html, tmp_path)
    assert image_problems(copy, REPO_ROOT)[0] == [], "the copy of the chapters should pass before it is broken"

    # An image file deleted (as when _build/html/_images is gone).
    page = copy / "notebooks" / "03_nuclear_and_missiles.html"
    src = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("main img")["src"]
    (page.parent / src).unlink()
    problems = image_problems(copy, REPO_ROOT)[0]
    assert problems == [f"notebooks/03_nuclear_and_missiles.html: image {src} does not exist"], problems

    # A figure that never reached the page.
    page = copy / "notebooks" / "05_drills_and_defence.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    soup.select_one("main img").decompose()
    page.write_text(str(soup), encoding="utf-8")
    problems = image_problems(copy, REPO_ROOT)[0]
    assert any(p.startswith("notebooks/05_drills_and_defence.html: shows 4 image(s), but notebooks/05_drills_and_defence.ipynb has 5")
               for p in problems), problems

    # The command `make book` runs says so and exits non-zero.
    result = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "check_built_book.py"), str(copy)],
                            capture_output=True, text=True)
    assert result.returncode == 1 and "notebooks/03_nuclear_and_missiles.html: image" in result.stderr, result.stderr


def test_internal_links_and_anchors_resolve(built_html):
    dead = dead_links(built_html)
    assert not dead, "dead internal links:\n" + "\n".join(dead)


def test_the_link_check_finds_a_dead_anchor_and_a_dead_file(built_html, tmp_path):
    copy = copy_of_chapters(built_html, tmp_path)
    page = copy / "notebooks" / "02_division.html"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("</main>", '<a href="#no-such-anchor">x</a><a href="gone.html">y</a></main>', 1),
                    encoding="utf-8")
    dead = dead_links(copy)
    assert "notebooks/02_division.html: #no-such-anchor (no such anchor)" in dead, dead
    assert "notebooks/02_division.html: gone.html (no such file)" in dead, dead


def test_no_page_loads_mathjax_from_a_cdn(built_book):
    for page in built_book.html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "cdn.jsdelivr.net" not in text and "mathjax" not in text.lower(), f"{page.name} loads a script from a CDN"
