"""A small Sphinx extension for the course's HTML.

1. sphinx-thebe (loaded by Jupyter Book even with Thebe off) writes its
   configuration script into each page twice, and the browser then reports
   "Identifier 'THEBE_JS_URL' has already been declared" on every page. After
   the build, the second copy is removed from each page.
2. docutils marks a bibliography's citation list with role="list" although its
   entries are not list items, which screen readers and axe-core flag as a
   critical error; the role is removed (the entries keep role="doc-biblioentry").
3. The notebooks carry citations as readable Markdown links, such as
   "([CSIS Beyond Parallel, 2026](#ref-csis_provocations_db))", so that
   JupyterLab shows author and year rather than a raw key. Before a notebook
   is parsed, each group of such links becomes one {cite} role again, so the
   book's citations and bibliography are sphinxcontrib-bibtex's own (see
   scripts/readable_citations.py).
"""

from pathlib import Path
import re
import sys

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from readable_citations import links_to_roles  # noqa: E402

THEBE_CONFIG = re.compile(r"[ \t]*<script>const THEBE_JS_URL = [^<]*</script>\n?")


def fix_citation_list_role(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = context["body"].replace('<div role="list" class="citation-list">', '<div class="citation-list">')


def keep_first(text):
    seen = False

    def replace(match):
        nonlocal seen
        if seen:
            return ""
        seen = True
        return match.group(0)

    return THEBE_CONFIG.sub(replace, text)


def drop_duplicate_thebe_config(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if len(THEBE_CONFIG.findall(text)) > 1:
            page.write_text(keep_first(text), encoding="utf-8")


def restore_citation_roles(app, docname, source):
    if str(app.env.doc2path(docname)).endswith(".ipynb"):
        source[0] = links_to_roles(source[0])


def setup(app):
    app.connect("source-read", restore_citation_roles)
    app.connect("html-page-context", fix_citation_list_role, priority=900)
    app.connect("build-finished", drop_duplicate_thebe_config)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
