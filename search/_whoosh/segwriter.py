"""A worker's segment writer that keeps each term's postings itself: no posting pool, no global sort.

Whoosh's ``SegmentWriter`` puts every posting into a pool as a
``(field, term, docnum, weight, value)`` tuple, sorts them all (spilling
sorted runs to disk and merging them back past ``limitmb``), then hands
them one by one to the codec's postings writer. Most of an indexing
worker's CPU outside analysis went there (~7 us a posting on big5k).

:class:`PerTermSegmentWriter` appends each posting to its term's list
(documents come in docnum order, so each list is already sorted; a text
field's tokens are held as columns and grouped into postings by one sort a
batch of documents at a time, ``token_columns``): one :class:`~search._whoosh.field_postings.FieldPostings`
a field, which encodes full blocks into a spill file as they fill and, at
the end, writes the field's terms in order (``search._whoosh.field_postings``).
Stored fields, lengths and columns go through Whoosh's own per-document
writer, exactly as ``SegmentWriter.add_document`` does.

Without the memory limit the segment holds what Whoosh's ``SegmentWriter``
with the same codec writes: the same terms, postings, blocks and statistics
(``tests/index/test_segwriter.py`` compares them, every document's lengths and
stored fields, and scores). Its bytes differ only where a block repeats a
value: the postings share one bytes object per position or count, which the
pickle writes once (smaller; read back the same). When the postings held
pass ``limitmb`` (an estimate), every term -- its unfinished list, its
spilled blocks' places and statistics -- is written to the spill file as a
sorted run and forgotten; at the end the runs and the terms in memory are
merged in term order (``search._whoosh.term_runs``): the postings, term
statistics and scores stay the same, only the block boundaries of lists
that had full blocks in more than one run differ from Whoosh's. Memory then
holds the terms of the documents since the last run, and the spill file (on
disk) the encoded blocks and the runs.

Text fields analysed by :func:`fastindex.fast_schema` (``word_tokens``)
skip the ``field.index`` generator; any other field goes through it.
Document and field boosts (``_boost``, ``_NAME_boost``), term vectors and
separate spelling fields are not supported (Cari uses none of them).
"""

from __future__ import annotations

import tempfile
from typing import Any

import numpy as np
from whoosh.writing import SegmentWriter

from search._whoosh.fastindex import fast_schema
from search._whoosh.field_postings import FLUSH_TOKENS, FieldPostings
from search._whoosh.term_dictionary import arrays_only

ITEMS_KEPT = 10_000  # values of a field whose ``field.index`` items are remembered (``_items``)
LIMIT_MB = 256  # estimated bytes of postings and terms held before they are written out as a run


class PerTermSegmentWriter(SegmentWriter):
    """Whoosh's ``SegmentWriter`` with postings kept per term (see the module doc).

    ``limitmb`` bounds the postings and terms held in memory (an estimate);
    the spilled blocks and runs live in an anonymous temporary file beside the index.
    Documents are analysed with :func:`fastindex.fast_schema`'s copy of the
    schema; the writer's ``schema`` (the one a commit saves) stays the real one.
    """

    def __init__(self, ix, limitmb: float = LIMIT_MB, **kwargs):
        super().__init__(ix, **kwargs)
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling():
                raise ValueError(f"{type(self).__name__} cannot write field {name!r}: vectors or spelling")
        self._analysis = fast_schema(self.schema)
        self._limit = limitmb * 1024 * 1024
        # Tokens a field holds as columns before they become postings: ~5 MB at most, fewer under a small limit.
        self.flush_tokens = min(FLUSH_TOKENS, max(64, int(self._limit) // 256))
        self._held = 0
        self._fields: dict[str, FieldPostings] = {}
        self._kept_items: dict[str, dict] = {}  # field -> {value: field.index(value)} (``_items``)
        # Deleted by the system when closed, or if the process dies.
        self._spill = tempfile.TemporaryFile(dir=self.storage.folder, prefix=".postings-")  # noqa: SIM115
        self.short_block_writes = 0  # runs written: times memory ran low (for tests and measurements)

    def add_document(self, **fields):
        self._check_state()
        if any(name.endswith("_boost") and name.startswith("_") for name in fields):
            raise ValueError("document and field boosts are not supported")
        schema = self._analysis
        perdocwriter = self.perdocwriter
        docnum = self.docnum
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = self._index(fieldname, field, value, docnum) if field.indexed else 0
            stored = fields.get("_stored_" + fieldname, value)
            perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
            if field.column_type and stored is not None:
                perdocwriter.add_column_value(fieldname, field.column_type, field.to_column_value(stored))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1
        if self._held > self._limit:
            self.write_runs()

    def text_hashes(self, text: str) -> np.ndarray:
        """The ``word_hash`` of each word of ``text`` as the exact-form fields index them (lowercased, in order),
        from the analysis those fields share: read before the document holding ``text`` is added, it costs no
        second pass (a story's signature, ``signatures.signature_of_hashes``)."""
        memo = self._analysis.text_analysis
        return memo.table.hashes(memo.numbers(text))

    def term_documents(self, fieldname: str) -> dict[str, int]:
        """``{term: documents}`` of ``fieldname`` over the documents added so far (call before the segment is
        written): the counts a reader of the finished segment would give, without reading it."""
        postings = self._fields.get(fieldname)
        return postings.term_documents() if postings is not None else {}

    def add_reader(self, reader):
        # Whoosh adds another segment's postings through its pool, which this
        # writer never reads: refuse rather than lose them (a merge at commit).
        raise NotImplementedError(f"{type(self).__name__} cannot merge segments")

    def _index(self, fieldname: str, field, value, docnum: int) -> int:
        postings = self._fields.get(fieldname)
        if postings is None:
            codec = self.codec
            postings = self._fields[fieldname] = FieldPostings(
                field, self._spill, codec._blocklimit, codec._compression,
                arrays_only(getattr(codec, "layout", 1), field.format), self.flush_tokens,
                getattr(field, "term_numbers", None))
        word_numbers = getattr(field, "word_numbers", None)
        word_tokens = getattr(field, "word_tokens", None)
        if word_numbers is not None and isinstance(value, str):
            length, held = postings.add_numbers(docnum, *word_numbers(value))
        elif word_tokens is not None and isinstance(value, str):
            length, held = postings.add_tokens(docnum, *word_tokens(value))
        else:
            length, held = postings.add_items(docnum, self._items(fieldname, field, value))
        self._held += held
        return length

    def _items(self, fieldname: str, field, value) -> Any:
        """``field.index(value)``, remembered by value for a field whose values repeat (a date, a year, a
        source, the answers' kinds: the same few thousand values in every batch, each worked out by Whoosh's
        analysis and numeric terms again); not for a unique field (the id), nor past ``ITEMS_KEPT`` values."""
        if field.unique:
            return field.index(value)
        kept = self._kept_items.setdefault(fieldname, {})
        try:
            items = kept.get(value)
        except TypeError:  # a value that cannot be a key (a list of words): worked out each time
            return field.index(value)
        if items is None:
            items = tuple(field.index(value))
            if len(kept) < ITEMS_KEPT:
                kept[value] = items
        return items

    def write_runs(self) -> None:
        """Write every field's terms out of memory as a run (done when the postings held pass ``limitmb``)."""
        # Every term goes to disk, in a sorted run merged back at the end (``term_runs``): an archive's
        # vocabulary grows with it, and its terms, kept, grew a worker by ~1 GB at 500,000 articles.
        for postings in self._fields.values():
            postings.write_run()
        self._analysis.text_analysis.forget()  # no tokens wait in columns: the words' numbers start again
        self._held = 0
        self.short_block_writes += 1

    def _flush_segment(self):
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        for postings in self._fields.values():
            postings.flush()  # the tokens still held become postings, full blocks into the spill file
        self._spill.flush()
        for fieldname in sorted(self._fields):
            postings = self._fields.pop(fieldname)
            if not postings.terms and not postings.runs:
                continue
            fieldwriter.start_field(fieldname, self.schema[fieldname])
            postings.write_terms(fieldwriter, self._spill.fileno(), self.codec._inlinelimit)
            fieldwriter.finish_field()
        fieldwriter.close()

    def _close_segment(self):
        super()._close_segment()
        self._spill.close()

    def cancel(self):
        self._spill.close()
        super().cancel()
