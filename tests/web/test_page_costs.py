"""What every results page reads once per generation instead of once per request (issue 24: at 1,000,000
articles the page of a pasted sentence cost a worker ~130 CPU-ms, the ranking ~35 of them), giving
what reading it afresh gives, and read again after a write."""

import copy

from search import Index, lookups
from search.ingest.article import Article
from tests.conftest import make_index


def _story(i: int) -> dict:
    return {"id": f"s{i}", "title": f"Banjir rob di pesisir {i}", "date": f"2023-05-{i + 1:02d}T08:00:00+07:00",
            "text": f"Banjir rob melanda pesisir utara nomor {i}. Warga mengungsi ke balai desa."}


def _afresh(path) -> dict:
    with Index(path) as fresh:
        return fresh.archive_outline()


def test_the_archive_outline_is_read_once_per_generation_and_again_after_a_write(tmp_path, monkeypatch):
    path = make_index(tmp_path, [_story(i) for i in range(6)])
    index = Index(path, write_wait_seconds=30)
    reads = []
    read = lookups.read_outline
    monkeypatch.setattr(lookups, "read_outline", lambda opened: reads.append(opened) or read(opened))
    first = copy.deepcopy(index.archive_outline())
    assert first == {"first": "2023-05-01", "last": "2023-05-06", "words": first["words"]}
    assert index.archive_outline() == first and len(reads) == 1
    index.archive_outline()["words"].append("changed by a caller")
    assert index.archive_outline() == first  # a caller's change is not what the next page shows
    assert len(reads) == 1 and _afresh(path) == first
    index.upsert([Article(id="late", title="Banjir rob surut", body="Banjir rob surut di pesisir utara. " * 4,
                          date="2023-06-30T08:00:00+07:00")])
    reads.clear()
    after = index.archive_outline()
    assert after["last"] == "2023-06-30" and len(reads) == 1 and after == _afresh(path)
    index.close()
