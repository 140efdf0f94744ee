"""A word's close spellings are looked up once, whatever the words typed with it (search.query.typos).

At 1,000,000 articles the look-up (the indexed words sharing its first
letters, each compared) took milliseconds a word, and the words of 1-3 word
queries come back beside other words; only the choice among the close
spellings depends on those.
"""

from search.query import typos
from tests.conftest import searcher_of


def test_close_spellings_are_looked_up_once_a_word_whatever_the_other_words(tmp_path, monkeypatch):
    docs = [*({"id": f"saudi{i}", "title": "Arab Saudi", "text": "Arab Saudi membuka kedutaan baru."} for i in range(2)),
            *({"id": f"suami{i}", "title": "Keluarga", "text": "Suami itu bekerja di kota."} for i in range(5)),
            *({"id": f"other{i}", "title": "Lain", "text": f"Berita lain nomor {i} tentang pasar."} for i in range(30))]
    news = searcher_of(docs, tmp_path)
    looked_up = []
    real = typos.IndexLexicon._close
    monkeypatch.setattr(typos.IndexLexicon, "_close",
                        lambda self, word, edits: looked_up.append(word) or real(self, word, edits))
    assert ("suadi", "saudi") in news.search("arab suadi").corrections  # the spelling standing with arab
    assert news.search("suadi").corrections == [("suadi", "saudi")]  # alone: the swap, the likeliest typo
    assert ("suadi", "saudi") in news.search("suadi arab").corrections
    assert ("suadi", "saudi") in news.search("suadi kota").corrections  # the likeliest typo still
    assert looked_up.count("suadi") == 1
