"""An index of another format is told to be rebuilt in one clear message, and a rebuild makes it current."""

import json
import shutil

import pytest

from search import Index, IndexOutdated
from search.index import generations
from search.index.format import INDEX_FORMAT
from tests.conftest import SEEDS, searcher_of


@pytest.fixture
def outdated_index(seed_index, tmp_path):
    """A copy of the seed index whose manifest says it was written in format 4 (before stable pickled names)."""
    index = tmp_path / "index"
    shutil.copytree(seed_index, index)
    generation = generations.live_generation(index)
    manifest = json.loads((generation / generations.MANIFEST).read_text(encoding="utf-8"))
    manifest.pop("index_format")
    (generation / generations.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return index


def test_a_new_index_records_its_format(seed_index):
    manifest = generations.read_manifest(generations.live_generation(seed_index))
    assert manifest["index_format"] == INDEX_FORMAT


def test_an_old_format_is_one_rebuild_message_in_the_library_and_the_cli(outdated_index, run_cli):
    with Index(outdated_index) as index, pytest.raises(IndexOutdated, match=r"format 4 or older.*rebuild-index --full"):
        index.search("rusia")
    result = run_cli("search", "rusia", "--index", outdated_index)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "rebuild-index --full" in result.output
    assert "Traceback" not in result.output


def test_an_old_format_is_a_503_in_the_web_app(outdated_index):
    from web.app import create_app

    response = create_app({"INDEX_DIR": str(outdated_index)}).test_client().get("/api/search?q=rusia")
    assert response.status_code == 503 and "rebuild-index" in response.get_json()["error"]


def test_a_rebuild_replaces_an_old_format_in_full(outdated_index, run_cli):
    from tests.conftest import SEEDS

    result = run_cli("rebuild-index", SEEDS, "--index", outdated_index)
    assert result.exit_code == 0 and "new" not in result.output  # a full rebuild, not an update
    with Index(outdated_index) as index:
        assert index.search("rusia").total == 5


def test_an_index_opens_without_unpickling_cari_classes(seed_index, monkeypatch):
    """Reading supplies Cari's schema: a pickled schema naming a moved module could not break it."""
    import pickle

    real_loads = pickle.loads

    def refusing_cari(data, *args, **kwargs):
        assert b"search.index" not in data and b"search.analysis" not in data
        return real_loads(data, *args, **kwargs)

    monkeypatch.setattr(pickle, "loads", refusing_cari)
    with Index(seed_index) as index:
        assert index.search("mengusir").hits[0].snippet.spans


OFFICES = [
    {"id": "mendagri", "title": "Rapat pilkada", "text": "Menteri Dalam Negeri Tjahjo Kumolo memimpin rapat."},
    {"id": "menlu", "title": "Kunjungan", "text": "Menteri Luar Negeri Retno Marsudi tiba di Ottawa."},
]


@pytest.fixture
def format_10(tmp_path, monkeypatch):
    """An index as format 10 wrote it: no abbreviation's term where its full form stands, its manifest saying 10."""
    import search._whoosh.analyzers
    import search._whoosh.fastindex
    import search.index.format

    with monkeypatch.context() as patched:
        patched.setattr(search.index.format, "INDEX_FORMAT", 10)
        patched.setattr(search._whoosh.fastindex, "abbreviations_in", lambda words: [])
        patched.setattr(search._whoosh.analyzers, "abbreviations_in", lambda words: [])
        searcher_of(OFFICES, tmp_path).close()
    return tmp_path / "index"


def test_an_index_of_format_10_still_serves_searches_asking_an_abbreviations_full_form(format_10, run_cli):
    # Index format 11 holds an abbreviation where its full form stands; an index of 10 serves until rebuilt (at
    # 1,000,000 articles ~20 minutes), its abbreviations searching their full form as a phrase, as 10 did.
    assert generations.read_manifest(generations.live_generation(format_10))["index_format"] == 10
    with Index(format_10) as index:
        assert [hit.id for hit in index.search("mendagri").hits] == ["mendagri"]
        assert [hit.id for hit in index.search("menlu").hits] == ["menlu"]
    result = run_cli("add", SEEDS, "--index", format_10)  # writes need the rebuild
    assert result.exit_code == 1 and "`cari rebuild-index --full`" in result.output
    result = run_cli("rebuild-index", "--full", "--index", format_10)
    assert result.exit_code == 0, result.output
    assert generations.read_manifest(generations.live_generation(format_10))["index_format"] == INDEX_FORMAT
    with Index(format_10) as index:
        assert [hit.id for hit in index.search("mendagri").hits] == ["mendagri"]


def test_an_index_of_another_analysis_is_told_to_rebuild_from_its_own_articles_not_that_it_is_damaged(
        seed_index, tmp_path, run_cli):
    """Same format, another fingerprint (a Cari whose word lists or fields changed, or a flipped byte of the
    fingerprint): `cari check` finds every byte as written and searches answer, but `cari add` said 'it is damaged'
    and asked for all the sources. It says what it is, and the rebuild it names works without sources."""
    index = tmp_path / "index"
    shutil.copytree(seed_index, index)
    generation = generations.live_generation(index)
    manifest = json.loads((generation / generations.MANIFEST).read_text(encoding="utf-8"))
    manifest["fingerprint"] = "0" * 40
    (generation / generations.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert run_cli("check", "--index", index).exit_code == 0
    result = run_cli("add", SEEDS, "--index", index)
    assert result.exit_code == 1
    assert "damaged" not in result.output and "another version of Cari" in result.output
    assert "`cari rebuild-index --full` (no sources needed" in result.output
    result = run_cli("rebuild-index", "--full", "--index", index)
    assert result.exit_code == 0, result.output
    assert run_cli("add", SEEDS, "--index", index).exit_code == 0
