"""The list of articles a write grows is appended to, not written whole (issue 24: writing 1,000,000 ids cost
~1.5 CPU-s a write), and still reads, with any gzip and JSON reader (code older than this included), as the
object the write made: the same keys, in the same order, with the same values."""

import gzip
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from search import Index
from search.index import generations, grown, kept
from search.index.batch import ADD
from search.index.build import REPEATS, build_index
from search.index.changes import remove_articles
from search.index.format import CONTENTS
from tests.conftest import write_jsonl


def read_plainly(path):
    """The record as any reader reads it: gzip (every member) and JSON."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def generation_folders(tmp_path, count):
    folders = [tmp_path / f"gen-{n}" for n in range(count)]
    for folder in folders:
        folder.mkdir()
    return folders


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["add", "change", "remove"]), st.integers(0, 30), st.integers(0, 3)),
                max_size=12))
def test_a_grown_record_reads_as_the_object_written(tmp_path_factory, steps):
    tmp_path = tmp_path_factory.mktemp("grown")
    data: dict[str, str] = {}
    folders = generation_folders(tmp_path, len(steps) + 1)
    repeats = generations.write_grown_record(folders[0], CONTENTS, data, None, None)
    for n, (kind, key, value) in enumerate(steps, start=1):
        before = dict(data)
        if kind == "remove":
            data.pop(f"id{key}", None)
        else:
            data[f"id{key}"] = f"hash{value}-{n}" if kind == "change" else data.get(f"id{key}", f"hash{value}")
        repeats = generations.write_grown_record(folders[n], CONTENTS, data, folders[n - 1], before, repeats)
        read = read_plainly(folders[n] / CONTENTS)
        assert list(read.items()) == list(data.items())
        assert generations.read_record(folders[n], CONTENTS) == data
        assert 0 <= repeats <= max(1, generations.REPEATS_SHARE * len(data))


def test_only_the_growth_is_written_and_repeats_are_bounded(tmp_path):
    first, second, third, fourth = generation_folders(tmp_path, 4)
    data = {f"id{n}": f"hash{n}" for n in range(100)}
    assert generations.write_grown_record(first, CONTENTS, data, None, None) == 0
    grown = {**data, "id3": "changed", "new": "hash-new"}
    assert generations.write_grown_record(second, CONTENTS, grown, first, data) == 1
    old_bytes = (first / CONTENTS).read_bytes()
    new_bytes = (second / CONTENTS).read_bytes()
    assert new_bytes.startswith(old_bytes[: -len(generations.CLOSING_MEMBER)])  # copied, then appended
    assert list(read_plainly(second / CONTENTS).items()) == list(grown.items())
    # Past REPEATS_SHARE of the keys repeated, the record is written whole again.
    changed = {key: value + "x" for key, value in grown.items()}
    assert generations.write_grown_record(third, CONTENTS, changed, second, grown, repeats=1) == 0
    assert read_plainly(third / CONTENTS) == changed
    # A record written whole by older code (one member, no closing one) is written whole too.
    generations.write_record(fourth, "old.json.gz", data)
    fifth = tmp_path / "gen-5"
    fifth.mkdir()
    (fourth / CONTENTS).write_bytes((fourth / "old.json.gz").read_bytes())
    assert generations.write_grown_record(fifth, CONTENTS, grown, fourth, data) == 0
    assert list(read_plainly(fifth / CONTENTS).items()) == list(grown.items())


def test_writes_append_to_the_list_of_articles_and_search_as_a_new_index(tmp_path):
    source = tmp_path / "a.jsonl"
    docs = [{"id": f"d{n}", "title": f"Berita {n}", "text": f"Banjir melanda kota nomor {n} kemarin sore."}
            for n in range(30)]
    write_jsonl(source, docs)
    index = tmp_path / "index"
    build_index([source], index, procs=1)
    first = generations.live_generation(index)
    added = tmp_path / "b.jsonl"
    write_jsonl(added, [{"id": "baru", "text": "Gempa mengguncang kota kemarin."},
                        {**docs[4], "text": "Longsor menimbun jalan kota kemarin."}])
    build_index([added], index, mode=ADD, procs=1)
    second = generations.live_generation(index)
    before, after = (generation / CONTENTS for generation in (first, second))
    assert after.read_bytes().startswith(before.read_bytes()[: -len(generations.CLOSING_MEMBER)])
    assert generations.read_manifest(second)[REPEATS] == {CONTENTS: 1}  # d4 changed: its id is in the list twice
    contents = read_plainly(after)
    assert list(contents) == [f"d{n}" for n in range(30)] + ["baru"]
    assert contents["d4"] != read_plainly(before)["d4"]
    assert sorted(hit.id for hit in Index(index).search("kota", limit=100).hits) == sorted(contents)
    assert [hit.id for hit in Index(index).search("longsor").hits] == ["d4"]
    remove_articles(index, ["d7"])  # a removal writes the list whole
    third = generations.live_generation(index)
    assert generations.read_manifest(third)[REPEATS] == {CONTENTS: 0}
    assert list(read_plainly(third / CONTENTS)) == [f"d{n}" for n in range(30) if n != 7] + ["baru"]
    # An update of this code after it appends again.
    write_jsonl(added, [{"id": "lagi", "text": "Kebakaran di kota kemarin."}])
    build_index([added], index, mode=ADD, procs=1)
    assert list(generations.read_record(generations.live_generation(index), CONTENTS))[-2:] == ["baru", "lagi"]


def test_a_process_that_reads_the_parts_removes_as_one_that_wrote_them(tmp_path, monkeypatch):
    """The writer's warm-up reads the live list of articles with its parts (``grown.keep_read``): its first removal
    writes again only the part holding the removed id, as after a write of its own (it wrote the whole list)."""
    monkeypatch.setattr(grown, "CHUNK_KEYS", 50)
    first, second, third = generation_folders(tmp_path, 3)
    data = {f"id-{n}": f"hash-{n}" for n in range(300)}
    with kept.keeping():
        grown.write_grown_record(first, CONTENTS, data, None, None)
        grown.write_grown_record(second, CONTENTS, {**data, "id-7": "changed", "new": "x"}, first, data)
        kept.forget()  # another process: it knows nothing of how the live file was written
        grown.keep_read(second / CONTENTS, CONTENTS)
        before = grown.read_in_parts(second / CONTENTS)[0]
        assert before == read_plainly(second / CONTENTS) and list(before) == list(read_plainly(second / CONTENTS))
        made, part = [], grown.part_of
        monkeypatch.setattr(grown, "part_of", lambda keys, values, opening: made.append(keys) or part(keys, values, opening))
        after = {key: value for key, value in before.items() if key != "id-120"}
        grown.write_grown_record(third, CONTENTS, after, second, before)
    assert read_plainly(third / CONTENTS) == after and list(read_plainly(third / CONTENTS)) == list(after)
    assert len(made) == 1 and "id-120" not in made[0] and len(made[0]) == 49  # its part alone, 50 keys less one
    kept.forget()
    whole = tmp_path / "whole.json.gz"
    generations.write_record(tmp_path, whole.name, data)  # one member, as older code writes it
    assert grown.read_in_parts(whole) == (data, None)
