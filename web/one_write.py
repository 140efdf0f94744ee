"""A response reaches the kernel in one write, so that a worker killed in the middle never sends half of one.

gunicorn writes a response's status line and headers with one ``sendall``
and then each item of the body with another (``gunicorn.http.wsgi.Response``:
``send_headers``, then ``write``; a Flask response is a list of one bytes
item). A worker SIGKILLed between the two has sent headers promising a body
that never comes. haproxy in front of read replicas (docs/scaling-out.md)
has passed those headers on to the reader by then; it retries a request only
while nothing has reached the reader, so the reader gets a cut response
(Python's ``http.client.IncompleteRead``): about one request in 28,500 in
``tests/ops/test_replicas_netns.py``, in 2 runs of 3.

``CariWorker`` (``web.slow_clients``) gives gunicorn a ``HeldWrites`` for the
connection instead of the socket: what gunicorn writes for a response is
held and handed to the kernel with one ``sendall`` when the response ends,
after a send buffer large enough for it is asked for, so that one ``send``
takes it whole. Then a SIGKILL either comes before that ``send`` (the reader
has nothing: haproxy sees a connection closed with no response and retries
it on another replica) or after it (the bytes are the kernel's: it sends all
of them, then the end of the connection, though the process is gone; TCP
may cut them into several segments, and haproxy may pass the first on
before the last arrives, but the last does arrive). A ``send`` of the whole
response is not interrupted by the signal: the process dies on its way back
from the call, and the call waits only when the send buffer is full.

What does not hold: a response past ``WHOLE_BYTES`` (an export streamed
row by row) is sent as written once it passes that size, and a worker killed
after that sends the reader a cut one; the replica's machine or network
dying (not its process) cuts whatever was under way. A cut response is
never taken for a whole one: each has a ``Content-Length`` or chunked
encoding's last chunk, and the reader sees it is short.
"""

from __future__ import annotations

import os
import socket
from typing import Any

# Cari's largest bounded answers: a results page of 100 (~70 KB of HTML), an article. A response up to this
# size goes in one write; past it, as written (the kernel's send buffer for it is at most net.core.wmem_max,
# Debian's default 208 KB, doubled by the kernel: twice WHOLE_BYTES).
WHOLE_BYTES = 192 * 1024


class HeldWrites:
    """The connection as gunicorn's response sees it: its writes held until ``flush``, then sent with one ``sendall``.

    Past ``WHOLE_BYTES`` held, what is held goes out and the rest is sent
    as written. ``close`` and ``shutdown`` (gunicorn's answer to an error in
    the middle of a response) drop what is held: nothing of that response is
    sent, and haproxy can retry it. Everything else is the socket's.
    """

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._held: list[bytes] = []
        self._size = 0
        self._passing = False  # past WHOLE_BYTES: sent as written

    def sendall(self, data: bytes, flags: int = 0) -> None:
        if self._passing:
            self._sock.sendall(data, flags)
            return
        self._held.append(bytes(data))
        self._size += len(data)
        if self._size > WHOLE_BYTES:
            self._passing = True
            self.flush()

    def flush(self) -> None:
        """Send what is held, in one write (the end of a response)."""
        if not self._held:
            return
        data = b"".join(self._held)
        self._held, self._size = [], 0
        if data:
            _make_room(self._sock, len(data))
            self._sock.sendall(data)

    def sendfile(self, file: Any, offset: int = 0, count: int | None = None) -> int:
        """A file's bytes (gunicorn sends Flask's static files so): held like the rest up to ``WHOLE_BYTES``."""
        if not self._passing and count is not None and self._size + count <= WHOLE_BYTES:
            data = os.pread(file.fileno(), count, offset)
            self.sendall(data)
            return len(data)
        self._passing = True
        self.flush()
        return self._sock.sendfile(file, offset, count)

    def shutdown(self, how: int) -> None:
        self._held, self._size = [], 0
        self._sock.shutdown(how)

    def close(self) -> None:
        self._held, self._size = [], 0
        self._sock.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _make_room(sock: socket.socket, size: int) -> None:
    """A send buffer in which one ``send`` of ``size`` bytes fits (a fresh connection's: ~69 KB on a 1,500-byte MTU).

    The kernel counts a segment's bookkeeping against the buffer besides its
    bytes, and doubles what ``SO_SNDBUF`` is given for that (Linux); it
    gives at most ``net.core.wmem_max``.
    """
    if sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) < 2 * size:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size)
