"""Snippets analyse each distinct word once, with the same spans as analysing the whole text."""

from conftest import SEEDS
from whoosh.analysis import RegexTokenizer

from search.index.schema import build_schema
from search.highlight.spans import TermMatcher, match_spans

TEXT = (
    "Anak-anak berlari-lari di Nur-Sultan, pasukannya mengusir warga; pengusiran 2.500 orang "
    "(43,5 persen) terjadi 6/10/2022. Covid-19 dan Bekasi-nya: berlari, Berlari, BERLARI lagi."
)


def whole_text_spans(text, matcher, analyzer):
    return [(t.startchar, t.endchar) for t in analyzer(text, chars=True, mode="query") if matcher(t.text)]


def test_word_by_word_spans_equal_whole_text_spans():
    analyzer = build_schema()["body"].analyzer
    for terms in (["lari", "usir"], ["anak", "sultan", "covid"], ["2.500", "43,5", "bekas*"], ["2022", "nur"]):
        matcher = TermMatcher.from_terms(terms)
        expected = whole_text_spans(TEXT, matcher, analyzer)
        assert expected  # the comparison means something
        assert match_spans(TEXT, matcher, analyzer) == expected, terms
        assert match_spans(TEXT, matcher, analyzer) == expected  # again, from the remembered forms


def test_spans_equal_whole_text_spans_on_the_seed_pages():
    analyzer = build_schema()["body"].analyzer
    for page in sorted(SEEDS.glob("*.txt")):
        text = page.read_text(encoding="utf-8")
        words = sorted({t.text for t in analyzer(text, mode="query")})
        for terms in (words[::7], words[3::11], [w + "*" for w in words[5:9]]):
            matcher = TermMatcher.from_terms(terms)
            expected = whole_text_spans(text, matcher, analyzer)
            assert expected and match_spans(text, matcher, analyzer) == expected, page.name


def test_a_chain_with_other_steps_is_analysed_whole():
    analyzer = RegexTokenizer(r"\w+")  # not Cari's tokenizer: no word-by-word shortcut
    matcher = TermMatcher.from_terms(["Nur"])
    assert match_spans("Nur-Sultan dan Nur", matcher, analyzer) == [(0, 3), (15, 18)]


def test_direct_word_analysis_is_the_chains():
    """Each word's terms and places, computed without the chain's generators, are the chain's."""
    from search.highlight.spans import _direct_word_parts

    analyzer = build_schema()["body"].analyzer
    parts_of = _direct_word_parts(analyzer.items)
    assert parts_of is not None
    pages = " ".join(page.read_text(encoding="utf-8") for page in sorted(SEEDS.glob("*.txt")))
    tricky = "Nur-Sultan anak-anak di-rumah İstanbul-x Covid-19 x-y-z Yang DAN Bekasi-nya 2.500 ſaya-ſaya ke-3"
    words = set(analyzer.items[0].expression.findall(pages + " " + tricky))
    assert len(words) > 500 and any("-" in word for word in words)
    for word in words:
        chain = tuple((t.text, t.startchar, t.endchar) for t in analyzer(word, chars=True, mode="query"))
        assert parts_of(word) == chain, word
    assert _direct_word_parts(analyzer.items[:-1]) is None  # another chain: no shortcut


def test_a_text_learnt_before_the_forms_were_forgotten_is_learnt_again(monkeypatch):
    """Texts are remembered as learnt only as long as their words are."""
    import search.highlight.spans as snippets

    analyzer = build_schema()["body"].analyzer
    monkeypatch.setattr(snippets, "_FORMS_LIMIT", 20)
    monkeypatch.setattr(snippets, "_forms", None)
    matcher = TermMatcher.from_terms(["lari", "usir"])
    expected = whole_text_spans(TEXT, matcher, analyzer)
    assert match_spans(TEXT, matcher, analyzer) == expected
    for page in sorted(SEEDS.glob("*.txt")):  # enough new words to pass the limit: all forgotten
        match_spans(page.read_text(encoding="utf-8"), matcher, analyzer)
    assert match_spans(TEXT, matcher, analyzer) == expected
