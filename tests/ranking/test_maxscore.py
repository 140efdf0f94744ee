"""Top-k pruning (search/ranking/maxscore.py) gives exactly the exhaustive scorer's results: the same ids, the
same scores to the last bit, the same counts and facets, on IndoSum's summaries as queries and on made-up sums."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search import Index
from search.query.budget import NO_DEADLINE
from search.ranking import maxscore
from search.ranking.scoring import ArrayScorer, Ranking
from tests.conftest import eval_file


def summaries(count: int) -> list[str]:
    lines = eval_file("indosum", "queries.tsv").read_text(encoding="utf-8").splitlines()
    return [line.split("\t", 1)[1] for line in lines[:count]]


def page(index: Index, text: str, **options) -> tuple:
    results = index.search(text, limit=10, group=False, **options)
    return [(hit.id, hit.score) for hit in results.hits], results.total, results.facets, results.timeline


@pytest.fixture
def pruned_calls(monkeypatch):
    """How often pruning ruled documents out (so that the comparison is not vacuous). IndoSum's lists are short:
    pruning is forced on every query, and the threshold raised by exact scores before every list."""
    monkeypatch.setattr(maxscore, "MIN_POSTINGS", 0)
    monkeypatch.setattr(maxscore, "RECHECK_POSTINGS", 0)
    calls = {"pruned": 0, "asked": 0}
    real = maxscore.candidates

    def counted(*args, **kwargs):
        calls["asked"] += 1
        found = real(*args, **kwargs)
        calls["pruned"] += found is not None
        return found

    monkeypatch.setattr("search.ranking.scoring.candidates", counted)
    return calls


def exhaustive(monkeypatch) -> None:
    monkeypatch.setattr(ArrayScorer, "_rank_pruned", lambda self, *args, **kwargs: None)


@pytest.mark.slow
def test_sentences_rank_exactly_as_scoring_every_posting(indosum_index, pruned_calls, monkeypatch):
    queries = summaries(120)
    options = [{}, {"facets": True}, {"sort": "newest"}, {"page": 2}]
    pruned = [page(Index(indosum_index), text, **options[i % len(options)]) for i, text in enumerate(queries)]
    assert pruned_calls["asked"] >= 80  # the sentences by relevance
    assert pruned_calls["pruned"] >= 0.8 * pruned_calls["asked"]
    exhaustive(monkeypatch)
    index = Index(indosum_index)
    for i, (text, found) in enumerate(zip(queries, pruned, strict=True)):
        assert page(index, text, **options[i % len(options)]) == found, text


@pytest.mark.slow
def test_deep_and_question_rankings_are_the_same(indosum_index, pruned_calls, monkeypatch):
    queries = summaries(40)[20:] + ["siapa presiden indonesia pertama?", "berapa korban gempa lombok",
                                     "kapan pemilu 2019 digelar di jakarta dan bandung"]
    index = Index(indosum_index)
    pruned = [index.ranked_ids(text, 100) for text in queries]
    assert pruned_calls["pruned"] > 0
    exhaustive(monkeypatch)
    index = Index(indosum_index)
    assert [index.ranked_ids(text, 100) for text in queries] == pruned


def bincount_ranking(branches: list[tuple[np.ndarray, np.ndarray]], matched: np.ndarray, limit: int) -> Ranking:
    """What ``ArrayScorer.rank`` computes without pruning: every branch summed by ``bincount``."""
    ids = np.concatenate([ids for ids, _ in branches])
    scores = np.bincount(ids, weights=np.concatenate([values for _, values in branches]), minlength=len(matched))
    return Ranking.top(scores, matched, limit)


def as_branch(ids: np.ndarray, values: np.ndarray, bound: float) -> maxscore.Branch:
    return maxscore.Branch(ids, bound, lambda: (ids, values), lambda at: values[at])


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_pruned_sums_equal_bincount_sums(data):
    count = data.draw(st.integers(5, 400))
    limit = data.draw(st.integers(1, 12))
    branches, pruned_branches = [], []
    for _ in range(data.draw(st.integers(1, 12))):
        share = data.draw(st.sampled_from([0.01, 0.1, 0.5, 0.9]))
        ids = np.flatnonzero(np.random.default_rng(data.draw(st.integers(0, 2**32))).random(count) < share)
        cap = data.draw(st.sampled_from([0.5, 1.0, 3.0, 10.0]))
        # values with equal ones (ties) and every bit of rounding
        values = np.array([data.draw(st.sampled_from([cap, cap / 3, cap / 7, 0.1 * cap, 0.0, cap * 0.999]))
                           for _ in ids], dtype=float)
        branches.append((ids, values))
        bound = cap if data.draw(st.booleans()) else float(values.max()) if len(values) else 0.0
        pruned_branches.append(as_branch(ids, values, bound))
    matched = np.zeros(count, dtype=bool)
    for ids, _ in branches:
        matched[ids] = True
    matched &= np.array(data.draw(st.lists(st.booleans(), min_size=count, max_size=count)))
    expected = bincount_ranking(branches, matched, limit).results
    docs = maxscore.candidates(pruned_branches, matched, limit, NO_DEADLINE)
    if docs is None:  # nothing could be ruled out (the scorer then sums every branch itself)
        return
    scores = np.zeros(count)
    scores[docs] = maxscore.exact_scores(pruned_branches, docs, count)
    kept = np.zeros(count, dtype=bool)
    kept[docs] = True
    assert Ranking.top(scores, kept, limit).results == expected


def test_rare_words_rule_out_the_articles_holding_only_common_ones():
    rng = np.random.default_rng(5)
    count, limit = 10_000, 10
    rare = [np.sort(rng.choice(count, 30, replace=False)) for _ in range(3)]
    common = [np.flatnonzero(rng.random(count) < 0.6) for _ in range(6)]
    branches = [(ids, rng.uniform(5, 9, len(ids))) for ids in rare] + [(ids, rng.uniform(0, 1, len(ids)))
                                                                         for ids in common]
    pruned = [as_branch(ids, values, 9.0 if i < 3 else 1.0) for i, (ids, values) in enumerate(branches)]
    matched = np.ones(count, dtype=bool)
    docs = maxscore.candidates(pruned, matched, limit, NO_DEADLINE)
    assert docs is not None and limit <= len(docs) <= 90  # at most the articles holding a rare word
    scores = np.zeros(count)
    scores[docs] = maxscore.exact_scores(pruned, docs, count)
    kept = np.zeros(count, dtype=bool)
    kept[docs] = True
    assert Ranking.top(scores, kept, limit).results == bincount_ranking(branches, matched, limit).results
