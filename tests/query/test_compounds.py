"""A word typed in pieces is one concept of the parsed query (issue 21, point 5).

``covid19``, ``covid-19`` and ``covid 19`` are one thing asked, written
three ways: the parsed query carries it as one ``Compound`` (its pieces and
its joined form), which ranking reads; a year after a word, or two words,
stay words of their own.
"""

import pytest

from search import Index
from search.query.parsed import Compound
from search.query.rewrite import compounds_apart


@pytest.mark.parametrize("typed, written, compounds", [
    ("covid19", "covid19", []),  # joined: split only where the index lacks the joined form (below)
    ("Covid-19", "Covid 19", [("covid", "19")]),
    ("covid 19", "covid 19", [("covid", "19")]),
    ("timnas U-19", "timnas U 19", [("u", "19")]),
    ("u 19 persib", "u 19 persib", [("u", "19")]),
    ("e-KTP", "e KTP", [("e", "ktp")]),
    ("e ktp novanto", "e ktp novanto", [("e", "ktp")]),
    ("banjir 2017", "banjir 2017", []),  # a year is asked on its own: floods in 2017
    ("gempa 7,2 aceh", "gempa 7,2 aceh", []),  # a decimal is a number, not a piece
    ("banjir jakarta", "banjir jakarta", []),
    ("anak-anak", "anak-anak", []),  # a doubled word is one word already
    ('"covid 19"', '"covid 19"', []),  # quoted: as written
    ("title:covid19", "title:covid19", []),
])
def test_the_pieces_of_a_word_typed_are_found(typed, written, compounds):
    assert compounds_apart(typed) == (written, tuple(compounds))


def shape(parsed):
    """How many pieces each concept of a parsed query has (a word: one)."""
    return [len(c) if isinstance(c, Compound) else 1 for c in parsed.concepts]


@pytest.fixture(scope="module")
def indosum(indosum_index):
    return Index(indosum_index)


def test_a_joined_form_is_split_only_where_the_index_lacks_it(indosum):
    assert compounds_apart("ektp")[1] == ()  # without an index to ask, ektp could be a word
    assert shape(indosum.parse("ektp")) == [2]  # IndoSum writes e-KTP, never ektp
    assert shape(indosum.parse("covid19")) == shape(indosum.parse("u19")) == [2]
    assert shape(indosum.parse("ekonomi")) == [1]  # ekonomi is a word
    assert shape(indosum.parse("galaxy s8")) == [1, 1]  # IndoSum writes S8 as one word: it is one


def test_a_sentence_keeps_its_words_as_they_were_split(indosum):
    # More words than keywords: ranked over partial matches, no concept counted, the split of before.
    parsed = indosum.parse("samsung mencoba menarik ponsel galaxy note 7 dan s8")
    assert parsed.compounds == () and not any(isinstance(c, Compound) for c in parsed.concepts)
    assert "s8" in parsed.words and "note" in parsed.words and "7" in parsed.words


@pytest.mark.parametrize("typed, pieces", [
    ("covid19", [2]), ("covid-19", [2]), ("covid 19", [2]), ("timnas u 19", [1, 2]), ("u19 timnas", [2, 1]),
    ("ektp novanto", [2, 1]), ("banjir 2017", [1, 1]), ("banjir jakarta", [1, 1]),
])
def test_a_compound_is_one_concept_of_the_parsed_query(indosum, typed, pieces):
    parsed = indosum.parse(typed)
    assert shape(parsed) == pieces
    assert len(parsed.words) == sum(pieces)  # the pieces are the words typed (the nearness phrase reads them)
    at = 0
    for concept, size in zip(parsed.concepts, pieces, strict=True):
        if size > 1:  # the joined form (covid19) is searched, and holding it holds every piece
            joined = ("body_exact", "".join(parsed.words[at : at + size]))
            assert all(joined in piece for piece in concept)
            assert joined in {(term.fieldname, term.text) for term in parsed.query.leaves()}
        at += size


def test_a_compound_joined_is_a_spelling_its_nearness_reads(indosum):
    parsed = indosum.parse("galaxy note 8")
    assert parsed.compounds == (("note", "8"),) and parsed.joined_words() == ("galaxy", "note8")
