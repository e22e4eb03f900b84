"""Citations read as author and year in JupyterLab, and the book cites the same works.

The notebooks carry each citation as a Markdown link whose text is the label
the book gives it, such as "([CSIS Beyond Parallel, 2026](#ref-csis_provocations_db))",
and end with a generated list of the works they cite (see
scripts/readable_citations.py). These tests hold the three promises:

- no Sphinx role syntax is left for JupyterLab to show raw;
- every link's text is the label Sphinx itself computes from references.bib
  (so a changed entry cannot leave a stale author or year in a notebook), and
  each notebook's reference list is what the script would write now;
- the built book turns every link group back into a citation: each page has
  as many citation groups as its notebook, and no "#ref-" link survives.
"""

import re
import sys

import nbformat
import pytest

from conftest import REPO_ROOT, all_notebooks

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import readable_citations  # noqa: E402

ROLE_LEFT = re.compile(r"\{cite(?::\w+)?\}`")


@pytest.fixture(scope="module")
def entry_texts():
    return readable_citations.entry_texts()


@pytest.fixture(scope="module")
def labels():
    # A throw-away Sphinx build of references.bib with the book's settings (about 20 s).
    return readable_citations.citation_labels()


def citation_cells(notebook):
    return [cell for cell in notebook.cells
            if cell.cell_type == "markdown"
            and readable_citations.REFERENCES_TAG not in cell.metadata.get("tags", [])]


def link_groups(notebook):
    return [group for cell in citation_cells(notebook)
            for group in readable_citations.CITE_GROUP.finditer(cell.source)]


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.name)
def test_no_citation_role_is_left_raw(path):
    notebook = nbformat.read(path, as_version=4)
    raw = [cell.get("id") for cell in citation_cells(notebook) if ROLE_LEFT.search(cell.source)]
    assert not raw, (
        f"{path.name}: cells {raw} still use the Sphinx cite role, which JupyterLab shows as a raw key. "
        "Run: python scripts/readable_citations.py"
    )


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.name)
def test_every_citation_link_shows_the_books_label(path, labels):
    notebook = nbformat.read(path, as_version=4)
    wrong = []
    for cell in citation_cells(notebook):
        # A link to #ref-... outside a well-formed group would reach the book as a broken link.
        stray = readable_citations.CITE_LINK.findall(readable_citations.links_to_roles(cell.source))
        assert not stray, f"{path.name}: citation links outside a '(...; ...)' group: {stray}"
        for link in readable_citations.CITE_LINK.finditer(cell.source):
            key, label = link.group("key"), link.group("label")
            if labels.get(key) != label:
                wrong.append(f"{key}: notebook says {label!r}, references.bib gives {labels.get(key)!r}")
    assert not wrong, f"{path.name}: " + "; ".join(wrong) + ". Run: python scripts/readable_citations.py"


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.name)
def test_reference_list_is_current(path, labels, entry_texts):
    notebook = nbformat.read(path, as_version=4)
    assert not readable_citations.update_notebook(notebook, labels, entry_texts), (
        f"{path.name}: its reference list (last cell) or citations are out of date. "
        "Run: python scripts/readable_citations.py"
    )
    keys = readable_citations.cited_keys(notebook)
    if keys:
        last = notebook.cells[-1]
        assert readable_citations.REFERENCES_TAG in last.metadata.get("tags", []), (
            f"{path.name}: the reference list must be the last cell")
        assert "remove-cell" in last.metadata.get("tags", []), (
            f"{path.name}: the reference list must be tagged remove-cell (the book has a bibliography page)")
        for key in keys:
            assert f"(ref-{key})=" in last.source, f"{path.name}: no target for {key}"


def test_the_book_cites_what_the_notebooks_cite(built_book):
    assert built_book.returncode == 0, "the book did not build; see test_book_build"
    checked = 0
    for path in all_notebooks():
        page = built_book.html / "notebooks" / (path.stem + ".html")
        if not page.exists():
            continue  # not in the table of contents (the chapter template)
        html = page.read_text(encoding="utf-8")
        assert "#ref-" not in html, f"{page.name}: a citation link was not turned back into a citation"
        notebook = nbformat.read(path, as_version=4)
        in_notebook = len(link_groups(notebook))
        in_book = html.count('class="bibtex-citation"')
        assert in_book == in_notebook, (
            f"{page.name}: the book shows {in_book} citations, the notebook has {in_notebook}")
        checked += in_notebook
    assert checked > 500, f"only {checked} citations were compared; has the book lost its chapters?"
