"""Updates never remove what the user did not mean to remove, and no input line stops a build.

``rebuild-index`` makes the index exactly its sources but refuses a typo, an
empty folder or a rebuild that would empty the archive; ``add`` only adds;
``remove`` removes by id; ``--dry-run`` changes nothing.
"""

import json
import os
import shutil

import pytest

from search import Index
from search.index import generations
from tests.conftest import SEEDS, write_jsonl

KOMPAS_ID = "000_820b055c4d7704aa"


@pytest.fixture
def index(seed_index, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(seed_index, copy)
    return copy


def count(index) -> int:
    with Index(index) as opened:
        return opened.stats()["documents"]


def jsonl(path, *articles):
    write_jsonl(path, articles)
    return path


def test_a_missing_source_is_an_error_and_changes_nothing(index, run_cli):
    live = generations.live_generation(index)
    result = run_cli("rebuild-index", "seedz", "--index", index)
    assert result.exit_code == 1 and "No such file or folder: seedz" in result.output
    assert generations.live_generation(index) == live and count(index) == 5


def test_an_empty_folder_is_an_error(index, run_cli, tmp_path):
    (tmp_path / "empty").mkdir()
    result = run_cli("rebuild-index", tmp_path / "empty", "--index", index)
    assert result.exit_code == 1 and "holds no article" in result.output and count(index) == 5


def test_a_rebuild_removing_most_articles_is_refused_unless_allowed(index, run_cli, tmp_path):
    today = jsonl(tmp_path / "today.jsonl", {"id": "t1", "text": "Banjir melanda Bekasi."})
    refused = run_cli("rebuild-index", today, "--index", index)
    assert refused.exit_code == 1 and "would remove 5 of the index's 5 articles" in refused.output
    assert "cari add" in refused.output and count(index) == 5
    allowed = run_cli("rebuild-index", today, "--index", index, "--allow-removals")
    assert allowed.exit_code == 0 and count(index) == 1


def test_add_adds_and_updates_and_removes_nothing(index, run_cli, tmp_path):
    today = jsonl(tmp_path / "today.jsonl", {"id": "t1", "text": "Banjir melanda Bekasi."},
                  {"id": KOMPAS_ID, "text": "Versi baru artikel ini tentang Kazakhstan."})
    result = run_cli("add", today, "--index", index)
    assert result.exit_code == 0 and "(1 new, 1 changed, 0 removed, 0 unchanged)" in result.output
    assert count(index) == 6
    with Index(index) as opened:
        assert opened.article(KOMPAS_ID).paragraphs[0].text.startswith("Versi baru")
    again = run_cli("rebuild-index", SEEDS, "--index", index)  # 1 of 6 removed: under half, allowed
    assert again.exit_code == 0 and count(index) == 5


def test_add_reads_json_lines_from_standard_input(index, runner):
    from search.cli import cli

    lines = json.dumps({"id": "stdin1", "text": "Gempa mengguncang Cianjur."}) + "\n"
    result = runner.invoke(cli, ["add", "-", "--index", str(index)], input=lines)
    assert result.exit_code == 0, result.output
    with Index(index) as opened:
        assert [hit.id for hit in opened.search("cianjur").hits] == ["stdin1"]


def test_remove_removes_by_id_and_reports_unknown_ones(index, run_cli, tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("tidak-ada\n", encoding="utf-8")
    result = run_cli("remove", KOMPAS_ID, "--ids-from", ids, "--index", index)
    assert result.exit_code == 0
    assert "unknown id 'tidak-ada'" in result.output and "Removed 1 article, 1 unknown" in result.output
    assert count(index) == 4
    with Index(index) as opened:
        assert opened.article(KOMPAS_ID) is None
    assert run_cli("remove", "tidak-ada", "--index", index).exit_code == 1  # nothing found to remove


def test_dry_runs_report_and_change_nothing(index, run_cli, tmp_path):
    live = generations.live_generation(index)
    today = jsonl(tmp_path / "today.jsonl", {"id": "t1", "text": "Banjir melanda Bekasi."})
    added = run_cli("add", today, "--index", index, "--dry-run")
    assert "Would index 1 document (1 new, 0 changed, 0 removed, 0 unchanged)" in added.output
    rebuilt = run_cli("rebuild-index", today, "--index", index, "--dry-run", "--allow-removals")
    assert "(1 new, 0 changed, 5 removed, 0 unchanged)" in rebuilt.output and "nothing was changed" in rebuilt.output
    removed = run_cli("remove", KOMPAS_ID, "--index", index, "--dry-run")
    assert "Would remove 1 article" in removed.output
    assert generations.live_generation(index) == live and count(index) == 5


def test_an_unreadable_folder_is_reported_and_its_articles_kept(index, run_cli, tmp_path, monkeypatch):
    source = tmp_path / "source"
    shutil.copytree(SEEDS, source / "a")
    (source / "b").mkdir()
    shutil.move(str(source / "a" / sorted(os.listdir(source / "a"))[0]), source / "b")
    real_scandir = os.scandir

    def scandir(path="."):  # root reads every folder: make b unreadable the way a permission error does
        if isinstance(path, str) and path.endswith(os.sep + "b"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = run_cli("rebuild-index", source, "--index", index)
    assert result.exit_code == 0
    assert "Permission denied" in result.output and "1 article(s) not found were kept" in result.output
    assert count(index) == 5
    assert run_cli("rebuild-index", source, "--index", index, "--strict").exit_code == 1


def test_no_input_line_stops_a_build(tmp_path, run_cli):
    nested = '{"id": "deep", "text": ' + "[" * 100_000 + "]" * 100_000 + "}"
    lines = [nested, json.dumps({"id": "cafe", "text": "Kopi di caf\udce9 itu enak."}),
             json.dumps({"id": "ok", "text": "Banjir melanda Bekasi."})]
    source = tmp_path / "source"
    source.mkdir()
    (source / "bad.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    os.mkdir(os.fsencode(source) + b"/caf\xe9")  # a folder name that is not UTF-8
    (source / "caf\udce9" / "berita.txt").write_text("Gempa mengguncang Cianjur pagi ini.", encoding="utf-8")
    (source / "baris\nbaru.txt").write_text("Hujan deras di Bogor.", encoding="utf-8")
    os.symlink("/etc/passwd", source / "rahasia.txt")
    result = run_cli("rebuild-index", source, "--index", tmp_path / "index")
    assert result.exit_code == 0, result.output
    assert "bad.jsonl:1: JSON nested too deeply" in result.output
    assert "lone surrogate" in result.output
    assert "rahasia.txt: a link to a file outside the source folder" in result.output
    with Index(tmp_path / "index") as opened:
        assert opened.stats()["documents"] == 4
        assert opened.search("kopi").hits[0].id == "cafe"
        assert opened.search("cianjur").hits[0].id == "berita"
        assert opened.search("root").total == 0  # /etc/passwd was not read
        # A newline in a file name is escaped in the id and origin: it cannot forge a line of a report.
        assert opened.search("bogor").hits[0].id == "baris\\nbaru"


def test_a_utf16_page_is_read_not_called_binary(tmp_path, run_cli):
    source = tmp_path / "source"
    source.mkdir()
    (source / "unicode.txt").write_bytes("Gempa mengguncang Cianjur pagi ini.".encode("utf-16"))
    result = run_cli("rebuild-index", source, "--index", tmp_path / "index")
    assert result.exit_code == 0 and "binary" not in result.output
    with Index(tmp_path / "index") as opened:
        assert opened.search("cianjur").hits[0].id == "unicode"


def test_an_id_with_a_newline_is_escaped_and_opens_on_the_web(tmp_path, run_cli):
    from web.app import create_app

    source = jsonl(tmp_path / "ids.jsonl", {"id": "baris\nbaru", "text": "Hujan deras di Bogor."})
    result = run_cli("rebuild-index", source, "--index", tmp_path / "index")
    assert result.exit_code == 0 and "control characters" in result.output
    client = create_app({"INDEX_DIR": str(tmp_path / "index")}).test_client()
    hit = client.get("/api/search?q=bogor").get_json()["results"][0]
    assert hit["id"] == "baris\\nbaru"
    assert client.get("/article/baris%5Cnbaru").status_code == 200
