"""Story groups found again only where a write changed them (search.index.story_groups.relink): the same similar
pairs and story numbers as linking the whole record, whatever the writes."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.index import stories, story_groups
from search.index.signatures import NUM_PERM, Sketches
from search.index.stories import Stories


def _maker(rng: np.random.Generator):
    """Signatures in families: a family's values with some changed, so that many agree on bands (buckets of
    many articles, past ``BUCKET_CHECKS``) and on about the threshold; a tenth too short to sign (None)."""
    families = [rng.integers(0, 3 if f % 2 else 2**32, size=NUM_PERM, dtype=np.uint32) for f in range(6)]

    def made() -> np.ndarray | None:
        if rng.random() < 0.1:
            return None
        row = families[rng.integers(len(families))].copy()
        changed = rng.random(NUM_PERM) < rng.choice([0.05, 0.4, 0.6])
        row[changed] = rng.integers(0, 2**32, size=int(changed.sum()), dtype=np.uint32)
        return row

    return made


def _write(record: Stories, rng: np.random.Generator, made, step: int) -> tuple[dict[str, str], Sketches]:
    """One write as a build makes it: some articles removed, some replaced (their place kept), some added at the
    end; ``contents`` in the new record's order, ``sketches`` the signatures of those (re)indexed."""
    ids = record.ids
    share = rng.choice([0.0, 0.1])  # a write that removes nothing keeps every article in its place
    removed = {i for i in ids if rng.random() < share}
    replaced = [i for i in ids if i not in removed and rng.random() < 0.1]
    added = [f"s{step}-{n}" for n in range(int(rng.integers(0, 40)))]
    contents = {i: "" for i in ids if i not in removed} | dict.fromkeys(added, "")
    sketches = Sketches()
    for doc_id in [*replaced, *added]:
        sketches.made(doc_id, made())
    return contents, sketches


def _same(found: Stories | None, full: Stories) -> None:
    assert found is not None and found.pairs is not None and full.pairs is not None
    assert found.ids == full.ids
    assert np.array_equal(found.values, full.values)
    assert np.array_equal(found.pairs, full.pairs)
    assert np.array_equal(found.story, full.story)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 300))
def test_relinking_after_removals_replacements_and_additions_finds_what_linking_everything_finds(seed, size):
    rng = np.random.default_rng(seed)
    made = _maker(rng)
    record = stories.group({f"a{n}": made() for n in range(size)})
    assert record.pairs is not None
    for step in range(3):
        contents, sketches = _write(record, rng, made, step)
        full = stories.group(stories._signatures(Path("unused"), record, contents, sketches))
        before = record.values.copy()  # the write's own from now on: a removal moves its rows in place
        relinked = stories._relinked(record, contents, sketches)
        found = relinked[0] if relinked is not None else None
        _same(found, full)
        assert relinked is not None and found is not None
        rows = relinked[1]  # each new row's row before (negative: signed by the write)
        assert np.array_equal(found.values[rows >= 0], before[rows[rows >= 0]])
        record = found


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 300))
def test_the_rows_by_bucket_kept_from_write_to_write_find_what_a_pass_over_every_row_finds(seed, size):
    """A writing process's rows by bucket (story_groups.Buckets, followed from one write to the next and made again
    past RECENT_ROWS) in place of a pass over every row, and a removal's rows found from the ids it says it removed:
    the same pairs and stories as linking everything."""
    rng = np.random.default_rng(seed)
    made = _maker(rng)
    record = stories.group({f"a{n}": made() for n in range(size)})
    record.buckets = story_groups.Buckets(record.values)
    record.buffer = np.zeros((size + 200, NUM_PERM), dtype=np.uint32)  # as the writer's warm-up reads it: rows to spare
    record.buffer[:size] = record.values
    record.values = record.buffer[:size]
    buffer = record.buffer
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(story_groups.Buckets, "RECENT_ROWS", 60)
        for step in range(4):
            contents, sketches = _write(record, rng, made, step)
            full = stories.group(stories._signatures(Path("unused"), record, contents, sketches))
            removed = [doc_id for doc_id in record.ids if doc_id not in contents]  # as a removal says it
            relinked = stories._relinked(record, contents, sketches, removed if len(contents) < len(record.ids) else None)
            assert relinked is not None
            _same(relinked[0], full)
            assert relinked[0].buckets is record.buckets  # followed, not made again from every row
            if len(contents) <= len(buffer):  # removals moved up and additions written in the buffer: nothing copied
                assert relinked[0].buffer is buffer and np.shares_memory(relinked[0].values, buffer)
            record = relinked[0]


def test_unchanged_articles_out_of_their_order_are_linked_the_whole_way(tmp_path):
    rng = np.random.default_rng(1)
    made = _maker(rng)
    record = stories.group({f"a{n}": made() for n in range(50)})
    reordered = dict.fromkeys(reversed(record.ids), "")
    assert stories._relinked(record, reordered, Sketches()) is None


def test_a_record_keeps_its_pairs_and_one_written_without_them_is_linked_again(tmp_path):
    rng = np.random.default_rng(2)
    made = _maker(rng)
    record = stories.group({f"a{n}": made() for n in range(80)})
    stories.write(tmp_path, record)
    read = stories.read(tmp_path, with_pairs=True)
    assert read is not None and read.pairs is not None and np.array_equal(read.pairs, record.pairs)
    stories.write(tmp_path, Stories(record.ids, record.values, record.story))  # as code before the pairs wrote it
    older = stories.read(tmp_path, with_pairs=True)
    assert older is not None and older.pairs is None and np.array_equal(older.story, record.story)


def _by_the_rule(values: np.ndarray) -> np.ndarray:
    """The stories of a record by the rule itself, one bucket at a time (``search.index.story_groups``)."""
    from search.index.story_groups import BANDS, BUCKET_CHECKS, ROWS, THRESHOLD

    parent = list(range(len(values)))

    def root(row: int) -> int:
        while parent[row] != row:
            row = parent[row]
        return row

    for band in range(BANDS):
        buckets: dict[tuple, list[int]] = {}
        for row in range(len(values)):
            if values[row].any():
                buckets.setdefault(tuple(values[row, band * ROWS : (band + 1) * ROWS]), []).append(row)
        for members in buckets.values():
            for at, first in enumerate(members[:BUCKET_CHECKS]):
                for second in members[at + 1 :]:
                    if (values[first] == values[second]).mean() >= THRESHOLD:
                        a, b = root(first), root(second)
                        parent[max(a, b)] = min(a, b)
    roots = [root(row) for row in range(len(values))]
    return np.array([r if roots.count(r) > 1 else -1 for r in roots], dtype=np.int32)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 120))
def test_linking_a_whole_record_follows_the_rule_bucket_by_bucket(seed, size):
    made = _maker(np.random.default_rng(seed))
    record = stories.group({f"a{n}": made() for n in range(size)})
    assert np.array_equal(record.story, _by_the_rule(record.values))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, (1 << story_groups.TABLE_BITS) - 1), max_size=400), st.integers(0, 40))
def test_the_rows_by_bucket_list_each_slot_s_entries_in_their_order(slots, crowd):
    """``Buckets`` orders every (row, band) entry by its slot with one sort of packed keys: each slot's entries in
    their order, and each slot's first entry counted, as a stable argsort of the slots and a search find them."""
    found = np.array(slots + [7] * crowd, dtype=np.uint32)  # one slot many rows share (one boilerplate text)
    order = story_groups.by_slot(found)
    assert order.dtype == np.int32
    assert np.array_equal(order, np.argsort(found, kind="stable"))
    values = np.random.default_rng(len(slots)).integers(0, 2**32, size=(len(slots) + crowd, NUM_PERM), dtype=np.uint32)
    buckets = story_groups.Buckets(values)
    every = story_groups.slots_of(values).astype(np.uint32).ravel()
    assert np.array_equal(buckets.order, np.argsort(every, kind="stable"))
    assert np.array_equal(buckets.starts, np.searchsorted(every[buckets.order],
                                                          np.arange((1 << story_groups.TABLE_BITS) + 1)))
