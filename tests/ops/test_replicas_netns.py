"""Two read replicas on two network hosts behind haproxy, for real: publishes and a killed replica, no failed request.

The hosts are network namespaces made by the test (``ip netns``, veth
pairs), each running an rsync daemon and ``cari serve`` over its own index
folder; haproxy runs with ``deploy/haproxy-replicas.cfg`` (its replicas and
address replaced by the test's); the writer and four clients are this
process. Needs root (to make namespaces), haproxy and rsync; skipped, with
the reason, where the machine cannot.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS, cari_command, write_jsonl
from tests.ops.haproxy_front import HAPROXY, haproxy_config

CLIENTS = 4
SECONDS = 30
CONVERGE = 10  # seconds within which every replica serves a publish
KILLS = int(os.environ.get("CARI_TEST_KILLS", "1"))  # SIGKILLs of replica 1 a run (docs/scaling-out.md measured 10)
QUERIES = ["kazakhstan", "banjir jakarta", "gempa", "presiden", "ekonomi indonesia", "cianjur", "sepak bola"]


def _why_not() -> str | None:
    for tool, where in (("ip", shutil.which("ip")), ("haproxy", HAPROXY), ("rsync", shutil.which("rsync"))):
        if where is None:
            return f"{tool} is not installed (Debian: iproute2, haproxy, rsync)"
    if os.geteuid() != 0:
        return "making network namespaces needs root"
    name = f"cari-probe-{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if made.returncode:
        return f"this machine cannot make network namespaces: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", name], capture_output=True)
    return None


WHY_NOT = _why_not()
pytestmark = [pytest.mark.server, pytest.mark.slow]


def _sudo() -> bool:
    """sudo is there and asks no password (CI's user, if not root: .ci/run installs with it)."""
    return os.geteuid() != 0 and shutil.which("sudo") is not None and \
        subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0


def sh(*args: str) -> None:
    subprocess.run(list(args), check=True, capture_output=True, text=True)


class Host:
    """A network namespace joined to this one by a veth pair, with an rsync daemon and `cari serve` in it."""

    PORT = 8000

    def __init__(self, number: int, subnet: str, folder: Path):
        self.name = f"cari{os.getpid()}r{number}"
        self.outer, self.inner = f"c{os.getpid() % 100000}o{number}", f"c{os.getpid() % 100000}i{number}"
        self.address = f"{subnet}.2"
        self.folder = folder
        self.index = folder / "index"
        self.serve_proc: subprocess.Popen | None = None
        self.procs: list[subprocess.Popen] = []
        sh("ip", "netns", "add", self.name)
        sh("ip", "link", "add", self.outer, "type", "veth", "peer", "name", self.inner)
        sh("ip", "link", "set", self.inner, "netns", self.name)
        sh("ip", "addr", "add", f"{subnet}.1/24", "dev", self.outer)
        sh("ip", "link", "set", self.outer, "up")
        for command in (["ip", "link", "set", "lo", "up"], ["ip", "addr", "add", f"{self.address}/24", "dev", self.inner],
                        ["ip", "link", "set", self.inner, "up"]):
            sh("ip", "netns", "exec", self.name, *command)

    def start_rsync(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "rsyncd.conf"
        config.write_text(f"use chroot = no\nuid = root\ngid = root\npid file = {self.folder}/rsyncd.pid\n"
                          f"[cari]\npath = {self.folder}\nread only = no\n")
        self.procs.append(self.spawn(["rsync", "--daemon", "--no-detach", f"--config={config}",
                                      f"--address={self.address}"], "rsyncd.log"))
        wait_for(lambda: _connects(self.address, 873), 10, f"rsync daemon on {self.name}")

    @property
    def destination(self) -> str:
        return f"rsync://{self.address}/cari/index"

    def start_serve(self) -> None:
        self.serve_proc = self.spawn([*cari_command(), "serve", "--index", str(self.index), "--host", "0.0.0.0",
                                      "--port", str(self.PORT), "--workers", "1"], "serve.log")
        self.procs.append(self.serve_proc)
        wait_for(lambda: self.generation() is not None, 60, f"cari serve on {self.name}")

    def kill_serve(self) -> None:
        """SIGKILL, to the whole process group (gunicorn's arbiter and its worker): the host's server dies."""
        assert self.serve_proc is not None
        os.killpg(self.serve_proc.pid, signal.SIGKILL)
        self.serve_proc.wait()

    def spawn(self, command: list[str], log: str) -> subprocess.Popen:
        with open(self.folder / log, "ab") as out:
            return subprocess.Popen(["ip", "netns", "exec", self.name, *command], cwd=ROOT, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)

    def generation(self) -> str | None:
        """The generation this replica's server serves, asked directly (None if it does not answer)."""
        try:
            with urllib.request.urlopen(f"http://{self.address}:{self.PORT}/healthz", timeout=2) as response:
                return json.load(response).get("generation")
        except (OSError, ValueError):
            return None

    def remove(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)
        subprocess.run(["ip", "link", "del", self.outer], capture_output=True)


def _connects(address: str, port: int) -> bool:
    try:
        socket.create_connection((address, port), timeout=1).close()
        return True
    except OSError:
        return False


def wait_for(condition, seconds: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            pytest.fail(f"{what}: not within {seconds} s")
        time.sleep(0.1)
    return time.monotonic() - started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Clients:
    """Threads asking haproxy for searches until stopped: every exception a failed request, every thread accounted for.

    Any exception of a request is a failure, whatever its class: a response
    cut after its headers is ``http.client.IncompleteRead``, an
    ``HTTPException`` and no ``OSError``. A thread that ends other than by
    being stopped (an exception outside a request) fails the test too, so
    that no failure can go uncounted with a dead thread.
    """

    def __init__(self, url: str):
        self.url, self.failures, self._answers = url, [], [0] * CLIENTS
        self.finished: list[int] = []  # the threads that ran until stopped
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,)) for n in range(CLIENTS)]

    def _run(self, n: int) -> None:
        i = n
        while not self._stop.is_set():
            query = urllib.request.quote(QUERIES[i % len(QUERIES)])
            i += 1
            try:
                with urllib.request.urlopen(f"{self.url}/api/search?q={query}", timeout=15) as response:
                    assert "results" in json.load(response)
                    self._answers[n] += 1
            except urllib.error.HTTPError as e:
                self.failures.append(f"{time.strftime('%T')} HTTP {e.code}: {e.read()[:200]!r}")
            except Exception as e:  # noqa: BLE001 - every failure counts, IncompleteRead (an HTTPException) too
                self.failures.append(f"{time.strftime('%T')} {type(e).__module__}.{type(e).__name__}: {e!r}"[:300])
        self.finished.append(n)

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join()

    @property
    def answers(self) -> int:
        return sum(self._answers)

    def check(self) -> None:
        """Fails unless every request was answered whole and every thread ran until stopped."""
        assert sorted(self.finished) == list(range(CLIENTS)), f"client threads died: {CLIENTS - len(self.finished)}"
        kinds = sorted({failure.split(" ", 2)[1] for failure in self.failures})
        print(f"clients: {self.answers} answered, {len(self.failures)} failed {kinds}")  # pytest -s: the figures
        assert self.failures == [], (f"{len(self.failures)} failed of {self.answers + len(self.failures)} ({kinds}): "
                                     f"{self.failures[:5]}")


@pytest.mark.skipif(WHY_NOT is not None, reason=WHY_NOT or "")
def test_two_replicas_behind_haproxy_serve_every_request_through_publishes_and_a_kill(tmp_path, run_cli):
    writer = tmp_path / "writer"
    assert run_cli("rebuild-index", SEEDS, "--index", writer, "-q").exit_code == 0
    base = f"10.{200 + os.getpid() % 50}"
    hosts: list[Host] = []
    haproxy = None
    try:
        for number in (1, 2):
            hosts.append(Host(number, f"{base}.{number}", tmp_path / f"replica{number}"))
            hosts[-1].start_rsync()

        def publish(batch: int) -> str:
            if batch:
                docs = [{"id": f"b{batch}-{n}", "title": f"Gempa Cianjur {batch}", "text": f"Gempa bumi {n}. " * 20}
                        for n in range(5)]
                assert run_cli("add", write_jsonl(tmp_path / f"b{batch}.jsonl", docs), "--index", writer).exit_code == 0
            result = run_cli("publish", "--index", writer, "--json", *(h.destination for h in hosts))
            assert result.exit_code == 0, result.output
            published = [json.loads(line)["generation"] for line in result.stdout.splitlines()]
            assert len(set(published)) == 1 and len(published) == len(hosts)
            return published[0]

        def converge(generation: str) -> float:
            return max(wait_for(lambda h=h: h.generation() == generation, CONVERGE, f"{h.name} serving {generation}")
                       for h in hosts)

        first = publish(0)
        for host in hosts:
            host.start_serve()
        converge(first)
        port = free_port()
        servers = [(h.name, f"{h.address}:{h.PORT}") for h in hosts]
        (tmp_path / "haproxy.cfg").write_text(haproxy_config(port, servers), encoding="utf-8")
        haproxy = subprocess.Popen([str(HAPROXY), "-db", "-f", str(tmp_path / "haproxy.cfg")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _connects("127.0.0.1", port), 10, "haproxy")
        started = time.monotonic()
        with Clients(url) as clients:
            time.sleep(3)
            second = publish(1)
            assert second != first
            converge(second)
            for _ in range(KILLS - 1):  # more kills to measure with (CARI_TEST_KILLS); the test's own is the last
                hosts[0].kill_serve()
                hosts[0].start_serve()
                time.sleep(3)  # haproxy takes it back after 2 checks a second apart (a kill before only cuts nothing)
            hosts[0].kill_serve()  # at whatever moment of the requests it is serving
            third = publish(2)  # while it is down: it gets the files, and serves them once restarted
            hosts[0].start_serve()
            converge(third)
            time.sleep(max(0.0, SECONDS - (time.monotonic() - started)))
        clients.check()
        assert clients.answers > 100
        with urllib.request.urlopen(f"{url}/api/search?q=cianjur", timeout=10) as response:
            assert json.load(response)["total"] >= 10  # both batches, through haproxy
    finally:
        if haproxy is not None:
            haproxy.kill()
            haproxy.wait()
        for host in hosts:
            host.remove()


@pytest.mark.skipif(os.geteuid() == 0 or not _sudo(), reason="root runs the test above itself; else sudo without a password")
def test_the_replica_test_runs_through_sudo_where_the_user_is_not_root(tmp_path):
    """Making namespaces needs root: a user who may sudo (CI's, if not root) runs the test above as root, and its result
    is this one's."""
    inner = test_two_replicas_behind_haproxy_serve_every_request_through_publishes_and_a_kill.__name__
    test = f"{Path(__file__).relative_to(ROOT)}::{inner}"
    run = subprocess.run(["sudo", "-n", "env", "PYTHONDONTWRITEBYTECODE=1", sys.executable, "-m", "pytest", "-q", "-s", "-p",
                          "no:cacheprovider", f"--basetemp={tmp_path / 'as-root'}", test],
                         cwd=ROOT, capture_output=True, text=True)
    subprocess.run(["sudo", "-n", "rm", "-rf", str(tmp_path / "as-root")], capture_output=True)
    assert run.returncode == 0 and " passed" in run.stdout, run.stdout[-4000:] + run.stderr[-2000:]
