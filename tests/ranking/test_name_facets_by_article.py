"""The people and organisations facets counted from the pairs of a search's matches read by article (or of
the other articles, when more than half match; or every pair by name, when a third to two thirds match): the
counts a look at every name's articles gives (issue 24: at 1,000,000 articles a pass over all 3.7 million
pairs, a gather and a compress, cost each search 7-28 CPU-ms)."""

import numpy as np

from search import Index
from search.index.names import NAMES_FIELD, name_terms
from search.ingest.article import Article
from tests.conftest import make_index

PEOPLE = ["Budi Gunawan", "Sri Mulyani", "Anies Baswedan", "Ridwan Kamil"]


def _story(i: int) -> dict:
    named = [person for bit, person in enumerate(PEOPLE) if i % (bit + 2) == 0] or [PEOPLE[0]]
    said = " ".join(f"\"Kami bekerja keras,\" kata {person} kepada wartawan di kantor Badan Narkotika Nasional "
                    f"(BNN) hari itu. {person} pulang sore." for person in named)
    return {"id": f"s{i}", "title": f"kasus {i}", "date": f"2023-05-{i % 28 + 1:02d}T08:00:00+07:00",
            "text": f"Penyidik memeriksa saksi perkara nomor {i}. {said}"}


def _looked_up(index: Index, matched: np.ndarray) -> np.ndarray:
    """Each learned name's articles among ``matched``: its terms' posting lists, looked up one by one."""
    facets, postings = index.policy.name_facets, index.scorer.postings
    counts = []
    for name in facets.names:
        held = np.zeros(len(matched), dtype=bool)
        for term in name_terms(name.forms):
            held[postings.get(NAMES_FIELD, term)[0]] = True
        counts.append(int((held & matched).sum()))
    return np.array(counts, dtype=np.int64)


def test_each_name_s_count_is_that_of_its_articles_among_the_matches(tmp_path):
    index = Index(make_index(tmp_path, [_story(i) for i in range(40)]), write_wait_seconds=30)
    index.upsert([Article(id=f"n{i}", title=f"kasus baru {i}", body=_story(100 + i)["text"],
                          date="2023-06-01T08:00:00+07:00") for i in range(6)])  # a second segment
    index.delete(["s3", "s4"])
    facets = index.policy.name_facets
    assert len(facets.names) >= 2
    count = len(index.scorer.postings.live)
    rng = np.random.default_rng(5)
    masks = [np.zeros(count, dtype=bool), np.ones(count, dtype=bool), index.scorer.postings.live.copy()]
    masks += [rng.random(count) < share for share in (0.05, 0.3, 0.4, 0.5, 0.6, 0.7, 0.95) for _ in range(4)]
    for matched in masks:
        assert facets.per_name(matched).tolist() == _looked_up(index, matched).tolist()
    busy = _looked_up(index, index.scorer.postings.live)
    assert busy.sum() > 0 and facets.per_name(index.scorer.postings.live).tolist() == busy.tolist()
    index.close()
