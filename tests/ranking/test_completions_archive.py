"""Completions are the archive's: the same articles give the same completions, whatever their document numbers.

An index's document numbers follow the order its articles were written in:
another order of the sources, or an archive grown by ``cari add`` rather
than built at once, numbers them otherwise (and splits them in other
segments). What a completion reads is chosen by date and id, never by
document number, so every prefix is completed alike.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter

import pytest
from click.testing import CliRunner

from search import Index
from search.cli import cli
from tests.conftest import eval_file, whoosh_searcher, write_jsonl

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def grown_index(tmp_path_factory):
    """IndoSum grown in two writes, each in another order: half rebuilt backwards, the rest added shuffled."""
    folder = tmp_path_factory.mktemp("grown")
    docs = [json.loads(line) for line in eval_file("indosum", "docs.jsonl").read_text(encoding="utf-8").splitlines()]
    first, rest = docs[: len(docs) // 2][::-1], docs[len(docs) // 2 :]
    random.Random(5).shuffle(rest)
    index = folder / "index"
    for command, part, name in (("rebuild-index", first, "first"), ("add", rest, "rest")):
        written = write_jsonl(folder / f"{name}.jsonl", part)
        result = CliRunner().invoke(cli, [command, str(written), "--index", str(index), "-q"])
        assert result.exit_code == 0, result.output
    return index


def typed_prefixes(docs: list[dict]) -> list[str]:
    """What readers type: the first letters of the titles' most frequent words, and of the word after another."""
    words: Counter = Counter()
    pairs: Counter = Counter()
    for doc in docs:
        title = re.findall(r"\w+", doc["title"].lower())
        words.update(title)
        pairs.update(zip(title, title[1:], strict=False))
    typed = [word[:n] for word, _ in words.most_common(150) for n in (2, 3) if len(word) > n]
    typed += [f"{one} {two[:n]}" for (one, two), _ in pairs.most_common(300) for n in (2, 3) if len(two) >= n]
    return list(dict.fromkeys(typed))


def test_an_archive_grown_in_another_order_is_completed_alike(indosum_index, grown_index, indosum_docs):
    with whoosh_searcher(indosum_index) as built, whoosh_searcher(grown_index) as grown:
        assert built.doc_count() == grown.doc_count() == len(indosum_docs)
        assert len(grown.reader().leaf_readers()) > 1  # two writes: another split in segments too
        ids = {built.stored_fields(n)["id"]: n for n in range(built.doc_count_all())}
        assert sum(ids[grown.stored_fields(n)["id"]] != n for n in range(grown.doc_count_all())) > 3000
    built_once, grown_twice = Index(indosum_index), Index(grown_index)
    typed = typed_prefixes(list(indosum_docs.values()))
    assert len(typed) > 600
    differing = [(text, [s.text for s in built_once.completions(text)])
                 for text in typed if built_once.completions(text) != grown_twice.completions(text)]
    assert not differing, f"{len(differing)} of {len(typed)} differ, first {differing[:3]}"
