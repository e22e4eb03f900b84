"""The whole course as one zip, offered on every page of the book.

A reader who downloads one notebook from a page gets a file that stops at its
first cell, because the notebook reads ../data/ and imports the helpers in
notebooks/. So the build writes korean-peninsula-course.zip at the root of the
site (notebooks, their helpers, data/ with its provenance, the slim
requirements and the licences) and puts a link to it in the footer of every
page. The archive is the same, byte for byte, for the same files (fixed dates,
sorted names), and is rewritten only when one of them changes, so a rebuild
with no change stays fast. tests/test_course_zip.py unpacks it and runs a
chapter from its notebooks/ folder.
"""

from pathlib import Path
import hashlib
import zipfile

ZIP_NAME = "korean-peninsula-course.zip"
TOP_FOLDER = "korean-peninsula-course"
FOLDERS = ("notebooks", "data", "binder")
FILES = ("README.md", "LICENSE", "LICENSE-CONTENT.md", "CITATION.cff", "requirements.txt", "runtime.txt")
SKIPPED_PARTS = {".ipynb_checkpoints", "__pycache__", ".pytest_cache"}
SKIPPED_NAMES = {"my_verdicts.csv", ".DS_Store"}
FIXED_DATE = (2026, 1, 1, 0, 0, 0)


def course_files(root):
    """The files the zip holds, as (path on disk, name in the archive), in a fixed order."""
    root = Path(root)
    chosen = [root / name for name in FILES if (root / name).is_file()]
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            relative = path.relative_to(root)
            if path.is_file() and not SKIPPED_PARTS & set(relative.parts) and path.name not in SKIPPED_NAMES:
                chosen.append(path)
    return [(path, f"{TOP_FOLDER}/{path.relative_to(root).as_posix()}") for path in chosen]


def write_course_zip(root, target, stamp):
    """Write the zip unless an identical one is there; return True if it was (re)written."""
    files = course_files(root)
    fingerprint = hashlib.sha256()
    for path, name in files:
        fingerprint.update(name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    if target.exists() and stamp.exists() and stamp.read_text() == fingerprint.hexdigest():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path, name in files:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    stamp.write_text(fingerprint.hexdigest())
    return True


def add_download_link(app, pagename, templatename, context, doctree):
    """Put the zip's link, relative to this page, in the page's footer."""
    if app.builder.format != "html" or "pathto" not in context:
        return
    href = context["pathto"](ZIP_NAME, 1)
    link = (
        f'<p class="course-zip"><a href="{href}" download>Download the whole course (zip)</a>: '
        "every notebook with its data and helpers. Unpack it and open <code>notebooks/</code> in "
        "JupyterLab; install the packages in <code>binder/requirements.txt</code> first.</p>"
    )
    context["theme_extra_footer"] = link + (context.get("theme_extra_footer") or "")


def write_zip_after_build(app, exception):
    if exception is None and app.builder.format == "html":
        write_course_zip(Path(app.confdir), Path(app.outdir) / ZIP_NAME, Path(app.doctreedir) / "course-zip.sha256")


def setup(app):
    app.connect("html-page-context", add_download_link)
    app.connect("build-finished", write_zip_after_build)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
