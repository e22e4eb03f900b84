"""The landing page's chapter cards (scripts/landing_cards.py) say what the chapters say."""

import csv
import re
import sys

from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import landing_cards  # noqa: E402


def test_cards_are_made_from_the_chapters():
    current = landing_cards.INTRO.read_text(encoding="utf-8")
    assert landing_cards.with_cards(current) == current, (
        "The chapter cards in book/intro.md differ from the chapters' titles, overviews or stated times: "
        "run .venv/bin/python scripts/landing_cards.py"
    )


def test_one_card_per_chapter_in_order():
    text = landing_cards.INTRO.read_text(encoding="utf-8")
    numbers = [int(n) for n in re.findall(r"^:::\{grid-item-card\} (\d+)\. ", text, flags=re.MULTILINE)]
    with open(REPO_ROOT / "data" / "chapters.csv", encoding="utf-8", newline="") as handle:
        chapters = sorted(int(row["number"]) for row in csv.DictReader(handle))
    assert numbers == chapters, f"cards for chapters {numbers}, but data/chapters.csv lists {chapters}"
