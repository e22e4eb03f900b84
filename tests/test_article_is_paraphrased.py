"""The course paraphrases the article: no page, notebook or table repeats a
long run of its words (a short quoted phrase is fine).

The article is not part of the course: it is read from ../shared/source/article.txt
beside the repository. Without it the check is skipped with a message saying
so, except in CI (CI=true), where it fails."""

import re

from conftest import ARTICLE, DATA_DIR, REPO_ROOT, all_notebooks, cell_text, read_notebook, skip_or_fail

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


def test_no_long_runs_of_the_article():
    if not ARTICLE.is_file():
        skip_or_fail(f"the article is not beside the repository ({ARTICLE} is missing), "
                     "so the check that the course paraphrases it cannot run")
    article = shingles(ARTICLE.read_text(encoding="utf-8"))
    assert len(article) > 500, "the article text looks truncated"
    for name, text in course_texts():
        copied = sorted(shingles(text) & article)
        assert not copied, f"{name} repeats {RUN}+ words of the article verbatim, e.g. {copied[0]!r}; paraphrase it"


def test_the_detector_catches_copying():
    sentence = "one two three four five six seven eight nine ten"
    assert shingles(sentence) & shingles("x " + sentence + " y")
    assert not shingles("one two three four five six seven eight") & shingles(sentence)
