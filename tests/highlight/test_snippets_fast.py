"""Snippets analyse each distinct word once, and mark exactly the words the analysis pass gives a wanted root."""

import search.highlight.spans as spans_module
from search.analysis.tokens import analyse
from search.cli.render import marked_terminal as to_terminal
from search.highlight.spans import Highlighted, TermMatcher, match_spans, snippet
from tests.conftest import SEEDS
from web.render import marked_html as to_html

TEXT = (
    "Anak-anak berlari-lari di Nur-Sultan, pasukannya mengusir warga; pengusiran 2.500 orang "
    "(43,5 persen) terjadi 6/10/2022. Covid-19 dan Bekasi-nya: berlari, Berlari, BERLARI lagi."
)


def whole_text_spans(text, matcher):
    return [(t.start, t.end) for t in analyse(text) if t.stem is not None and matcher(t.stem)]


def test_word_by_word_spans_equal_whole_text_spans():
    for terms in (["lari", "usir"], ["anak", "sultan", "covid"], ["2.500", "43,5", "bekas*"], ["2022", "nur"]):
        matcher = TermMatcher.from_terms(terms)
        expected = whole_text_spans(TEXT, matcher)
        assert expected  # the comparison means something
        assert match_spans(TEXT, matcher) == expected, terms
        assert match_spans(TEXT, matcher) == expected  # again, from the remembered forms


def test_spans_equal_whole_text_spans_on_the_seed_pages():
    for page in sorted(SEEDS.glob("*.txt")):
        text = page.read_text(encoding="utf-8")
        words = sorted({t.stem for t in analyse(text) if t.stem})
        for terms in (words[::7], words[3::11], [w + "*" for w in words[5:9]]):
            matcher = TermMatcher.from_terms(terms)
            expected = whole_text_spans(text, matcher)
            assert expected and match_spans(text, matcher) == expected, page.name


def test_a_text_learnt_before_the_forms_were_forgotten_is_learnt_again(monkeypatch):
    """Texts are remembered as learnt only as long as their words are."""
    monkeypatch.setattr(spans_module, "FORMS_LIMIT", 20)
    spans_module.forget_word_forms()
    matcher = TermMatcher.from_terms(["lari", "usir"])
    expected = whole_text_spans(TEXT, matcher)
    assert match_spans(TEXT, matcher) == expected
    for page in sorted(SEEDS.glob("*.txt")):  # enough new words to pass the limit: all forgotten
        match_spans(page.read_text(encoding="utf-8"), matcher)
    assert match_spans(TEXT, matcher) == expected


def test_a_snippet_is_text_and_spans_and_renders_escaped():
    text = "Awal <b>berita</b>.   Polisi  mengusir warga & " + "kata " * 80 + "akhir."
    found = snippet(text, TermMatcher.from_terms(["usir"]), size=60)
    assert [found.text[s:e] for s, e in found.spans] == ["mengusir"]
    assert "  " not in found.text and found.text.endswith("…")
    html = to_html(found)
    assert "<mark>mengusir</mark>" in html and "&lt;b&gt;berita&lt;/b&gt;" in html and "&amp;" in html
    assert to_terminal(found, color=False).count("[mengusir]") == 1


def test_renderings_mark_exactly_the_spans():
    marked = Highlighted("a < b dan c", ((0, 1), (10, 11)))
    assert to_html(marked) == "<mark>a</mark> &lt; b dan <mark>c</mark>"
    assert to_terminal(marked, color=False) == "[a] < b dan [c]"


def test_a_text_without_spaces_is_marked_but_not_remembered_whole():
    """A run longer than REMEMBERED_RUN_CHARS (a URL, text without spaces) is read each time, never kept."""
    long_run = "/".join(["berita", "mengusir", "warga"] * 20)  # 300 characters, no space
    text = f"Polisi mengusir pedagang. {long_run} selesai."
    for terms in (["usir"], ["usi*"]):
        matcher = TermMatcher.from_terms(terms)
        expected = whole_text_spans(text, matcher)
        assert len(expected) == 21
        assert match_spans(text, matcher) == expected
        assert match_spans(text, matcher) == expected  # the text learnt: its long run still read
    assert long_run not in spans_module.word_forms().parts
