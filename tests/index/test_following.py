"""A serving index follows the writes (``search.following``, issue 24: a write visible to every worker within 5 s):
each new generation opened as soon as it is swapped in, before any search asks, and a search arriving meanwhile
takes that opening rather than making a second."""

from __future__ import annotations

import time

from search import Index
from search.index import generations
from search.index.batch import ADD
from search.index.build import build_index
from search.serving import OpenGeneration
from tests.conftest import make_index, write_jsonl

ARTICLES = [{"id": f"a{i}", "title": f"Banjir {i}", "date": f"2023-05-{i + 1:02d}T08:00:00+07:00",
             "text": f"Banjir melanda kota nomor {i} setelah hujan deras sepanjang malam di daerah itu."}
            for i in range(6)]


def _add(tmp_path, path, word: str) -> None:
    extra = [{"id": f"new-{word}", "title": "Uji", "text": f"Artikel uji {word} tentang banjir di kota."}]
    build_index([write_jsonl(tmp_path / f"{word}.jsonl", extra)], path, mode=ADD)


def _until(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_following_index_opens_each_new_generation_before_any_search(tmp_path):
    path = make_index(tmp_path, ARTICLES)
    index = Index(path)
    assert index.search("banjir").total == 6
    index.follow(interval=0.02)
    first = index.open_generation
    for word in ("pertamaikut", "keduaikut"):
        _add(tmp_path, path, word)
        live = generations.live_generation(path)
        assert _until(lambda live=live: index.open_generation == live)  # no search asked for it
        assert [hit.id for hit in index.search(word).hits] == [f"new-{word}"]
    assert index.open_generation != first
    index.close()
    _add(tmp_path, path, "ketigaikut")  # closed: no longer followed
    time.sleep(0.3)
    assert index.open_generation is None


def test_a_search_during_the_opening_waits_for_it_and_opens_no_second_copy(tmp_path, monkeypatch):
    path = make_index(tmp_path, ARTICLES)
    index = Index(path)
    index.search("banjir")
    opened: list[str] = []
    warm, init = OpenGeneration.warm, OpenGeneration.__init__

    def slow_warm(self):
        time.sleep(1.0)  # the follower is still opening when the search comes
        warm(self)

    def counted_init(self, *args, **kwargs):
        opened.append("x")
        init(self, *args, **kwargs)

    monkeypatch.setattr(OpenGeneration, "warm", slow_warm)
    monkeypatch.setattr(OpenGeneration, "__init__", counted_init)
    index.follow(interval=0.02)
    _add(tmp_path, path, "tungguikut")
    assert _until(lambda: len(opened) == 1, 10)  # the follower has begun
    assert [hit.id for hit in index.search("tungguikut").hits] == ["new-tungguikut"]
    time.sleep(0.3)
    assert len(opened) == 1 and index.open_generation == generations.live_generation(path)
    index.close()
