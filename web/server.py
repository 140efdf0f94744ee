"""Serving the app: gunicorn's pre-fork workers (one searcher each, so every core searches), or waitress.

An ``Index`` answers one search at a time (Whoosh's readers are not
thread-safe, and the work is Python under the GIL), so one process searches
on one core however many the machine has. ``serve`` starts ``workers``
processes, each with its own app and searcher; each notices a rebuilt index
by itself. Each worker is gevent's (``web.slow_clients``): a slow client
costs a greenlet, not a thread, so slow connections never hold the workers
(with threads, 8 clients sending their headers a byte every 2 s made searches
wait 15 s). Without gevent the worker is ``gthread``; waitress (one process)
is the fallback where gunicorn cannot run.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

ReadyCallback = Callable[[str, int], None]  # (host, port) once the server listens
# prometheus_client reads it when first imported: set before any worker imports it (web.metrics).
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def resident_mb() -> float:
    """This process's resident memory in MB (Linux), or 0.0 where it cannot be read."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a busy port is an OSError at once (gunicorn would retry)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def serve(config: dict, sock: socket.socket, workers: int, threads: int, on_ready: ReadyCallback,
          access_log: str | None = "-", log_level: str = "warning") -> None:
    """Serve the app made of ``config`` (``create_app``'s) on ``sock`` until interrupted: gunicorn, else waitress.

    ``access_log``: a file, ``-`` (standard error) or None (no access log),
    one request a line in the Combined Log Format; ``log_level`` is the
    error log's (standard error).
    """
    try:
        # lazy: only the server chosen (gunicorn, else waitress) is loaded, in the process that runs it
        import gunicorn.app.base  # noqa: F401 - POSIX only
    except ImportError:  # pragma: no cover - e.g. Windows
        _serve_waitress(config, sock, threads, on_ready)
        return
    with _metrics_folder(), _one_writer(config):
        _serve_gunicorn(config, sock, workers, threads, on_ready, access_log, log_level)


@contextmanager
def _one_writer(config: dict) -> Iterator[None]:
    """With the write API on, one writer process applies every worker's writes (``search.index.writer``): started
    now, so that it has read the archive's records before the first write; its socket is in a private folder,
    removed with the server (the writer then ends, once a write under way is done)."""
    if not config.get("API_KEY") or config.get("WRITER_SOCKET"):
        yield
        return
    # lazy: the engine is loaded by the processes that serve
    from search.index.writer import start_writer

    folder = tempfile.mkdtemp(prefix="cari-writer-")  # 0700: only this user's processes reach the socket
    config["WRITER_SOCKET"], config["WRITER_OWNER"] = os.path.join(folder, "writer.sock"), os.getpid()
    try:
        start_writer(config["INDEX_DIR"], config["WRITER_SOCKET"], os.getpid(),
                     float(config.get("WRITE_WAIT_SECONDS", 10.0)))
        yield
    finally:
        _remove_if_made_here(folder, config["WRITER_OWNER"])


@contextmanager
def _metrics_folder() -> Iterator[None]:
    """prometheus_client's multiprocess folder for the workers' counts (made here, unless one is given).

    Set before any worker imports prometheus_client, and removed with the
    server: counts start at zero with every start, as a scraper expects.
    """
    if os.environ.get(MULTIPROCESS_ENV):
        yield
        return
    folder, maker = tempfile.mkdtemp(prefix="cari-metrics-"), os.getpid()
    os.environ[MULTIPROCESS_ENV] = folder
    try:
        yield
    finally:
        if os.getpid() == maker:
            os.environ.pop(MULTIPROCESS_ENV, None)
        _remove_if_made_here(folder, maker)


def _remove_if_made_here(folder: str, maker: int) -> None:
    """Remove the server's ``folder``, in the process that made it only.

    A gunicorn worker is a fork of the server that ends by raising SystemExit
    through the server's own frames: a worker stopped alone (SIGTERM, or its
    timeout's SIGABRT) removed the metrics and writer folders of every
    process, so the worker started in its place failed to boot and gunicorn
    shut the whole server down.
    """
    if os.getpid() == maker:
        shutil.rmtree(folder, ignore_errors=True)


def _gunicorn_logger() -> type:
    """gunicorn's logger, with ``-`` meaning standard error for the access log too (gunicorn's: standard output)."""
    # lazy: only the server chosen (gunicorn, else waitress) is loaded, in the process that runs it
    from gunicorn.glogging import Logger

    class CariLogger(Logger):
        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            if cfg.accesslog == "-":
                for handler in self.access_log.handlers:
                    if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stdout:
                        handler.setStream(sys.stderr)

    return CariLogger


def _serve_gunicorn(config: dict, sock: socket.socket, workers: int, threads: int, on_ready: ReadyCallback,
                    access_log: str | None, log_level: str) -> None:
    # lazy: only the server chosen (gunicorn, else waitress) is loaded, in the process that runs it
    from gunicorn.app.base import BaseApplication

    def when_ready(arbiter: Any) -> None:
        bound_host, bound_port = arbiter.LISTENERS[0].sock.getsockname()[:2]
        on_ready(bound_host, bound_port)

    class CariApplication(BaseApplication):
        def load_config(self) -> None:
            options = _gunicorn_options(sock, workers, threads, access_log, log_level)
            for name, value in {**options, "when_ready": when_ready, "post_worker_init": warm_up_worker,
                                "post_request": after_request}.items():
                self.cfg.set(name, value)

        def load(self) -> Flask:
            # lazy: only the server chosen (gunicorn, else waitress) is loaded, in the process that runs it
            from web.app import create_app

            return create_app(config)

    CariApplication().run()


def _gunicorn_options(sock: socket.socket, workers: int, threads: int, access_log: str | None,
                      log_level: str) -> dict[str, Any]:
    """gunicorn's settings for serving on ``sock``: its workers, their timeouts, no keep-alive, the logs."""
    return {
        "bind": f"fd://{sock.fileno()}",
        "workers": workers,
        "worker_class": _worker_class(),
        "threads": threads,  # gthread's only
        "worker_connections": 1000,  # gevent's: connections a worker holds at once
        "timeout": 60,  # a worker silent this long is replaced
        "graceful_timeout": 5,
        # No keep-alive: a kept connection stays with the worker that accepted it,
        # and 8 kept connections could all sit on one worker while the other idled
        # (bench/loadtest.py, 1 -> 2 workers: 0.89x with keep-alive, 1.41x without).
        "keepalive": 0,
        "preload_app": False,  # each worker builds its own app and searcher after the fork
        # gunicorn's access log is the Combined Log Format (its default access_log_format).
        "accesslog": access_log,
        "logger_class": _gunicorn_logger(),
        "errorlog": "-",
        "loglevel": log_level,
        "child_exit": _child_exit,
    }


# A worker's warm-up searches (the names' facets: ~0.9 CPU-s at 1,000,000 articles) run once it has answered its
# first request, or this many seconds after it started taking them, whichever comes first.
WARM_SECONDS = 30.0


def warm_up_worker(worker: Any) -> None:
    """A gunicorn worker has started: it opens the index now (not at the first request), follows its writes from
    now on (each new generation opened as soon as it is swapped in: ``search.following``) and says what it costs.

    What a first search with facets reads once (``Index.warm_up``'s searches) is left until the worker has
    answered its first request (``after_request``) or ``WARM_SECONDS``: a write sent as ``cari serve`` starts
    is taken by the first worker to open the index, not after both read the facets, and the writer gets the
    cores for it (issue 24: the first write after a start at 1,000,000 visible within 5 s)."""
    _quit_quietly(worker)
    index = worker.wsgi.extensions["cari.index"]
    try:
        index.warm_up(searches=False)
    except Exception as e:  # noqa: BLE001 - a missing index is the app's to report, per request
        worker.log.warning("cannot open the index yet: %s", e)
    index.follow()
    worker.cari_warm_up = threading.Timer(WARM_SECONDS, _warm_searches, args=(worker,))
    worker.cari_warm_up.daemon = True
    worker.cari_warm_up.start()
    # One write of the whole line: two workers printing at once ran theirs together ("...residentworker ...").
    sys.stderr.flush()
    os.write(sys.stderr.fileno(), f"worker {os.getpid()}: {resident_mb():.0f} MB resident\n".encode())


def _quit_quietly(worker: Any) -> None:
    """A worker told to quit (SIGQUIT from the arbiter at Ctrl-C, or the terminal's own SIGINT to the whole group)
    stops taking requests and leaves its run loop, as gunicorn's does, but without gunicorn's ``sys.exit`` 0.1 s
    later: under gevent that exit runs in a greenlet after the loop has already ended and the interpreter is
    shutting down, and prints a ``SystemExit`` traceback per worker on every Ctrl-C."""

    def stop(signum: int, frame: Any) -> None:  # noqa: ARG001 - a signal handler's arity
        worker.alive = False

    signal.signal(signal.SIGQUIT, stop)
    signal.signal(signal.SIGINT, stop)


def after_request(worker: Any, request: Any, environ: dict, response: Any) -> None:  # noqa: ARG001 - gunicorn's arity
    """gunicorn's ``post_request``: after the worker's first answer, its warm-up searches (in a thread: a greenlet
    under gevent, which runs once this request's greenlet has sent its answer)."""
    timer = getattr(worker, "cari_warm_up", None)
    if timer is not None:
        worker.cari_warm_up = None
        timer.cancel()
        threading.Thread(target=_warm_searches, args=(worker,), name="cari-warm-up", daemon=True).start()


def _warm_searches(worker: Any) -> None:
    worker.cari_warm_up = None
    try:
        worker.wsgi.extensions["cari.index"].warm_up()
    except Exception as e:  # noqa: BLE001 - a missing index is the app's to report, per request
        worker.log.warning("cannot warm the index up: %s", e)


def _child_exit(server: Any, worker: Any) -> None:
    """A worker ended: its live gauges (none yet) go with it; its counts stay in the sums."""
    # lazy: only the server chosen (gunicorn, else waitress) is loaded, in the process that runs it
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def _worker_class() -> str:
    """gevent's worker with a header deadline where it can be loaded, else threads."""
    try:
        # The worker itself, not only gevent: gunicorn's gevent worker needs more (``packaging``), and the
        # master loads the class before any worker starts.
        # lazy: only the server chosen (gunicorn, else waitress) is loaded, in the process that runs it
        import web.slow_clients  # noqa: F401
    except ImportError:  # pragma: no cover - installed with Cari (gunicorn[gevent])
        return "gthread"
    return "web.slow_clients.CariWorker"


def _serve_waitress(config: dict, sock: socket.socket, threads: int, on_ready: ReadyCallback) -> None:
    # lazy: only the server chosen (gunicorn, else waitress) is loaded, in the process that runs it
    from waitress.server import create_server

    # lazy: only the server chosen (gunicorn, else waitress) is loaded, in the process that runs it
    from web.app import create_app

    app = create_app(config)
    app.extensions["cari.index"].follow()
    server = create_server(app, sockets=[sock], threads=threads)
    on_ready(*sock.getsockname()[:2])
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
