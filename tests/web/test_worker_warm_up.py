"""A serving worker opens the index before it takes requests, and reads what a search with facets reads once (the
names' facets: ~0.9 CPU-s at 1,000,000 articles) only once it has answered its first request: a write sent as
`cari serve` starts is taken by the first worker to open the index (issue 24, the first write after a start)."""

import logging
import time

from search import Index
from search.ingest.article import Article
from search.ranking import people
from tests.conftest import make_index, news
from web import server
from web.app import create_app


class Worker:
    """What a gunicorn worker gives its hooks: the app (``wsgi``) and a log."""

    def __init__(self, index_dir):
        self.wsgi = create_app({"INDEX_DIR": str(index_dir)})
        self.log = logging.getLogger("test-worker")


def _stories(n):
    return [news(i, "Kompas.com", f"2023-05-{i + 1:02d}T08:00:00+07:00",
                 "Penyidik memeriksa saksi. Budi Gunawan datang ke kantor Badan Narkotika Nasional.")
            for i in range(n)]


def test_a_worker_opens_the_index_and_reads_the_facets_after_its_first_answer(tmp_path, monkeypatch):
    monkeypatch.setattr(server, "WARM_SECONDS", 600.0)
    index_dir = make_index(tmp_path, _stories(6))
    people.forget_segments()
    worker = Worker(index_dir)
    index = worker.wsgi.extensions["cari.index"]
    try:
        server.warm_up_worker(worker)
        assert index.is_open  # the first request does not open it
        assert not people.segments_read()  # ... nor does the worker read the facets before it takes requests
        server.after_request(worker, None, {}, None)  # its first answer sent
        stop = time.monotonic() + 30
        while not people.segments_read():
            assert time.monotonic() < stop, "the warm-up searches did not run"
            time.sleep(0.02)
        assert worker.cari_warm_up is None
    finally:
        index.close()


def test_a_worker_that_took_no_request_warms_up_after_a_while(tmp_path, monkeypatch):
    monkeypatch.setattr(server, "WARM_SECONDS", 0.05)
    index_dir = make_index(tmp_path, _stories(3))
    people.forget_segments()
    worker = Worker(index_dir)
    try:
        server.warm_up_worker(worker)
        stop = time.monotonic() + 30
        while not people.segments_read():
            assert time.monotonic() < stop, "the warm-up searches did not run"
            time.sleep(0.02)
    finally:
        worker.wsgi.extensions["cari.index"].close()


def test_a_generation_followed_reads_the_facets_only_where_the_process_read_some(tmp_path):
    """The follower opening a write's generation reads its facets ahead of the searches only in a process whose
    searches asked for them before (then the new segment's alone); else the first search asking reads them."""
    index_dir = make_index(tmp_path, _stories(4))
    people.forget_segments()
    reader, writer = Index(index_dir), Index(index_dir, write_wait_seconds=30)
    try:
        reader.warm_up(searches=False)
        reader.follow(interval=0.01)
        live = reader.open_generation
        writer.upsert([Article(id="baru", title="Gempa", body="Budi Gunawan memeriksa saksi gempa.")])
        stop = time.monotonic() + 30
        while reader.open_generation == live:
            assert time.monotonic() < stop, "the follower did not open the new generation"
            time.sleep(0.02)
        assert not people.segments_read()
        reader.search("saksi", facets=True)  # read by the first search asking
        assert people.segments_read()
    finally:
        reader.close()
        writer.close()
