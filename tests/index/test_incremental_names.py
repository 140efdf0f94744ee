"""A writing process learns the names from what a write changed (issue 24: a write's CPU proportional to the write):
after its first write, no learning walks the whole archive's runs again (at 1,000,000 articles ~900,000 of them, the
most of a write's ~0.5 CPU-s of learning), and the names are those learned from scratch, write after write."""

import threading

import pytest

import search
from search.index import generations, kept, name_counts, name_learning
from search.index.names import NAMES, names_record
from tests.conftest import make_index

pytestmark = pytest.mark.slow

SAID = " \"Kami sudah memeriksa,\" kata Ketua KPK Agus Rahardjo kepada wartawan. Jokowi juga berkata demikian."


class Unwalked(dict):
    """A run's counts that may be asked one by one, never walked whole."""

    def _walked(self, *args):
        raise AssertionError("the learning walked every run of the archive")

    __iter__ = items = keys = values = _walked  # type: ignore[assignment]


def _from_scratch(index) -> list:
    from search._whoosh.writers import open_for_writing
    from search.index.schema import build_schema

    live = generations.live_generation(index)
    with open_for_writing(str(live), build_schema(), new=False).reader() as reader:
        return names_record(name_learning.learned_names(reader, name_counts.index_counts(reader)))


def test_after_the_first_write_the_learning_walks_only_what_changed_and_learns_the_same(tmp_path, indosum_docs,
                                                                                         monkeypatch):
    kept.forget()
    docs = list(indosum_docs.values())[:330]
    index = make_index(tmp_path, docs[:250])
    learn, walked = name_learning.learn, []

    def guarded(freq, word_articles, candidates=None, changed=None):
        if candidates is not None and changed is not None:  # a learning from a kept first pass
            freq = {**freq, "n": Unwalked(freq["n"])}
        elif threading.current_thread().name == "cari-writer":  # not the learning from scratch below
            walked.append(True)
        return learn(freq, word_articles, candidates, changed)

    monkeypatch.setattr(name_learning, "learn", guarded)
    with search.Index(index) as ix:
        for step in range(4):
            new = docs[250 + 20 * step: 270 + 20 * step]
            corrected = [{**doc, "text": doc["text"] + SAID} for doc in docs[10 * step: 10 * step + 3]]
            ix.upsert([search.given_article(doc, "test")[0] for doc in new + corrected])
            if step % 2:
                ix.delete([docs[100 + step]["id"], new[0]["id"]])
            assert generations.read_record(generations.live_generation(index), NAMES) == _from_scratch(index)
    assert walked == [True]  # the first write of the process only
    kept.forget()
