"""A replica SIGKILLed at each moment of a response behind haproxy: the reader gets a whole answer, or can tell it is cut.

Two replicas on this machine run `cari serve`'s gunicorn worker
(``web.slow_clients.CariWorker``) over tests/ops/kill_points_app.py, haproxy
in front with deploy/haproxy-replicas.cfg. Replica ``a`` stops at a chosen
moment of its response and says so; the test then SIGKILLs it, and the
reader's request must come back whole from replica ``b`` (haproxy retries a
request only while nothing of its response has reached the reader, so a
worker that has sent headers without their body costs the reader an
``IncompleteRead``: the moment ``after-headers``, which gunicorn's two writes
left open). No sleeps decide anything: the replica's mark file says when it
has stopped. Needs haproxy; skipped without it.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.ops.haproxy_front import HAPROXY, haproxy_config
from web.one_write import WHOLE_BYTES

pytestmark = [pytest.mark.server, pytest.mark.skipif(HAPROXY is None, reason="haproxy is not installed (Debian: haproxy)")]

WAIT = 60  # seconds at most for anything to start or happen: never reached but on a broken run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {WAIT} s")
        time.sleep(0.05)


def answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/healthz")
        return connection.getresponse().read() == b"ok"
    except OSError:
        return False


class Replica:
    """gunicorn with Cari's worker over the kill-points app, in a process group of its own (killed whole)."""

    def __init__(self, name: str, folder: Path, body_bytes: int, stall: str = ""):
        self.name, self.port, self.mark = name, free_port(), folder / f"{name}.stalled"
        env = {**os.environ, "REPLICA": name, "BODY_BYTES": str(body_bytes), "STALL": stall,
               "STALL_MARK": str(self.mark)}
        with open(folder / f"{name}.log", "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--worker-class", "web.slow_clients.CariWorker", "--workers", "1",
                 "--keep-alive", "0", "--bind", f"127.0.0.1:{self.port}", "--pythonpath", "tests/ops",
                 "kill_points_app:app"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: answers(self.port), f"replica {name}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def front(tmp_path):
    """front(body_bytes, {name: where it stops}) starts those replicas and haproxy: (haproxy's port, the replicas)."""
    started: list[Replica] = []
    haproxy: list[subprocess.Popen] = []

    def start(body_bytes: int, stalls: dict[str, str]) -> tuple[int, dict[str, Replica]]:
        replicas = {name: Replica(name, tmp_path, body_bytes, stall) for name, stall in stalls.items()}
        started.extend(replicas.values())
        port = free_port()
        config = tmp_path / "haproxy.cfg"
        config.write_text(haproxy_config(port, [(r.name, f"127.0.0.1:{r.port}") for r in replicas.values()]))
        with open(tmp_path / "haproxy.log", "ab") as log:
            haproxy.append(subprocess.Popen([str(HAPROXY), "-db", "-f", str(config)], stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True))
        wait_for(lambda: answers(port), "haproxy")
        return port, replicas

    yield start
    for proc in haproxy:
        proc.kill()
        proc.wait()
    for replica in started:
        replica.kill()


class Request(threading.Thread):
    """One GET through haproxy in a thread of its own: its answer, or the exception it ended with."""

    def __init__(self, port: int):
        super().__init__()
        self.port, self.body, self.error = port, None, None

    def run(self) -> None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
            connection.request("GET", "/answer")
            response = connection.getresponse()
            assert response.status == 200, response.status
            self.body = response.read()
        except Exception as e:  # noqa: BLE001 - the test looks at whatever it was
            self.error = e


def request_stalled_on(port: int, replica: Replica) -> Request:
    """A request that ``replica`` has stopped in (haproxy shares requests out: the others' answers are let through)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        request = Request(port)
        request.start()
        wait_for(lambda r=request: replica.mark.exists() or not r.is_alive(), "an answer or a stopped replica")
        if replica.mark.exists():
            return request
        request.join()
    pytest.fail(f"haproxy sent no request to {replica.name} within {WAIT} s")


@pytest.mark.parametrize("moment", ["before-headers", "after-headers", "mid-body", "after-body"])
def test_a_replica_killed_at_any_moment_of_a_response_costs_the_reader_nothing(front, moment):
    port, replicas = front(40_000, {"a": moment, "b": ""})
    request = request_stalled_on(port, replicas["a"])
    replicas["a"].kill()
    request.join(WAIT)
    assert request.error is None, f"{type(request.error).__name__}: {request.error!r}"
    assert request.body in (b"a " * 20_000, b"b " * 20_000)  # all of it (b's, or a's if it had ended before the kill)


def test_a_response_failing_in_its_middle_sends_nothing_and_haproxy_asks_another_replica(front):
    port, replicas = front(40_000, {"a": "error-mid-body", "b": ""})
    request = request_stalled_on(port, replicas["a"])  # no kill: replica a's app raises half-way through its body
    request.join(WAIT)
    assert request.error is None, f"{type(request.error).__name__}: {request.error!r}"
    assert request.body == b"b " * 20_000


def test_a_response_past_what_is_sent_whole_cut_by_a_kill_is_seen_cut_by_the_reader(front):
    size = 2 * WHOLE_BYTES + 1000  # an export's size: its first half already past WHOLE_BYTES, so sent as written
    port, replicas = front(size, {"a": "mid-body", "b": ""})
    request = request_stalled_on(port, replicas["a"])
    replicas["a"].kill()
    request.join(WAIT)
    assert isinstance(request.error, http.client.IncompleteRead), repr(request.error)  # never a short body as whole
    assert len(request.error.partial) < size


def test_a_slow_reader_gets_the_whole_response_though_every_replica_dies_once_its_first_bytes_came(front):
    size = 150_000  # bigger than haproxy's buffer (16 KB): most of it still on its way when the replicas die
    port, replicas = front(size, {"a": "", "b": ""})
    reader = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    reader.sendall(b"GET /answer HTTP/1.1\r\nHost: cari\r\nConnection: close\r\n\r\n")
    received = b""
    while b"\r\n" not in received:  # the status line: the response has begun to come
        chunk = reader.recv(1024)
        assert chunk, received
        received += chunk
    assert received.startswith(b"HTTP/1.1 200")
    for replica in replicas.values():
        replica.kill()
    while chunk := reader.recv(1024):
        received += chunk
        time.sleep(0.002)  # a reader on a poor line: ~0.5 MB/s at most
    reader.close()
    head, _, body = received.partition(b"\r\n\r\n")
    assert f"content-length: {size}".encode() in head.lower()
    assert len(body) == size and body.split()[0] in (b"a", b"b") and len(set(body.split())) == 1
