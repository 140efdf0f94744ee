"""`cari publish` to replica folders through the real rsync (the network test is test_replicas_netns.py)."""

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from search.index import generations
from tests.conftest import ROOT, cari_command, write_jsonl

pytestmark = pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed (Debian: rsync)")


def article(n: int, words: str = "banjir Jakarta") -> dict:
    return {"id": f"a{n}", "title": f"Berita {n}", "text": f"{words} nomor{n}. " * 5, "date": "2024-05-01"}


@pytest.fixture
def writer(tmp_path, run_cli):
    """An index of three articles."""
    index = tmp_path / "writer"
    result = run_cli("rebuild-index", write_jsonl(tmp_path / "a.jsonl", [article(n) for n in range(3)]), "--index", index)
    assert result.exit_code == 0, result.output
    return index


def add(run_cli, tmp_path: Path, index: Path, docs: list[dict]) -> None:
    result = run_cli("add", write_jsonl(tmp_path / f"add-{docs[0]['id']}.jsonl", docs), "--index", index)
    assert result.exit_code == 0, result.output


def publish_json(run_cli, index: Path, *dests) -> tuple[int, list[dict]]:
    result = run_cli("publish", "--index", index, "--json", *dests)
    return result.exit_code, [json.loads(line) for line in result.stdout.splitlines()]


def test_publish_ships_the_generation_and_a_replica_searcher_picks_it_up(writer, tmp_path, run_cli):
    from search import Index

    replica = tmp_path / "replica" / "deep"  # made, parents and all
    code, [first] = publish_json(run_cli, writer, replica)
    assert code == 0 and first["previous"] is None
    assert (replica / "CURRENT").read_text() == generations.live_generation(writer).name == first["generation"]
    serving = Index(replica)
    assert serving.search("banjir").total == 3
    add(run_cli, tmp_path, writer, [article(10, "gempa Cianjur")])
    code, [second] = publish_json(run_cli, writer, replica)
    assert code == 0 and second["previous"] == first["generation"]
    # Only what the update wrote was sent: the old segment is a hard link to the replica's own copy.
    old_segments = {p.name for p in (replica / first["generation"]).glob("*.seg")}
    assert old_segments and second["files_sent"] < second["files_total"]
    for name in old_segments:
        assert (replica / first["generation"] / name).stat().st_ino == (replica / second["generation"] / name).stat().st_ino
    assert serving.search("gempa").total == 1  # the same Index, at its next call
    assert serving.health()["generation"] == second["generation"]
    add(run_cli, tmp_path, writer, [article(11, "gempa Garut")])
    code, [third] = publish_json(run_cli, writer, replica)
    # The replica keeps the new generation and the one it served until now.
    assert sorted(p.name for p in replica.glob("gen-*")) == sorted([second["generation"], third["generation"]])


@pytest.mark.server
def test_a_file_damaged_on_the_replica_is_sent_again(writer, tmp_path, run_cli):
    replica = tmp_path / "replica"
    assert publish_json(run_cli, writer, replica)[0] == 0
    generation = generations.live_generation(replica)
    segment = next(generation.glob("*.seg"))
    before = segment.stat()
    data = bytearray(segment.read_bytes())
    data[len(data) // 2] ^= 0xFF
    segment.write_bytes(data)
    os.utime(segment, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size and time: rsync's quick check passes
    code, [again] = publish_json(run_cli, writer, replica)
    assert code == 0 and again["files_sent"] >= 1
    assert segment.read_bytes() == (generations.live_generation(writer) / segment.name).read_bytes()


def test_a_damaged_index_is_not_published(writer, tmp_path, run_cli):
    replica = tmp_path / "replica"
    assert publish_json(run_cli, writer, replica)[0] == 0
    served = (replica / "CURRENT").read_text()
    add(run_cli, tmp_path, writer, [article(10)])
    segment = max(generations.live_generation(writer).glob("*.seg"), key=lambda p: p.stat().st_mtime_ns)
    data = bytearray(segment.read_bytes())
    data[100] ^= 0xFF
    segment.write_bytes(data)
    result = run_cli("publish", "--index", writer, replica)
    assert result.exit_code == 1 and "is damaged" in result.output
    assert (replica / "CURRENT").read_text() == served
    assert len(list(replica.glob("gen-*"))) == 1


@pytest.mark.server
def test_an_unreachable_replica_fails_alone(writer, tmp_path, run_cli):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    good = tmp_path / "good"
    result = run_cli("publish", "--index", writer, f"rsync://127.0.0.1:{port}/cari/index", good)
    assert result.exit_code == 1
    assert f"rsync://127.0.0.1:{port}/cari/index: could not list the replica" in result.stderr
    assert "still serves its previous generation" in result.stderr
    assert "Published gen-" in result.stdout and (good / "CURRENT").is_file()


def test_bad_destinations_and_a_missing_index_are_one_message(writer, tmp_path, run_cli):
    result = run_cli("publish", "--index", writer, "--", "--rsh=evil")
    assert result.exit_code == 1 and "Invalid destination '--rsh=evil'" in result.output
    result = run_cli("publish", "--index", tmp_path / "nothing", tmp_path / "replica")
    assert result.exit_code == 1 and "There is no index" in result.output
    assert run_cli("publish", "--index", writer).exit_code == 2  # DEST is required


@pytest.mark.server
def test_an_interrupted_publish_leaves_the_replica_serving_its_previous_generation(tmp_path, run_cli):
    """SIGKILL in the middle of a real, slowed-down transfer; then a publish completes it."""
    from search import Index

    eval_docs = ROOT.parent / "shared" / "eval" / "indosum" / "docs.jsonl"
    writer = tmp_path / "writer"
    assert run_cli("rebuild-index", write_jsonl(tmp_path / "a.jsonl", [article(1)]), "--index", writer).exit_code == 0
    replica = tmp_path / "replica"
    assert publish_json(run_cli, writer, replica)[0] == 0
    served = (replica / "CURRENT").read_text()
    replica_searcher = Index(replica)
    assert replica_searcher.search("banjir").total == 1
    if eval_docs.is_file():  # a few hundred kB of real articles to send
        lines = eval_docs.read_text(encoding="utf-8").splitlines()[:300]
        big = [json.loads(line) for line in lines]
    else:
        big = [article(n, " ".join(f"kata{n}x{i}" for i in range(300))) for n in range(2, 300)]
    add(run_cli, tmp_path, writer, big)
    # rsync, slowed to 50 kB/s by a wrapper first on PATH: the real binary, really interrupted.
    slow = tmp_path / "bin"
    slow.mkdir()
    (slow / "rsync").write_text(f'#!/bin/sh\nexec {shutil.which("rsync")} --bwlimit=50 "$@"\n')
    (slow / "rsync").chmod(0o755)
    env = {**os.environ, "PATH": f"{slow}:{os.environ['PATH']}"}
    proc = subprocess.Popen([*cari_command(), "publish", "--index", str(writer), str(replica)], env=env,
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    new = generations.live_generation(writer).name
    deadline = time.monotonic() + 30
    while not any((replica / new).glob("*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert proc.poll() is None, proc.stdout.read()  # still sending
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (replica / "CURRENT").read_text() == served
    assert replica_searcher.health()["generation"] == served
    assert replica_searcher.search("banjir").total == 1
    code, [done] = publish_json(run_cli, writer, replica)
    assert code == 0 and done["generation"] == new
    assert replica_searcher.health()["generation"] == new
    assert replica_searcher.search("banjir").total == 1 + sum("banjir" in d["text"].lower() for d in big)


def test_ctrl_c_of_a_publish_says_the_replicas_serve_their_previous_index(writer, tmp_path, run_cli, monkeypatch):
    """Ctrl-C during a publish printed only click's 'Aborted!' (exit 1): it says what the replicas serve (exit 130)."""
    from search import Index

    def interrupted(self, destinations):
        raise KeyboardInterrupt
        yield  # a generator, as Index.publish

    monkeypatch.setattr(Index, "publish", interrupted)
    result = run_cli("publish", "--index", writer, str(tmp_path / "replica"))
    assert result.exit_code == 130
    assert "still serves its previous index" in result.output and "Aborted" not in result.output
