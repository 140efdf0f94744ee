"""The real ``cari serve`` for the benchmarks that talk to it over HTTP (read_write_race, writes, slow_clients)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def cari_serve(index: Path, workers: int, key: str | None = None, log: list[str] | None = None,
               warm_up: float = 5, cgroup: Path | None = None) -> Iterator[str]:
    """Run ``cari serve --port 0 --workers N`` over ``index`` and yield its URL; stop it on the way out.

    With ``key`` the write API is on: the key is handed over in a file only its owner may read
    (``--api-key-file``, in a temporary folder removed afterwards). What the server writes to standard
    error goes into ``log`` when one is given. ``warm_up`` seconds are left for the workers to open the
    index before the URL is yielded. With ``cgroup`` (a cgroup's folder) the server starts inside that group.
    """
    with tempfile.TemporaryDirectory(prefix="cari-bench-") as folder:
        command = [sys.executable, "-c", "from search.cli import cli; cli()", "serve", "--index", str(index),
                   "--port", "0", "--workers", str(workers)]
        if key is not None:
            key_file = Path(folder) / "key"
            key_file.write_text(key, encoding="utf-8")
            os.chmod(key_file, 0o600)
            command += ["--api-key-file", str(key_file)]
        stderr = subprocess.PIPE if log is not None else subprocess.DEVNULL
        enter = None if cgroup is None else (lambda: (cgroup / "cgroup.procs").write_text(str(os.getpid())))
        server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True, preexec_fn=enter)  # noqa: PLW1509
        assert server.stdout is not None
        if log is not None:
            assert server.stderr is not None
            threading.Thread(target=log.extend, args=(server.stderr,), daemon=True).start()
        try:
            url = next((line.split(" at ", 1)[1].split()[0].rstrip("/") for line in server.stdout if " at http://" in line),
                       None)
            if url is None:
                raise SystemExit(f"cari serve did not start (exit status {server.wait()})")
            # Keep reading what it prints: a pipe nobody reads fills up and blocks the server.
            threading.Thread(target=server.stdout.read, daemon=True).start()
            time.sleep(warm_up)
            yield url
        finally:
            server.terminate()
            server.wait()
