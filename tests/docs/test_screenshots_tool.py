"""tools/screenshots.py, which makes the README's IndoSum screenshot: the archive it shows is IndoSum and six
syndicated copies (two each) of three Novanto e-KTP articles, so that the page shows story groups."""

from __future__ import annotations

from search.ingest.datelines import strip_dateline
from tests.conftest import eval_file
from tools import screenshots


def test_the_screenshot_archive_is_indosum_and_two_copies_of_three_novanto_articles():
    eval_file("indosum", "docs.jsonl")
    docs = screenshots.archive()
    copies = [d for d in docs if d["id"].startswith("copy-")]
    originals = {d["id"]: d for d in docs if not d["id"].startswith("copy-")}
    assert len(originals) == 3463 and len(copies) == 6
    copied = {c["id"].split("-of-", 1)[1] for c in copies}
    assert len(copied) == 3 and all("novanto" in originals[i]["title"] for i in copied)
    for copy in copies:  # another publisher's furniture around the same text
        original = originals[copy["id"].split("-of-", 1)[1]]
        assert copy["source"] != original.get("source") and "Baca juga:" in copy["text"]
        assert strip_dateline(original["text"]).split("\n")[0][:80] in copy["text"]
