"""What a reader means (issue 14): variants, common words, exact forms, exclusions, what is marked.

Each test is one of the issue's measured examples, on the seeds or on a few
articles written for the purpose.
"""

import json

import pytest

from search.index.build import build_index
from search.searcher import Searcher

DOCS = [
    {"id": "erdogan", "title": "Erdoğan bertemu Putin", "text": "Presiden Recep Tayyip Erdoğan dan istrinya tiba di Sochi."},
    {"id": "diusir", "title": "Diplomat diusir", "text": "Seorang diplomat diusir dari Moskwa dan Kiev pekan lalu."},
    {"id": "mengusir", "title": "Polisi bertindak", "text": "Polisi mengusir pedagang dari trotoar Jakarta."},
    {"id": "ukraina", "title": "Rusia dan Ukraina", "text": "Rusia dan Ukraina berunding di Istanbul."},
    {"id": "rusia", "title": "Ekonomi Rusia", "text": "Ekonomi Rusia tumbuh tahun ini meski ada sanksi."},
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    folder = tmp_path_factory.mktemp("behaviour")
    source = folder / "docs.jsonl"
    source.write_text("\n".join(json.dumps(d) for d in DOCS) + "\n", encoding="utf-8")
    build_index([source], folder / "index")
    return Searcher(folder / "index")


@pytest.fixture(scope="module")
def seeds(seed_index):
    return Searcher(seed_index)


def ids(results):
    return [hit.id for hit in results.hits]


def marked(highlighted):
    return [highlighted.text[start:end] for start, end in highlighted.spans]


@pytest.mark.parametrize("query", ["erdogan", "erdoğan", "ERDOGAN"])
def test_diacritics_are_folded_in_the_index_and_the_query(searcher, query):
    found = searcher.search(query)
    assert ids(found) == ["erdogan"]
    assert marked(found.hits[0].marked_title) == ["Erdoğan"]


def test_a_query_of_common_words_only_searches_them(seeds):
    # Every seed article holds "yang"; before, only the one with it in its title was found.
    assert seeds.search("yang").total == seeds.doc_count()
    assert all("yang" in [w.lower() for w in marked(hit.snippet)] for hit in seeds.search("yang").hits)


def test_a_common_word_beside_a_rare_one_is_left_out_of_the_bodies(searcher):
    # "dan" is in most of these bodies: with "sanksi" present it says nothing there
    # (it still counts in the titles, where it is rare).
    assert ids(searcher.search("dan sanksi")) == ["rusia", "ukraina"]
    assert "body_exact:dan" not in str(searcher._pruned(searcher.parse("dan sanksi")).query)


@pytest.mark.parametrize("query", ['"duta besar ukraina"', '"duta besar"', "besar", "luar", "yang"])
def test_every_word_typed_is_marked_phrases_and_stopwords_too(seeds, query):
    found = seeds.search(query)
    assert found.total
    words = {w.lower() for w in query.strip('"').split()}
    for hit in found.hits:
        shown = {w.lower() for w in marked(hit.snippet) + marked(hit.marked_title)}
        assert shown & words, (query, hit.id)
    first = {w.lower() for w in marked(found.hits[0].snippet)}
    assert words <= first or len(words) == 1, (query, first)


def test_quotes_mean_the_word_as_written(searcher):
    assert set(ids(searcher.search("diusir"))) == {"diusir", "mengusir"}
    found = searcher.search('"diusir"')
    assert ids(found) == ["diusir"]
    assert marked(found.hits[0].snippet) == ["diusir"]
    assert ids(searcher.search('title:"diusir"')) == ["diusir"]
    assert ids(searcher.search('"mengusir pedagang"')) == ["mengusir"]
    assert searcher.search('"diusir pedagang"').total == 0


@pytest.mark.parametrize("query", ["rusia -ukraina", "rusia NOT ukraina", 'rusia -"dan ukraina"'])
def test_a_minus_excludes_as_not_does(searcher, query):
    assert ids(searcher.search(query)) == ["rusia"]


def test_a_hyphenated_word_is_not_an_exclusion(searcher):
    assert "NOT" not in str(searcher.parse("covid-19 anak-anak rusia-ukraina").query)
    assert searcher.search("rusia-ukraina").total == 2
