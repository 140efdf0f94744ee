"""The story record's signatures in parts (``search.index.story_parts``, issue 24: a write at 1,000,000 articles
wrote all 256 MB of them again): a write leaves the parts it does not touch as the same files, and the record
reads as the whole one did, in parts or (an index written before them) whole."""

from __future__ import annotations

import os
import random

import numpy as np
import pytest

from search.index import generations, signatures, stories, story_parts
from search.index.batch import ADD
from search.index.build import build_index
from search.index.changes import remove_articles
from tests.conftest import make_index, write_jsonl

WORDS = ("banjir", "gempa", "pemilu", "harga", "beras", "jalan", "tol", "kereta", "cepat", "bandara", "hujan",
         "sungai", "kota", "desa", "pasar", "sekolah")


def _article(n: int) -> dict:
    draw = random.Random(n)
    return {"id": f"a{n:03d}", "title": f"Berita {n}", "date": f"2023-05-{n % 28 + 1:02d}T08:00:00+07:00",
            "text": " ".join(draw.choice(WORDS) + str(draw.randrange(50)) for _ in range(45)) + "."}


def _parts(generation) -> dict[str, int]:
    """Each part file of ``generation`` by name: its inode (the same file when hard-linked)."""
    return {path.name: os.stat(path).st_ino for path in generation.glob(f"{story_parts.PREFIX}*.npy")}


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(story_parts, "PART_ROWS", 4)


def test_a_write_keeps_the_parts_it_does_not_touch_and_the_record_reads_whole(tmp_path, small_parts):
    index = make_index(tmp_path, [_article(n) for n in range(18)])  # parts of 4, 4, 4, 4, 2 rows
    first = generations.live_generation(index)
    before, record = _parts(first), stories.read(first, with_pairs=True)
    assert record is not None and record.parts is not None and [size for _, size in record.parts] == [4, 4, 4, 4, 2]
    assert "values" not in np.load(first / stories.RECORD).files  # the signatures are in the parts alone

    build_index([write_jsonl(tmp_path / "more.jsonl", [_article(n) for n in range(18, 21)])], index, mode=ADD)
    added = generations.live_generation(index)
    after = _parts(added)
    grown = stories.read(added, with_pairs=True)
    assert grown is not None and grown.parts is not None
    assert [size for _, size in grown.parts] == [4, 4, 4, 4, 4, 1]
    assert sum(after[name] == before.get(name) for name in after) == 4  # the four full parts: the same files
    assert np.array_equal(grown.values[:18], record.values) and grown.ids[:18] == record.ids

    remove_articles(index, ["a005"])  # in the second part
    removed = generations.live_generation(index)
    left = stories.read(removed, with_pairs=True)
    assert left is not None and left.parts is not None and [size for _, size in left.parts] == [4, 3, 4, 4, 4, 1]
    kept = _parts(removed)
    assert sum(kept[name] == after.get(name) for name in kept) == 5  # only the part that held it is new
    keep = [n for n, doc_id in enumerate(grown.ids) if doc_id != "a005"]
    assert np.array_equal(left.values, grown.values[keep]) and left.ids == [grown.ids[n] for n in keep]
    regrouped = stories.group(left.signatures())
    assert np.array_equal(left.story, regrouped.story)


def test_a_record_written_whole_before_parts_is_read_and_written_in_parts_next(tmp_path, small_parts):
    index = make_index(tmp_path, [_article(n) for n in range(10)])
    record = stories.read(generations.live_generation(index), with_pairs=True)
    assert record is not None and record.pairs is not None
    old = tmp_path / "old"
    old.mkdir()
    np.savez(old / stories.RECORD, version=np.array([stories.VERSION]),  # as the code before parts wrote it
             ids=np.frombuffer("\n".join(record.ids).encode(), dtype=np.uint8), values=record.values,
             story=record.story, pairs=record.pairs.astype(np.int32))
    read = stories.read(old, with_pairs=True)
    assert read is not None and read.parts is None and np.array_equal(read.values, record.values)
    stories.write(old, read)
    again = stories.read(old)
    assert again is not None and again.parts is not None and np.array_equal(again.values, record.values)
    assert len(_parts(old)) == 3


def test_a_part_that_is_not_the_one_listed_makes_the_record_unreadable(tmp_path, small_parts):
    index = make_index(tmp_path, [_article(n) for n in range(10)])
    live = generations.live_generation(index)
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in [live / stories.RECORD, *live.glob(f"{story_parts.PREFIX}*.npy")]:
        (copy / path.name).write_bytes(path.read_bytes())
    part = story_parts.file_of(copy, 1)
    np.save(part, np.zeros((3, signatures.NUM_PERM), dtype=np.uint32))  # a row short
    assert stories.read(copy) is None
    assert stories.read(copy, with_values=False) is not None  # what a searcher reads is still there
