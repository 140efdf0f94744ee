"""The question re-rank: which queries it touches, its features, and its effect on a search."""


import pytest

from search.analysis.answers import asked_type, framing_words
from search.query.builder import is_question
from search.query.parsed import positive_terms
from search.ranking import rerank
from tests.conftest import searcher_of

# The lead names the event twice; the next passage holds the figure asked for.
LEAD = (
    "Kejuaraan Sepeda Gunung Asia di Bandung ditutup dengan meriah. Kejuaraan Sepeda Gunung Asia "
    "disaksikan penonton yang datang dari berbagai kota di Jawa Barat dan sekitarnya, kira-kira 500 orang."
)
ANSWER = (
    "Para pembalap menuruni lintasan sepanjang 1.200 meter dari bukit berkelok-kelok. "
    "Hoho tampil meyakinkan pada final kejuaraan itu."
)
QUESTION = "Berapa panjang lintasan Kejuaraan Sepeda Gunung Asia?"


@pytest.fixture
def passages(tmp_path):
    docs = [
        {"id": "lead", "text": LEAD},
        {"id": "answer", "text": ANSWER},
        {"id": "other", "text": "Kejuaraan renang Asia berlangsung di Bangkok."},
    ]
    return searcher_of(docs, tmp_path)


@pytest.mark.parametrize(
    "text, question",
    [
        ("Berapa panjang lintasan kejuaraan itu", True),
        ("Di pulau manakah PT Mutiara berlokasi", True),
        ("Lintasan kejuaraan sepeda gunung itu panjang?", True),
        ("berapa harga beras", False),  # three words: a keyword search
        ("Penjualan mobil Toyota Calya telah melampaui target penjualan.", False),
        ("kazakhstan", False),
    ],
)
def test_only_questions_of_four_or_more_words_are_reranked(text, question):
    assert is_question(text) is question


@pytest.mark.parametrize(
    "question, kind",
    [
        ("Berapa orang yang hadir di pertemuan itu", "number"),
        ("Kapan kejuaraan itu berlangsung", "date"),
        ("Di kabupaten manakah polisi menyita kayu", "place"),
        ("Dimana lokasi Taman Sari", "place"),
        ("Siapa yang memindahkan patung itu", None),
        ("Apa warna pasir pantai itu", None),
        ("Sejak abad berapa Kerinci telah dikenal", "ordinal"),  # which one in a row, not how many
        ("Kongres PDI-P ke berapakah yang digelar di Bali", "ordinal"),
        ("Berada pada urutan keberapakah Indonesia", "ordinal"),  # 'keberapakah' asked nothing before
        ("Negara Asia manakah yang mengalami penurunan ekspor", "place"),
        ("Untuk pasokan gas, PT Pupuk mengupayakannya dari negara mana", "place"),
        ("Dari universitas manakah Djoko memperoleh gelar doktor", None),  # an organisation, not a place
        ("Pesawat dari perusahaan penerbangan manakah yang jatuh di Medan", None),
        ("Apa kepanjangan dari GAM?", "alias"),  # another name: an abbreviation's full form
        ("apakah singkatan hama GAS", "alias"),
        ("Apakah nama latin dari beruang madu", "alias"),  # a species' Latin name
        ("Binatang apakah yang nama latinnya adalah Helarctos malayanus", "alias"),  # and back
        ("Siapakah nama menteri yang turut dalam pesawat itu", None),  # a name, not another name of one
    ],
)
def test_asked_type(question, kind):
    assert asked_type(question) == kind


def test_words_keep_their_spelling_and_carry_the_index_stem():
    found = rerank.written_words("Pasukan yang menarik anak-anak di Nur-Sultan")
    assert [w.text for w in found] == ["Pasukan", "yang", "menarik", "anak-anak", "di", "Nur", "Sultan"]
    assert [w.stem for w in found] == ["pasukan", None, "tarik", "anak", None, "nur", "sultan"]


def test_an_answer_counts_only_near_the_matched_words_and_not_from_the_question():
    idf = {"lintas": 2.0, "sepeda": 1.0}
    asked = frozenset({"berapa", "lintasan", "sepeda", "12"})
    near = rerank.written_words("Lintasan sepeda itu sepanjang 1.200 meter.")
    far = rerank.written_words("Lintasan sepeda itu dibuka kemarin oleh para pejabat dan warga desa sekitar, 1.200 orang.")
    own = rerank.written_words("Lintasan sepeda itu punya 12 tikungan.")
    assert rerank.features(near, idf, "number", asked)[2] == 1.0
    assert rerank.features(far, idf, "number", asked)[2] == 0.0
    assert rerank.features(own, idf, "number", asked)[2] == 0.0
    assert rerank.features(near, idf, None, asked)[2] == 0.0


@pytest.mark.parametrize(
    "passage, kind, answers",
    [
        ("Kerinci telah dikenal sejak abad XIX oleh para pedagang.", "ordinal", True),  # a Roman numeral
        ("Kerinci telah dikenal sejak abad ke-19 oleh para pedagang.", "ordinal", True),
        ("Kerinci telah dikenal pedagang kedua kalinya sejak itu.", "ordinal", True),  # an ordinal word
        ("Kerinci telah dikenal para pedagang DI Jambi sejak lama.", "ordinal", False),  # DI in capitals: no numeral
        ("Kerinci telah dikenal sejak abad XIX oleh para pedagang.", "number", False),  # not how many
        ("Kerinci telah dikunjungi belasan pedagang.", "number", True),
        ("Kerinci telah dikunjungi seratus pedagang.", "number", True),  # a se- number word
        ("Kerinci telah dikunjungi para pedagang.", "number", False),
    ],
)
def test_numbers_written_otherwise_answer_a_berapa(passage, kind, answers):
    words = rerank.written_words(passage)
    assert rerank.features(words, {"kerinci": 1.0}, kind, frozenset({"kerinci"}))[2] == float(answers)


def test_a_place_is_a_capitalised_word_after_di_or_kabupaten():
    passage = rerank.written_words("Kayu ilegal disita di Kabupaten Kutai Barat.")
    assert rerank.features(passage, {"kayu": 1.0}, "place", frozenset({"kayu"}))[2] == 1.0
    passage = rerank.written_words("Kayu ilegal disita polisi kemarin.")
    assert rerank.features(passage, {"kayu": 1.0}, "place", frozenset({"kayu"}))[2] == 0.0


@pytest.mark.parametrize("passage", [
    "Sharapova, petenis kelahiran Nyagan, Rusia, merebut tiga gelar.",
    "Atlet renang asal Musi Banyuasin, Felix, meraih emas.",
    "Sharapova merebut gelar di wilayah Moskwa.",
])
def test_a_place_is_also_where_someone_comes_from_or_a_region(passage):
    words = rerank.written_words(passage)
    stems = {"sharapova": 1.0, "emas": 1.0}
    assert rerank.features(words, stems, "place", frozenset({"sharapova", "emas"}))[2] == 1.0


def test_a_place_word_such_as_kabupaten_is_not_itself_the_answer():
    # "Di kota manakah massa mengamuk di Tanah Laut?": the passage names only the asked place.
    asked = frozenset({"di", "kota", "manakah", "massa", "mengamuk", "tanah", "laut"})
    passage = rerank.written_words("Massa dari lima kecamatan di Kabupaten Tanah Laut mengamuk.")
    assert rerank.features(passage, {"massa": 1.0}, "place", asked)[2] == 0.0
    passage = rerank.written_words("Massa mengamuk di Pelaihari, Kabupaten Tanah Laut.")
    assert rerank.features(passage, {"massa": 1.0}, "place", asked)[2] == 1.0


def test_coverage_is_the_idf_share_of_the_question_stems_held():
    passage = rerank.written_words("Lintasan itu panjang.")
    coverage, _, _ = rerank.features(passage, {"lintas": 3.0, "sepeda": 1.0}, None, frozenset())
    assert coverage == pytest.approx(0.75)


def test_tightness_is_highest_when_the_matched_words_are_adjacent():
    idf = {"sepeda": 1.0, "gunung": 1.0}
    adjacent = rerank.features(rerank.written_words("Balap sepeda gunung itu seru."), idf, None, frozenset())[1]
    apart = rerank.features(rerank.written_words("Sepeda itu dibawa naik ke gunung."), idf, None, frozenset())[1]
    assert adjacent == 1.0
    assert apart == pytest.approx(2 / 6)


def test_the_passage_with_the_answer_beats_the_lead_that_repeats_the_question(passages, monkeypatch):
    assert [doc_id for doc_id, _ in passages.ranked_ids(QUESTION, 10)][0] == "answer"
    assert [hit.id for hit in passages.search(QUESTION).hits][0] == "answer"
    monkeypatch.setattr("search.ranking.policy.answers_first", lambda text, query, found, reader: found)
    assert [doc_id for doc_id, _ in passages.ranked_ids(QUESTION, 10)][0] == "lead"  # BM25 alone


def test_rerank_scores_still_fall_down_the_list(passages):
    scores = [score for _, score in passages.ranked_ids(QUESTION, 10)]
    assert scores == sorted(scores, reverse=True)
    assert [hit.score for hit in passages.search(QUESTION).hits] == [round(s, 4) for s in scores]


def test_statements_and_date_order_keep_bm25s_ranking(passages):
    statement = "panjang lintasan Kejuaraan Sepeda Gunung Asia"
    assert [doc_id for doc_id, _ in passages.ranked_ids(statement, 10)][0] == "lead"
    assert [hit.id for hit in passages.search(statement).hits][0] == "lead"
    by_date = passages.search(QUESTION, sort="date")
    # By date, a question lists its best-matching articles only, not the swimming one sharing "Asia".
    assert {hit.id for hit in by_date.hits} == {"lead", "answer"}
    assert all(hit.score is None for hit in by_date.hits)


def test_pages_of_a_question_follow_the_reranked_order(passages):
    first, second = passages.search(QUESTION, limit=1), passages.search(QUESTION, page=2, limit=1)
    assert [first.hits[0].id, second.hits[0].id] == ["answer", "lead"]


def test_a_question_that_finds_nothing_has_no_results(passages):
    assert passages.ranked_ids("Berapa harga zamrud hijau Kalimantan?", 10) == []
    assert passages.search("Berapa harga zamrud hijau Kalimantan?").hits == []


def test_words_are_the_index_pass_whatever_the_case_of_a_reduplication():
    """A capitalised reduplication is one word, as the index holds it (it once split into two)."""
    found = rerank.written_words("Anak-anak bermain")
    assert [(w.text, w.stem) for w in found] == [("Anak-anak", "anak"), ("bermain", "main")]


def test_a_roman_numeral_answers_an_ordinal_question_and_explain_says_so(tmp_path):
    searcher = searcher_of([
        {"id": "fifth", "text": "Kongres V partai itu digelar di Sanur, Bali, pada akhir Maret dan ditutup ketua umum."},
        {"id": "plain", "text": "Kongres partai itu digelar di Bali. Kongres partai itu ditutup ketua umum di Bali."},
    ], tmp_path)
    hits = searcher.search("Kongres partai itu ke berapakah yang digelar di Bali?", explain=True).hits
    why = {hit.id: hit.explanation for hit in hits}
    assert hits[0].id == "fifth"
    assert why["fifth"]["answer_kind"]["kind"] == "ordinal"
    assert why["fifth"]["rerank"]["answer_near"] and not why["plain"]["rerank"]["answer_near"]


@pytest.mark.parametrize("question, framing", [
    ("Apa nama latin dari beruang madu?", {"nama", "latin"}),
    ("Apakah kepanjangan dari IRRI?", {"kepanjangan"}),
    ("Siapakah nama menteri itu?", set()),  # only another name's words are framing
    ("Festival musik Amerika Latin digelar di mana?", set()),
])
def test_the_words_that_ask_for_another_name_are_framing(question, framing):
    assert framing_words(question) == framing


@pytest.mark.parametrize("passage, answers", [
    ("Dua hewan dilindungi, beruang madu (Helarctos malayanus) dan kijang, mati.", True),  # brackets after it
    ("Perundingan dengan Gerakan Aceh Merdeka (GAM) berlanjut.", True),  # it in brackets after the name
    ("Konsep itu ditawarkan International Rice Research Institute atau IRRI kemarin.", True),
    ("Beruang madu itu mati karena stres.", False),
    ("Di kebun itu ada harimau madu (Panthera tigris) dan beruang.", False),  # brackets after another animal
    ("Orangutan (Pongo pygmaeus) hidup di sana, juga beruang madu.", False),
])
def test_another_name_is_given_in_brackets_or_with_atau_beside_the_matched_words(passage, answers):
    idf = {"beruang": 1.0, "madu": 1.0, "gam": 1.0, "irri": 1.0}
    words = rerank.written_words(passage)
    assert rerank.passage_features(passage, idf, "alias", frozenset())[2] == float(answers)
    assert rerank.features(words, idf, None, frozenset())[2] == 0.0  # not asked: no answer


def test_a_latin_name_question_finds_the_name_not_latin_america_and_explain_says_so(tmp_path):
    searcher = searcher_of([
        {"id": "repeats", "text": "Beruang madu mati di kebun binatang. Pengelola menyebut beruang madu itu stres berat."},
        {"id": "named", "text": "Dua satwa dilindungi, yakni beruang madu (Helarctos malayanus) dan kijang, mati di taman."},
        {"id": "latin", "text": "Festival musik Amerika Latin digelar di Jakarta dengan bintang Latin."},
    ], tmp_path)
    question = "Apakah nama latin dari beruang madu?"
    searched = {text for field, text in positive_terms(searcher.parse(question).query)}
    assert {"latin", "nama"}.isdisjoint(searched) and "madu" in searched
    hits = searcher.search(question, explain=True).hits
    assert [hit.id for hit in hits] == ["named", "repeats"]  # Amerika Latin is not asked for
    why = {hit.id: hit.explanation["rerank"] for hit in hits}
    assert why["named"]["answer_near"] and not why["repeats"]["answer_near"]
