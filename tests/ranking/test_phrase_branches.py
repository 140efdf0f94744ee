"""Phrase branches over the posting arrays (search/ranking/phrases.py): Whoosh's matches and scores, to the bit.

An abbreviation's expansion and a keyword query's nearness bonus are phrases;
they are scored from the posting arrays and each word's positions in the
documents holding them all, not by Whoosh's span matchers. The index here is
made for phrases to be many and varied: articles of a few words in random
order (so a phrase holds in some and its words are merely near in others),
lists long enough for several posting blocks, three segments, deletions.
"""

import random

import numpy as np
import pytest
from whoosh import query as q

from search import Index
from search.index.build import build_index
from search.query.phrase_queries import WordsInPhrase
from tests.conftest import whoosh_searcher, write_jsonl

WORDS = ("rumah", "banjir", "kota", "hujan", "warga", "jalan", "pagi", "air")


@pytest.fixture(scope="module")
def phrase_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("phrase-branches")
    rng = random.Random(7)
    articles = [
        {"id": f"p{i}", "title": " ".join(rng.choices(WORDS, k=rng.randint(2, 6))),
         "text": " ".join(rng.choices(WORDS, k=rng.randint(3, 40))), "date": f"2022-0{1 + i % 9}-1{i % 10}"}
        for i in range(420)
    ]
    source, index = folder / "news.jsonl", folder / "ix"
    write_jsonl(source, articles)
    build_index([source], index, procs=2)
    for article in articles[:30]:
        article["text"] = "banjir kota " + article["text"]
    write_jsonl(source, articles[:-40])  # 40 removed, 30 changed: deletions and a third segment
    assert not build_index([source], index).full
    return index


def phrases(count: int) -> list[q.Phrase]:
    rng = random.Random(11)
    found = []
    for _ in range(count):
        words = rng.choices(WORDS, k=rng.randint(1, 4))
        found.append(q.Phrase(rng.choice(["title", "body"]), words, slop=rng.choice([1, 1, 2, 3]),
                              boost=rng.choice([1.0, 0.3, 0.15])))
    return found


def words_in_phrase(phrase: q.Phrase) -> WordsInPhrase:
    """What the query builder makes of an expansion's words in an exact-form field (the words are roots here)."""
    exact = phrase.fieldname + "_exact"
    boost = 0.5 if phrase.fieldname == "title" else 1.0
    return WordsInPhrase(q.And([q.Term(exact, word, boost=boost) for word in phrase.words], boost=0.3),
                         q.Phrase(phrase.fieldname, phrase.words, slop=phrase.slop))


def exact_whoosh_scores(index, query) -> dict[int, float]:
    with whoosh_searcher(index) as plain:
        return {hit.docnum: hit.score for hit in plain.search(query, limit=None, optimize=False)}


def test_phrases_match_and_score_as_whoosh_to_the_bit(phrase_index):
    searcher = Index(phrase_index)
    searcher.search("banjir")  # opens the index
    matched = 0
    for phrase in phrases(120):
        for node in (phrase, words_in_phrase(phrase)):
            expected = exact_whoosh_scores(phrase_index, node)
            ranking = searcher.scorer.rank(node, None)
            assert ranking is not None
            assert dict(ranking.results) == expected, node  # not approx: the same arithmetic
            matched += bool(expected)
    assert matched > 150  # the phrases do match, some in many articles and some nowhere


def test_a_phrase_on_chosen_documents_scores_as_on_all(phrase_index):
    """The nearness bonus is checked on the best candidates only: each document as Whoosh scores it."""
    searcher = Index(phrase_index)
    searcher.search("banjir")
    scorer = searcher.scorer
    for phrase in phrases(12):
        expected = exact_whoosh_scores(phrase_index, phrase)
        for docnum in range(0, scorer.postings.doc_count, 7):
            assert scorer.score_of_document(phrase, 1.0, docnum) == expected.get(docnum, 0.0)


def test_an_expansions_branches_together_score_as_whoosh(phrase_index):
    """An expansion is its phrase and its exact words required to be that phrase: one phrase asked twice."""
    searcher = Index(phrase_index)
    searcher.search("banjir")
    text = "banjir kota"
    query = q.Or([q.Phrase("body", text.split()), words_in_phrase(q.Phrase("body", text.split()))])
    first = searcher.scorer.rank(query, None)
    assert first is not None and first.total > 30  # the 30 changed articles begin with it
    assert dict(first.results) == pytest.approx(exact_whoosh_scores(phrase_index, query), rel=1e-12)


def test_positions_are_read_from_the_block_of_each_place_and_checked(phrase_index, monkeypatch):
    """Blocks are found by their headers' counts of postings and each posting checked by its id: a header
    read wrong, or one written otherwise, has the list walked as Whoosh walks it, with the same matches."""
    from search._whoosh import phrases as positions

    used, walked = [], []
    real_positions, real_count = positions._Blocks.positions, positions._count

    def spied(self, docnums, places):
        found = real_positions(self, docnums, places)
        (used if found is not None else walked).append(len(docnums))
        return found

    monkeypatch.setattr(positions._Blocks, "positions", spied)
    for count, some_walked in ((real_count, False), (lambda head: real_count(head) - 1, True),
                               (lambda head: None, True)):
        monkeypatch.setattr(positions, "_count", count)
        used.clear()
        walked.clear()
        searcher = Index(phrase_index)
        searcher.search("banjir")
        for phrase in phrases(20):
            assert dict(searcher.scorer.rank(phrase, None).results) == exact_whoosh_scores(phrase_index, phrase)
        assert bool(walked) == some_walked and (some_walked or sum(used) > 1000)


def test_many_positions_values_decode_at_once_as_whoosh_decodes_each():
    """A chunk's values are decoded with one unpickling: the same positions as Whoosh's decoder, value by value,
    for every value Positions.encode writes (empty, one, more than a pickle's batch of 1,000, large numbers) and
    for values written otherwise (no STOP, another pickle protocol), which are decoded on their own."""
    import pickle

    from whoosh.formats import Positions
    from whoosh.system import pack_uint

    from search._whoosh.phrases import decoded_positions

    rng = random.Random(5)
    lists = [sorted(rng.sample(range(200_000), rng.choice([1, 1, 2, 5, 40]))) for _ in range(300)]
    lists += [[], list(range(0, 4_000, 3)), [70_000, 70_001, 1_000_000]]
    encoded = [Positions().encode(positions) for positions in lists]
    others = [encoded[0][:-1], pack_uint(2) + pickle.dumps([3, 4], 5), encoded[1] + b"junk"]
    for values in (encoded, encoded[:1], [], encoded[:50] + others + encoded[50:]):
        lengths, flat = decoded_positions(values)
        expected = [Positions().decode_positions(value) for value in values]
        assert lengths.tolist() == [len(positions) for positions in expected]
        assert flat.tolist() == [p for positions in expected for p in positions]


def spans_reach_last_word(positions, slop):
    """Whoosh's SpanNear2 (ordered, mindist 1) on one document, as written: a span joins a word's position p
    when an end of the spans so far is below p by at most ``slop``."""
    ends = positions[0]
    for following in positions[1:]:
        ends = [p for p in following if any(0 < p - end <= slop for end in ends)]
    return bool(ends)


def test_a_chunks_documents_hold_a_phrase_as_each_on_its_own():
    """``holding`` tests every document of a chunk at once (positions keyed by document): the same answer as the
    rule on each document alone, also where a word's positions in one document sit just past another's."""
    from search._whoosh.phrases import holding

    rng = random.Random(9)
    checked = held = 0
    for _ in range(300):
        words, slop, documents = rng.randint(1, 4), rng.choice([1, 1, 2, 3]), rng.randint(1, 30)
        each = [[sorted(rng.sample(range(12), rng.choice([0, 1, 1, 2, 4]))) for _ in range(words)]
                for _ in range(documents)]
        flat = [(np.array([len(doc[w]) for doc in each], dtype=np.int64),
                 np.array([p for doc in each for p in doc[w]], dtype=np.int64)) for w in range(words)]
        expected = [spans_reach_last_word(doc, slop) for doc in each]
        assert holding(flat, slop).tolist() == expected
        checked, held = checked + documents, held + sum(expected)
    assert 0.1 < held / checked < 0.9  # both answers are common
