"""People and organisations (issue 26, point 2): names read from one article, learned from the whole index,
kept right by additions, removals and rebuilds, and counted over every match."""

import gzip
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search import Index
from search._whoosh.live import count_live_only
from search.analysis.names import name_terms
from search.errors import QueryError
from search.index import generations
from search.index.batch import ADD
from search.index.build import build_index
from search.index.changes import remove_articles
from search.index.format import open_index
from search.index.name_counts import index_counts, read_counts, read_words
from search.index.name_learning import learn
from search.index.names import NAMES, ORGANISATION, PERSON, Name, NameBook
from search.query.filters import Filters, take_name_filters
from tests.conftest import make_index, searcher_of, write_jsonl


def test_an_article_gives_its_runs_without_titles_and_with_their_evidence():
    terms = name_terms("Hal itu dikatakan Ketua DPR Setya Novanto di Gedung Komisi Pemberantasan Korupsi (KPK), "
                       "Jakarta. Menurut Setya, ia bertemu Presiden Joko Widodo. Ia lalu terbang ke Amerika Serikat.")
    runs = {t[2:] for t in terms if t.startswith("n:")}
    assert {"dpr", "setya novanto", "gedung komisi pemberantasan korupsi", "kpk", "setya", "joko widodo",
            "amerika serikat"} <= runs
    assert not any("ketua" in run or "presiden" in run or "menurut" in run for run in runs)  # titles taken off
    assert "t:setya novanto" in terms  # the holder after 'Ketua DPR': a person's evidence
    assert "i:joko widodo" in terms  # after an office's title: a person or an institution
    assert "l:amerika serikat" in terms  # after 'ke': a place
    assert "a:kpk=komisi pemberantasan korupsi" in terms
    assert "c:novanto" in terms and "u:dpr" in terms and "c:itu" not in terms
    assert "p:pemberantasan korupsi" in terms  # the end of a longer run


def test_a_capital_that_opens_a_sentence_says_nothing():
    terms = name_terms("Namun banjir datang. Penyidik KPK memeriksa saksi.")
    assert "n:namun" not in terms and "c:namun" not in terms
    assert "n:kpk" in terms and "n:penyidik kpk" not in terms


def test_a_run_of_one_word_gets_its_evidence_alias_and_capital_as_a_longer_run_does():
    # Runs of one word take a shorter path through name_terms (most runs are one word): the same rules.
    terms = name_terms("Namun banjir datang di Bekasi. Hal itu kata Jokowi kepada wartawan KPK. Ketua Umum "
                       "Prabowo Subianto alias Bowo hadir. Wali Kota itu, Ketua, datang. Sebanyak 30 warga "
                       "mengungsi ke Cianjur, ujar Ridwan.")
    assert "n:namun" not in terms and "c:namun" not in terms  # a stopword opening a sentence
    assert {"n:bekasi", "l:bekasi", "n:jokowi", "t:jokowi", "n:cianjur", "l:cianjur", "t:ridwan"} <= set(terms)
    assert "k:bowo=prabowo subianto" in terms and "n:bowo" in terms  # a nickname after its name
    assert "n:ketua" not in terms and "n:kota" not in terms  # titles alone are no names
    assert "u:kpk" in terms and "c:kpk" in terms and "u:jokowi" not in terms


def _record(index_dir):
    """The learned names of the live generation, after checking that the term counts a write kept by adding
    and taking off articles are those of the whole index read again."""
    live = generations.live_generation(index_dir)
    with open_index(index_dir, live)[1].reader() as reader:
        assert read_counts(live) == index_counts(reader)
        count_live_only(reader)  # and the articles holding each word the learning asked about, kept the same way
        words = read_words(live)
        assert words is not None and words == {word: reader.doc_frequency("body_exact", word) for word in words}
    with gzip.open(live / NAMES, "rt", encoding="utf-8") as file:
        return {key: (kind, display, forms) for key, kind, display, forms in json.load(file)}


def _story(i: int, extra: str = "") -> dict:
    return {"id": f"s{i}", "title": f"kasus {i}", "date": f"2023-05-{i + 1:02d}T08:00:00+07:00",
            "text": f"Penyidik memeriksa saksi perkara nomor {i}. \"Kami bekerja keras,\" kata Budi Gunawan kepada "
                    f"wartawan di kantor Badan Narkotika Nasional (BNN) hari itu. Budi Gunawan pulang sore. {extra}"}


def test_names_follow_additions_removals_and_a_rebuild_from_the_index_s_own_articles(tmp_path):
    searcher_of([_story(i) for i in range(2)], tmp_path)
    assert "budi gunawan" not in _record(tmp_path / "index")  # two articles are not yet the archive's evidence
    build_index([write_jsonl(tmp_path / "more.jsonl", [_story(i) for i in range(2, 5)])], tmp_path / "index", mode=ADD)
    learned = _record(tmp_path / "index")
    assert learned["budi gunawan"][:2] == (PERSON, "Budi Gunawan")
    assert learned["badan narkotika nasional"][:2] == (ORGANISATION, "Badan Narkotika Nasional (BNN)")
    assert "bnn" in learned["badan narkotika nasional"][2]
    build_index([], tmp_path / "index", own_articles=True)
    assert _record(tmp_path / "index") == learned
    build_index([write_jsonl(tmp_path / "changed.jsonl", [_story(4, "Lalu Rina Wati datang.")])], tmp_path / "index",
                mode=ADD)
    assert "n:rina wati" in read_counts(generations.live_generation(tmp_path / "index"))
    remove_articles(tmp_path / "index", ["s0", "s1", "s2"])
    assert "budi gunawan" not in _record(tmp_path / "index")


def test_person_and_org_filters_are_taken_from_the_query_and_match_every_form():
    text, people, organisations = take_name_filters('banjir person:"Setya Novanto" org:KPK orang:Jokowi "duta besar"')
    assert text == 'banjir "duta besar"' and people == ["Setya Novanto", "Jokowi"] and organisations == ["KPK"]
    book = NameBook([Name("setya novanto", PERSON, "Setya Novanto", ["novanto", "setnov", "setya novanto"]),
                     Name("komisi pemberantasan korupsi", ORGANISATION, "Komisi Pemberantasan Korupsi (KPK)",
                          ["komisi pemberantasan korupsi", "kpk"])])
    query = Filters(people=("setya  NOVANTO",), organisations=("Komisi Pemberantasan Korupsi (KPK)",)).to_query(
        name_book=book)
    terms = {str(term) for term in query.all_terms()}
    assert {"('names', 'n:setnov')", "('names', 'p:setya novanto')", "('names', 'n:kpk')"} <= terms
    assert Filters(people=("Rina Wati",)).to_query(name_book=book).all_terms() == {
        ("names", "n:rina wati"), ("names", "p:rina wati")}  # not learned (yet): its own words
    with pytest.raises(QueryError):
        Filters(people=("  ",)).to_query()


WORDS = ["setya", "novanto", "komisi", "partai", "golkar", "jakarta", "kpk", "budi", "gunawan", "pt", "republik"]
RUNS = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.tuples(st.sampled_from("ntilpcua"), RUNS), st.integers(1, 9), max_size=60),
       st.dictionaries(st.sampled_from(WORDS), st.integers(0, 12)))
def test_learning_never_fails_whatever_the_counts(counts, articles):
    freq: dict[str, dict[str, int]] = {}
    for (prefix, run), n in counts.items():
        text = run.replace(" ", "=", 1) if prefix == "a" else run
        freq.setdefault(prefix, {})[text] = n
    names = learn(freq, lambda word: articles.get(word, 0))
    keys = [name.key for name in names]
    assert len(keys) == len(set(keys)) and all(name.kind in (PERSON, ORGANISATION) for name in names)
    assert all(name.key in name.forms for name in names if " " in name.key or name.kind == PERSON)


def test_facets_count_every_match_and_follow_the_index(tmp_path):
    index = Index(make_index(tmp_path, [_story(i) for i in range(5)]))
    facets = index.search("saksi", facets=True, limit=1).facets
    assert facets["people"] == {"Budi Gunawan": 5}
    assert facets["organisations"] == {"Badan Narkotika Nasional (BNN)": 5}
    assert index.search('saksi person:"Budi Gunawan"').total == 5
    assert index.search("org:BNN").total == 5 and index.search("person:Gunawan").total == 5  # its forms
    index.remove(["s0", "s1", "s2"])
    assert index.search("saksi", facets=True).facets["people"] == {}  # no longer the archive's evidence


@pytest.mark.slow
def test_e_ktp_names_setya_novanto_among_its_five_people_on_indosum(indosum_index):
    index = Index(indosum_index)
    facets = index.search("e-ktp", facets=True).facets
    assert "Setya Novanto" in list(facets["people"])[:5]
    assert "Komisi Pemberantasan Korupsi (KPK)" in list(facets["organisations"])[:3]
    filtered = index.search('e-ktp person:"Setya Novanto"')
    assert 0 < filtered.total <= index.search("e-ktp").total
    assert filtered.total == facets["people"]["Setya Novanto"]


@pytest.mark.parametrize("procs", [1, 2])
def test_an_update_counts_the_names_of_what_it_writes_as_the_whole_index_counts_them(tmp_path, procs):
    """Counted from the segments written (worker processes, or this process alone as the write API writes),
    past a posting block: the counts kept are the whole index's read again (``_record`` compares them)."""
    searcher_of([_story(i) for i in range(3)], tmp_path)
    many = [{**_story(i % 28, "Lalu Rina Wati datang."), "id": f"s{i}"} for i in range(2, 602)]  # s2 changed
    report = build_index([write_jsonl(tmp_path / "many.jsonl", many)], tmp_path / "index", mode=ADD, procs=procs)
    assert (report.added, report.changed) == (599, 1)
    assert _record(tmp_path / "index")["budi gunawan"][:2] == (PERSON, "Budi Gunawan")
    counts = read_counts(generations.live_generation(tmp_path / "index"))
    assert (counts["n:budi gunawan"], counts["n:rina wati"]) == (602, 600)


def test_an_updated_index_learns_what_a_new_one_of_the_same_articles_learns(tmp_path):
    first = [_story(i, "Lalu Rina Wati datang.") for i in range(5)]
    fixed = [_story(i, "Lalu Rina Wati datang.") for i in range(2)] + [_story(i) for i in range(2, 5)]
    updated = make_index(tmp_path / "updated", first)
    build_index([write_jsonl(tmp_path / "fixed.jsonl", fixed)], updated)  # three corrected: Rina Wati in two
    fresh = make_index(tmp_path / "fresh", fixed)
    assert _record(updated) == _record(fresh)
    assert "rina wati" not in _record(fresh)  # two articles are not the archive's evidence


def test_an_article_gives_a_nickname_beside_the_name_it_stands_for():
    said = {
        "Kata Gubernur DKI Jakarta Basuki Tjahaja Purnama (Ahok) kemarin.": "k:ahok=basuki tjahaja purnama",
        "Kata Basuki Tjahaja Purnama alias Ahok kemarin.": "k:ahok=basuki tjahaja purnama",
        "Kata Basuki Tjahaja Purnama atau yang akrab disapa Ahok kemarin.": "k:ahok=basuki tjahaja purnama",
        "Lalu Ahok (Basuki Tjahaja Purnama) datang.": "k:ahok=basuki tjahaja purnama",
        "Kata Setya Novanto, atau Setnov, kemarin.": "k:setnov=setya novanto",
    }
    for text, term in said.items():
        assert term in name_terms(text), text
    for text in ("Lembaga Komisi Pemberantasan Korupsi (KPK) itu.", "Lalu ke Jakarta atau Bandung.",
                 "Kata Joko Widodo (72) kemarin."):
        assert not [t for t in name_terms(text) if t.startswith("k:")], text  # an abbreviation, places, an age


def _governor(i: int) -> dict:
    """Articles about Basuki Tjahaja Purnama, some saying he is Ahok, some calling him only that; and Anies
    Baswedan, named in full, after 'Gubernur DKI Jakarta', or as Anies."""
    texts = [
        f"Hal itu dikatakan Gubernur DKI Jakarta Basuki Tjahaja Purnama (Ahok) di Balai Kota pada hari ke-{i}.",
        f"Kata Basuki Tjahaja Purnama alias Ahok, warga harus tenang. Kata Anies Baswedan, semua baik ({i}).",
        f"\"Kami siap,\" kata Ahok kepada wartawan soal banjir nomor {i}. Ahok lalu pergi.",
        f"Hal itu dikatakan Gubernur DKI Jakarta Anies Baswedan di Balai Kota pada rapat ke-{i}.",
        f"\"Kami siap,\" kata Anies kepada wartawan soal rapat nomor {i}. Anies lalu pergi ke rapat.",
    ]
    return {"id": f"g{i}", "title": f"berita {i}", "date": f"2017-05-{i % 28 + 1:02d}T08:00:00+07:00",
            "text": texts[i % len(texts)]}


def test_nicknames_and_first_names_are_one_person_with_the_full_name(tmp_path):
    index = Index(make_index(tmp_path, [_governor(i) for i in range(20)]))
    learned = _record(tmp_path / "index")
    assert "ahok" in learned["basuki tjahaja purnama"][2] and "ahok" not in learned
    assert "anies" in learned["anies baswedan"][2] and "anies" not in learned
    people = index.search("kami", facets=True).facets["people"]
    assert set(people) == {"Basuki Tjahaja Purnama", "Anies Baswedan"}  # not 'Ahok' and 'Anies' beside them
    assert index.search('person:"Basuki Tjahaja Purnama"').total == 12  # 'kata Ahok' alone too
    assert index.search('person:"Anies Baswedan"').total == 12


@pytest.mark.slow
def test_people_on_indosum_are_named_as_people(indosum_index):
    """The "Orang" facet of IndoSum: one-word people only where the word is a person's usual short name.

    Read before: 151 of the 231 people were one word, among them first names many people share (Abdul, Adi,
    Robert, William), places (Blitar, Kendari: 'Wali Kota Blitar') and the ends of ministries (Perindustrian,
    Polhukam), and athletes named in full only where no title stood before them (Marquez, Mourinho, Rossi)."""
    learned = _record(indosum_index)
    people = {key: forms for key, (kind, _, forms) in learned.items() if kind == PERSON}
    single = [key for key in people if " " not in key]
    assert len(single) <= 0.35 * len(people), sorted(single)
    for loose in ("abdul", "adi", "robert", "william", "yusuf", "blitar", "kendari", "perindustrian", "polhukam",
                  "sudirman"):
        assert loose not in people, loose
    for full, short in (("marc marquez", "marquez"), ("jose mourinho", "mourinho"), ("valentino rossi", "rossi"),
                        ("susi pudjiastuti", "susi"), ("setya novanto", "novanto")):
        assert short in people.get(full, ()), full
    assert "wiranto" in people  # known by one name: 'kata Wiranto' in all 13 articles that name him alone
    facets = Index(indosum_index).search("motogp", facets=True).facets["people"]
    assert "Marc Marquez" in list(facets)[:3] and not {"Marquez", "Rossi", "Lorenzo"} & set(facets)
