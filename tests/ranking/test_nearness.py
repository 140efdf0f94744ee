"""The nearness bonus read only where it can change the page (``search.ranking.nearness``): a keyword query's
results, scores and order are those of checking its phrases on every candidate, and most are not read (issue 24)."""

import random

import pytest

from search import Index
from search.ranking import nearness
from tests.conftest import make_index

WORDS = ("banjir", "jakarta", "warga", "hujan", "pompa", "sungai", "gubernur", "tanggul")


def corpus(count=500, seed=11):
    """Articles holding the query words near each other or apart, in titles and bodies of many lengths;
    copies of one article (equal scores and dates at the page's edge); a few holding three rare words."""
    rng = random.Random(seed)
    docs = []
    for i in range(count):
        title = " ".join(rng.choice(WORDS) if rng.random() < 0.3 else "kabar" for _ in range(rng.randint(2, 6)))
        body = " ".join(rng.choice(WORDS) if rng.random() < 0.35 else "kota" for _ in range(rng.randint(5, 80)))
        docs.append({"id": f"a{i:04d}", "title": title, "text": body, "date": f"2024-01-0{rng.randint(1, 4)}"})
    docs += [{"id": f"copy{i:02d}", "title": "banjir jakarta", "text": "warga kota banjir jakarta " * 6,
              "date": f"2024-01-0{1 + i % 2}"} for i in range(15)]
    # Three rare words together in two articles only: the query widens to those holding most of them (tiers).
    docs += [{"id": f"rare{i}", "title": "kabar", "text": "gardu listrik padam kota"} for i in range(2)]
    docs += [{"id": f"half{i}", "title": "gardu listrik", "text": "kota " * (5 + i)} for i in range(6)]
    return docs


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    return Index(make_index(tmp_path_factory.mktemp("nearness"), corpus()))


QUERIES = ["banjir jakarta", "warga hujan", "jakarta banjir warga", "pompa sungai", "gubernur tanggul",
           "hujan kota", "gardu listrik padam", "sungai pompa hujan"]


@pytest.mark.parametrize("limit", [1, 3, 10, 20])
def test_pages_are_those_of_every_candidate_checked(searcher, monkeypatch, limit):
    checked = []
    real = nearness.add_phrases

    def counting(bonus, scores, docs, check, deadline):
        checked.append(len(docs))
        return real(bonus, scores, docs, check, deadline)

    for text in QUERIES:
        for prune in (True, False):  # top-k pruned, and the full sums (the widened query's tiers differ)
            with monkeypatch.context() as patch:
                patch.setattr(nearness, "add_phrases", counting)
                read = ranked(searcher, text, limit, prune)
            with monkeypatch.context() as patch:
                patch.setattr(nearness, "upper_bounds", lambda *args: None)  # no bound: every candidate checked
                every = ranked(searcher, text, limit, prune)
            assert read == every, (text, limit, prune)  # the same results, scores to the bit, in the same order
    candidates = min(searcher.doc_count(), 200)
    assert sum(checked) < len(QUERIES) * 2 * candidates / 3  # most candidates' positions never read


def ranked(searcher, text, limit, prune):
    policy = searcher.policy
    parsed = policy.pruned(searcher.parse(text))
    from search.ranking.coverage import for_keywords

    query, concepts = for_keywords(policy.expander.expand(parsed.query), parsed, searcher.schema)
    assert "AndMaybe" in type(query).__name__  # a nearness bonus
    ranking = searcher.scorer.rank(query, limit, concepts=concepts, prune=prune)
    return ranking.results, ranking.total, ranking.coverage


def test_the_widened_query_has_tiers(searcher):
    found = searcher.search("gardu listrik padam", limit=10, group=False)
    assert found.matched == "most" and {hit.id for hit in found.hits[:2]} == {"rare0", "rare1"}
