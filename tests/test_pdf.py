"""The PDF edition builds with XeLaTeX, contains every chapter, and renders Hangul.

Needs XeLaTeX, latexmk and the Noto CJK fonts (Debian packages that .ci/run
installs); skipped where they are missing, except in CI."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT, cell_text, chain_notebooks, read_notebook

HANGUL = re.compile(r"[\uac00-\ud7a3]+")
HAVE_TEX = bool(shutil.which("xelatex") and shutil.which("latexmk"))
if not HAVE_TEX and os.environ.get("CI"):
    raise RuntimeError("CI must build the PDF, but xelatex or latexmk is missing")
pytestmark = pytest.mark.skipif(not HAVE_TEX, reason="XeLaTeX/latexmk not installed (see .ci/run for the packages)")


def squash(text):
    """Letters and digits only: PDF extraction keeps neither spaces nor hyphenation reliably."""
    return re.sub(r"[\W_]+", "", text).lower()


@pytest.fixture(scope="module")
def pdf_text(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run([str(jupyter_book), "build", str(REPO_ROOT), "--builder", "pdflatex", "--path-output", str(out)],
                            capture_output=True, text=True, timeout=1500)
    pdfs = list((out / "_build" / "latex").glob("*.pdf"))
    assert result.returncode == 0 and pdfs, "the PDF did not build:\n" + (result.stdout + result.stderr)[-3000:]
    from pypdf import PdfReader

    reader = PdfReader(str(pdfs[0]))
    assert len(reader.pages) > 50, f"the PDF has only {len(reader.pages)} pages"
    return "".join(page.extract_text() or "" for page in reader.pages)


def test_pdf_has_every_chapter(pdf_text):
    text = squash(pdf_text)
    assert squash("Reading an argument with data") in text
    for notebook in chain_notebooks():
        title = next(cell_text(c) for c in read_notebook(notebook)["cells"] if c["cell_type"] == "markdown")
        title = title.splitlines()[0].lstrip("# ").strip()
        assert squash(title) in text, f"the PDF lacks the chapter {title!r}"


def test_pdf_renders_hangul(pdf_text):
    in_sources = set()
    for page in (REPO_ROOT / "book").rglob("*.md"):
        in_sources |= set(HANGUL.findall(page.read_text(encoding="utf-8")))
    for notebook in chain_notebooks():
        for cell in read_notebook(notebook)["cells"]:
            in_sources |= set(HANGUL.findall(cell_text(cell)))
    assert in_sources, "the book contains no Hangul to check"
    in_pdf = set(HANGUL.findall(pdf_text))
    assert in_pdf & in_sources, "no Korean word of the book's text appears in the PDF: Hangul did not render"
