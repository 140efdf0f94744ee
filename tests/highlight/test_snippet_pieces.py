"""Snippets analyse only the runs that can hold a wanted word (issue 24): the same marks as analysing all of them.

A root is in its word but for its first letter (a prefix's recoding, an
infix), or is a correction's; a written form is in the text as it is;
runs with letters that fold are analysed whatever they hold.
"""

import json
import random

import pytest

from search.analysis.tokens import analyse
from search.highlight.spans import TermMatcher, forget_word_forms, match_spans
from tests.conftest import eval_file


def every_part_spans(text, matcher):
    """The marks analysing every word of ``text`` gives (by root, or as written)."""
    return [(t.start, t.end) for t in analyse(text) if matcher.wants(t.stem, t.word)]


def roots_of(text):
    return sorted({t.stem for t in analyse(text) if t.stem})


@pytest.mark.parametrize("text", [
    "Polisi memukul mundur massa",  # meN- recodes p: pukul
    "Ia menulis surat, menyapu halaman dan mengopi berkas",  # t, s, k
    "Para relawan datang",  # the infix -el-: rawan
    "Pemerintah Kabupaten Bekasi",  # pe- recodes... and a correction: bekasi -> bekas
    "Kementriannya belum menjawab",  # a correction behind a clitic: kementerian
    "Presiden Erdoğan bertemu “Jokowi” di JAKARTA",  # a letter that folds, curly quotes, capitals
    "Anak-anak berlari-lari di Nur-Sultan",  # reduplications and a compound
    "Mereka akan mengatakan, pelajar mengajar; umum diumumkan oleh orang-orang",  # roots opening with a vowel
    "  banjir  banjirnya banjir. banjir  Banjir banjir",  # repeated runs, spaces doubled, at both ends
])
def test_each_root_is_marked_as_analysing_every_word_marks_it(text):
    for root in roots_of(text):
        forget_word_forms()
        matcher = TermMatcher.from_terms([root])
        expected = every_part_spans(text, matcher)
        assert expected and match_spans(text, matcher) == expected, root
        assert match_spans(text, matcher) == expected  # again, from the remembered forms


def test_written_forms_and_stopwords_are_marked():
    text = "Warga yang diusir kembali, kata yang lain"
    matcher = TermMatcher.from_terms(["warga"], ["yang", "diusir"])
    forget_word_forms()
    assert match_spans(text, matcher) == every_part_spans(text, matcher) and len(every_part_spans(text, matcher)) == 4


@pytest.mark.slow
def test_indosum_articles_are_marked_as_analysing_every_word():
    with eval_file("indosum", "docs.jsonl").open(encoding="utf-8") as lines:
        docs = [json.loads(line) for line in lines]
    rng = random.Random(4)
    compared = 0
    for _ in range(150):
        source, shown = rng.sample(docs, 2)
        roots = roots_of(source["title"])
        words = [t.word for t in analyse(source["title"])][:2]
        matcher = TermMatcher.from_terms(rng.sample(roots, min(3, len(roots))), words)
        forget_word_forms()
        for text in (shown["text"], source["text"], shown["title"]):
            assert match_spans(text, matcher) == every_part_spans(text, matcher), (source["id"], shown["id"])
            compared += bool(every_part_spans(text, matcher))
    assert compared > 150  # most comparisons mark something


def test_runs_are_found_wherever_they_stand_between_spaces():
    """Runs of a few words, one the start of another (``banjir``, ``banjirnya``), spaced at random."""
    rng = random.Random(8)
    words = ["banjir", "banjirnya", "banjir,", "di", "akan", "mengatakan", "kata", "ajar", "pelajar", "x"]
    for _ in range(200):
        text = "".join(rng.choice(words) + " " * rng.choice((1, 1, 1, 2, 0)) for _ in range(rng.randint(1, 12)))
        text = " " * rng.randint(0, 2) + text
        for root in ("banjir", "akan", "kata", "ajar", "di"):
            forget_word_forms()
            matcher = TermMatcher.from_terms([root], ["di"])
            assert match_spans(text, matcher) == every_part_spans(text, matcher), (text, root)
