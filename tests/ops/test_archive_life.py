"""The whole life of an archive, once, end to end, with real users and a real server.

Root's job builds the index from a folder; ``nobody`` serves it and takes writes through the API;
the archive is exported, rebuilt from the index itself while it serves, and compared; then an index
of the previous format (the fixture) is served, said to be outdated, rebuilt from itself, and served.
The index folder is the service's group's to write (``chgrp``, setgid, umask 002), as a newsroom that
builds as one user and serves as another sets it up.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import SEEDS, cari_command
from tests.index.test_archive import FORMAT_7, GIVEN
from tests.ops.test_permissions import NOBODY, WHY_NOT

pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.skipif(WHY_NOT is not None, reason=WHY_NOT or "")]
KEY = "kunci-redaksi-0123456789abcdef"


def _as_root(*args: str, cwd: Path) -> str:
    done = subprocess.run([*cari_command(), *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          umask=0o002)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def _shared_index(folder: Path) -> Path:
    index = folder / "index"
    index.mkdir(mode=0o775)
    shutil.chown(index, group="nogroup")
    index.chmod(0o2775)  # new generations keep the group
    return index


def _serve_as_nobody(folder: Path, index: Path) -> tuple[subprocess.Popen, str]:
    command = " ".join([*cari_command(), "serve", "--index", str(index), "--port", "0", "--workers", "2",
                        "--api-key-file", str(folder / "key")])
    proc = subprocess.Popen([*NOBODY, "sh", "-c", f"umask 002; exec {command}"], cwd=folder,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if " at http://" in line:
            return proc, line.split(" at ", 1)[1].split()[0].rstrip("/")
        if not line and proc.poll() is not None:
            break
    proc.kill()
    pytest.fail("cari serve did not start as nobody: " + proc.stderr.read())


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def _post(url: str, articles: list[dict]) -> dict:
    body = "".join(json.dumps(a) + "\n" for a in articles).encode()
    request = urllib.request.Request(f"{url}/api/documents", data=body, method="POST", headers={
        "Authorization": f"Bearer {KEY}", "Content-Type": "application/x-ndjson"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _ids(url: str, query: str) -> list[str]:
    return [hit["id"] for hit in _get(f"{url}/api/search?q={urllib.parse.quote(query)}&limit=50")[1]["results"]]


def _stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        return proc.communicate(timeout=30)[1]
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()[1]


def _eventually(check, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while not (result := check()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return result


@pytest.fixture
def shared_folder():
    folder = Path(tempfile.mkdtemp(prefix="cari-life-"))
    folder.chmod(0o755)
    (folder / "key").write_text(KEY)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_build_as_root_serve_as_nobody_add_by_the_api_export_rebuild_from_itself_compare(shared_folder):
    sources = shared_folder / "articles"
    shutil.copytree(SEEDS, sources)
    (sources / "cms.jsonl").write_text("".join(json.dumps(a) + "\n" for a in GIVEN), encoding="utf-8")
    index = _shared_index(shared_folder)
    assert "Indexed 8 documents" in _as_root("rebuild-index", str(sources), "--index", str(index), "-q",
                                             cwd=shared_folder)
    shutil.rmtree(sources)  # the folder is gone: from now on the index is the only record
    proc, url = _serve_as_nobody(shared_folder, index)
    try:
        posted = [{"id": "api-1", "title": "Banjir Bekasi", "text": "JAKARTA, KOMPAS.com - Banjir melanda "
                   "Bekasi.\n\nBaca juga: Warga mengungsi", "date": "Senin, 1 Januari 2024 | 08:00 WIB"},
                  {"id": "raw-3", "text": "Harga beras turun lagi.", "source": "Antara"}]  # a correction
        assert _post(url, posted)["upserted"] == ["api-1", "raw-3"]
        assert _ids(url, "banjir")[:1] == ["api-1"] or "api-1" in _ids(url, "banjir")
        before = _as_root("export", "--index", str(index), cwd=shared_folder)
        records = {r["id"]: r for r in map(json.loads, before.splitlines())}
        assert len(records) == 9 and records["api-1"] == posted[0] and records["raw-3"] == posted[1]
        queries = ["banjir", "rusia", "kazakhstan", "beras", "gempa cianjur", "pengusiran", "*"]
        answers = {q: _ids(url, q) for q in queries}
        generation = _get(f"{url}/healthz")[1]["generation"]
        assert "Indexed 9 documents, skipped 0" in _as_root("rebuild-index", "--full", "--index", str(index), "-q",
                                                           cwd=shared_folder)
        assert _eventually(lambda: _get(f"{url}/healthz")[1].get("generation") != generation)
        assert _as_root("export", "--index", str(index), cwd=shared_folder) == before
        assert {q: _ids(url, q) for q in queries} == answers
        assert _post(url, [{"id": "api-2", "text": "Gempa susulan di Cianjur."}])["upserted"] == ["api-2"]
        # A backup while it serves opens as an index holding what was served.
        assert "Backed up gen-" in _as_root("backup", str(shared_folder / "copy"), "--index", str(index),
                                            cwd=shared_folder)
        copied = _as_root("export", "--index", str(shared_folder / "copy"), cwd=shared_folder)
        assert copied == _as_root("export", "--index", str(index), cwd=shared_folder) and '"api-2"' in copied
    finally:
        log = _stop(proc)
    assert "Traceback" not in log and '"POST /api/documents HTTP/1.1" 200' in log


def test_an_index_of_the_previous_format_served_by_nobody_is_rebuilt_from_itself(shared_folder):
    index = _shared_index(shared_folder)
    shutil.copytree(FORMAT_7, index, dirs_exist_ok=True)
    subprocess.run(["chgrp", "-R", "nogroup", str(index)], check=True)
    subprocess.run(["chmod", "-R", "g+w", str(index)], check=True)
    proc, url = _serve_as_nobody(shared_folder, index)
    try:
        status, body = _get(f"{url}/api/search?q=banjir")
        assert status == 503 and "rebuild-index" in body["error"]
        _as_root("rebuild-index", "--full", "--index", str(index), "-q", cwd=shared_folder)
        assert _eventually(lambda: _get(f"{url}/api/search?q=banjir")[0] == 200)
        assert _ids(url, "banjir") == ["api-banjir-1"] and "42" in _ids(url, "beras")
        assert _post(url, [{"id": "baru", "text": "Banjir lagi di Bekasi."}])["upserted"] == ["baru"]
        assert sorted(_ids(url, "banjir")) == ["api-banjir-1", "baru"]
    finally:
        log = _stop(proc)
    assert "no sources needed" in log  # the outdated index's message, in the server's log
    expected = json.loads((FORMAT_7.parent / "index-format-7.expected.json").read_text(encoding="utf-8"))
    exported = {r["id"] for r in map(json.loads, _as_root("export", "--index", str(index), cwd=shared_folder)
                                     .splitlines())}
    assert exported == {d["id"] for d in expected["documents"]} | {"baru"}
    assert os.stat(index / "CURRENT").st_gid == os.stat(index).st_gid
