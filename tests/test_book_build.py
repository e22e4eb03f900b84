"""The book builds from scratch with warnings as errors (-W), nitpicky (-n),
and every page of the table of contents is in the HTML."""

from conftest import toc_files


def test_book_builds_without_warnings(built_book):
    assert built_book.returncode == 0, (
        "the book build failed. Warnings and errors:\n"
        + "\n".join(built_book.warnings() or built_book.log.splitlines()[-40:])
    )
    for entry in toc_files():
        page = built_book.html / f"{entry}.html"
        assert page.is_file(), f"{entry} is in _toc.yml but {page.name} was not built"


def test_figures_and_solutions_reach_the_html(built_book):
    chapter = (built_book.html / "notebooks" / "01_reading_the_article.html").read_text(encoding="utf-8")
    assert 'alt="Tree diagram of the article' in chapter, "figure alt text from the cell metadata did not reach the HTML"
    assert "dropdown" in chapter, "exercise solutions are not in dropdowns"


def test_no_page_loads_mathjax_from_a_cdn(built_book):
    for page in built_book.html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "cdn.jsdelivr.net" not in text and "mathjax" not in text.lower(), f"{page.name} loads a script from a CDN"
