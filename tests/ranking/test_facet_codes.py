"""The publisher and year facets counted from each article's publisher and year read once per generation as
numbers (``facets.FacetCodes``): what a gather of each publisher's and each year's articles counts."""

import numpy as np

from search import Index
from search.ingest.article import Article
from search.ranking.facets import FacetCodes, count_facets
from tests.conftest import make_index

SOURCES = ["kompas", "tempo", "detik", "cnn indonesia"]


def _story(i: int) -> dict:
    return {"id": f"s{i}", "title": f"Banjir {i}", "source": SOURCES[i % len(SOURCES)] if i % 7 else "",
            "date": f"{2015 + i % 5}-05-{i % 28 + 1:02d}T08:00:00+07:00" if i % 9 else "",
            "text": f"Banjir melanda kota nomor {i}. Warga mengungsi ke balai desa."}


def test_counts_of_every_match_set_are_count_facets(tmp_path):
    index = Index(make_index(tmp_path, [_story(i) for i in range(60)]), write_wait_seconds=30)
    index.upsert([Article(id=f"n{i}", title=f"Banjir baru {i}", body="Banjir lagi di kota itu. " * 5, source="tempo",
                          date="2024-01-02T08:00:00+07:00") for i in range(5)])  # a second segment, a new year
    index.delete(["s1", "s2"])
    reader, postings = index.policy.searcher.reader(), index.scorer.postings
    codes = FacetCodes(reader, postings)
    assert set(codes.codes) == {"source", "year"}  # every article has one publisher and one year at most
    rng = np.random.default_rng(3)
    count = len(postings.live)
    masks = [np.zeros(count, dtype=bool), np.ones(count, dtype=bool), postings.live.copy()]
    masks += [(rng.random(count) < share) & postings.live for share in (0.1, 0.5, 0.9) for _ in range(3)]
    for matched in masks:
        assert codes.counts(reader, postings, matched) == count_facets(reader, postings, matched)
    every = codes.counts(reader, postings, postings.live)
    tempo = sum(1 for i in range(60) if i % 7 and SOURCES[i % len(SOURCES)] == "tempo" and i != 1) + 5
    assert every["source"]["tempo"] == tempo and "2024" in every["year"]
    assert list(every["source"]) == list(count_facets(reader, postings, postings.live)["source"])
    index.close()
