"""Indexing workers send their signatures and new roots as they go, and forget all but their first roots: the
records a build writes are those of a build in one process."""

import json
import random
from pathlib import Path

import numpy as np

import search.index.workers
from search.index import generations, stories
from search.index.build import build_index
from search.index.format import ROOTS
from search.index.signatures import NUM_PERM, SignatureRows

WORDS = ["banjir", "melanda", "kota", "setelah", "hujan", "deras", "semalaman", "warga", "mengungsi", "ke", "masjid",
         "terdekat", "sementara", "petugas", "memompa", "air", "dari", "jalan", "utama", "gempa", "mengguncang",
         "rumah", "rusak", "pemerintah", "daerah", "menyalurkan", "bantuan", "makanan", "selimut", "obat-obatan",
         "kepada", "pengungsi", "di", "posko"]


def _syllables(n: int) -> str:
    """A made-up stem of its own for each number."""
    found = "ba"
    while n:
        n, digit = divmod(n, 20)
        found += "bcdfghjklmnprstvwyzq"[digit] + "aiueo"[digit % 5]
    return found


def _articles(count: int) -> dict[str, str]:
    """Bodies of 20-60 words (some too short to sign), a few copied whole (a story), each with a word of its own
    (so that every worker keeps stemming new words)."""
    draw = random.Random(7)
    bodies = {}
    for n in range(count):
        words = [draw.choice(WORDS) for _ in range(draw.randint(20, 60))]
        words.insert(draw.randrange(len(words)), f"mem{_syllables(n)}kan")
        bodies[f"a{n}"] = " ".join(words)
    for n in range(0, count, 97):
        bodies[f"copy{n}"] = bodies[f"a{n}"]
    return bodies


def _write_jsonl(path: Path, articles: dict) -> None:
    path.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in articles.items()), encoding="utf-8")


def test_reported_signatures_and_roots_are_those_of_one_process(tmp_path, monkeypatch):
    source = tmp_path / "news.jsonl"
    _write_jsonl(source, _articles(1200))
    monkeypatch.setattr(search.index.workers, "BATCH_SIZE", 5)
    monkeypatch.setattr(search.index.workers, "MIN_BATCHES_FOR_WORKERS", 2)
    serial = build_index([source], tmp_path / "serial", procs=1, full=True)
    monkeypatch.setattr(search.index.workers, "REPORT_DOCUMENTS", 7)  # many reports, each with a few new roots
    monkeypatch.setattr(search.index.workers, "ROOTS_KEPT", 5)  # each worker forgets nearly every root it made
    parallel = build_index([source], tmp_path / "parallel", procs=2, full=True)
    assert serial.indexed == parallel.indexed == 1200 + len(range(0, 1200, 97))
    one, two = (generations.live_generation(tmp_path / name) for name in ("serial", "parallel"))
    records = [stories.read(one), stories.read(two)]
    assert records[0] is not None and records[1] is not None
    assert records[0].ids == records[1].ids
    assert np.array_equal(records[0].values, records[1].values)
    assert sum(not row.any() for row in records[1].values) > 0  # some bodies were too short
    assert sorted(map(sorted, records[0].groups())) == sorted(map(sorted, records[1].groups()))
    assert len(records[1].groups()) >= 5  # the copies long enough to sign, each with its original
    roots = [generations.read_record(one, ROOTS), generations.read_record(two, ROOTS)]
    assert roots[1] == roots[0]
    made_up = [f"mem{_syllables(n)}kan" for n in range(1200)]
    assert all(roots[1][word] == roots[0][word] for word in made_up)


def test_signature_rows_keep_each_signature_and_the_missing_ones(monkeypatch):
    monkeypatch.setattr(SignatureRows, "BLOCK", 4)
    rows = SignatureRows()
    made = {f"d{n}": (None if n % 3 == 0 else np.full(NUM_PERM, n, dtype=np.uint32)) for n in range(11)}
    rows["d0"] = made["d0"]
    rows["d1"] = made["d1"]
    rest = [f"d{n}" for n in range(2, 11)]
    signed = [made[doc_id] is not None for doc_id in rest]
    rows.add_rows(rest, np.stack([made[doc_id] for doc_id, has in zip(rest, signed, strict=True) if has]), signed)
    assert list(rows) == list(made) and len(rows) == 11
    for doc_id, found in made.items():
        assert doc_id in rows
        assert rows[doc_id] is None if found is None else np.array_equal(rows[doc_id], found)
    assert "d11" not in rows and rows.get("d11") is None
    rows["d4"] = None  # made again: the last one counts
    assert rows["d4"] is None and len(rows) == 11
