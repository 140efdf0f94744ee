"""Top-k pruning (``search.ranking.topk``): keyword queries score only the articles that can reach the page,
and rank, count and widen exactly as the full sums of every posting do (issue 24)."""

import random

import numpy as np
import pytest

from bench.scale import load_queries
from search import Index
from search.ranking import topk
from search.ranking.coverage import for_keywords
from tests.conftest import eval_file, make_index

WORDS = ("banjir", "jakarta", "warga", "hujan", "pompa", "sungai", "gubernur", "tanggul", "pengungsi", "listrik")


def corpus(count=600, seed=5):
    """Articles whose titles hold a query word now and then and whose bodies hold it often, some copies
    of one another (equal scores: ties at the page's edge), dated on a few days (equal dates too)."""
    rng = random.Random(seed)
    docs = []
    for i in range(count):
        title = " ".join(rng.choice(WORDS) if rng.random() < 0.3 else "kabar" for _ in range(rng.randint(2, 7)))
        body = " ".join(rng.choice(WORDS) if rng.random() < 0.4 else "kota" for _ in range(rng.randint(5, 60)))
        docs.append({"id": f"a{i:04d}", "title": title, "text": body, "date": f"2024-01-0{rng.randint(1, 4)}"})
    # 25 copies of one article on two dates: equal scores, and equal dates, at the page's edge
    docs += [{"id": f"copy{i:02d}", "title": "banjir pompa banjir", "text": "banjir pompa sungai " * 8,
              "date": f"2024-01-0{1 + i % 2}"} for i in range(25)]
    # A word in a dozen long titles and in three bodies, many times: the bodies' articles score best, so
    # the titles' floor is too low to leave out the articles of the bodies' lists.
    docs += [{"id": f"gardu-title{i:02d}", "title": "gardu " + "kabar " * 30, "text": "kota " * 20} for i in range(12)]
    docs += [{"id": f"gardu-body{i}", "title": "kabar", "text": "gardu " * 40} for i in range(3)]
    return docs


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    return Index(make_index(tmp_path_factory.mktemp("topk"), corpus()))


def ranked(searcher, text, limit):
    """(results, total, coverage, matched) of ``text`` as the array scorer ranks it for a page of ``limit``."""
    policy = searcher.policy
    parsed = policy.pruned(searcher.parse(text))
    query, concepts = for_keywords(policy.expander.expand(parsed.query), parsed, searcher.schema)
    ranking = searcher.scorer.rank(query, limit, concepts=concepts, prune=True)
    return ranking.results, ranking.total, ranking.coverage, ranking.matched.copy()


def compared(searcher, monkeypatch, queries, limits=(1, 10, 30)):
    """Assert each query ranks the same pruned and by the full sums; how many the pruning answered."""
    found = []
    real = topk.top_candidates

    def counting(*args):
        pruned = real(*args)
        found.append(pruned is not None)
        return pruned

    for text in queries:
        for limit in limits:
            with monkeypatch.context() as patch:
                patch.setattr("search.ranking.scoring.top_candidates", counting)
                pruned = ranked(searcher, text, limit)
            with monkeypatch.context() as patch:
                patch.setattr("search.ranking.scoring.top_candidates", lambda *args: None)
                full = ranked(searcher, text, limit)
            assert pruned[0] == full[0], (text, limit)  # the same hits, in order, the same scores to the bit
            assert pruned[1:3] == full[1:3], (text, limit)  # the same count, the same coverage
            assert np.array_equal(pruned[3], full[3]), (text, limit)  # the same matches
    return sum(found)


def test_keyword_queries_rank_count_and_tie_as_the_full_sums(searcher, monkeypatch):
    queries = [*WORDS, "banjir jakarta", "warga hujan pompa", "kabar banjir", "kota", "tanggul listrik sungai",
               "banjir kota kabar", "pengungsi", "gubernur tanggul", "gardu", "gardu kota"]
    pruned = compared(searcher, monkeypatch, queries)
    assert pruned > len(queries)  # most of them pruned, not left to the full sums


def test_articles_of_the_other_lists_are_left_out_only_below_the_floor(searcher, monkeypatch):
    found = searcher.search("gardu", limit=10, group=False)
    assert found.total == 15 and {hit.id for hit in found.hits[:3]} == {f"gardu-body{i}" for i in range(3)}
    compared(searcher, monkeypatch, ["gardu"], limits=(3, 10, 12))


def test_ties_at_the_page_edge_keep_the_full_sums_order(searcher, monkeypatch):
    copies = searcher.search("banjir pompa", limit=30, group=False)
    assert [hit.id[:4] for hit in copies.hits[:25]] == ["copy"] * 25  # the copies tie on the first pages
    assert compared(searcher, monkeypatch, ["banjir pompa", "pompa"], limits=(5, 10, 20, 24, 25, 26)) == 12


def test_deleted_articles_and_filters_are_ranked_by_the_full_sums(tmp_path, monkeypatch):
    docs = corpus(200, seed=9)
    index = Index(make_index(tmp_path, docs))
    index.remove([doc["id"] for doc in docs[:20]])
    index = Index(index.path)
    results = index.search("banjir", limit=10)
    assert results.total and not {hit.id for hit in results.hits} & {doc["id"] for doc in docs[:20]}
    assert compared(index, monkeypatch, ["banjir", "warga hujan"]) == 0  # not pruned: deleted articles


@pytest.mark.slow
def test_indosum_keywords_rank_as_the_full_sums(indosum_index, monkeypatch):
    _, words = load_queries(eval_file("indosum", "queries.tsv"), 300)
    searcher = Index(indosum_index)
    pruned = compared(searcher, monkeypatch, words, limits=(10, 30))
    assert pruned > len(words)  # most of the 600 rankings pruned


def test_keywords_are_pruned_and_sentences_are_not(searcher, monkeypatch):
    """A sentence's many words leave little to prune: trying would only cost it time."""
    asked = []
    real = topk.top_candidates
    monkeypatch.setattr("search.ranking.scoring.top_candidates", lambda *args: asked.append(args[1]) or real(*args))
    searcher.search("banjir pompa", limit=10)
    assert len(asked) == 1
    searcher.search("warga kota kabar banjir hujan pompa sungai gubernur tanggul", limit=10)
    assert len(asked) == 1
