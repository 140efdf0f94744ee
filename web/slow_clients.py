"""The gunicorn worker ``cari serve`` runs: gevent's, with a deadline for a request's headers.

A thread-per-connection worker (gunicorn's ``gthread``, waitress) gives a
client that sends its headers a byte at a time a thread for as long as it
likes: 8 such connections held both workers' threads and normal searches
waited 15 s. Gunicorn's own advice for slow clients is a buffering proxy in
front or an async worker. The embedded default has no proxy, so each worker
is gevent's: a waiting connection costs a greenlet (a few KB), not a thread,
up to ``worker_connections`` (1,000) a worker, and a search is answered as
soon as the worker's CPU is free. Searching is CPU-bound Python under the
GIL either way, so nothing is lost by running the app in greenlets.

Gevent's worker has no deadline for the headers of the first request of a
connection (only for the next ones, with keep-alive), so here a connection
whose request line and headers are not all in within ``HEADER_SECONDS`` is
answered 408 and closed. A body has none either: 2,100 writes with the key
sending their bodies a byte a second held every connection of two workers,
and no search was answered. So while the app waits for a body that comes
slower than ``BODY_MIN_RATE`` on average after ``BODY_SECONDS`` (Apache's
mod_reqtimeout: ``body=20,MinRate=500``), the connection is answered 408 and
closed; a request whose body is in, or that has none, runs unhurried. A proxy
in front (deploy/haproxy.cfg: ``timeout http-request``, the body buffered
first) does the same before Cari sees the connection at all.
"""

from __future__ import annotations

import socket
import time
from typing import Any

import gevent
from gunicorn.workers.ggevent import GeventWorker

from search.index import checksums

from .one_write import HeldWrites

HEADER_SECONDS = 10.0  # a phone on a poor line sends its headers in well under a second
BODY_SECONDS = 10.0  # a body is given this long before its pace is judged
BODY_MIN_RATE = 500  # bytes a second on average, while the app waits for more of it
TOO_SLOW = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain\r\n"
            b"Content-Length: 38\r\n\r\nThe request's headers came too slowly.")
BODY_TOO_SLOW = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain\r\n"
                 b"Content-Length: 35\r\n\r\nThe request's body came too slowly.")


class CariWorker(GeventWorker):
    """Gevent's gunicorn worker, closing connections whose headers take longer than ``HEADER_SECONDS``.

    Each response goes to the kernel in one write (``web.one_write``): a
    worker killed in the middle of one sends nothing of it, or all of it.
    """

    def init_process(self) -> None:
        # The check of the index's large files reads in the hub's pool of real threads, not in a greenlet of the one
        # thread serving the requests (search.index.checksums.offload_reading).
        checksums.offload_reading(_in_a_real_thread)
        super().init_process()

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        watchdog = gevent.spawn_later(HEADER_SECONDS, _close_slow, client)
        gevent.getcurrent().cari_watchdog = watchdog
        counted = _Counted(client)
        gevent.getcurrent().cari_counted = counted
        try:
            super().handle(listener, counted, addr)
        finally:
            watchdog.kill(block=False)

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> Any:
        watchdog = getattr(gevent.getcurrent(), "cari_watchdog", None)
        if watchdog is not None:  # the headers are in
            watchdog.kill(block=False)
        counted = getattr(gevent.getcurrent(), "cari_counted", None)
        body = gevent.spawn(_watch_body, counted) if counted is not None and _has_body(req) else None
        connection = HeldWrites(sock)
        try:
            return super().handle_request(listener_name, req, connection, addr)
        finally:
            if body is not None:
                body.kill(block=False)
            connection.flush()  # the end of the response (StopIteration: gunicorn's "close the connection now")


def _in_a_real_thread(function: Any, *arguments: Any) -> Any:
    """``function(*arguments)`` in a thread of the hub's pool, this greenlet waiting for it (the others run)."""
    return gevent.get_hub().threadpool.apply(function, arguments)


class _Counted:
    """A client's socket that counts what it receives and says whether a read is waiting for the client."""

    def __init__(self, sock: socket.socket):
        self.sock, self.received, self.waiting = sock, 0, False

    def recv(self, size: int, *flags: int) -> bytes:
        self.waiting = True
        try:
            data = self.sock.recv(size, *flags)
        finally:
            self.waiting = False
        self.received += len(data)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)


def _has_body(req: Any) -> bool:
    headers = dict(req.headers)
    return "TRANSFER-ENCODING" in headers or headers.get("CONTENT-LENGTH", "0").strip() not in ("", "0")


def _watch_body(counted: _Counted) -> None:
    """Close the connection (408) once the app has waited for a body that comes too slowly (``BODY_MIN_RATE``)."""
    started, before = time.monotonic(), counted.received
    while True:
        gevent.sleep(1.0)
        elapsed = time.monotonic() - started
        if counted.waiting and elapsed > BODY_SECONDS and (counted.received - before) / elapsed < BODY_MIN_RATE:
            _close_slow(counted.sock, BODY_TOO_SLOW)
            return


def _close_slow(client: socket.socket, said: bytes = TOO_SLOW) -> None:
    """Say 408 and shut the connection: the greenlet reading it sees the end of its data and ends."""
    try:
        with gevent.Timeout(1.0, False):
            client.sendall(said)
        client.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already gone
