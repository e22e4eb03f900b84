"""Check that the built book shows every image: `make book` runs this after the build.

Every <img src> in every built HTML page must resolve to a file that exists,
and each chapter page must show at least as many images as its notebook has
image outputs (so a book built without its _images/ folder, or with a figure
lost on the way, is not reported as built). Problems name the page and the
image; the exit status is 1 when there is any.

    python scripts/check_built_book.py [HTML folder, default _build/html]
"""

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
import argparse
import json
import sys

import yaml

REPO = Path(__file__).resolve().parents[1]
# Folders of the built book that hold assets and copies of sources, not pages.
NOT_PAGES = {"_static", "_sources", "_images"}
SHOWN = 25  # problems printed; the rest are counted


class ImageSources(HTMLParser):
    """The src of every <img>, and how many of them sit inside <main>."""

    def __init__(self):
        super().__init__()
        self.sources = []
        self.in_main_count = 0
        self._main_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self._main_depth += 1
        elif tag == "img":
            self.sources.append(dict(attrs).get("src") or "")
            if self._main_depth:
                self.in_main_count += 1

    def handle_endtag(self, tag):
        if tag == "main" and self._main_depth:
            self._main_depth -= 1


def book_pages(html_root):
    return sorted(p for p in Path(html_root).rglob("*.html")
                  if not NOT_PAGES & set(p.relative_to(html_root).parts))


def toc_entries(source):
    """Every file that _toc.yml names (root included), as paths without suffix, in book order."""
    toc = yaml.safe_load((Path(source) / "_toc.yml").read_text(encoding="utf-8"))
    entries = [toc["root"]]

    def walk(items):
        for item in items:
            if "file" in item:
                entries.append(item["file"])
            walk(item.get("sections", []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    return entries


def toc_notebooks(source):
    """The notebooks that _toc.yml puts in the book, as paths without suffix."""
    return [e for e in toc_entries(source) if (Path(source) / f"{e}.ipynb").is_file()]


def image_outputs(notebook):
    """How many outputs of a notebook's code cells are images (one per output)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum(1 for cell in cells if cell["cell_type"] == "code"
               for output in cell.get("outputs", [])
               if any(mime.startswith("image/") for mime in output.get("data", {})))


def image_problems(html_root, source=REPO):
    """(problems, images seen, image outputs expected) for a built book."""
    html_root, source = Path(html_root), Path(source)
    problems, seen = [], 0
    pages = book_pages(html_root)
    if not pages:
        return [f"{html_root}: no HTML pages (was the book built?)"], 0, 0
    shown = {}
    for page in pages:
        name = page.relative_to(html_root).as_posix()
        parser = ImageSources()
        parser.feed(page.read_text(encoding="utf-8"))
        shown[name] = parser.in_main_count
        for src in parser.sources:
            seen += 1
            parts = urlsplit(src)
            if not src:
                problems.append(f"{name}: an <img> without src")
            elif parts.scheme == "data":
                continue
            elif parts.scheme or src.startswith("//"):
                problems.append(f"{name}: image {src} is on another host, not in the book")
            else:
                target = (page.parent / unquote(parts.path)).resolve()
                if not target.is_file():
                    problems.append(f"{name}: image {src} does not exist")
    expected = 0
    for entry in toc_notebooks(source):
        outputs = image_outputs(source / f"{entry}.ipynb")
        expected += outputs
        name = f"{entry}.html"
        if name not in shown:
            problems.append(f"{name}: not built, but {entry}.ipynb has {outputs} image output(s)")
        elif shown[name] < outputs:
            problems.append(f"{name}: shows {shown[name]} image(s), but {entry}.ipynb has {outputs} image output(s)")
    if seen < expected:
        problems.append(f"the book has {seen} <img> in all, fewer than the {expected} image outputs of its notebooks")
    return problems, seen, expected


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", nargs="?", type=Path, default=REPO / "_build" / "html", help="the built HTML folder")
    parser.add_argument("--source", type=Path, default=REPO, help="the book's source folder (with _toc.yml)")
    args = parser.parse_args(argv)
    problems, seen, expected = image_problems(args.html, args.source)
    if problems:
        print(f"The built book in {args.html} is missing images:", file=sys.stderr)
        for problem in problems[:SHOWN]:
            print(f"  {problem}", file=sys.stderr)
        if len(problems) > SHOWN:
            print(f"  ... and {len(problems) - SHOWN} more", file=sys.stderr)
        print("Rebuild it from scratch: make clean book", file=sys.stderr)
        return 1
    print(f"All {seen} images of the built book exist ({expected} image outputs in the notebooks).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
