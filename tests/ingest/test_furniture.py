"""Each publisher's furniture learned from its own articles (search/ingest/furniture.py): lines that recur across
many of its articles go, a line repeated in only a few stays, and one source's furniture is not another's."""

from __future__ import annotations

from dataclasses import dataclass

from search import Index
from search.ingest.furniture import MIN_ARTICLES, Furniture, marker
from tests.conftest import write_jsonl


@dataclass
class Doc:
    source: str
    body: str


def _goal(n: int) -> str:
    lines = [f"Pertandingan ke-{n} berlangsung sengit di Milan pada babak pertama.",
             f"SIMAK JUGA: Inter Kalahkan Lawan {n}" if n % 2 else f"SIMAK JUGA - Berita Lain Nomor {n}",
             f"Pelatih tim itu memuji para pemainnya setelah laga {n}.",
             "Bagikan artikel ini di media sosial"]
    if n < 3:  # a line of a few articles only: a series' heading, kept
        lines.insert(0, "Babak kedua")
        lines.append("Pelatih: Stefano Pioli")
    if n == 5:  # a paragraph that opens like furniture but is text: long, sentences
        lines.append("SIMAK JUGA: kata pelatih itu, para pemain harus tetap fokus. Mereka akan bertanding lagi "
                     "pekan depan di kandang lawan yang sedang dalam performa terbaiknya musim ini.")
    return "\n\n".join(lines)


ARTICLES = [Doc("goal", _goal(n)) for n in range(30)] + [
    Doc("tempo", f"SIMAK JUGA: tulisan ini muncul di Tempo nomor {n}.\n\nIsi berita Tempo {n}.") for n in range(3)
]


def test_lines_and_markers_that_recur_across_a_source_are_its_furniture():
    furniture = Furniture.learn(ARTICLES)
    assert furniture.by_source == {"goal": {"lines": ["bagikan artikel ini di media sosial"],
                                            "markers": ["simak juga"]}}
    stripped = furniture.strip("goal", ARTICLES[1].body)
    assert "SIMAK" not in stripped and "Bagikan" not in stripped
    assert "Pertandingan ke-1 berlangsung" in stripped and "Pelatih tim itu" in stripped
    # Repeated in only a few articles: stays. A long paragraph after the marker: stays.
    assert stripped.startswith("Babak kedua") and "Pelatih: Stefano Pioli" in stripped
    assert "para pemain harus tetap fokus" in furniture.strip("goal", ARTICLES[5].body)
    # Another source's lines are its own (Tempo has too few articles to learn anything from).
    assert furniture.strip("tempo", ARTICLES[-1].body) == ARTICLES[-1].body
    assert Furniture.from_record(furniture.to_record()).by_source == furniture.by_source
    assert Furniture.learn(ARTICLES[: MIN_ARTICLES - 1]).by_source == {}


def test_a_marker_is_the_words_before_a_colon_or_a_dash():
    assert marker("SIMAK JUGA: Bale Dibanderol") == marker("[Simak juga - x]") == "simak juga"
    assert marker("Jakarta - Presiden Joko Widodo meresmikan") == "jakarta"
    assert marker("Presiden Joko Widodo meresmikan jalan tol itu: katanya") is None  # five words before the colon
    assert marker("Rp 1.000: harga") is None


def test_an_index_strips_its_sources_furniture_and_keeps_it_for_updates(tmp_path, run_cli):
    records = [{"id": f"g{n}", "title": f"Laga {n}", "text": _goal(n), "source": "goal"} for n in range(30)]
    index = tmp_path / "index"
    assert run_cli("rebuild-index", write_jsonl(tmp_path / "a.jsonl", records), "--index", index, "-q").exit_code == 0
    searcher = Index(index)
    assert searcher.search("simak").total == 1  # the long paragraph of g5 only
    assert searcher.search("bagikan").total == 0 and searcher.search("inter").total == 0
    assert searcher.search('"babak kedua"').total == 3
    # Added later (cari add, the write API): stripped the same way, by what the index learned.
    late = {"id": "g-late", "title": "Laga baru", "text": _goal(31).replace("31", "tiga puluh satu"),
            "source": "goal"}
    assert run_cli("add", write_jsonl(tmp_path / "b.jsonl", [late]), "--index", index, "-q").exit_code == 0
    searcher = Index(index)
    assert searcher.search("simak").total == 1 and searcher.search("bagikan").total == 0
    page = searcher.article("g-late")
    assert page is not None and not any("SIMAK" in p.text for p in page.paragraphs)
    # The export still gives the text as it was given.
    exported = run_cli("export", "--index", index).output
    assert exported.count("SIMAK JUGA") == 32


def test_a_new_index_reads_its_sources_once_for_the_furniture_and_the_indexing(tmp_path, monkeypatch):
    """The articles read to learn the furniture are the ones indexed (kept while they fit ``READ_ONCE_CHARS``);
    past it every source is read again; both index the same, problems included."""
    from search.index import batch, build

    records = [{"id": f"g{n}", "title": f"Laga {n}", "text": _goal(n), "source": "goal"} for n in range(30)]
    source = write_jsonl(tmp_path / "a.jsonl", records)
    with source.open("a", encoding="utf-8") as f:
        f.write("{not json\n")
    reads = []
    original = batch.read_articles

    def counted(paths, options):
        reads.append(paths)
        return original(paths, options)

    monkeypatch.setattr(batch, "read_articles", counted)
    found = {}
    whole = batch.READ_ONCE_CHARS
    for limit in (whole, 100):
        monkeypatch.setattr(batch, "READ_ONCE_CHARS", limit)
        reads.clear()
        report = build.build_index([source], tmp_path / f"index-{limit}")
        searcher = Index(tmp_path / f"index-{limit}")
        found[limit] = (report.indexed, report.skipped, [str(p) for p in report.problems],
                        searcher.search("simak").total, searcher.search("bagikan").total, searcher.search("laga").total)
        assert len(reads) == (1 if limit > 100 else 2)
    assert found[whole] == found[100]
    indexed, skipped, problems, *hits = found[whole]
    assert (indexed, skipped, hits) == (30, 1, [1, 0, 30]) and "a.jsonl:31" in problems[0]


def test_past_the_kept_articles_the_furniture_pass_makes_no_article_of_a_source_counted_in_full(tmp_path, monkeypatch):
    """Only a source's first ``SAMPLE`` articles teach its furniture: once nothing is kept for the indexing, the
    pass skips the others unread (a source met later is still counted), and learns what reading all would."""
    from search.index import batch, build, generations
    from search.index.format import FURNITURE
    from search.ingest import furniture, jsonl

    records = [{"id": f"g{n}", "title": f"Laga {n}", "text": _goal(n), "source": " goal "} for n in range(60)]
    records += [{"id": f"t{n}", "title": f"Tempo {n}", "text": f"Ikuti Tempo di media sosial\n\nIsi berita {n} dari Tempo.",
                 "source": "tempo"} for n in range(25)]  # a source met only after the first is counted in full
    source = write_jsonl(tmp_path / "a.jsonl", records)
    made = []
    original = jsonl.article_from_json
    monkeypatch.setattr(jsonl, "article_from_json", lambda obj, origin: made.append(obj["id"]) or original(obj, origin))
    monkeypatch.setattr(furniture, "SAMPLE", 25)
    monkeypatch.setattr(batch, "READ_ONCE_CHARS", 100)
    build.build_index([source], tmp_path / "index")
    whole = Furniture.learn(Doc(r["source"].strip(), original(r, "x")[0].body) for r in records)  # every article read
    assert whole.by_source["goal"]["lines"] == ["bagikan artikel ini di media sosial"] and "tempo" in whole.by_source
    assert generations.read_record(generations.live_generation(tmp_path / "index"), FURNITURE) == whole.to_record()
    first_pass, indexing = made[:len(made) - len(records)], made[len(made) - len(records):]
    assert indexing == [r["id"] for r in records]  # the indexing's own pass makes every article
    assert first_pass == [f"g{n}" for n in range(25)] + [f"t{n}" for n in range(25)]
