"""The replica of tests/ops/test_replica_kill.py: a WSGI app run by `cari serve`'s gunicorn worker that stops at a chosen
point of its response, says so, and waits there to be killed.

Environment: ``REPLICA`` (its name, the body's text), ``BODY_BYTES`` (the
body's length), ``STALL`` (where it stops: ``before-headers``,
``after-headers``, ``mid-body``, ``after-body``; none: it answers;
``error-mid-body``: it fails there) and
``STALL_MARK`` (the file it makes when it has stopped). gunicorn writes a
response's headers at its first write, even of no bytes, then each item of
the body: ``after-headers`` is the moment between the two that a SIGKILL
hits by chance in tests/ops/test_replicas_netns.py, here held open.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path


def body() -> bytes:
    text = f"{os.environ['REPLICA']} " * (int(os.environ["BODY_BYTES"]) // 2 + 1)
    return text.encode("ascii")[: int(os.environ["BODY_BYTES"])]


def _stall() -> None:
    Path(os.environ["STALL_MARK"]).touch()
    while True:  # until killed (gevent's sleep: the worker still answers /healthz)
        time.sleep(1)


def _parts(whole: bytes, stall: str) -> Iterator[bytes]:
    if stall == "after-headers":
        yield b""
        _stall()
    if stall in ("mid-body", "error-mid-body"):
        yield whole[: len(whole) // 2]
        if stall == "error-mid-body":  # an exception in the middle of a response, as an export's reader failing
            Path(os.environ["STALL_MARK"]).touch()
            raise RuntimeError("failed in the middle of the response")
        _stall()
        yield whole[len(whole) // 2:]
    else:
        yield whole
    if stall == "after-body":
        _stall()


def app(environ: dict, start_response: Callable) -> Iterator[bytes] | list[bytes]:
    if environ["PATH_INFO"] == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]
    stall = os.environ.get("STALL", "")
    if stall == "before-headers":
        _stall()
    whole = body()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(whole)))])
    return _parts(whole, stall)
