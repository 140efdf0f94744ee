"""A searcher's one cache (search/_whoosh/postings.py, ``CACHE_BYTES``): the posting lists it decoded (segment
layout 2 codes them) and their BM25 scores, in one budget of bytes, each list decoded once while it is kept."""

from collections import Counter

import pytest

import search._whoosh.postings as postings_module
from search import Index
from search._whoosh.arrays import SegmentArrays
from search.index.build import build_index
from tests.conftest import make_index, write_jsonl

PLACES = ["Jakarta", "Bekasi", "Bogor", "Depok", "Tangerang"]
QUERIES = ["banjir", "banjir jakarta", "warga mengungsi", "pemerintah daerah bekasi",
           "Warga Jakarta mengungsi karena banjir yang merendam rumah mereka sejak pagi",
           "Pemerintah daerah Bogor menyiapkan tenda bagi warga yang mengungsi", "jakarta", "tenda pengungsi"]


def article(n: int, word: str = "banjir") -> dict:
    place = PLACES[n % len(PLACES)]
    return {"id": f"a{n}", "title": f"Berita {word} {place} hari {n % 7}", "source": ["Kompas", "Tempo"][n % 2],
            "date": f"2023-0{1 + n % 9}-1{n % 10}",
            "text": (f"Warga {place} mengungsi karena {word} " * (1 + n % 3)
                     + f"merendam rumah. Pemerintah daerah menyiapkan tenda nomor{n % 40}. ")}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    return make_index(tmp_path_factory.mktemp("decoded"), [article(n) for n in range(400)])


def ranked(searcher: Index, text: str) -> list[tuple[str, float | None]]:
    return [(hit.id, hit.score) for hit in searcher.search(text, limit=20).hits]


def decodes(monkeypatch) -> Counter:
    """Every coded list decoded from now on: (its segment's arrays, its number) -> times."""
    counted: Counter = Counter()
    decode_into = SegmentArrays.decode_into

    def counting(self, at, *args, **kwargs):
        counted[id(self), at] += 1
        return decode_into(self, at, *args, **kwargs)

    monkeypatch.setattr(SegmentArrays, "decode_into", counting)
    return counted


def test_each_list_is_decoded_once_while_the_cache_keeps_it(index_dir, monkeypatch):
    counted = decodes(monkeypatch)
    searcher = Index(index_dir)
    for text in QUERIES + QUERIES:  # keywords read lists whole (top-k pruning), sentences score them
        searcher.search(text)
    assert counted and max(counted.values()) == 1
    kinds = Counter(key[0] for key in searcher.scorer.postings.cache.held_keys())
    assert kinds["list"] and kinds["scores"]  # both kinds in the one cache


def test_lists_and_scores_stay_within_one_budget_of_bytes_and_rank_the_same(index_dir, monkeypatch):
    expected = {text: ranked(Index(index_dir), text) for text in QUERIES}
    assert all(expected.values())
    limit = 12_000  # a few lists of 400 postings (5 bytes each) and their scores (12)
    monkeypatch.setattr(postings_module, "CACHE_BYTES", limit)
    counted = decodes(monkeypatch)
    searcher = Index(index_dir)
    for text in QUERIES + QUERIES[::-1]:
        assert ranked(searcher, text) == expected[text], text
        cache = searcher.scorer.postings.cache
        assert 0 < cache.size <= limit
    assert max(counted.values()) > 1  # lists were dropped and decoded again, the rankings the same


def test_a_new_generation_is_searched_with_a_cache_of_its_own(tmp_path):
    index = make_index(tmp_path, [article(n) for n in range(300)])
    searcher = Index(index)
    assert searcher.search("banjir").total == 300 and searcher.search("longsor").total == 0
    old_cache = searcher.scorer.postings.cache
    more = write_jsonl(tmp_path / "more.jsonl", [article(n, "banjir longsor") for n in range(300, 360)])
    build_index([more], index, mode="add")
    assert searcher.search("banjir").total == 360
    assert searcher.search("longsor").total == 60
    assert searcher.scorer.postings.cache is not old_cache


def test_entries_read_again_outlast_a_run_of_entries_read_once():
    import numpy as np

    from search._whoosh.postings import ITEM_BYTES, BoundedCache

    entry = ITEM_BYTES + 100 * 8
    cache, computed = BoundedCache(limit=5 * entry), []

    def arrays(key):
        return cache.get(key, lambda: computed.append(key) or (np.arange(100),))

    arrays("common"), arrays("common")  # read twice: protected
    for n in range(20):  # a sentence's rare words, each read once: four times what the cache holds
        arrays(f"rare{n}")
    arrays("common")
    assert computed.count("common") == 1  # a plain LRU dropped it after the fifth rare word
    assert cache.size <= 5 * entry
    arrays("rare0")
    assert computed.count("rare0") == 2


def test_cari_cache_mb_sets_the_bytes_a_searcher_keeps_and_the_rankings_stay(index_dir, monkeypatch):
    expected = {text: ranked(Index(index_dir), text) for text in QUERIES}
    monkeypatch.setenv("CARI_CACHE_MB", "0")  # a worker given little memory: nothing kept
    counted = decodes(monkeypatch)
    searcher = Index(index_dir)
    for text in QUERIES + QUERIES:
        assert ranked(searcher, text) == expected[text], text
    assert searcher.scorer.postings.cache.size == 0
    assert max(counted.values()) > 1  # each list decoded whenever it is read
    monkeypatch.setenv("CARI_CACHE_MB", "1")
    searcher = Index(index_dir)
    for text in QUERIES:
        searcher.search(text)
    assert 0 < searcher.scorer.postings.cache.size <= 1 << 20


@pytest.mark.parametrize("value", ["lots", "-5", "1.5", "2000000"])
def test_a_wrong_cari_cache_mb_is_one_clear_message(index_dir, monkeypatch, run_cli, value):
    import web.server
    from search.errors import CariError

    monkeypatch.setenv("CARI_CACHE_MB", value)
    with pytest.raises(CariError, match=r"\$CARI_CACHE_MB is .*give the MB"):
        Index(index_dir)
    served = []
    monkeypatch.setattr(web.server, "serve", lambda config, sock, *rest: (served.append(config), sock.close()))
    for command in (["search", "banjir"], ["serve", "--port", "0"]):
        result = run_cli(*command, "--index", index_dir)
        assert result.exit_code == 1 and "$CARI_CACHE_MB is" in result.output and "Traceback" not in result.output
    assert not served  # no worker started
