"""Writes that learn the names and find the stories again from what they changed (issue 24: a write of ten articles
to a million cost as much as one of a thousand): after additions, corrections and removals on IndoSum the names, the
stories, and what searches show of them are those of a new index of the same articles, and the writes read back only
what changed."""

import random

import numpy as np
import pytest

from search import Index
from search.index import generations, name_counts, stories, story_groups
from search.index.batch import ADD
from search.index.build import build_index
from search.index.changes import remove_articles
from search.index.names import NAMES
from tests.conftest import bench_module, make_index, write_jsonl

pytestmark = pytest.mark.slow


def _corrected(doc: dict) -> dict:
    """``doc`` corrected: a sentence naming people and an organisation added, its last paragraph cut."""
    paragraphs = doc["text"].split("\n")
    text = "\n".join(paragraphs[:-1] if len(paragraphs) > 2 else paragraphs)
    return {**doc, "text": text + "\n\"Kami sudah memeriksa,\" kata Juru Bicara KPK Febri Diansyah kepada wartawan."}


@pytest.fixture(scope="module")
def written(tmp_path_factory, indosum_docs):
    """An index of 500 IndoSum articles, then: 150 more, two syndicated copies of each of 20 and 40 corrected; 60
    removed (10 of the copies' originals); 10 more and 20 corrected. Returns (the index, its articles by id, what
    each write read)."""
    folder = tmp_path_factory.mktemp("incremental")
    docs = list(indosum_docs.values())[:700]
    rng = random.Random(24)
    held = {doc["id"]: doc for doc in docs[:500]}
    index = make_index(folder / "first", list(held.values()))
    titles = [d["title"] for d in docs]
    copies = [bench_module("stories").syndicated_copy(docs[k % 20], k, rng, titles) for k in range(40)]
    steps = [
        ([*docs[500:650], *copies, *(_corrected(held[i]) for i in rng.sample(sorted(held)[20:], 40))], []),
        ([], [d["id"] for d in docs[:10]] + rng.sample(sorted(held)[20:], 50)),
        ([*docs[650:660], *(_corrected(held[i]) for i in rng.sample(sorted(held)[20:], 20))], []),
    ]
    reads = []
    for number, (changed, removed) in enumerate(steps):
        with pytest.MonkeyPatch.context() as patch:
            reads.append(_watched(patch))
            if changed:
                build_index([write_jsonl(folder / f"step{number}.jsonl", changed)], index, mode=ADD)
            else:
                remove_articles(index, removed)
        held.update({doc["id"]: doc for doc in changed})
        for doc_id in removed:
            held.pop(doc_id, None)
    return index, held, reads


def _watched(patch: pytest.MonkeyPatch) -> dict:
    """What a write reads again: whole-record linkings of the stories, words looked up in the index."""
    seen = {"linked": 0, "asked": [], "read": 0}
    link, made = story_groups.link, name_counts.WordArticles.__init__

    def counted_link(values):
        seen["linked"] += 1
        return link(values)

    def kept(self, *args, **kwargs):
        made(self, *args, **kwargs)
        seen["asked"].append(self)

    patch.setattr(stories, "link", counted_link)
    patch.setattr(name_counts.WordArticles, "__init__", kept)
    return seen


@pytest.fixture(scope="module")
def fresh(tmp_path_factory, written):
    """A new index of the same articles, in the order the updated one holds them."""
    index, held, _ = written
    order = generations.read_record(generations.live_generation(index), "contents.json.gz")
    return make_index(tmp_path_factory.mktemp("fresh"), [held[doc_id] for doc_id in order])


def _live(index):
    return generations.live_generation(index)


def test_the_writes_read_back_only_what_changed(written):
    _, _, reads = written
    for seen in reads:
        assert seen["linked"] == 0  # the stories found again from the kept pairs, never over the whole record
        (words,) = seen["asked"]
        assert len(words.known) > 100 and len(words.asked) > 100
        assert words.read == len(words.asked.keys() - words.known.keys())  # those the last learning did not ask about
    assert reads[1]["asked"][0].read == 0  # a removal asks about no new word


def test_the_names_are_those_a_new_index_of_the_same_articles_learns(written, fresh):
    index, _, _ = written
    assert generations.read_record(_live(index), NAMES) == generations.read_record(_live(fresh), NAMES)
    assert name_counts.read_counts(_live(index)) == name_counts.read_counts(_live(fresh))
    kept, new = name_counts.read_words(_live(index)), name_counts.read_words(_live(fresh))
    assert kept is not None and new is not None
    assert {word: kept[word] for word in new} == new  # every word both learnings asked about: the same articles


def test_the_stories_are_those_of_a_new_index_and_searches_show_them_alike(written, fresh):
    index, held, _ = written
    updated, new = stories.read(_live(index), with_pairs=True), stories.read(_live(fresh), with_pairs=True)
    assert updated is not None and new is not None and updated.pairs is not None
    assert updated.ids == new.ids
    assert np.array_equal(updated.story, new.story) and np.array_equal(updated.pairs, new.pairs)
    story = dict(zip(updated.ids, updated.story.tolist(), strict=True))
    assert len({n for n in story.values() if n >= 0}) >= 20  # the copies' stories, at least
    for k in range(10):  # an original removed: its two copies are still one story
        first, second = (next(i for i in held if i.startswith(f"copy-{n}-of-")) for n in (k, k + 20))
        assert story[first] == story[second] >= 0
    copied = next(d for d in held.values() if d["id"].startswith("copy-"))
    updated_index, new_index = Index(index), Index(fresh)
    for query in (copied["title"], "korupsi e-ktp", "banjir jakarta"):
        first, second = updated_index.search(query, limit=20), new_index.search(query, limit=20)
        assert [(hit.id, [s["id"] for s in hit.same_story]) for hit in first.hits] == \
               [(hit.id, [s["id"] for s in hit.same_story]) for hit in second.hits]
        assert (first.total, first.stories) == (second.total, second.stories)
    assert [hit.id for hit in updated_index.related(copied["id"])] == [hit.id for hit in new_index.related(copied["id"])]
