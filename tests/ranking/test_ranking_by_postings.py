"""The array scorer's passes sized by the matches, checked against the way it ranked before (issue 24).

At 1,000,000 articles each pass over an array of one entry per document
costs milliseconds: the scorer now makes the tiers, the page's partition and
the nearness candidates' choice on the matched documents alone, counts the
concepts in bytes, and finds which documents matched from their summed
scores. ``dense_rank`` below is the scorer as it was (every array one per
document); on IndoSum's queries both must give the same hits, the same
scores, the same matches.
"""

import numpy as np
import pytest
from whoosh import query as q

from bench.scale import load_queries
from search import Index
from search.query.builder import concept_key
from search.query.parsed import concept_pieces
from search.ranking.coverage import all_or_most, for_keywords
from search.ranking.flat import flat_query
from search.ranking.ranked import Ranking
from search.ranking.scoring import NEARNESS_CANDIDATES
from tests.conftest import eval_file


def dense_top(scores, matched, limit, tiers=None, dates=None):
    """Ranking.top as it was: the tiers and the partition over arrays of every document."""
    candidates = np.flatnonzero(matched)
    order_by = scores
    if tiers is not None and len(candidates):
        order_by = scores + tiers * (float(scores[candidates].max()) + 1.0)
    if limit is not None and len(candidates) > limit:
        values = order_by[candidates]
        candidates = candidates[values >= np.partition(values, len(values) - limit)[len(values) - limit]]
    order = np.lexsort((candidates if dates is None else dates.rank[candidates], -order_by[candidates]))
    if dates is not None and limit and len(order) > limit:
        last, rest = candidates[order[limit - 1]], candidates[order[limit:]]
        tied = (order_by[rest] == order_by[last]) & (dates.values[rest] == dates.values[last])
        limit += int(np.argmin(tied)) if not tied.all() else len(rest)
    best = candidates[order[:limit]]
    return list(zip(best.tolist(), scores[best].tolist(), strict=True))


def dense_counts(keys, branch_ids, concepts, count):
    """Each document's concepts held: a word's when a branch of it matches, a compound's when every piece's does."""
    asked = [[piece for piece in concept_pieces(concept) if piece & set(keys)] for concept in concepts]
    asked = [pieces for pieces in asked if pieces]
    if sum(map(len, asked)) < 2:
        return None
    counts = np.zeros(count, dtype=np.int16)
    for pieces in asked:
        held = np.ones(count, dtype=bool)
        for piece in pieces:
            flags = np.zeros(count, dtype=bool)
            for key, ids in zip(keys, branch_ids, strict=True):
                if key in piece and len(ids):
                    flags[ids] = True
            held &= flags
        counts += held
    return counts, len(asked)


def dense_rank(scorer, query, limit, concepts):
    """ArrayScorer.rank as it was before its passes were sized by the matches: (results, matched, coverage)."""
    wanted, bonus = flat_query(query)
    count = scorer.postings.doc_count
    branches = [scorer._scores_of(node, boost) for node, boost in wanted]
    scores, matched = np.zeros(count), np.zeros(count, dtype=bool)
    ids = np.concatenate([ids for ids, _ in branches]) if branches else []
    if len(ids):
        scores = np.bincount(ids, weights=np.concatenate([values for _, values in branches]), minlength=count)
        matched[ids] = True
    matched &= scorer.postings.live
    held, coverage = None, "all"
    if concepts:
        counted = dense_counts([concept_key(node) for node, _ in wanted], [ids for ids, _ in branches], concepts, count)
        if counted is not None:
            held = counted[0]
            matched, coverage = all_or_most(held, counted[1], matched)
    candidates = None
    for node, boost in bonus:
        if type(node) is not q.Term:
            if candidates is None:
                best = dense_top(scores, matched, max(NEARNESS_CANDIDATES, 2 * limit), held, scorer.dates)
                candidates = np.array(sorted(doc for doc, _ in best), dtype=np.int64)
            found, values = scorer._score_branch(node, only=candidates)
            scores[found] += boost * values
        else:
            found, values = scorer._scores_of(node, boost)
            scores[found] += np.where(matched[found], values, 0.0)
    return dense_top(scores, matched, limit, held, scorer.dates), matched, coverage


@pytest.mark.slow
def test_ranking_sized_by_the_matches_ranks_indosum_as_before(indosum_index):
    sentences, words = load_queries(eval_file("indosum", "queries.tsv"), 150)
    searcher = Index(indosum_index)
    searcher.search("banjir")
    scorer, policy, compared, most = searcher.scorer, searcher.policy, 0, 0
    for text in words + sentences:
        parsed = policy.pruned(searcher.parse(text))
        query, concepts = for_keywords(policy.expander.expand(parsed.query), parsed, searcher.schema)
        if flat_query(query) is None:
            continue
        limit = parsed.fetch_depth(10)
        ranking = scorer.rank(query, limit, concepts=concepts)
        results, matched, coverage = dense_rank(scorer, query, limit, concepts)
        assert [doc for doc, _ in ranking.results] == [doc for doc, _ in results], text  # the same hits, in order
        assert [score for _, score in ranking.results] == pytest.approx([score for _, score in results], rel=1e-12)
        assert np.array_equal(ranking.matched, matched) and ranking.coverage == coverage, text
        compared += 1
        most += coverage == "most"
    assert compared > 250 and most  # keywords and sentences, some widened to most of their words


def test_a_ranking_of_tiers_orders_as_the_dense_one():
    """Ties, tiers and dates: Ranking.top on the matched documents alone orders as over every document."""
    rng = np.random.default_rng(3)
    count = 5000
    scores = rng.integers(0, 6, count).astype(float) / 2  # many equal scores
    matched = rng.random(count) < 0.3
    tiers = rng.integers(0, 3, count).astype(np.int8)

    class Dates:
        values = rng.integers(0, 40, count).astype(np.uint64)
        rank = np.argsort(np.argsort(-values.astype(np.int64), kind="stable"), kind="stable")

    for limit in (1, 10, 200, None):
        for tier in (None, tiers):
            for dates in (None, Dates):
                found = Ranking.top(scores, matched, limit, tiers=tier, dates=dates).results
                assert found == dense_top(scores, matched, limit, tier, dates)
