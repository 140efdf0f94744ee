"""Slow clients never lock readers out of `cari serve`: idle connections cost a greenlet, and dawdlers get 408."""

from __future__ import annotations

import json
import select
import socket
import time
import urllib.request

import pytest

from tests.conftest import make_index, start_cari_serve, stop
from web.slow_clients import BODY_SECONDS, HEADER_SECONDS

pytestmark = [pytest.mark.server]

ARTICLES = [{"id": "banjir-1", "title": "Banjir di Bekasi", "text": "Banjir melanda Bekasi sejak subuh tadi."}]
SLOW = 24  # six times the threads a gthread worker had (4): with threads, none of the searches below answered


def slow_connection(host: str, port: int) -> socket.socket:
    """A connection that has sent only the start of a request line, as a client sending a byte every few seconds."""
    sock = socket.create_connection((host, port), timeout=5)
    sock.sendall(b"GET /api/search?q=lam")
    return sock


def test_searches_answer_while_many_connections_dribble_their_headers(tmp_path):
    index = make_index(tmp_path, ARTICLES)
    proc, url, _ = start_cari_serve(index, 60, "--workers", "1", "--threads", "4")
    host, port = url.split("//")[1].split(":")
    with urllib.request.urlopen(f"{url}/api/search?q=banjir", timeout=60) as response:  # the worker opens the index
        assert response.status == 200
    slow = [slow_connection(host, int(port)) for _ in range(SLOW)]
    try:
        time.sleep(0.5)
        for _ in range(5):  # each on a new connection, all while the slow ones hold theirs
            with urllib.request.urlopen(f"{url}/api/search?q=banjir", timeout=3 * HEADER_SECONDS) as response:
                assert [hit["id"] for hit in json.load(response)["results"]] == ["banjir-1"]
        # Answered while every slow connection was still held, none yet answered 408 or closed: the searches did
        # not wait for them (whatever the machine's speed; a worker of threads answers only once they are gone).
        assert select.select(slow, [], [], 0)[0] == []
    finally:
        for sock in slow:
            sock.close()
        stop(proc)


@pytest.mark.slow
def test_a_connection_whose_headers_do_not_come_in_time_gets_408_and_is_closed(tmp_path):
    index = make_index(tmp_path, ARTICLES)
    proc, url, _ = start_cari_serve(index, 60, "--workers", "1")
    host, port = url.split("//")[1].split(":")
    try:
        started = time.monotonic()  # before the connection: its deadline runs from the server's accept
        sock = slow_connection(host, int(port))
        sock.settimeout(HEADER_SECONDS + 60)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 408 Request Timeout")
        assert time.monotonic() - started >= HEADER_SECONDS - 1  # not before the deadline
        sock.close()
        with urllib.request.urlopen(f"{url}/api/search?q=banjir", timeout=60) as response:
            assert response.status == 200
    finally:
        stop(proc)


@pytest.mark.slow
def test_a_write_whose_body_dribbles_in_gets_408_and_readers_are_answered_meanwhile(tmp_path):
    """A body had no deadline: 2,100 writes with the key sending theirs a byte a second held every connection
    of two workers and no search was answered. A body slower than BODY_MIN_RATE past BODY_SECONDS is a 408."""
    index = make_index(tmp_path, ARTICLES)
    key_file = tmp_path / "key"
    key_file.write_text("rahasia-redaksi-0123456789", encoding="utf-8")
    proc, url, _ = start_cari_serve(index, 60, "--workers", "1", "--api-key-file", str(key_file))
    host, port = url.split("//")[1].split(":")
    try:
        sock = socket.create_connection((host, int(port)), timeout=5)
        sock.sendall(b"POST /api/documents HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                     b"Authorization: Bearer rahasia-redaksi-0123456789\r\nContent-Length: 100000\r\n\r\n{")
        sock.setblocking(False)
        answer, deadline = b"", time.monotonic() + BODY_SECONDS + 120
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"{url}/api/search?q=banjir", timeout=60) as response:  # while it dribbles
                assert response.status == 200
            try:
                chunk = sock.recv(4096)
            except BlockingIOError:
                sock.send(b" ")  # a byte at a time: far under the pace a write must keep
                time.sleep(0.2)
                continue
            answer += chunk
            if not chunk or answer.endswith(b"slowly."):
                break
        assert answer.startswith(b"HTTP/1.1 408 Request Timeout"), answer
        sock.close()
    finally:
        stop(proc)


def test_the_shipped_haproxy_config_bounds_a_request_s_head_and_buffers_its_body():
    """(tests/ops/test_deploy.py checks that haproxy reads the file.)"""
    from tests.conftest import ROOT

    config = (ROOT / "deploy" / "haproxy.cfg").read_text(encoding="utf-8")
    assert "timeout http-request 10s" in config and "option http-buffer-request" in config


def test_the_package_installs_what_the_gevent_worker_imports():
    """Plain gunicorn lacks ``packaging``, which its gevent worker imports: `pip install -e .` then
    `cari serve` (the README's first command) failed with ModuleNotFoundError in a clean clone."""
    import configparser

    from tests.conftest import ROOT

    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    requires = [line.split(";")[0].strip() for line in setup["options"]["install_requires"].split("\n") if line.strip()]
    assert any(line.startswith("gunicorn[gevent]") for line in requires), requires
