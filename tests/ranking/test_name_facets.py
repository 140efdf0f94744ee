"""The people and organisations facets after a write: each segment's names read once per process
(``search.ranking.people``), and the counts those of a process that reads every segment afresh."""

from search import Index
from search._whoosh.postings import PostingArrays
from search.index.names import NAMES_FIELD
from search.ingest.article import Article
from search.ranking import people
from tests.conftest import make_index


def _story(i: int, extra: str = "") -> dict:
    return {"id": f"s{i}", "title": f"kasus {i}", "date": f"2023-05-{i + 1:02d}T08:00:00+07:00",
            "text": f"Penyidik memeriksa saksi perkara nomor {i}. \"Kami bekerja keras,\" kata Budi Gunawan kepada "
                    f"wartawan di kantor Badan Narkotika Nasional (BNN) hari itu. Budi Gunawan pulang sore. {extra}"}


def _facets(index: Index, text: str = "saksi") -> dict:
    facets = index.search(text, facets=True).facets
    return {"people": facets["people"], "organisations": facets["organisations"]}


def _fresh_facets(path, text: str = "saksi") -> dict:
    """The facets of a process that has read no segment before."""
    people.forget_segments()
    with Index(path) as fresh:
        return _facets(fresh, text)


def test_a_reopening_after_a_write_reads_the_names_of_the_new_segment_only(tmp_path, monkeypatch):
    path = make_index(tmp_path, [_story(i) for i in range(6)])
    index = Index(path, write_wait_seconds=30)
    assert _facets(index)["people"] == {"Budi Gunawan": 6}
    reads: list[int] = []  # the size (documents) of the reader each names list was read from
    read = PostingArrays.read

    def counted(self, fieldname, text):
        if fieldname == NAMES_FIELD:
            reads.append(self.doc_count)
        return read(self, fieldname, text)

    monkeypatch.setattr(PostingArrays, "read", counted)
    index.upsert([Article(id="n1", title="Cuaca", body="Hujan turun sepanjang hari di kota itu. " * 8),
                  Article(id="s7", title="kasus 7", body=_story(7)["text"], date="2023-05-08T08:00:00+07:00")])
    after = _facets(index)
    assert after["people"] == {"Budi Gunawan": 7}
    assert reads and set(reads) == {2}  # the new segment's two articles, never the six read before
    monkeypatch.undo()
    assert after == _fresh_facets(path)
    index.close()


def test_facets_after_removals_and_corrections_are_those_read_afresh(tmp_path):
    path = make_index(tmp_path, [_story(i) for i in range(8)])
    index = Index(path, write_wait_seconds=30)
    _facets(index)
    index.delete(["s0", "s1"])
    index.upsert([Article(id="s2", title="kasus 2", body="Koreksi: berita ini tentang cuaca dan hujan. " * 6)])
    assert _facets(index, "kasus") == _fresh_facets(path, "kasus")
    index.delete(["s3", "s4", "s5", "s6"])  # too few articles left: the names are no longer learned
    assert _facets(index, "kasus") == _fresh_facets(path, "kasus") == {"people": {}, "organisations": {}}
    index.close()
