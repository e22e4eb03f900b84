"""The landing page's chapter cards, made from the chapters themselves.

    .venv/bin/python scripts/landing_cards.py           # rewrite the cards in book/intro.md
    .venv/bin/python scripts/landing_cards.py --check   # exit 1 if they are out of date

Each card gives a chapter's question (its title in data/chapters.csv), the
first thing its Overview says the reader will be able to do, and the time its
Prerequisites cell states (which tests/test_time_to_learn.py holds against the
time computed from the chapter). Nothing is typed twice: when a chapter's
title, overview or time changes, this script rewrites the cards, and
tests/test_landing_cards.py fails until it has been run.
"""

import csv
import json
import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "scripts"))
from time_to_learn import duration, stated_times  # noqa: E402

INTRO = REPO_ROOT / "book" / "intro.md"
START = "<!-- chapter cards: made by scripts/landing_cards.py; do not edit by hand -->"
END = "<!-- end of chapter cards -->"


def first_outcome(notebook):
    """The first item of the Overview's "you will be able to:" list."""
    for cell in notebook["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and text.lstrip().startswith("## Overview"):
            match = re.search(r"you will be able to:\s*\n\s*[-*]\s+(.+)", text)
            if match:
                return "You will be able to " + match.group(1).strip().rstrip(";.") + "."
    raise ValueError("its Overview has no list after 'you will be able to:'")


def card(row):
    path = REPO_ROOT / row["notebook"]
    notebook = json.loads(path.read_text(encoding="utf-8"))
    try:
        outcome = first_outcome(notebook)
    except ValueError as error:
        raise SystemExit(f"{row['notebook']}: {error}; the landing page's card needs it") from None
    times = stated_times(notebook)
    if times.total is None or times.core is None:
        raise SystemExit(f"{row['notebook']}: its Prerequisites cell states no time to learn or core path")
    target = "../" + row["notebook"].removesuffix(".ipynb")
    return (
        f":::{{grid-item-card}} {row['number']}. {row['title']}\n"
        f":link: {target}\n"
        ":link-type: doc\n"
        f":footer: About {duration(times.total)}; core path about {duration(times.core)}.\n\n"
        f"{outcome}\n"
        ":::\n"
    )


def cards():
    with open(REPO_ROOT / "data" / "chapters.csv", encoding="utf-8", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: int(r["number"]))
    body = "\n".join(card(row) for row in rows)
    return f"{START}\n::::{{grid}} 1 1 2 2\n:gutter: 2\n\n{body}::::\n{END}"


def with_cards(text):
    if START not in text or END not in text:
        raise SystemExit(f"{INTRO.relative_to(REPO_ROOT)} has no place for the cards: add the lines\n{START}\n{END}")
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    return before + cards() + after


def main(argv):
    current = INTRO.read_text(encoding="utf-8")
    wanted = with_cards(current)
    if "--check" in argv:
        if wanted != current:
            print(f"The chapter cards in book/intro.md are out of date: run .venv/bin/python scripts/landing_cards.py")
            return 1
        return 0
    INTRO.write_text(wanted, encoding="utf-8")
    print("book/intro.md: chapter cards written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
