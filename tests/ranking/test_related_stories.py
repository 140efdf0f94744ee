"""Related articles and story groups: the article's own copies are not related reading, another story's copies
stand for it once."""

import random

from search import Index
from tests.conftest import bench_module, make_index


def test_related_leave_out_the_articles_copies_and_list_a_story_once(tmp_path, indosum_docs):
    docs = list(indosum_docs.values())
    floods = [doc for doc in docs if "banjir" in doc["title"].lower()][:30]
    others = [doc for doc in docs if "banjir" not in doc["title"].lower()][:60]
    source, copied = floods[0], floods[1]
    made = bench_module("stories")
    rng = random.Random(21)
    titles = [doc["title"] for doc in others]
    own = [made.syndicated_copy(source, number, rng, titles) for number in (1, 2)]
    other = [made.syndicated_copy(copied, number, rng, titles) for number in (3, 4)]
    index = Index(make_index(tmp_path, floods + others + own + other))

    hits = index.related(source["id"], limit=10)
    ids = [hit.id for hit in hits]
    # Before, the two copies of the article itself came first (the same text under other titles).
    assert len(ids) == 10 and not {source["id"], *(copy["id"] for copy in own)} & set(ids), ids
    assert len({copied["id"], *(copy["id"] for copy in other)} & set(ids)) == 1, ids
    assert sum("banjir" in hit.title.lower() for hit in hits) >= 8
