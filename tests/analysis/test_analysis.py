"""The Indonesian analyzer: reduplication, clitics, affixes, numbers, protected names."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.analysis.tokens import is_reduplication, stemmed_terms


@pytest.mark.parametrize(
    "word, root",
    [
        ("mengusir", "usir"), ("diusir", "usir"), ("pengusiran", "usir"), ("usir", "usir"),
        ("anak-anak", "anak"), ("berlari-lari", "lari"), ("besar-besaran", "besar"),
        ("kerusuhan", "rusuh"), ("pembicaraan", "bicara"),
        ("rusianya", "rusia"), ("kazakhstanlah", "kazakhstan"), ("bukunya", "buku"),
        ("Bekasi", "bekasi"), ("pasukan", "pasukan"), ("penarikan", "tarik"), ("memadamkan", "padam"),
    ],
)
def test_words_reduce_to_their_root(word, root):
    assert stemmed_terms(word) == [root]


def test_numbers_keep_their_separators():
    assert stemmed_terms("2.500 orang dan Rp 43,5 miliar") == ["2.500", "rp", "43,5", "miliar"]


def test_compounds_split_into_parts():
    assert stemmed_terms("Nur-Sultan Covid-19") == ["nur", "sultan", "covid", "19"]


def test_stopwords_are_dropped():
    assert stemmed_terms("yang dan di untuk Kazakhstan") == ["kazakhstan"]


@pytest.mark.parametrize("word, expected", [("anak-anak", True), ("orang-orangnya", True),
                                             ("nur-sultan", False), ("covid-19", False)])
def test_reduplication_detection(word, expected):
    assert is_reduplication(word) is expected


# Text made of what news holds: words, compounds, reduplications, numbers, stopwords, odd letters, punctuation.
_PIECES = st.sampled_from([
    "anak", "Anak", "-", "anak-anak", "Anak-anak", "berlari-lari", "Nur-Sultan", "Covid-19", "x-y-z", "ke-3",
    "yang", "dan", "di", "mengusir", "Pengusiran", "pasukannya", "Bekasi", "2.500", "43,5", "6/10/2022",
    "İstanbul", "ſaya", "é", "_", " ", "  ", "\n", ",", ".", "(", ")", "'", "’",
])
TEXTS = st.one_of(st.lists(_PIECES, max_size=30).map("".join), st.text(max_size=60))


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_every_view_of_the_analysis_pass_agrees(text):
    """The indexer's list pass, the per-word parts, the Whoosh analyzers and the snippets read one pass."""
    from search._whoosh.analyzers import exact_analyzer, indonesian_analyzer
    from search.analysis.tokens import TOKEN, analyse, index_words, word_parts, written_words
    from search.highlight.spans import TermMatcher, match_spans

    tokens = list(analyse(text))
    assert [t.pos for t in tokens] == list(range(len(tokens)))
    # The indexer: every part lowercased, the kept ones, where the first kept one stands.
    words = index_words(text)
    assert words.words == [t.word for t in tokens]
    assert words.kept == [t.word for t in tokens if t.stem is not None]
    assert words.first == next((t.pos for t in tokens if t.stem is not None), 0)
    # A word at a time (snippets): the same parts at the same offsets.
    per_word = [(p.word, p.stem, m.start() + p.start, m.start() + p.end)
                for m in TOKEN.finditer(text) for p in word_parts(m.group())]
    assert per_word == [(t.word, t.stem, t.start, t.end) for t in tokens]
    # Whole texts as written (the question re-rank): each part's text and root.
    # (A part's text is cut from its token: lowercasing "İ" makes two letters of one.)
    written = written_words(text)
    assert [w.stem for w in written] == [t.stem for t in tokens]
    assert [(w.text, w.word) for w in written] == [
        (m.group()[p.start : p.end], p.word) for m in TOKEN.finditer(text) for p in word_parts(m.group())
    ]
    # Whoosh's view: the roots with stopwords dropped and renumbered from the first kept; the exact words.
    kept = [t for t in tokens if t.stem is not None]
    stemmed = [(tok.text, tok.pos, tok.startchar, tok.endchar)
               for tok in indonesian_analyzer()(text, positions=True, chars=True)]
    assert stemmed == [(t.stem, (kept[0].pos + i if kept else 0), t.start, t.end) for i, t in enumerate(kept)]
    assert [tok.text for tok in exact_analyzer()(text)] == [t.word for t in tokens]
    # Snippets mark exactly the parts whose root is wanted.
    roots = sorted({t.stem for t in kept})[::2]
    assert match_spans(text, TermMatcher.from_terms(roots)) == [(t.start, t.end) for t in kept if t.stem in roots]
