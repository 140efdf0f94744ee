"""An article's written terms (search.analysis.article_terms.written_terms), read from the analysis pass's pieces,
are those of the pass's tokens one by one as first written: the same words, the same names kept whole."""

from hypothesis import given, settings
from hypothesis import strategies as st

from search.analysis.article_terms import written_terms
from search.analysis.tokens import analyse


def written_terms_as_first_written(text: str) -> list[tuple[str, str]]:
    """written_terms as first written (fdbbead): a Token a word, what opens a sentence looked for before each."""
    terms = []
    for token in analyse(text):
        if token.stem is None:
            continue
        written = text[token.start:token.end]
        at = token.start - 1
        while at >= 0 and text[at].isspace():
            at -= 1
        opens_sentence = at < 0 or text[at] in '.!?"“:'
        name = written[:1].isupper() and not opens_sentence and token.stem != token.word and token.word.isalpha()
        terms.append(("name", token.word) if name else ("stem", token.stem))
    return terms


WORDS = ["Jokowi", "jokowi", "Presiden", "mengatakan", "Bekasi", "KPK", "anak-anak", "Nur-Sultan", "Covid-19",
         "Erdoğan", "İstanbul", "café", "2.500", "43,5", "yang", "Dan", "rusianya", "Kazakhstanlah", "pasukan", "x"]
GAPS = [" ", "  ", ". ", ", ", "\n", '"', "“", ": ", "! ", "? ", " (", ") ", "-", "\t", ""]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(GAPS), st.sampled_from(WORDS)), max_size=30), st.sampled_from(GAPS))
def test_written_terms_are_those_of_the_tokens_one_by_one(pieces, end):
    text = "".join(gap + word for gap, word in pieces) + end
    assert written_terms(text) == written_terms_as_first_written(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aAbBkKnN İığé-.,:!?\"“\n 19"), max_size=60))
def test_written_terms_of_any_text(text):
    assert written_terms(text) == written_terms_as_first_written(text)


def test_written_terms_of_articles(indosum_docs):
    for doc in list(indosum_docs.values())[:400]:
        for text in (doc["title"], doc["text"]):
            assert written_terms(text) == written_terms_as_first_written(text)


def test_a_name_is_kept_whole_only_inside_a_sentence():
    assert written_terms('Warga ke Kementerian Keuangan. Kementerian itu "Berlari" Berlari berlari') == [
        ("stem", "warga"), ("stem", "kementerian"), ("name", "keuangan"), ("stem", "kementerian"), ("stem", "lari"),
        ("stem", "lari"), ("stem", "lari")]
