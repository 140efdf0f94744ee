"""Damage is detected, not served: a flipped byte in any index file is one clear message, and a rebuild repairs it."""

import random
import shutil

import pytest

from search import Index, IndexDamaged
from search.index import checksums, generations
from tests.conftest import SEEDS


@pytest.fixture
def index(seed_index, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(seed_index, copy)
    return copy


def index_files(index):
    generation = generations.live_generation(index)
    return sorted(p for p in generation.iterdir() if p.is_file() and p.name != generations.MANIFEST and p.stat().st_size)


def flip(path, rng) -> None:
    data = bytearray(path.read_bytes())
    at = rng.randrange(len(data))
    data[at] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))


def test_every_kind_of_index_file_is_checked(index):
    kinds = {p.suffix or p.name for p in index_files(index)}
    assert {".toc", ".seg", ".gz"} <= kinds  # Whoosh's table of contents, its segments, Cari's records


def test_a_flipped_byte_in_any_file_is_a_clear_damaged_message(index):
    rng = random.Random(13)
    files = index_files(index)
    for trial in range(50):
        path = files[trial % len(files)]
        original = path.read_bytes()
        flip(path, rng)
        with Index(index) as opened, pytest.raises(IndexDamaged, match="damaged .*cari rebuild-index") as caught:
            opened.search("kazakhstan")
        assert path.name in str(caught.value)
        path.write_bytes(original)
    with Index(index) as opened:
        assert opened.search("kazakhstan").total == 5  # and the restored index is sound again


def test_the_cli_says_damaged_and_the_advised_rebuild_repairs_it(index, run_cli):
    rng = random.Random(5)
    for path in index_files(index):
        flip(path, rng)
    result = run_cli("search", "kazakhstan", "--index", index)
    assert result.exit_code == 1 and "damaged" in result.output and "Traceback" not in result.output
    rebuilt = run_cli("rebuild-index", SEEDS, "--index", index)  # an update: it must not carry damage forward
    assert rebuilt.exit_code == 0, rebuilt.output
    assert run_cli("search", "kazakhstan", "--index", index).exit_code == 0


def test_a_pointer_that_is_not_text_is_damage_not_a_traceback(index, run_cli):
    (index / generations.POINTER).write_bytes(b"gen-\xff\xfe")
    result = run_cli("search", "rusia", "--index", index)
    assert result.exit_code == 1 and "damaged" in result.output


def test_an_update_never_writes_into_the_files_of_the_live_index(index, run_cli, tmp_path):
    """An update starts from hard links to the live files: its own records must be new files."""
    live = generations.live_generation(index)
    before = {p.name: p.read_bytes() for p in live.iterdir() if p.is_file()}
    extra = tmp_path / "extra.jsonl"
    extra.write_text('{"id": "x1", "text": "Banjir melanda Bekasi."}\n', encoding="utf-8")
    assert run_cli("add", extra, "--index", index).exit_code == 0
    assert {p.name: p.read_bytes() for p in live.iterdir() if p.is_file()} == before


def test_a_process_reads_a_file_it_found_sound_once_and_again_once_written_into(index, monkeypatch):
    """A worker reopening after a write checks only new files (the segments are hard links): not what changed."""
    monkeypatch.setattr(checksums, "SETTLED_NS", -1)  # every file counts as settled, however new
    read = []
    real = checksums.file_checksum
    monkeypatch.setattr(checksums, "file_checksum", lambda path, stop=None: read.append(path.name) or real(path, stop))
    with Index(index) as opened:
        assert opened.search("kazakhstan").total == 5
    assert {p.name for p in index_files(index)} <= set(read)
    read.clear()
    with Index(index) as opened:
        assert opened.search("kazakhstan").total == 5
    assert read == []  # the same files: not read again
    segment = next(p for p in index_files(index) if p.suffix == ".seg")
    flip(segment, random.Random(3))
    with Index(index) as opened, pytest.raises(IndexDamaged, match="damaged"):
        opened.search("kazakhstan")
    assert read == [segment.name]
