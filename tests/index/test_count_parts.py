"""The names' term counts in parts (``search.index.count_parts``; issue 24: a write's CPU proportional to the write, not
to the archive): a write of a few articles adds one small part of what it changed and leaves the parts before it as
they are (the live generation's files), the counts read back are those counted from scratch, they are written whole
again past a bound, and a crash between the parts' writes leaves the previous generation serving with its counts."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import search
from search.errors import CariError
from search.index import count_parts, generations, kept, name_counts, name_learning
from search.index.names import NAMES, names_record
from search.index.npz import read_arrays
from tests.conftest import make_index

pytestmark = pytest.mark.slow

SAID = "\n\"Kami sudah memeriksa,\" kata Juru Bicara KPK Febri Diansyah kepada wartawan."


def _articles(docs: list[dict]) -> list:
    return [search.given_article(doc, "test")[0] for doc in docs]


def _ids(ix, text: str) -> set[str]:
    return {hit.id for hit in ix.search(text, limit=50, group=False).hits}


def _live(index):
    return generations.live_generation(index)


def _from_scratch(index) -> tuple[list, dict]:
    """(the names record, the counts) of the live generation learned from its index alone."""
    from search._whoosh.writers import open_for_writing
    from search.index.schema import build_schema

    with open_for_writing(str(_live(index)), build_schema(), new=False).reader() as reader:
        counts = name_counts.index_counts(reader)
        return names_record(name_learning.learned_names(reader, counts)), counts


@pytest.fixture
def written(tmp_path, indosum_docs):
    """An index of 200 IndoSum articles and a process writing to it (its first write made): (index, Index, docs)."""
    kept.forget()
    docs = list(indosum_docs.values())[:300]
    index = make_index(tmp_path, docs[:200])
    ix = search.Index(index)
    ix.upsert(_articles(docs[200:210]))  # the first write of the process reads the counts and writes them whole
    yield index, ix, docs
    ix.close()
    kept.forget()


def test_a_write_adds_a_part_of_its_changes_and_keeps_the_parts_before_as_they_are(written):
    index, ix, docs = written
    before = _live(index)
    first = count_parts.layout(before)
    assert first is not None and len(first) == 1
    whole = os.stat(count_parts.file_of(before, first[0][0])).st_ino
    ix.upsert(_articles([*docs[210:215], {**docs[0], "text": docs[0]["text"] + SAID}]))
    ix.delete([docs[1]["id"]])
    live = _live(index)
    layout = count_parts.layout(live)
    assert layout is not None and len(layout) == 3 and layout[0] == first[0]
    assert os.stat(count_parts.file_of(live, first[0][0])).st_ino == whole  # the same file, linked
    assert all(rows < first[0][1] / 5 for _, rows in layout[1:])  # only what the writes changed
    names, counts = _from_scratch(index)
    assert name_counts.read_counts(live) == counts
    assert generations.read_record(live, NAMES) == names
    assert any(kind == "person" for _, kind, _, _ in names)  # real names are learned


def test_past_the_most_parts_the_counts_are_written_whole_again(written, monkeypatch):
    index, ix, docs = written
    monkeypatch.setattr(count_parts, "MOST_PARTS", 2)
    for n in range(3):
        ix.upsert(_articles(docs[220 + 5 * n: 225 + 5 * n]))
        layout = count_parts.layout(_live(index))
        assert layout is not None and len(layout) == (2, 1, 2)[n]
    live = _live(index)
    listed = {count_parts.file_of(live, number).name for number, _ in layout}
    assert {path.name for path in live.glob(f"{count_parts.PREFIX}*")} == listed  # the others taken off
    assert name_counts.read_counts(live) == _from_scratch(index)[1]


def test_a_failed_write_between_the_parts_leaves_the_previous_generation_serving(written, monkeypatch):
    index, ix, docs = written
    before, counts = _live(index), name_counts.read_counts(_live(index))

    def failing(generation, layout):
        raise OSError("disk full")

    monkeypatch.setattr(count_parts, "write_record", failing)  # the part is written, the record is not
    with pytest.raises(CariError):
        ix.upsert(_articles(docs[230:240]))
    assert _live(index) == before and name_counts.read_counts(before) == counts
    assert docs[235]["id"] not in _ids(ix, docs[235]["title"])
    monkeypatch.undo()
    ix.upsert(_articles(docs[230:240]))
    assert name_counts.read_counts(_live(index)) == _from_scratch(index)[1]


KILLED = textwrap.dedent("""
    import os, signal, sys
    import search
    from search.index import count_parts, kept

    write_part = count_parts.write_part

    def then_killed(path, terms, words):
        write_part(path, terms, words)
        if path.name != count_parts.RECORD and len(list(path.parent.glob(count_parts.PREFIX + "*"))) > 1:
            os.kill(os.getpid(), signal.SIGKILL)  # the part of the changes written, the record not yet

    count_parts.write_part = then_killed
    ix = search.Index(sys.argv[1])
    articles = [search.Article(id=f"killed-{n}", title="Uji", body=f"Ketua KPK Agus Rahardjo berkata {n}.")
                for n in range(5)]
    with kept.keeping():
        ix.upsert(articles[:2])  # the first write: the counts whole
        ix.upsert(articles[2:])  # the second: killed between its part and the record
""")


@pytest.mark.server
def test_a_process_killed_between_the_parts_leaves_the_previous_generation_and_its_counts(tmp_path, indosum_docs):
    kept.forget()
    docs = list(indosum_docs.values())[:150]
    index = make_index(tmp_path, docs)
    done = subprocess.run([sys.executable, "-c", KILLED, str(index)], capture_output=True, text=True, timeout=300)
    assert done.returncode == -9, done.stderr
    live = _live(index)
    assert count_parts.layout(live) is not None and len(count_parts.layout(live)) == 1  # the first write's
    assert name_counts.read_counts(live) == _from_scratch(index)[1]
    with search.Index(index) as ix:
        found = _ids(ix, "Agus Rahardjo berkata")
        assert {"killed-0", "killed-1"} <= found and "killed-3" not in found
        ix.upsert(_articles(docs[:1]))  # the next write works from the generation that serves
    assert name_counts.read_counts(_live(index)) == _from_scratch(index)[1]


def test_a_record_older_code_wrote_whole_is_read_and_parts_it_left_behind_are_not(tmp_path):
    counts, words = {f"n:nama {n}": n + 1 for n in range(20)}, {f"nama{n}": n for n in range(20)}
    count_parts.write(tmp_path, counts, words)
    count_parts.write(tmp_path, {**counts, "n:nama 3": 9}, {**words, "baru": 1}, count_parts.layout(tmp_path),
                      {"n:nama 3"}, {"baru"})
    assert count_parts.layout(tmp_path) == [(0, 40), (1, 2)]
    assert count_parts.read(tmp_path) == ({**counts, "n:nama 3": 9}, {**words, "baru": 1})
    # Older code reads version 1 only: the record in parts is no record to it (it counts again from the index).
    assert read_arrays(tmp_path / count_parts.RECORD, ("version",))["version"].tolist() != [1]
    older = {"n:joko widodo": 7}
    count_parts.write_whole(tmp_path, older, None)  # older code's write: its parts stay, as links
    assert count_parts.read(tmp_path) == (older, None) and count_parts.layout(tmp_path) is None
    assert count_parts.write(tmp_path, older, {"joko": 9}, None) == [(0, 2)]  # whole again, the old parts gone
    assert sorted(path.name for path in tmp_path.iterdir()) == ["names-counts-000000.npz", count_parts.RECORD]
    assert count_parts.read(tmp_path) == (older, {"joko": 9})


def test_a_damaged_part_reads_as_no_counts(tmp_path):
    counts = {f"n:nama {n}": n + 1 for n in range(20)}
    count_parts.write(tmp_path, counts, {})
    count_parts.write(tmp_path, {**counts, "n:nama 3": 9}, {}, count_parts.layout(tmp_path), {"n:nama 3"}, set())
    assert count_parts.read(tmp_path) == ({**counts, "n:nama 3": 9}, {})
    part = count_parts.file_of(tmp_path, 1)
    np.savez(part.with_suffix(""), terms=np.frombuffer(b"a\nb", np.uint8), counts=np.zeros(1, np.int64))
    assert count_parts.read(tmp_path) is None  # two names, one count
    part.write_bytes(b"not a zip")
    assert count_parts.read(tmp_path) is None
