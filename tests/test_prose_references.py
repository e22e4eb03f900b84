"""Prose that stays true: exercises are referred to by label, never by a typed
number (the book numbers exercises across the whole book, so "exercise 4" of
chapter 3 is Exercise 12 on the page), and no page speaks of verdicts as
pending once every claim has one."""

import csv
import re

import pytest

from conftest import DATA_DIR, REPO_ROOT, cell_text, read_notebook, toc_files, toc_page_path

TYPED_EXERCISE_NUMBER = re.compile(r"\b[Ee]xercises? \d+\b")
# The Data sources page documents the register's schema, in which "pending"
# is the value a claim has before its chapter exists; it is not a statement
# about the course's state.
SCHEMA_PAGES = {"book/data_sources"}


def prose(entry):
    """The markdown of a page of the book (a notebook's markdown cells, or a .md page)."""
    path = toc_page_path(entry)
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8")
    return "\n".join(cell_text(c) for c in read_notebook(path)["cells"] if c["cell_type"] == "markdown")


PAGES = toc_files()


@pytest.mark.parametrize("entry", PAGES)
def test_exercises_are_referred_to_by_label(entry):
    match = TYPED_EXERCISE_NUMBER.search(prose(entry))
    assert not match, (
        f"{toc_page_path(entry).relative_to(REPO_ROOT)}: {match.group(0)!r} is a typed exercise number; "
        "the book numbers exercises across the whole book, so refer to it by label: {numref}`chNN-ex-name`"
    )


def test_no_page_says_pending_while_no_claim_is():
    with open(DATA_DIR / "claims.csv", encoding="utf-8", newline="") as handle:
        pending = [row["claim_id"] for row in csv.DictReader(handle) if row["verdict"] == "pending"]
    if pending:
        pytest.skip(f"claims {pending} are still pending, so the word is true")
    for entry in PAGES:
        if entry in SCHEMA_PAGES:
            continue
        text = prose(entry)
        for word in ("pending", "published one by one", "the lead author"):
            assert not re.search(rf"\b{word}\b", text, re.IGNORECASE), (
                f"{toc_page_path(entry).relative_to(REPO_ROOT)} says {word!r}, but every claim has a verdict "
                "and every chapter is published; reword it"
            )
