"""A searcher's story map reads only the grouped articles' ids from the record (search.index.stories.grouped).

At 1,000,000 articles, splitting every id of the record and walking them in
Python was a third of a new searcher's opening, though most articles are in
no group.
"""

import shutil

import numpy as np

from search import Index
from search.index import generations, stories


def test_the_grouped_articles_are_those_the_whole_record_groups(story_index):
    index_dir, first, story, _ = story_index
    generation = generations.live_generation(index_dir)
    record = stories.read(generation, with_values=False)
    whole = [(doc_id, number) for doc_id, number in zip(record.ids, record.story.tolist(), strict=True) if number >= 0]
    assert len(whole) >= 6 and len(whole) < len(record.ids)  # two stories; most articles in none
    assert stories.grouped(generation) == whole
    with Index(index_dir) as searcher:
        hit = searcher.search(first["title"]).hits[0]
        assert {hit.id, *(other["id"] for other in hit.same_story)} == story  # grouped as before


def test_a_record_cut_short_or_of_no_groups_groups_nothing(story_index, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(story_index[0], index_dir)
    generation = generations.live_generation(index_dir)
    record = stories.read(generation)
    path = generation / stories.RECORD
    path.unlink()  # a new file: the old one may be a hard link
    stories.write(generation, stories.Stories(record.ids[:-1], record.values, record.story))
    assert stories.grouped(generation) is None  # one id fewer than stories
    path.unlink()
    stories.write(generation, stories.Stories(record.ids, record.values, np.full(len(record.ids), -1)))
    assert stories.grouped(generation) == []
    path.write_bytes(b"not a record")
    assert stories.grouped(generation) is None
