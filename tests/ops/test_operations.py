"""Operable as services are: an access log, /metrics in the Prometheus format, a configuration file."""

from __future__ import annotations

import re
import select
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from search.index import generations
from tests.conftest import ROOT, cari_command
from web.app import create_app

COMBINED = re.compile(r'^\S+ \S+ \S+ \[[^\]]+\] "GET (\S+) HTTP/1\.[01]" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"$')


def _metrics(text: str) -> dict:
    """``{(name, labels as a sorted tuple): value}`` of a Prometheus text exposition."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return found


def test_metrics_count_requests_latency_budget_stops_and_the_index(seed_index):
    client = create_app({"INDEX_DIR": str(seed_index)}).test_client()
    before = _metrics(client.get("/metrics").get_data(as_text=True))
    for _ in range(3):
        assert client.get("/api/search?q=rusia").status_code == 200
    assert client.get("/search?q=pasukan").status_code == 200
    assert client.get("/api/article/no-such-id").status_code == 404
    assert client.get("/no/such/page").status_code == 404
    slow = create_app({"INDEX_DIR": str(seed_index), "SEARCH_BUDGET_SECONDS": 1e-9}).test_client()
    assert slow.get("/api/search?q=rusia").status_code == 503
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    after = _metrics(response.get_data(as_text=True))

    def grew(name: str, **labels) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("cari_http_requests_total", route="/api/search", method="GET", status="200") == 3
    assert grew("cari_http_requests_total", route="/search", method="GET", status="200") == 1
    assert grew("cari_http_requests_total", route="/api/article/<path:doc_id>", method="GET", status="404") == 1
    assert grew("cari_http_requests_total", route="(unmatched)", method="GET", status="404") == 1  # no path kept
    assert grew("cari_http_requests_total", route="/api/search", method="GET", status="503") == 1
    assert grew("cari_search_duration_seconds_count", route="/api/search") == 4  # the stopped one too
    assert grew("cari_search_duration_seconds_bucket", route="/api/search", le="+Inf") == 4
    assert grew("cari_search_budget_stops_total", kind="slow") == 1
    assert ("cari_search_budget_stops_total", (("kind", "busy"),)) in after
    generation = generations.live_generation(seed_index).name
    assert after["cari_index_documents", ()] == 5 and after["cari_index_up", ()] == 1
    assert after["cari_index_generation", (("generation", generation),)] == 1
    assert 0 <= after["cari_index_generation_age_seconds", ()] < 24 * 3600


def test_metrics_without_an_index_say_it_is_down(tmp_path):
    text = create_app({"INDEX_DIR": str(tmp_path / "none")}).test_client().get("/metrics").get_data(as_text=True)
    assert _metrics(text)["cari_index_up", ()] == 0 and ("cari_index_documents", ()) not in _metrics(text)


def _serve(index: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([*cari_command(), "serve", "--index", str(index), "--port", "0", *extra], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if select.select([proc.stdout], [], [], 1)[0]:
            line = proc.stdout.readline()
            if " at http://" in line:
                return proc, line.split(" at ", 1)[1].split()[0].rstrip("/")
    proc.kill()
    pytest.fail("cari serve did not start: " + proc.stderr.read())


def _get(url: str) -> int:
    request = urllib.request.Request(url, headers={"User-Agent": "uji/1.0", "Referer": "http://rujukan.example/"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def _stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err


@pytest.mark.server
def test_serve_logs_every_request_in_the_combined_format_and_sums_its_workers_metrics(seed_index):
    proc, url = _serve(seed_index, "--workers", "2")
    try:
        statuses = [_get(f"{url}/api/search?q=rusia") for _ in range(12)] + [_get(f"{url}/no-such-page")]
        metrics = _metrics(urllib.request.urlopen(f"{url}/metrics", timeout=30).read().decode())
    finally:
        log = _stop(proc)
    assert statuses == [200] * 12 + [404]
    lines = [m for m in map(COMBINED.match, log.splitlines()) if m]
    # Two workers write the log: in the order each wrote it, not necessarily the requests' order.
    assert sorted(m.group(1, 2) for m in lines) == sorted([("/api/search?q=rusia", "200")] * 12
                                                          + [("/no-such-page", "404"), ("/metrics", "200")])
    assert lines[0].group(4, 5) == ("http://rujukan.example/", "uji/1.0")
    # Each request went to either worker (no keep-alive); the scrape adds both up.
    assert metrics["cari_http_requests_total", (("method", "GET"), ("route", "/api/search"), ("status", "200"))] == 12


@pytest.mark.server
def test_the_access_log_goes_to_a_file_or_nowhere(seed_index, tmp_path):
    proc, url = _serve(seed_index, "--workers", "1", "--access-log", str(tmp_path / "access.log"),
                       "--log-level", "info")
    try:
        assert _get(f"{url}/search?q=rusia") == 200
    finally:
        err = _stop(proc)
    assert "/search?q=rusia" not in err and "Booting worker" in err  # info: the error log says more
    assert COMBINED.match((tmp_path / "access.log").read_text().splitlines()[0])
    proc, url = _serve(seed_index, "--workers", "1", "--access-log", "off")
    try:
        assert _get(f"{url}/search?q=rusia") == 200
    finally:
        err = _stop(proc)
    assert "GET /search" not in err and "Booting worker" not in err  # warning, the default


CONFIG = """\
index = "{index}"

[search]
limit = 1
as_typed = true

[synonyms.list]
json = true
"""


def test_a_configuration_file_gives_options_the_command_line_overrides(seed_index, tmp_path, run_cli, monkeypatch):
    config = tmp_path / "site.toml"
    config.write_text(CONFIG.format(index=seed_index), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no index here: the file's own is used
    monkeypatch.delenv("CARI_INDEX", raising=False)
    result = run_cli("--config", config, "search", "rusia")
    assert result.exit_code == 0 and "showing 1-1" in result.output
    assert "showing 1-2" in run_cli("--config", config, "search", "rusia", "-n", "2").output  # the command line wins
    other = tmp_path / "other"
    assert "There is no index in the folder" in run_cli("--config", config, "search", "rusia", "--index", other).output
    assert run_cli("--config", config, "synonyms", "list").output.strip() == "[]"  # a sub-command's table
    monkeypatch.setenv("CARI_CONFIG", str(config))
    assert "showing 1-1" in run_cli("search", "rusia").output
    monkeypatch.delenv("CARI_CONFIG")
    (tmp_path / "cari.toml").write_text(CONFIG.format(index=seed_index).replace("limit = 1", "limit = 3"))
    assert "showing 1-3" in run_cli("search", "rusia").output  # ./cari.toml when present


@pytest.mark.parametrize(("text", "said"), [
    ("[serve]\nprot = 8080\n", "Unknown key 'prot' in [serve] of"),
    ("[serach]\nlimit = 1\n", "Unknown key 'serach' in the configuration file"),
    ("colour = 1\n", "Unknown key 'colour'"),
    ("[synonyms.lst]\njson = true\n", "Unknown key 'lst' in [synonyms]"),
    ("[serve\nport = 1\n", "is not valid TOML"),
    ("[serve]\nport = \"lima\"\n", "Invalid value for '--port'"),
])
def test_a_configuration_file_with_a_mistake_is_an_error_naming_it(tmp_path, run_cli, text, said):
    config = tmp_path / "cari.toml"
    config.write_text(text, encoding="utf-8")
    # A value is checked as the option's own (serve fails on it before it starts).
    result = run_cli("--config", config, "serve" if "lima" in text else "stats")
    assert result.exit_code != 0 and said in result.output, result.output
    if "Unknown" in said:
        assert str(config) in result.output


def test_the_example_configuration_in_the_docs_is_valid(run_cli, seed_index):
    from search.cli import cli
    from search.cli.config import default_map

    defaults = default_map(cli, ROOT / "docs" / "cari.toml")
    assert defaults["serve"]["port"] == 8080 and defaults["serve"]["api_key_file"]
    assert defaults["search"]["index_dir"] == defaults["serve"]["index_dir"]
