"""Ranking behaviours: exact forms, stemming corrections, question words,
abbreviations, answer types, suggestions, related articles and facets."""

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search import Index
from search.analysis import answers
from search.analysis.answers import answer_kinds, asked_kind
from search.analysis.stemmer import Stemmer
from search.analysis.tokens import stemmed_terms
from search.index.build import build_index
from search.query.rewrite import rewrite_query


def write_jsonl(path, docs):
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def small_index(tmp_path):
    """Build an index of a few JSONL articles; returns a Index on it."""

    def build(docs):
        index_dir = tmp_path / "index"
        build_index([write_jsonl(tmp_path / "docs.jsonl", docs)], index_dir)
        return Index(index_dir)

    return build


def ids(results):
    return [hit.id for hit in results.hits]


@pytest.mark.parametrize(
    "word, root",
    [
        ("pasukannya", "pasukan"), ("bekasinya", "bekasi"), ("pergerakan", "gerak"),
        ("penarikan", "tarik"), ("Kediri", "kediri"), ("Maluku", "maluku"), ("Abdullah", "abdullah"),
    ],
)
def test_stemming_corrections(word, root):
    assert stemmed_terms(word) == [root]


def test_pe_kan_is_read_as_pe_an_only_when_the_longer_root_is_a_word():
    stemmer = Stemmer()
    assert stemmer.stem("penarikan") == "tarik"  # no peN-...-kan confix: tarik + an
    assert stemmer.stem("pemberitahuan") == stemmer.sastrawi.stem("pemberitahuan")


def test_exact_form_ranks_above_other_forms_of_the_root(small_index):
    searcher = small_index([
        {"id": "tarik", "title": "Berita", "text": "Polisi menarik mobil itu. Mobil ditarik ke kantor."},
        {"id": "penarikan", "title": "Berita", "text": "Penarikan mobil itu dilakukan polisi."},
    ])
    assert ids(searcher.search("penarikan")) == ["penarikan", "tarik"]


def test_title_made_from_the_lead_is_shown_but_not_weighted(small_index):
    searcher = small_index([
        {"id": "lead", "text": "Gempa mengguncang Palu pada pagi hari. Warga mengungsi ke lapangan."},
        {"id": "later", "text": "Warga mengungsi ke lapangan. Gempa mengguncang Palu pada pagi hari."},
    ])
    results = searcher.search("gempa palu")
    assert {hit.id for hit in results.hits} == {"lead", "later"}
    assert results.hits[0].score == pytest.approx(results.hits[1].score, rel=0.01)
    assert searcher.document("lead")["title"].startswith("Gempa mengguncang Palu")


def test_question_words_are_dropped_and_abbreviations_expanded():
    # The index holds an abbreviation where its full form stands (search.analysis.abbreviations): the
    # abbreviation is searched as itself, with the other abbreviations of its full form.
    assert rewrite_query("Siapakah Menlu AS") == "Menlu AS"
    assert rewrite_query("Siapakah Kemlu AS") == "(Kemlu OR Kemenlu^0.8) AS"
    assert rewrite_query("Siapakah Menteri Luar Negeri") == "(Menteri Luar Negeri OR Menlu^1.0)"
    assert rewrite_query("di kota manakah") == "di kota"
    assert rewrite_query("apakah") == "apakah"  # nothing else to search for


def test_an_abbreviation_is_not_expanded_when_the_query_spells_it_out():
    assert rewrite_query("Presiden Amerika Serikat (AS) Trump") == "Presiden Amerika Serikat (AS) Trump"
    assert rewrite_query("Menteri Luar Negeri (Menlu)") == "Menteri Luar Negeri (Menlu)"
    assert rewrite_query("Menteri Luar (Kemlu)") == "Menteri Luar ((Kemlu OR Kemenlu^0.8))"
    assert rewrite_query('"apa kabar" title:as kazak*') == '"apa kabar" title:as kazak*'
    assert rewrite_query("bekerja as guru") == "bekerja as guru"  # lowercase "as" is not AS


def test_abbreviation_finds_the_spelled_out_form(small_index):
    searcher = small_index([
        {"id": "full", "title": "Kunjungan", "text": "Menteri Luar Negeri Amerika Serikat tiba di Jakarta."},
        {"id": "other", "title": "Cuaca", "text": "Hujan turun di Jakarta."},
    ])
    assert ids(searcher.search("Menlu AS")) == ["full"]


def test_answer_kinds_of_texts_and_questions():
    assert answer_kinds("Sebanyak 231 atlet berlaga.") == ["number"]
    assert answer_kinds("Jumpa pers digelar Jumat (19/8).") == ["date"]
    assert answer_kinds("Tidak ada angka di sini.") == []
    assert asked_kind("Kapan jumpa pers digelar?") == "date"
    assert asked_kind("Tanggal berapa jumpa pers digelar?") == "date"
    assert asked_kind("Berapa atlet yang berlaga?") == "number"
    assert asked_kind("Siapa juaranya?") is None


# Pieces that put dates, numbers and their edges next to each other.
ANSWER_PIECES = st.sampled_from(
    ["1", "2", "0", "9", ".", ",", "/", "(", ")", " ", "-", "\n", "a", "x", "é", "ſ", "K", "İ", "Mei", "maret",
     "JUMAT", "Senin", "2005", "1999", "20", "lima", "ribu", "ribuan", "Persen", "19/8", "(19/8)", "1,2005"]
)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None)
@given(text=st.one_of(st.lists(ANSWER_PIECES, max_size=12).map("".join), st.text(max_size=40)))
def test_answer_kinds_counts_only_numbers_outside_dates(text):
    """The one-pass scan decides as the plain definition does: a number is
    what is left once every date (weekday, month, (19/8), year) is removed."""
    plain_date = re.compile(answers.DATE_REGEX, re.IGNORECASE)
    plain_number = re.compile(answers.NUMBER_REGEX, re.IGNORECASE)
    expected = []
    if plain_date.search(text):
        expected.append("date")
    if plain_number.search(plain_date.sub(" ", text)):
        expected.append("number")
    assert answer_kinds(text) == expected


def test_question_prefers_passages_with_the_kind_of_answer_asked_for(small_index):
    searcher = small_index([
        {"id": "no-number", "text": "Kejuaraan sepak takraw dibuka menteri olahraga di Jakarta."},
        {"id": "number", "text": "Kejuaraan sepak takraw diikuti 231 atlet dari daerah."},
    ])
    assert ids(searcher.search("Berapa atlet kejuaraan sepak takraw"))[0] == "number"
    assert ids(searcher.search("Siapa yang membuka kejuaraan sepak takraw"))[0] == "no-number"


def test_misspelled_query_gets_a_suggestion(seed_index):
    # Searched as typed (corrected, the results say so instead: test_search_behaviour.py).
    results = Index(seed_index).search("kazakstn", corrections=False)
    assert results.suggestion == "kazakhstan"
    assert Index(seed_index).search("kazakhstan").suggestion is None


def test_suggestion_is_the_most_frequent_word_within_two_edits_sharing_the_start(small_index):
    searcher = small_index([
        {"id": "1", "text": "Pemilihan umum dan pemilihan kepala daerah."},
        {"id": "2", "text": "Pemilahan sampah di Bogor."},
    ])
    assert searcher.search("pemilhan", corrections=False).suggestion == "pemilihan"  # 1 edit from both, more frequent
    assert searcher.search("xemilihan", corrections=False).suggestion is None  # typos in the first letters are not looked for


def test_related_lists_similar_articles_without_the_article_itself(small_index):
    searcher = small_index([
        {"id": "a", "title": "Gempa Palu", "text": "Gempa mengguncang Palu, Sulawesi Tengah. Ribuan warga mengungsi."},
        {"id": "b", "title": "Pengungsi", "text": "Warga Palu mengungsi setelah gempa mengguncang Sulawesi Tengah."},
        {"id": "c", "title": "Sepak bola", "text": "Persija menang atas Persib di Stadion Utama Gelora Bung Karno."},
    ])
    related = [hit.id for hit in searcher.related("a")]
    assert related[0] == "b" and "a" not in related


def test_related_to_an_unknown_id_is_a_clear_error(run_cli, seed_index):
    result = run_cli("search", "--related", "nope", "--index", seed_index)
    assert result.exit_code == 1 and "No article with id 'nope'" in result.output


def test_facets_count_matches_by_source_and_year(small_index):
    searcher = small_index([
        {"id": "1", "text": "Banjir di Jakarta.", "source": "Kompas.com", "date": "2022-01-02"},
        {"id": "2", "text": "Banjir di Bekasi.", "source": "Kompas.com", "date": "2023-03-04"},
        {"id": "3", "text": "Banjir di Bogor.", "source": "Tempo.co", "date": "2023-05-06"},
        {"id": "4", "text": "Kemarau di Bogor.", "source": "Tempo.co", "date": "2023-05-06"},
    ])
    results = searcher.search("banjir", limit=1, facets=True)
    assert results.facets == {"source": {"Kompas.com": 2, "Tempo.co": 1}, "year": {"2023": 2, "2022": 1},
                              "month": {"2023-05": 1, "2023-03": 1, "2022-01": 1},
                              "people": {}, "organisations": {}}  # three articles name nobody
    assert list(results.facets["month"]) == ["2023-05", "2023-03", "2022-01"]  # newest first
    assert results.to_dict()["facets"] == results.facets


def test_cli_prints_suggestion_and_related(run_cli, seed_index):
    out = run_cli("search", "kazakstn", "--index", seed_index).output
    assert out.startswith("Also searched: kazakstan (for 'kazakstn'); --as-typed searches the words as typed.\n")
    out = run_cli("search", "kazakstn", "--as-typed", "--index", seed_index).output
    assert "Did you mean: kazakhstan" in out
    first = Index(seed_index).search("kazakhstan").hits[0].id
    out = run_cli("search", "--related", first, "--index", seed_index).output
    assert f"articles like {first!r}" in out and f"· {first}\n" not in out


def test_article_about_the_query_beats_one_whose_headline_repeats_its_words(small_index):
    searcher = small_index([
        {"id": "headline", "title": "Banjir Jakarta",
         "text": "Warga mengungsi. Sekolah diliburkan hari ini karena hujan deras sejak pagi."},
        {"id": "story", "title": "Cuaca buruk pekan ini",
         "text": "Banjir merendam Jakarta Utara setinggi satu meter, kata petugas pemadam kebakaran setempat."},
        {"id": "other", "title": "Harga cabai", "text": "Harga cabai naik di pasar induk."},
    ])
    assert ids(searcher.search("banjir merendam Jakarta Utara")) == ["story", "headline"]


def test_rare_stopword_counts_in_the_exact_fields(small_index):
    # "sejak" is on Sastrawi's stoplist, so only the exact fields can tell these apart.
    searcher = small_index([
        {"id": "other", "text": "Pabrik itu tutup pada 1998 karena krisis."},
        {"id": "since", "text": "Pabrik itu tutup sejak 1998 karena krisis."},
        {"id": "filler", "text": "Harga beras naik di pasar."},
    ])
    assert ids(searcher.search("pabrik tutup sejak 1998"))[0] == "since"


def test_stopwords_in_most_articles_are_left_out_of_the_query(small_index):
    from search.query.parsed import positive_terms

    searcher = small_index([
        {"id": f"d{i}", "text": f"Kabar yang beredar hari ke-{i} tentang pasar."} for i in range(4)
    ] + [{"id": "beras", "text": "Harga beras naik."}])
    parsed = searcher.parse("beras yang mahal")
    assert ("body_exact", "yang") in positive_terms(parsed.query)
    kept = positive_terms(searcher.policy.pruned(parsed).query)
    assert ("body_exact", "yang") not in kept and ("body_exact", "beras") in kept
    # "yang" alone would otherwise match every article; the total counts only real matches.
    assert searcher.search("beras yang").total == 1
    # A query of nothing but such words is searched as it is.
    assert searcher.search("yang").total == 4


def test_answer_kind_boost_is_searched_exactly(small_index):
    from whoosh import query as q

    from search.query.builder import QueryBuilder
    from search.ranking.prune import exact_search_options

    builder = QueryBuilder(small_index([{"id": "a", "text": "Kejuaraan diikuti 231 atlet."}]).schema)
    boosted = builder.parse("Berapa atlet kejuaraan").query
    assert isinstance(boosted, q.AndMaybe)
    assert exact_search_options(boosted) == {"optimize": False}
    assert boosted.a.matcher_type == q.Or.DEFAULT_MATCHER
    assert exact_search_options(builder.parse("atlet kejuaraan").query) == {}


def test_question_word_followed_by_a_comma_is_dropped():
    assert rewrite_query("Di pulau manakah, PT Mutiara") == "Di pulau , PT Mutiara"
