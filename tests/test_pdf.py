"""The PDF edition builds with XeLaTeX, contains every chapter, and renders Hangul.

Needs XeLaTeX, latexmk and the Noto CJK fonts (Debian packages that .ci/run
installs): where one is missing the tests are skipped with a message naming
it, except in CI (CI=true), where they fail."""

import re
import subprocess

import pytest

from conftest import REPO_ROOT, cell_text, chain_notebooks, find_tool, read_notebook, skip_or_fail

HANGUL = re.compile(r"[\uac00-\ud7a3]+")
TEX_TOOLS = ("xelatex", "latexmk")
# The fonts _config.yml asks XeLaTeX for (Debian's fonts-noto-cjk).
FONTS = ("Noto Serif CJK KR", "Noto Sans CJK KR", "Noto Sans Mono CJK KR")
TEX_PACKAGES = ("texlive-xetex latexmk fonts-noto-cjk texlive-latex-recommended "
                "texlive-fonts-recommended texlive-latex-extra")


def missing_tex():
    """What the PDF build needs and this machine lacks (an empty list when nothing)."""
    missing = [tool for tool in TEX_TOOLS if find_tool(tool) is None]
    fc_list = find_tool("fc-list")
    if fc_list:
        families = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True).stdout
        missing += [f"the font {font!r}" for font in FONTS if font not in families]
    else:
        missing.append("fc-list (fontconfig), to find the Noto CJK fonts")
    return missing


@pytest.fixture(scope="module", autouse=True)
def tex_installed():
    missing = missing_tex()
    if missing:
        skip_or_fail(f"the PDF edition cannot be built; missing: {'; '.join(missing)} "
                     f"(apt-get install --no-install-recommends {TEX_PACKAGES}; .ci/run installs them)")


def squash(text):
    """Letters and digits only: PDF extraction keeps neither spaces nor hyphenation reliably."""
    return re.sub(r"[\W_]+", "", text).lower()


@pytest.fixture(scope="module")
def pdf_text(tex_installed, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    jupyter_book = find_tool("jupyter-book")
    assert jupyter_book, "jupyter-book is not installed with this Python (pip install -r requirements.txt)"
    result = subprocess.run([jupyter_book, "build", str(REPO_ROOT), "--builder", "pdflatex", "--path-output", str(out)],
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
