"""One entry per work in references.bib.

Two entries are the same work when they share a URL (compared without the
scheme, a leading www., a trailing slash or the case of the address), a DOI
(compared without case or a https://doi.org/ prefix), or a title and year
(compared without braces, punctuation, spacing or case). A work entered twice
gets two labels in the book's bibliography and two keys that drift apart; cite
one key for it everywhere.
"""

from collections import defaultdict
from pathlib import Path
import re

from conftest import REPO_ROOT

BIB = REPO_ROOT / "references.bib"


def normal_url(url):
    url = url.strip().lower()
    url = re.sub(r"^[a-z]+://", "", url)
    url = re.sub(r"^www\.", "", url)
    return url.rstrip("/")


def normal_doi(doi):
    doi = doi.strip().lower()
    return re.sub(r"^(https?://)?(dx\.)?doi\.org/", "", doi)


def normal_title(title):
    title = re.sub(r"[{}\\]", "", title).lower()
    return " ".join(re.sub(r"[\W_]+", " ", title).split())


def same_work_groups(bib_file):
    """[(what they share, sorted keys)] for every URL, DOI or title+year held by two or more entries."""
    from pybtex.database import parse_file

    shared = defaultdict(list)
    for key, entry in parse_file(str(bib_file), bib_format="bibtex").entries.items():
        fields = entry.fields
        if fields.get("url"):
            shared[f"URL {normal_url(fields['url'])}"].append(key)
        if fields.get("doi"):
            shared[f"DOI {normal_doi(fields['doi'])}"].append(key)
        # A doi.org URL names the same work as the DOI field of another entry.
        doi_in_url = re.match(r"^(?:https?://)?(?:dx\.)?doi\.org/(.+)$", fields.get("url", "").strip(), re.I)
        if doi_in_url and normal_doi(doi_in_url.group(1)) != normal_doi(fields.get("doi", "")):
            shared[f"DOI {normal_doi(doi_in_url.group(1))}"].append(key)
        if fields.get("title"):
            year = fields.get("year", "").strip() or "no year"
            shared[f"title {normal_title(fields['title'])!r} and year {year}"].append(key)
    return sorted((what, sorted(keys)) for what, keys in shared.items() if len(keys) > 1)


def test_one_entry_per_work():
    groups = same_work_groups(BIB)
    assert not groups, (
        "references.bib has works entered more than once (keep one entry, named for the publisher it cites, "
        "and cite that key everywhere):\n" + "\n".join(f"  {', '.join(keys)} share the {what}" for what, keys in groups)
    )


ENTRY = """@misc{{{key},
  author = {{{{Agency}}}},
  title = {{{title}}},
  year = {{{year}}},
  url = {{{url}}},{doi}
  urldate = {{2026-12-04}},
}}
"""


def write_bib(path, entries):
    path.write_text("\n".join(ENTRY.format(doi=f"\n  doi = {{{e.pop('doi')}}}," if "doi" in e else "", **e)
                              for e in entries), encoding="utf-8")
    return path


def test_a_second_entry_for_one_work_is_caught(tmp_path):
    """The check sees through the usual differences between two copies of one reference."""
    base = {"key": "a_2020", "title": "{North} Korea: A Study", "year": "2020", "url": "https://example.org/study/"}
    cases = {
        "URL": {"key": "b_2021", "title": "Other", "year": "2021", "url": "http://www.example.org/study"},
        "DOI": {"key": "b_2021", "title": "Other", "year": "2021", "url": "https://example.net/x", "doi": "10.1/AB"},
        "title": {"key": "b_2021", "title": "North Korea -- a study", "year": "2020", "url": "https://example.net/y"},
    }
    for kind, second in cases.items():
        first = dict(base, doi="10.1/ab") if kind == "DOI" else dict(base)
        groups = same_work_groups(write_bib(tmp_path / f"{kind}.bib", [first, second]))
        assert [keys for _, keys in groups] == [["a_2020", "b_2021"]], (kind, groups)
        assert groups[0][0].startswith(kind), (kind, groups)
    distinct = {"key": "b_2021", "title": "North Korea: A Study", "year": "2021", "url": "https://example.org/study/2"}
    assert same_work_groups(write_bib(tmp_path / "distinct.bib", [dict(base), distinct])) == []
