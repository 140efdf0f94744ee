"""Story groups found at indexing time: syndicated copies grouped with their originals, kept right by updates."""

import json
import random

import pytest

from search.index import generations, signatures, stories
from search.index.batch import ADD
from search.index.build import build_index
from search.index.changes import remove_articles
from search.ingest.article import Article
from search.ingest.sources import read_articles
from tests.conftest import bench_module, write_jsonl


@pytest.fixture(scope="module")
def indosum_list(indosum_docs):
    return list(indosum_docs.values())


def _copies(originals: list[dict], per_original: int, docs: list[dict], seed: int = 5) -> list[dict]:
    made = bench_module("stories")
    rng = random.Random(seed)
    titles = [d["title"] for d in docs]
    return [made.syndicated_copy(original, number * 10 + k, rng, titles)
            for number, original in enumerate(originals) for k in range(per_original)]


def _groups(index_dir) -> list[set[str]]:
    record = stories.read(generations.live_generation(index_dir))
    assert record is not None, "the generation has no stories record"
    return [set(group) for group in record.groups()]


def _story_of(groups: list[set[str]], doc_id: str) -> set[str]:
    return next((group for group in groups if doc_id in group), {doc_id})


def _bodies(tmp_path, docs: list[dict]) -> list[str]:
    """The bodies of ``docs`` as ingest reads them (dateline and furniture off)."""
    return [a.body for a in read_articles([write_jsonl(tmp_path / "docs.jsonl", docs)]) if isinstance(a, Article)]


def test_a_copy_under_other_furniture_has_nearly_the_same_signature(tmp_path, indosum_list):
    original, other = indosum_list[10], indosum_list[11]
    copy = _copies([original], 1, indosum_list)[0]
    assert copy["title"] != original["title"] and "Baca juga" in copy["text"]
    first, made, unrelated = map(signatures.signature, _bodies(tmp_path, [original, copy, other]))
    assert signatures.similarity(first, made) >= 0.8
    assert signatures.similarity(first, unrelated) < 0.2


def test_a_stub_is_never_grouped():
    stub = "Presiden Joko Widodo meresmikan jalan tol baru di Jawa Tengah pada Senin pagi."
    assert signatures.signature(stub) is None
    found = stories.group({"a": signatures.signature(stub), "b": signatures.signature(stub)})
    assert found.groups() == []


@pytest.mark.slow
def test_every_made_copy_is_grouped_with_its_original_and_grouped_pairs_are_one_story(indosum_list):
    """IndoSum and 300 syndicated copies (other title, dateline, furniture), grouped as a build groups them."""
    measured = bench_module("stories").measure(indosum_list, 300)
    assert measured["copies_grouped"] == measured["copies"] == 300
    assert measured["unjudged_pairs"] == 0
    assert measured["same_story_share"] >= 0.98
    # IndoSum itself holds no wire copies: the only pairs grouped are the made ones.
    assert measured["grouped_pairs"] == 300


@pytest.mark.slow
def test_updates_keep_the_groups_right(tmp_path, indosum_list):
    """A build groups copies; an added copy joins; a removed original leaves its copies one story; a rebuild
    from the index's own articles makes the same groups."""
    docs = indosum_list[:40]
    first, second = docs[3], docs[7]
    copies = _copies([first], 3, docs) + _copies([second], 1, docs, seed=9)
    index_dir = tmp_path / "index"
    build_index([write_jsonl(tmp_path / "a.jsonl", docs + copies)], index_dir, procs=1)
    groups = _groups(index_dir)
    assert _story_of(groups, first["id"]) == {first["id"], *(c["id"] for c in copies[:3])}
    assert _story_of(groups, second["id"]) == {second["id"], copies[3]["id"]}
    assert len(groups) == 2

    late = _copies([first], 1, docs, seed=11)[0] | {"id": "late-copy"}
    build_index([write_jsonl(tmp_path / "b.jsonl", [late])], index_dir, mode=ADD, procs=1)
    assert "late-copy" in _story_of(_groups(index_dir), first["id"])

    remove_articles(index_dir, [first["id"], second["id"]])
    groups = _groups(index_dir)
    assert _story_of(groups, copies[0]["id"]) == {*(c["id"] for c in copies[:3]), "late-copy"}
    assert _story_of(groups, copies[3]["id"]) == {copies[3]["id"]}  # alone now: no story of one
    assert len(groups) == 1

    build_index([], index_dir, own_articles=True)
    assert _groups(index_dir) == groups


@pytest.mark.slow
def test_the_workers_sign_each_article_as_its_body_reads(tmp_path, indosum_list):
    """A parallel build's workers make the signatures from the words they index: the same as the body's own
    (``signatures.signature``, what an update makes of a stored body), and the copies grouped as in one process."""
    docs = indosum_list[:600]  # past the parent's first 500: the workers write most of them
    copies = _copies([docs[5], docs[550]], 1, docs)
    index_dir = tmp_path / "index"
    build_index([write_jsonl(tmp_path / "a.jsonl", docs + copies)], index_dir, procs=2)
    record = stories.read(generations.live_generation(index_dir))
    made = record.signatures()
    bodies = dict(zip([d["id"] for d in docs + copies], _bodies(tmp_path, docs + copies), strict=True))
    assert len(made) == 602
    for doc_id in [docs[0]["id"], docs[520]["id"], docs[599]["id"], copies[1]["id"]]:
        assert made[doc_id] is not None
        assert (made[doc_id] == signatures.signature(bodies[doc_id])).all()
    assert _story_of(_groups(index_dir), docs[550]["id"]) == {docs[550]["id"], copies[1]["id"]}
    assert _story_of(_groups(index_dir), docs[5]["id"]) == {docs[5]["id"], copies[0]["id"]}


def test_an_index_without_the_record_gets_it_at_its_next_update(tmp_path, indosum_list):
    """An index written before story groups: its kept articles' signatures are made from their stored bodies."""
    docs = indosum_list[:12]
    copy = _copies([docs[0]], 1, docs)[0]
    index_dir = tmp_path / "index"
    build_index([write_jsonl(tmp_path / "a.jsonl", docs)], index_dir, procs=1)
    live = generations.live_generation(index_dir)
    (live / stories.RECORD).unlink()
    manifest = json.loads((live / generations.MANIFEST).read_text(encoding="utf-8"))
    del manifest["checksums"][stories.RECORD]
    (live / generations.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")

    build_index([write_jsonl(tmp_path / "b.jsonl", [copy])], index_dir, mode=ADD, procs=1)
    assert _groups(index_dir) == [{docs[0]["id"], copy["id"]}]
    record = stories.read(generations.live_generation(index_dir))
    assert sorted(record.ids) == sorted([*(d["id"] for d in docs), copy["id"]])


def test_a_damaged_record_is_read_as_none(tmp_path):
    (tmp_path / stories.RECORD).write_bytes(b"PK\x03\x04 not a zip at all")
    assert stories.read(tmp_path) is None
    assert stories.read(tmp_path / "missing") is None


def test_a_result_stands_for_its_story_and_lists_the_others_that_matched(tmp_path, indosum_list):
    """Query time (search.ranking.stories): the first of each story is kept, the rest listed with it, and the
    count of stories is the count of articles less the copies folded."""
    import numpy as np

    from search._whoosh.postings import PostingArrays
    from search.index.format import open_index
    from search.ranking.stories import StoryMap, grouped_page

    docs = indosum_list[:20]
    copies = _copies([docs[2]], 2, docs)
    index_dir = tmp_path / "index"
    build_index([write_jsonl(tmp_path / "a.jsonl", docs + copies)], index_dir, procs=1)
    generation, index = open_index(index_dir)
    with index.searcher() as searcher:
        postings = PostingArrays(searcher.reader())
        story_map = StoryMap.load(generation, postings)
        assert set(story_map.by_id) == {docs[2]["id"], *(c["id"] for c in copies)}
        everything = postings.live.copy()
        assert story_map.count(everything) == 22 - 2
        # Ranked: a copy first, then every article in stored order.
        number = {searcher.stored_fields(d)["id"]: d for d in range(searcher.doc_count_all())}
        ranked = [copies[1]["id"], *(d["id"] for d in docs), copies[0]["id"]]
        found = [(searcher.stored_fields(number[doc_id]), 1.0) for doc_id in ranked]
        asked = []

        def rank(depth):
            asked.append(depth)
            return found[:depth], len(found)

        first = grouped_page(rank, 1, 5, story_map, lambda: everything, searcher.stored_fields)
        assert [fields["id"] for fields, _ in first.found] == [*ranked[:3], *ranked[4:6]]  # ranked[3]: docs[2]
        assert [other["id"] for other in first.same_story[0]] == sorted([docs[2]["id"], copies[0]["id"]])
        assert set(first.same_story[0][0]) == {"id", "source", "title", "date"}
        assert first.stories == 20 and first.same_story[1:] == [[]] * 4
        last = grouped_page(rank, 4, 5, story_map, lambda: everything, searcher.stored_fields)
        # The original (ranked third) is folded into the copy ranked first: 20 stories, the last page holds 5.
        assert docs[2]["id"] not in [fields["id"] for fields, _ in last.found]
        assert len(last.found) == 5 and asked[-1] > 20
        only_copies = np.zeros_like(everything)
        only_copies[[number[c["id"]] for c in copies]] = True
        assert story_map.count(only_copies) == 1
        assert [number[c["id"]] for c in copies[:1]] == story_map.others(copies[1]["id"], only_copies)
