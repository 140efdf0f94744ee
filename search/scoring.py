"""BM25F with each segment's field lengths read once into a list.

Whoosh's BM25F scorer asks the reader for the document's field length at
every posting it scores: four calls deep, a column read and a byte-to-length
decoding each time (about 15% of a sentence query). ``CachedLengthBM25F``
gives the same scorer a list of the segment's decoded lengths instead, so
every score is the same number Whoosh computes, from the same quantised
length. Anything else (a field without lengths, a reader of several
segments) keeps Whoosh's own lookup.
"""

from __future__ import annotations

from whoosh import scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

# byte -> length as Whoosh's doc_field_length decodes it (0 means no length: None).
_DECODED = [None] + [byte_to_length(b) for b in range(1, 256)]


class CachedLengthBM25F(scoring.BM25F):
    """Whoosh's BM25F (same parameters, same scores) with cached field lengths."""

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if type(scorer) is scoring.BM25FScorer:
            lengths = field_lengths(searcher.reader(), fieldname)
            if lengths is not None:
                scorer.dfl = lengths.__getitem__
        return scorer


def field_lengths(reader, fieldname: str) -> list | None:
    """Every document's length of ``fieldname`` in one segment's reader, or None."""
    perdoc = getattr(reader, "_perdoc", None)
    cached_reader = getattr(perdoc, "_cached_reader", None)
    if cached_reader is None:
        return None
    cache = perdoc.__dict__.setdefault("_cari_lengths", {})
    if fieldname not in cache:
        column = cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        count = reader.doc_count_all()
        values = column.load() if column is not None else None
        if values is None or len(values) < count:
            cache[fieldname] = None
        else:
            cache[fieldname] = [_DECODED[b] for b in values[:count]]
    return cache[fieldname]
