"""deploy/: the systemd units, the daily job's script, the reverse proxy, checked by the tools that read them."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess

import pytest

from tests.conftest import ROOT, SEEDS, cari_command
from tests.ops.haproxy_front import HAPROXY

DEPLOY = ROOT / "deploy"


def _unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # systemd's keys are case-sensitive
    unit.read(DEPLOY / name, encoding="utf-8")
    return unit


def test_the_service_serves_under_its_own_user_with_the_config_file():
    service = _unit("cari.service")["Service"]
    assert service["ExecStart"].split()[1:] == ["serve"] and service["User"] == "cari"
    assert service["Environment"] == "CARI_CONFIG=/etc/cari/cari.toml" and service["UMask"] == "0022"
    assert (ROOT / "docs" / "cari.toml").is_file() and "/etc/cari/cari.toml" in (ROOT / "docs" / "cari.toml").read_text()
    timer = _unit("cari-add.timer")["Timer"]
    assert timer["OnCalendar"] == "*-*-* 02:30:00" and timer["Persistent"] == "true"
    assert _unit("cari-add.service")["Service"]["User"] == "cari"


@pytest.mark.server
@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_reads_the_units():
    done = subprocess.run(["systemd-analyze", "verify", *(str(DEPLOY / n) for n in
                                                          ("cari.service", "cari-add.service", "cari-add.timer"))],
                          capture_output=True, text=True)
    # The programs are not installed here (/opt/cari): that, and only that, may be said.
    problems = [line for line in done.stderr.splitlines() if line.strip() and "is not executable" not in line]
    assert problems == [], done.stderr


@pytest.mark.server
@pytest.mark.skipif(HAPROXY is None, reason="haproxy is not installed (apt-get install haproxy)")
def test_haproxy_reads_its_configuration(tmp_path):
    text = (DEPLOY / "haproxy.cfg").read_text(encoding="utf-8")
    assert "timeout http-request" in text and "option httpchk GET /healthz" in text
    # Without the certificate and the haproxy user of a real machine.
    testable = text.replace("bind :443 ssl crt /etc/haproxy/certs/cari.pem alpn h2,http/1.1", "bind :8443")
    testable = "\n".join(line for line in testable.splitlines() if line.strip() not in ("user haproxy",
                                                                                        "group haproxy", "daemon"))
    (tmp_path / "haproxy.cfg").write_text(testable + "\n", encoding="utf-8")
    done = subprocess.run([str(HAPROXY), "-c", "-f", str(tmp_path / "haproxy.cfg")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.server
def test_the_daily_job_adds_each_file_once_and_keeps_them_on_failure(tmp_path):
    incoming, added, index = tmp_path / "incoming", tmp_path / "added", tmp_path / "index"
    incoming.mkdir()
    shutil.copytree(SEEDS, incoming / "seeds")
    cari = tmp_path / "cari"  # the installed command, as the unit names it
    cari.write_text("#!/bin/sh\nexec " + " ".join(f"'{part}'" for part in cari_command()) + ' "$@"\n')
    cari.chmod(0o755)
    # Every run in the same second, as on a fast machine: each run must still have a batch folder of its own.
    clock = tmp_path / "bin"
    clock.mkdir()
    (clock / "date").write_text("#!/bin/sh\necho 2026-12-06T000000\n")
    (clock / "date").chmod(0o755)
    env = {**os.environ, "CARI": str(cari), "CARI_INDEX": str(index), "PATH": f"{clock}:{os.environ['PATH']}"}

    def run():
        return subprocess.run([str(DEPLOY / "cari-add-incoming"), str(incoming), str(added)], env=env,
                              capture_output=True, text=True, timeout=300)

    done = run()
    assert done.returncode == 0 and "Indexed 5 documents, skipped 0" in done.stdout, done.stderr
    assert list(incoming.iterdir()) == [] and len(list(added.iterdir())) == 1
    done = run()
    assert done.returncode == 0 and "Nothing to add" in done.stdout
    (incoming / "baru.jsonl").write_text('{"id": "baru-1", "text": "Banjir melanda Bekasi."}\n', encoding="utf-8")
    index.joinpath("CURRENT").write_text("gen-gone")  # a broken index: the add fails
    done = run()
    assert done.returncode == 1 and "back in" in done.stderr
    assert [p.name for p in incoming.iterdir()] == ["baru.jsonl"] and len(list(added.iterdir())) == 1
