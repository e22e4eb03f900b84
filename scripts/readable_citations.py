"""Citations that read as references in JupyterLab and in the book.

A Sphinx citation role such as {cite}`ch05_csis_db` is rendered by the book
as "[CSIS Beyond Parallel, 2026]", but JupyterLab (even with jupyterlab-myst)
shows only the raw key. So the notebooks carry citations as Markdown links
whose text is the book's own author-year label:

    ([CSIS Beyond Parallel, 2026](#ref-ch05_csis_db); [CNN, 2018](#ref-cnn_2018))

JupyterLab shows "(CSIS Beyond Parallel, 2026; CNN, 2018)", each a link to
the chapter's list of references in its last cell. When the book is built,
_ext/course_html.py turns each such group back into one {cite} role before
the notebook is parsed, so the book's citations and its bibliography are
exactly what they were. The last cell ("References cited in this chapter",
tagged remove-cell: the book has its own bibliography page) is generated
here from references.bib.

The labels are not typed by hand: `citation_labels` builds a throw-away Sphinx
project with the book's own bibliography settings and reads back the label
Sphinx gives each key. tests/test_readable_citations.py checks that every
link text is that label and that the built book cites the same keys.

Usage:
    python scripts/readable_citations.py            # rewrite notebooks/*.ipynb
    python scripts/readable_citations.py --check    # exit 1 if a notebook is out of date
"""

from pathlib import Path
import argparse
import json
import re
import subprocess
import sys
import tempfile

import nbformat
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
BIB_FILE = REPO_ROOT / "references.bib"
NOTEBOOKS = REPO_ROOT / "notebooks"

# The Sphinx role the book used before, and still uses in the .md pages.
CITE_ROLE = re.compile(r"\{cite(?::p)?\}`([^`]+)`")
# One citation link, and a parenthesised group of them separated by "; ".
CITE_LINK = re.compile(r"\[(?P<label>[^\[\]]+)\]\(#ref-(?P<key>[\w\-:.]+)\)")
CITE_GROUP = re.compile(
    r"\((?P<links>\[[^\[\]]+\]\(#ref-[\w\-:.]+\)(?:; \[[^\[\]]+\]\(#ref-[\w\-:.]+\))*)\)"
)
REFERENCES_TAG = "references-list"
REFERENCES_HEADING = "## References cited in this notebook"


def bibliography_settings():
    """The bibliography options of _config.yml, so the labels match the book's."""
    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text(encoding="utf-8"))
    sphinx_config = config["sphinx"]["config"]
    return {
        "bibtex_reference_style": sphinx_config.get("bibtex_reference_style", "label"),
        "bibtex_default_style": sphinx_config.get("bibtex_default_style", "alpha"),
    }


def bib_keys(bib_file=BIB_FILE):
    """Every entry key in the .bib file, in file order."""
    text = Path(bib_file).read_text(encoding="utf-8")
    return re.findall(r"^@\w+\{([^,\s]+),", text, flags=re.M)


def citation_labels(bib_file=BIB_FILE):
    """{key: label} as Sphinx renders a single parenthetical citation of each key.

    Builds a one-page Sphinx project (text builder) that cites every key on
    its own line, with the book's reference style, and reads the labels back.
    """
    keys = bib_keys(bib_file)
    settings = bibliography_settings()
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        (project / "conf.py").write_text(
            # The text builder wraps lines at 70 characters; a long label must stay on one line.
            "import sphinx.writers.text\nsphinx.writers.text.MAXWIDTH = 100000\n"
            "extensions = ['sphinxcontrib.bibtex']\n"
            f"bibtex_bibfiles = [{str(Path(bib_file).resolve())!r}]\n"
            f"bibtex_reference_style = {settings['bibtex_reference_style']!r}\n"
            f"bibtex_default_style = {settings['bibtex_default_style']!r}\n",
            encoding="utf-8",
        )
        lines = ["Labels", "======", ""]
        lines += [f"| KEY {key} IS :cite:p:`{key}`" for key in keys]
        lines += ["", ".. bibliography::"]
        (project / "index.rst").write_text("\n".join(lines) + "\n", encoding="utf-8")
        subprocess.run(
            [sys.executable, "-m", "sphinx", "-q", "-b", "text", str(project), str(project / "out")],
            check=True, capture_output=True, text=True,
        )
        text = (project / "out" / "index.txt").read_text(encoding="utf-8")
    labels = {}
    for match in re.finditer(r"^\s*KEY (\S+) IS \[(.+)\]$", text, flags=re.M):
        labels[match.group(1)] = match.group(2)
    missing = [key for key in keys if key not in labels]
    if missing:
        raise RuntimeError(f"Sphinx gave no label for {len(missing)} keys, e.g. {missing[:3]}")
    return labels


def entry_texts(bib_file=BIB_FILE):
    """{key: the entry as the book's bibliography formats it}, as plain Markdown."""
    from pybtex.database import parse_file
    from pybtex.plugin import find_plugin

    bibliography = parse_file(str(bib_file), bib_format="bibtex")
    style = find_plugin("pybtex.style.formatting", bibliography_settings()["bibtex_default_style"])()
    texts = {}
    for formatted in style.format_entries(bibliography.entries.values()):
        # pybtex puts each block (authors, title, venue, note, URL) on its own line.
        text = " ".join(formatted.text.render_as("markdown").split())
        # pybtex escapes every punctuation mark; keep only the escapes Markdown needs.
        texts[formatted.key] = re.sub(r"\\([.()\-_:!#+'/&,;=?%~])", r"\1", text)
    return texts


def link_group(keys, labels):
    """The Markdown that replaces one {cite} role: a parenthesised group of links."""
    unknown = [key for key in keys if key not in labels]
    if unknown:
        raise KeyError(f"not in references.bib: {', '.join(unknown)}")
    # The book sorts a group's references by label; do the same so that both read alike.
    ordered = sorted(dict.fromkeys(keys), key=lambda key: (labels[key], key))
    return "(" + "; ".join(f"[{labels[key]}](#ref-{key})" for key in ordered) + ")"


def roles_to_links(markdown, labels):
    return CITE_ROLE.sub(lambda m: link_group([k.strip() for k in m.group(1).split(",")], labels), markdown)


def links_to_roles(text):
    """The book side: each group of citation links becomes one {cite} role.

    Works on the raw .ipynb text too (the JSON escaping leaves links alone).
    """
    def replace(match):
        keys = [link.group("key") for link in CITE_LINK.finditer(match.group("links"))]
        return "{cite}`" + ",".join(keys) + "`"

    return CITE_GROUP.sub(replace, text)


def cited_keys(notebook):
    """Keys cited by citation links in the notebook's markdown cells, in order of first use."""
    keys = []
    for cell in notebook.cells:
        if cell.cell_type != "markdown" or REFERENCES_TAG in cell.metadata.get("tags", []):
            continue
        for group in CITE_GROUP.finditer(cell.source):
            keys += [link.group("key") for link in CITE_LINK.finditer(group.group("links"))]
    return list(dict.fromkeys(keys))


def references_cell_source(keys, texts, labels):
    """The chapter's reference list: one entry per cited key, alphabetical, each with an anchor."""
    lines = [
        REFERENCES_HEADING,
        "",
        "Every work this notebook cites, by author and year. A citation in the text "
        "links here; in the online book the same works are on the page *Bibliography*.",
        "",
    ]
    for key in sorted(keys, key=lambda key: (labels[key], key)):
        # A MyST target: jupyterlab-myst gives the entry this id, so a citation link scrolls
        # to it (JupyterLab's sanitizer would strip a plain HTML id).
        lines += [f"(ref-{key})=", f"**{labels[key]}** — {texts[key]}", ""]
    return "\n".join(lines)


def update_notebook(notebook, labels, texts):
    """Convert roles to links and (re)write the references cell. Returns True if anything changed."""
    changed = False
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and CITE_ROLE.search(cell.source):
            cell.source = roles_to_links(cell.source, labels)
            changed = True
    keys = cited_keys(notebook)
    existing = [i for i, cell in enumerate(notebook.cells)
                if REFERENCES_TAG in cell.metadata.get("tags", [])]
    if not keys:
        for index in reversed(existing):
            del notebook.cells[index]
            changed = True
        return changed
    source = references_cell_source(keys, texts, labels)
    if existing:
        cell = notebook.cells[existing[0]]
        if cell.source != source:
            cell.source = source
            changed = True
    else:
        cell = nbformat.v4.new_markdown_cell(source)
        cell.metadata["tags"] = ["remove-cell", REFERENCES_TAG]
        notebook.cells.append(cell)
        changed = True
    return changed


def notebook_paths():
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook needs rewriting")
    args = parser.parse_args(argv)
    labels = citation_labels()
    texts = entry_texts()
    stale = []
    for path in notebook_paths():
        notebook = nbformat.read(path, as_version=4)
        if update_notebook(notebook, labels, texts):
            stale.append(path.name)
            if not args.check:
                nbformat.write(notebook, path)
    if args.check and stale:
        print("Citations or reference lists are out of date in: " + ", ".join(stale)
              + ". Run: python scripts/readable_citations.py")
        return 1
    print(("Up to date." if not stale else "Rewrote: " + ", ".join(stale)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
