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
answered 408 and closed; once they are in, the request runs unhurried. A
proxy in front (deploy/haproxy.cfg: ``timeout http-request``) does the same
before Cari sees the connection at all.
"""

from __future__ import annotations

import socket
from typing import Any

import gevent
from gunicorn.workers.ggevent import GeventWorker

from search.index import checksums

from .one_write import HeldWrites

HEADER_SECONDS = 10.0  # a phone on a poor line sends its headers in well under a second
TOO_SLOW = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain\r\n"
            b"Content-Length: 38\r\n\r\nThe request's headers came too slowly.")


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
        try:
            super().handle(listener, client, addr)
        finally:
            watchdog.kill(block=False)

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> Any:
        watchdog = getattr(gevent.getcurrent(), "cari_watchdog", None)
        if watchdog is not None:  # the headers are in: the request runs unhurried
            watchdog.kill(block=False)
        connection = HeldWrites(sock)
        try:
            return super().handle_request(listener_name, req, connection, addr)
        finally:
            connection.flush()  # the end of the response (StopIteration: gunicorn's "close the connection now")


def _in_a_real_thread(function: Any, *arguments: Any) -> Any:
    """``function(*arguments)`` in a thread of the hub's pool, this greenlet waiting for it (the others run)."""
    return gevent.get_hub().threadpool.apply(function, arguments)


def _close_slow(client: socket.socket) -> None:
    """Say 408 and shut the connection: the greenlet reading it sees the end of its data and ends."""
    try:
        with gevent.Timeout(1.0, False):
            client.sendall(TOO_SLOW)
        client.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already gone
