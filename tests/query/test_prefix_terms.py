"""The words starting with a prefix, read from the term dictionaries' key index (``_whoosh.term_prefixes``),
are Whoosh's ``expand_prefix`` walk's, in its order (issue 24: the close-spelling search's new prefixes)."""

import itertools
import random

from search import Index
from search._whoosh import term_prefixes
from tests.conftest import built_then_updated


def articles(count=120, seed=3):
    rng = random.Random(seed)
    letters = "abcdeghikmnprstuyz"
    # Words sharing openings (ba-, ban-, ...), names with letters that are not ASCII, numbers.
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(400)]
    words += ["banjir", "bandung", "bangun", "bank", "sãopaulo", "ǆemal", "東京", "2024", "zzzz", "zzzzz"]
    return [{"id": f"a{i}", "title": " ".join(rng.sample(words, 3)), "text": " ".join(rng.sample(words, 40)),
             "date": "2024-01-01"} for i in range(count)]


def test_prefix_terms_are_whooshs_walk_over_several_segments(tmp_path):
    index = Index(built_then_updated(tmp_path, articles(), changed=30, gone=10))
    reader = index.policy.searcher.reader()
    assert len(list(reader.leaf_readers())) == 2  # the walk merges two segments' dictionaries
    terms = [t.decode("utf-8") for t in reader.lexicon("body_exact")]
    prefixes = {term[:n] for term in terms for n in (1, 2, 3)} | {"", "zzzzzz", "\uffff", "q", "東"}
    for fieldname in ("body_exact", "title_exact", "body"):
        for prefix in sorted(prefixes):
            for limit in (3, 20_000):
                walked = [t.decode("utf-8") for t in itertools.islice(reader.expand_prefix(fieldname, prefix), limit)]
                read = term_prefixes.mapped_prefix_terms(reader, fieldname, prefix, limit)
                assert read == walked, (fieldname, prefix, limit)  # read from the key index, not Whoosh's walk
                assert list(term_prefixes.prefix_terms(reader, fieldname, prefix, limit)) == walked


def test_a_dictionary_not_read_so_is_walked_by_whoosh(tmp_path, monkeypatch):
    index = Index(built_then_updated(tmp_path, articles(60), changed=10, gone=5))
    reader = index.policy.searcher.reader()
    walked = [t.decode("utf-8") for t in reader.expand_prefix("body_exact", "ba")]
    monkeypatch.setattr(term_prefixes, "INDEX_TYPES", {})  # an index array of a type not read here
    assert term_prefixes.mapped_prefix_terms(reader, "body_exact", "ba", 100) is None
    assert list(term_prefixes.prefix_terms(reader, "body_exact", "ba", 100)) == walked
