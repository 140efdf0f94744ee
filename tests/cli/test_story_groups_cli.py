"""Story groups in the results: the library's search and ``cari search`` (its indented line, --no-group, --json)."""

import json

from conftest import STORY_QUERY as TITLE_QUERY

from search import Index


def test_a_result_lists_the_others_of_its_story_and_the_count_says_both(story_index):
    index_dir, first, story, _ = story_index
    with Index(index_dir) as index:
        grouped = index.search(TITLE_QUERY, limit=10)
        every = index.search(TITLE_QUERY, limit=10, group=False)
    assert "tilang" in first["title"]
    assert every.total == grouped.total and every.stories is None
    assert grouped.stories == grouped.total - 3  # the four articles of the story are one story
    ids = [hit.id for hit in grouped.hits]
    assert len(story & set(ids)) == 1  # one result for the story...
    lead = next(hit for hit in grouped.hits if hit.id in story)
    assert {other["id"] for other in lead.same_story} == story - {lead.id}  # ...listing the other three
    assert {"Antara", "Okezone", "antaranews"} >= {other["source"] for other in lead.same_story}
    assert all(set(other) == {"id", "source", "title", "date"} for other in lead.same_story)
    assert len(story & {hit.id for hit in every.hits}) == 4 and all(not hit.same_story for hit in every.hits)


def test_pages_of_stories_hold_every_story_once(story_index):
    """Paging through grouped results: each story once, every article either a result or listed with one."""
    index_dir, _, _, _ = story_index
    seen, listed = [], []
    with Index(index_dir) as index:
        first = index.search("jakarta", limit=7)
        for page in range(1, first.pages + 1):
            results = index.search("jakarta", limit=7, page=page)
            seen += [hit.id for hit in results.hits]
            listed += [other["id"] for hit in results.hits for other in hit.same_story]
        every = index.search("jakarta", limit=100, group=False)
    assert len(seen) == len(set(seen)) == first.stories
    assert sorted(seen + listed) == sorted(hit.id for hit in index.search("jakarta", limit=100, group=False).hits)
    assert first.total == every.total == len(seen) + len(listed)


def test_cli_prints_the_story_on_an_indented_line_and_no_group_lists_every_article(run_cli, story_index):
    index_dir, _, story, _ = story_index
    result = run_cli("search", *TITLE_QUERY.split(), "--index", index_dir)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    summary = next(line for line in lines if "results for" in line)
    assert " stories (" in summary  # "N results for '...' in M stories (12.3 ms)"
    same = [line for line in lines if line.strip().startswith("same story:")]
    assert len(same) == 1 and same[0].startswith("     same story: ")
    listed = run_cli("search", *TITLE_QUERY.split(), "--index", index_dir, "--no-group", "-n", "20").output
    assert "same story:" not in listed and sum(doc_id in listed for doc_id in story) == 4
    data = json.loads(run_cli("search", *TITLE_QUERY.split(), "--index", index_dir, "--json").output)
    lead = next(hit for hit in data["results"] if hit["id"] in story)
    assert len(lead["same_story"]) == 3 and data["stories"] == data["total"] - 3


