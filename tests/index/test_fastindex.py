"""The workers' shared analysis yields exactly Whoosh's postings (search/_whoosh/fastindex.py)."""

import itertools
import json

from search._whoosh.fastindex import fast_schema
from search.index.schema import build_schema
from tests.conftest import SEEDS, eval_file

TEXTS = [
    "Anak-anak berlari-lari di Nur-Sultan; pasukannya mengusir penarikan dana Covid-19 senilai 2.500 rupiah.",
    "Presiden Joko Widodo meresmikan jalan tol di Bekasi, dan presiden berlari lagi: berlari, lari, pelarian.",
    "",
    "yang dan di ke dari",  # stopwords only
    "Ámbil kembali 43,5 persen -- kata-kata yang sama, kata yang sama.",
    "yang di-rumah ke-3 dan 2020-2021: İstanbul, snake_case_word, di-yang-dan Nur-Sultan-nya x-y-z.",
]


def seed_texts():

    from search.ingest.article import Article
    from search.ingest.sources import read_articles

    seeds = SEEDS
    return [text for a in read_articles([seeds]) if isinstance(a, Article) for text in (a.title, a.body)]


def postings(schema, name, text):
    return sorted(schema[name].index(text))


def test_shared_analysis_gives_whoosh_postings_for_every_text_field():
    plain = build_schema()
    fast = fast_schema(plain)
    for text in TEXTS + seed_texts():
        # The order the writer uses (sorted field names), so the memo is exercised.
        for name in ("author", "body", "body_exact", "source", "title", "title_exact"):
            assert postings(fast, name, text) == postings(plain, name, text), (name, text)


def test_exact_fields_keep_frequencies_only_and_still_share_the_analysis():
    from whoosh.formats import Frequency
    from whoosh.system import pack_uint

    plain = build_schema()
    fast = fast_schema(plain)
    for name in ("title_exact", "body_exact"):
        assert type(plain[name].format) is Frequency
        assert "index" in vars(fast[name])  # the shared path, not Whoosh's
    text = "Duta besar, duta-duta besar dan Duta Besar"
    values = {term: value for term, _, _, value in fast["body_exact"].index(text)}
    assert values[b"besar"] == pack_uint(3)  # a count, no positions


def test_stemmed_field_merges_the_positions_of_words_sharing_a_root():
    fast = fast_schema(build_schema())
    terms = {term: freq for term, freq, _, _ in fast["body"].index("berlari lari pelari makan")}
    exact = {term: freq for term, freq, _, _ in fast["body_exact"].index("berlari lari pelari makan")}
    assert terms[b"lari"] == 3 and exact[b"berlari"] == 1


def test_fast_schema_leaves_the_real_schema_alone():
    plain = build_schema()
    fast_schema(plain)
    assert "index" not in vars(plain["body"])


def test_shared_analysis_gives_whoosh_postings_on_real_news():
    indosum = eval_file("indosum", "docs.jsonl")
    plain = build_schema()
    fast = fast_schema(plain)
    with indosum.open(encoding="utf-8") as lines:
        for line in itertools.islice(lines, 150):
            text = json.loads(line)["text"]
            for name in ("body", "body_exact"):
                assert postings(fast, name, text) == postings(plain, name, text)


def test_the_names_field_takes_the_fast_path_with_whooshs_postings():
    plain = build_schema()
    fast = fast_schema(plain)
    assert "index" in vars(fast["names"]) and "index" not in vars(plain["names"])
    texts = TEXTS + seed_texts() + ["Ketua DPR Setya Novanto (Setnov) diperiksa Komisi Pemberantasan Korupsi (KPK)."]
    assert any(postings(plain, "names", text) for text in texts)
    for text in texts:
        assert postings(fast, "names", text) == postings(plain, "names", text), text


def test_word_numbers_give_each_word_its_root_and_hash_and_start_again_when_forgotten():
    """The writer's one lookup a word (``WordNumbers``) stands for the exact form, the root the stemmed fields
    keep (stopwords out, the first kept word's place) and the word hash a story's signature reads."""
    from search._whoosh.fastindex import WordNumbers
    from search.analysis.stemmer import shared_stemmer
    from search.analysis.tokens import index_parts, index_words, word_hash

    indosum = eval_file("indosum", "docs.jsonl")
    with indosum.open(encoding="utf-8") as lines:
        news = [json.loads(line)["text"] for line in itertools.islice(lines, 60)]
    table = WordNumbers()
    for _round in range(2):
        for text in TEXTS + seed_texts() + news:
            parts = index_parts(text)
            numbers = table.numbers(parts)
            assert [table.words[n] for n in numbers] == parts == index_words(text).words
            roots, first = table.kept_roots(numbers)
            expected = index_words(text)
            assert [table.roots.words[r] for r in roots] == [shared_stemmer().stem(w) for w in expected.kept]
            assert first == expected.first
            assert table.hashes(numbers).tolist() == [word_hash(w) for w in parts]
        assert len(table) > 2000  # the table grew past its first arrays
        table.forget()
        assert not table and not table.words and not table.roots.words


def test_a_signature_from_word_hashes_is_the_signature_of_the_words():
    from search._whoosh.fastindex import WordNumbers
    from search.analysis.tokens import index_parts
    from search.index import signatures

    table = WordNumbers()
    texts = [text for text in TEXTS + seed_texts() if len(index_parts(text)) >= signatures.MIN_WORDS]
    assert len(texts) >= 5
    for text in texts:
        words = index_parts(text)
        made = signatures.signature_of_hashes(table.hashes(table.numbers(words)))
        assert made is not None and (made == signatures.signature_of_words(words)).all()
    assert signatures.signature_of_hashes(table.hashes(table.numbers(["kata"] * 5))) is None  # a stub
