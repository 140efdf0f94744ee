"""`cari serve` mistakes, through CliRunner (the running server is tested in test_e2e_browser.py)."""

import socket

import pytest


def test_serve_without_index_or_seeds_says_what_to_do(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("serve", "--index", tmp_path / "ix")
    assert result.exit_code == 1
    assert "No index at" in result.output and "no ./seeds folder" in result.output


def test_serve_on_a_busy_port_says_so(run_cli, seed_index):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("serve", "--index", seed_index, "--port", port)
    assert result.exit_code == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in result.output


def test_serve_help_documents_the_command(run_cli):
    output = run_cli("serve", "--help").output
    assert "--workers" in output and "--port" in output and "./seeds" in output


@pytest.mark.server
@pytest.mark.slow
def test_every_worker_serves_and_picks_up_a_rebuild(seed_index, tmp_path):
    """Two worker processes, each with its searcher and its memory reported; a rebuild reaches both."""
    import json
    import shutil
    import urllib.request

    from search import Index
    from tests.conftest import start_cari_serve, stop

    index = tmp_path / "index"
    shutil.copytree(seed_index, index)
    proc, url, started = start_cari_serve(index, 60, "--workers", "2")
    assert "with 2 workers" in started
    try:
        def total(query: str) -> int:
            with urllib.request.urlopen(f"{url}/api/search?q={query}", timeout=10) as response:
                return json.load(response)["total"]

        assert [total("kazakhstan") for _ in range(10)] == [5] * 10
        extra = tmp_path / "extra.jsonl"
        extra.write_text(json.dumps({"id": "x1", "text": "Kazakhstan dan Cianjur."}) + "\n", encoding="utf-8")
        Index(index).add([extra])
        assert [total("cianjur") for _ in range(20)] == [1] * 20  # whichever worker answers
    finally:
        output = stop(proc)
    assert "Traceback" not in output
    memory = [line for line in output.splitlines() if line.startswith("worker ") and "MB resident" in line]
    assert len(memory) == 2 and len({line.split(":")[0] for line in memory}) == 2


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.parametrize("to_the_group", [True, False], ids=["terminal", "parent-alone"])
def test_ctrl_c_stops_every_worker_quietly(seed_index, to_the_group):
    """Ctrl-C in a terminal sends SIGINT to the whole process group (the arbiter and every worker): the server
    ends with exit code 0 and prints no traceback (gevent's workers printed ``SystemExit: 0`` for each)."""
    import os
    import select
    import signal
    import subprocess
    import time
    import urllib.request

    from tests.conftest import ROOT, cari_command

    proc = subprocess.Popen([*cari_command(), "serve", "--index", str(seed_index), "--port", "0", "--workers", "2"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)  # its own group, as a terminal's job is
    try:
        lines: list[str] = []
        workers: set[str] = set()
        url = None
        deadline = time.monotonic() + 120
        while (url is None or len(workers) < 2) and time.monotonic() < deadline and proc.poll() is None:
            if select.select([proc.stdout], [], [], 1)[0]:
                line = proc.stdout.readline()
                lines.append(line)
                if " at http://" in line:
                    url = line.split(" at ", 1)[1].split()[0].rstrip("/")
                if line.startswith("worker ") and "resident" in line:
                    workers.add(line.split()[1])
        assert url is not None and len(workers) == 2, "".join(lines)
        with urllib.request.urlopen(url + "/healthz", timeout=30) as response:
            assert response.status == 200
        if to_the_group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    output = "".join(lines) + rest
    assert proc.returncode == 0, output
    assert "Traceback" not in output and "SystemExit" not in output, output
