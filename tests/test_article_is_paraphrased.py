"""The course paraphrases the article: no page, notebook or table repeats a
long run of its words (a short quoted phrase is fine)."""

import re

import pytest

from conftest import ARTICLE, DATA_DIR, REPO_ROOT, all_notebooks, cell_text, read_notebook

RUN = 9  # nine words in a row shared with the article is copying, not quoting a phrase


def words(text):
    return re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))


def shingles(text):
    tokens = words(text)
    return {" ".join(tokens[i : i + RUN]) for i in range(len(tokens) - RUN + 1)}


def course_texts():
    for page in sorted((REPO_ROOT / "book").rglob("*.md")):
        yield page.relative_to(REPO_ROOT), page.read_text(encoding="utf-8")
    for notebook in all_notebooks():
        yield notebook.relative_to(REPO_ROOT), "\n".join(cell_text(c) for c in read_notebook(notebook)["cells"])
    for table in sorted(DATA_DIR.glob("*.csv")):
        yield table.relative_to(REPO_ROOT), table.read_text(encoding="utf-8")
    yield "README.md", (REPO_ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.skipif(not ARTICLE.exists(), reason="../shared/source/article.txt is not beside the repository")
def test_no_long_runs_of_the_article():
    article = shingles(ARTICLE.read_text(encoding="utf-8"))
    assert len(article) > 500, "the article text looks truncated"
    for name, text in course_texts():
        copied = sorted(shingles(text) & article)
        assert not copied, f"{name} repeats {RUN}+ words of the article verbatim, e.g. {copied[0]!r}; paraphrase it"


def test_the_detector_catches_copying():
    sentence = "one two three four five six seven eight nine ten"
    assert shingles(sentence) & shingles("x " + sentence + " y")
    assert not shingles("one two three four five six seven eight") & shingles(sentence)
