"""A writing process keeps the archive's records in memory from one write to the next (issue 24: a write visible to
every worker within 5 s at 1,000,000 articles; ``search.index.kept``): after a series of upserts and deletions through
the write API's path, each generation's names, term counts and stories are those learned from scratch, the writes
after the first read no record of the whole archive again, and a write that fails or one made by another process
leaves nothing stale behind."""

import random

import numpy as np
import pytest

import search
from search.errors import BuildFailed
from search.index import generations, grown, kept, name_counts, name_learning, stories
from search.index.batch import ADD
from search.index.build import build_index
from search.index.format import CONTENTS
from search.index.names import NAMES
from tests.conftest import make_index, write_jsonl

pytestmark = pytest.mark.slow

SAID = "\n\"Kami sudah memeriksa,\" kata Juru Bicara KPK Febri Diansyah kepada wartawan di Gedung Merah Putih."


def _articles(docs: list[dict]) -> list:
    return [search.given_article(doc, "test")[0] for doc in docs]


def _corrected(doc: dict, n: int) -> dict:
    """``doc`` corrected: a sentence naming a person and an organisation added (their counts change)."""
    return {**doc, "text": doc["text"] + SAID + f" Ketua Komisi Pemberantasan Korupsi Agus Rahardjo{n} berkata."}


def _live(index):
    return generations.live_generation(index)


def _from_scratch(index) -> tuple[dict, dict]:
    """(the names record, the term counts) learned from the live generation's index alone, nothing kept."""
    from search._whoosh.writers import open_for_writing
    from search.index.schema import build_schema

    ix = open_for_writing(str(_live(index)), build_schema(), new=False)
    with ix.reader() as reader:
        counts = name_counts.index_counts(reader)
        names = name_learning.learned_names(reader, counts)
    from search.index.names import names_record

    return names_record(names), counts


def _reads(patch: pytest.MonkeyPatch) -> dict:
    """Count the reads of the whole archive's records: the list of articles, the names' counts, the story record."""
    seen = {"contents": 0, "counts": 0, "stories": 0}
    read_record, read_counts, read_stories = generations.read_record, name_counts.read_both, stories.read

    def record(generation, name):
        if name == CONTENTS:
            seen["contents"] += 1
        return read_record(generation, name)

    def counts(generation):
        seen["counts"] += 1
        return read_counts(generation)

    def story_record(*args, **kwargs):
        seen["stories"] += 1
        return read_stories(*args, **kwargs)

    patch.setattr(generations, "read_record", record)
    patch.setattr(name_counts, "read_both", counts)
    patch.setattr(stories, "read", story_record)
    return seen


@pytest.fixture(scope="module")
def written(tmp_path_factory, indosum_docs):
    """400 IndoSum articles, then eight writes through ``Index.upsert`` and ``Index.delete`` (additions, corrections
    that add names, removals), each followed by a check against learning from scratch. Returns (the index, its
    articles by id, the reads of each write, the checks)."""
    kept.forget()
    folder = tmp_path_factory.mktemp("kept")
    docs = list(indosum_docs.values())[:520]
    rng = random.Random(24)
    held = {doc["id"]: doc for doc in docs[:400]}
    index = make_index(folder, list(held.values()))
    ix = search.Index(index)
    reads, checks = [], []
    for step in range(8):
        with pytest.MonkeyPatch.context() as patch:
            seen = _reads(patch)
            if step % 3 == 2:
                gone = rng.sample(sorted(held), 4)
                ix.delete(gone)
                for doc_id in gone:
                    held.pop(doc_id)
            else:
                new = docs[400 + 15 * step: 400 + 15 * step + 15]
                changed = [_corrected(held[doc_id], step) for doc_id in rng.sample(sorted(held), 6)]
                ix.upsert(_articles(new + changed))
                held.update({doc["id"]: doc for doc in new + changed})
        reads.append(seen)
        checks.append((generations.read_record(_live(index), NAMES), name_counts.read_counts(_live(index)),
                       _from_scratch(index)))
    yield index, held, reads, checks
    ix.close()
    kept.forget()


def test_names_learned_from_the_changes_are_those_learned_from_scratch(written):
    _, _, _, checks = written
    for names, counts, (scratch_names, scratch_counts) in checks:
        assert names == scratch_names
        assert counts == scratch_counts
    assert any("person" in str(name) for name in checks[-1][0])  # the test learns real names


def test_the_writes_after_the_first_read_no_whole_archive_record(written):
    _, _, reads, _ = written
    assert reads[0]["counts"] == 1 and reads[0]["stories"] == 1  # the first write of the process reads them
    for seen in reads[1:]:
        assert seen == {"contents": 0, "counts": 0, "stories": 0}


def test_the_last_generation_is_a_new_index_of_the_same_articles(written, tmp_path):
    index, held, _, _ = written
    order = generations.read_record(_live(index), CONTENTS)
    assert set(order) == set(held)
    fresh = make_index(tmp_path, [held[doc_id] for doc_id in order])
    assert generations.read_record(_live(index), NAMES) == generations.read_record(_live(fresh), NAMES)
    updated, new = stories.read(_live(index), with_pairs=True), stories.read(_live(fresh), with_pairs=True)
    assert updated is not None and new is not None
    assert updated.ids == new.ids and np.array_equal(updated.story, new.story)


def test_a_failed_write_and_another_process_write_leave_nothing_stale(tmp_path, indosum_docs, monkeypatch):
    kept.forget()
    docs = list(indosum_docs.values())[:260]
    index = make_index(tmp_path / "a", docs[:200])
    ix = search.Index(index)
    ix.upsert(_articles([_corrected(docs[0], 1)]))  # the records are kept from here on
    publish = generations.publish

    def failing(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(generations, "publish", failing)
    with pytest.raises(BuildFailed):  # after the kept counts were changed in place: they must not be used again
        ix.upsert(_articles([_corrected(docs[1], 2), *docs[200:220]]))
    monkeypatch.setattr(generations, "publish", publish)
    # Another process (cari add) writes: its files are not the ones this process kept.
    build_index([write_jsonl(tmp_path / "more.jsonl", docs[220:240])], index, mode=ADD)
    ix.upsert(_articles([_corrected(docs[2], 3), *docs[240:260]]))
    names, counts = generations.read_record(_live(index), NAMES), name_counts.read_counts(_live(index))
    assert (names, counts) == _from_scratch(index)
    assert set(generations.read_record(_live(index), CONTENTS)) == {d["id"] for d in docs[:200] + docs[220:260]}
    ix.close()
    kept.forget()


def test_a_removal_writes_again_only_the_parts_of_the_list_holding_the_removed(tmp_path, monkeypatch):
    """The list of articles in parts (``search.index.grown``): additions, changes and removals in any order read
    back as the object they make, in its order, and a removal copies the parts it does not touch byte for byte."""
    monkeypatch.setattr(grown, "CHUNK_KEYS", 50)
    made, part = [], grown.part_of
    monkeypatch.setattr(grown, "part_of", lambda keys, values, opening: made.append(keys) or part(keys, values, opening))
    rng = random.Random(24)
    data = {f"id-{n}": f"hash-{n}" for n in range(400)}
    folders = [tmp_path / f"g{n}" for n in range(40)]
    for folder in folders:
        folder.mkdir()
    with kept.keeping():
        grown.write_grown_record(folders[0], CONTENTS, data, None, None)
        repeats = 0
        for n in range(1, 40):
            before = data
            if n % 3:  # remove a few (the parts are known from the last write)
                gone = set(rng.sample(sorted(before), 2))
                data = {key: value for key, value in before.items() if key not in gone}
            else:  # change a few and add a few
                data = {**before, **{key: "changed" for key in rng.sample(sorted(before), 3)},
                        **{f"new-{n}-{k}": "new" for k in range(4)}}
            made.clear()
            repeats = grown.write_grown_record(folders[n], CONTENTS, data, folders[n - 1], before, repeats)
            read = generations.read_record(folders[n], CONTENTS)
            assert read == data and list(read) == list(data)
            if n % 3:  # the parts holding the two removed keys made again (and the next, if it opens the object)
                assert 1 <= len(made) <= 3 and sum(map(len, made)) <= 150
    assert len(data) > 300
    kept.forget()


def test_a_warmed_up_writer_follows_the_rows_by_bucket_and_writes_what_a_new_index_holds(tmp_path, indosum_docs):
    """The writer process's warm-up keeps the story record with its rows by bucket (story_groups.Buckets): its writes
    (copies of articles among them: stories) touch only their buckets, and give the stories and names of a new index."""
    from search.index.documents import BatchedWrites
    from search.index.writer import warm_up

    kept.forget()
    docs = list(indosum_docs.values())[:300]
    index = make_index(tmp_path / "a", docs[:250])
    warm_up(index)
    writes = BatchedWrites(index, keep_records=True)
    copies = [{**doc, "id": doc["id"] + "-copy"} for doc in docs[:5]]
    writes.upsert(_articles(docs[250:270] + copies[:3]))
    writes.delete([docs[7]["id"], copies[0]["id"]])
    writes.upsert(_articles(docs[270:280] + copies[3:]))
    with kept.keeping():
        record = kept.peek(_live(index) / stories.RECORD, stories.RECORD)
    assert record is not None and record.buckets is not None  # followed write after write
    held = [doc for doc in docs[:280] + copies if doc["id"] not in (docs[7]["id"], copies[0]["id"])]
    order = list(generations.read_record(_live(index), CONTENTS))
    fresh = make_index(tmp_path / "b", sorted(held, key=lambda doc: order.index(doc["id"])))
    updated, new = stories.read(_live(index), with_pairs=True), stories.read(_live(fresh), with_pairs=True)
    assert updated is not None and new is not None and len(new.groups()) >= 4
    assert updated.ids == new.ids and np.array_equal(updated.story, new.story)
    assert generations.read_record(_live(index), NAMES) == generations.read_record(_live(fresh), NAMES)
    kept.forget()
