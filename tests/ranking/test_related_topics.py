"""Related articles' topics (search.index.topics): words that occur together count for each other, the record
survives a write and a damaged record is ignored, and related articles use them."""

import numpy as np

from search import Index
from search.index import topics
from search.index.build import build_index
from search.index.generations import live_generation
from tests.conftest import make_index, write_jsonl

POWER = ["s:listrik", "s:pln", "s:bangkit", "s:padam", "s:tegang"]
FOOTBALL = ["s:bola", "s:gol", "s:liga", "s:wasit", "s:klub"]


def _bags(seed=21):
    """Articles each holding three words of one subject and, now and then, a word of both."""
    rng = np.random.default_rng(seed)
    bags = []
    for number in range(60):
        words = POWER if number % 2 else FOOTBALL
        bag = {word: 1.0 + float(rng.random()) for word in rng.choice(words, 3, replace=False)}
        bag["s:jakarta"] = 1.0  # a word of every article tells nothing
        bags.append(bag)
    return bags


def test_words_that_occur_together_bring_articles_together_that_share_none():
    learned = topics.fit(_bags(), dimensions=2)  # as many topics as the articles have subjects
    assert learned is not None
    power, blackout, goal = (learned.point({word: 1.0}) for word in ("s:listrik", "s:padam", "s:gol"))
    # No article here names both listrik and padam in one bag by force; they share a subject, not a word.
    assert float(power @ blackout) > 0.8
    assert float(power @ goal) < 0.3
    assert learned.point({"s:unknown": 1.0}) is None


def test_too_little_to_learn_gives_no_topics():
    assert topics.fit([{"s:a": 1.0}, {"s:b": 1.0}]) is None
    assert topics.fit([{"s:a": 1.0}, {"s:b": 1.0}, {"s:c": 1.0}]) is None  # no word in two articles


def test_the_record_round_trips_and_a_damaged_one_is_ignored(tmp_path):
    learned = topics.fit(_bags(), dimensions=4)
    learned.save(tmp_path / topics.RECORD)
    again = topics.Topics.load(tmp_path)
    assert again.index == learned.index
    assert np.allclose(again.vectors, learned.vectors, atol=1e-3)
    (tmp_path / topics.RECORD).write_bytes((tmp_path / topics.RECORD).read_bytes()[:200])
    assert topics.Topics.load(tmp_path) is None
    assert topics.Topics.load(tmp_path / "nowhere") is None


def test_a_build_learns_topics_an_update_keeps_them_and_related_uses_them(tmp_path, indosum_docs, monkeypatch):
    monkeypatch.setattr(topics, "RELEARN_BELOW", 100)  # an index of 150 is "large": its updates keep the topics
    docs = list(indosum_docs.values())
    floods = [doc for doc in docs if "banjir" in doc["title"].lower()][:30]
    others = [doc for doc in docs if "banjir" not in doc["title"].lower()][:120]
    index_dir = make_index(tmp_path, floods + others)
    record = live_generation(index_dir) / topics.RECORD
    assert record.exists()
    learned = topics.Topics.load(record.parent)
    assert learned is not None and learned.vectors.shape[1] > 10
    hits = Index(index_dir).related(floods[0]["id"], limit=10)
    assert sum("banjir" in hit.title.lower() for hit in hits) >= 8

    build_index([write_jsonl(tmp_path / "more.jsonl", [*floods, *others, *docs[400:405]])], index_dir)  # an update
    kept = live_generation(index_dir) / topics.RECORD
    assert kept != record and kept.stat().st_ino == record.stat().st_ino  # the same file, hard-linked

    monkeypatch.setattr(topics, "RELEARN_GROWTH", 1.02)  # grown 155/150 times: learned again, a new file
    build_index([write_jsonl(tmp_path / "more.jsonl", [*floods, *others, *docs[400:410]])], index_dir)
    again = live_generation(index_dir) / topics.RECORD
    assert again.stat().st_ino != kept.stat().st_ino and topics.Topics.load(again.parent).articles > learned.articles
