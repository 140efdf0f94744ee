"""One field's postings while a segment is written: each term's list, its full blocks encoded and spilled.

:class:`FieldPostings` keeps, for each term of one field, its postings not
yet in a block, flat (``[docnum, weight, value, ...]``). A text field's
documents come as tokens, held as columns and made into postings a batch of
documents at a time by one sort (:mod:`token_columns`, :meth:`FieldPostings.flush`);
other fields' postings are appended as they come. Once a list has a
full W3 block (``blocklimit`` postings) and the next posting arrives, the
block is encoded -- by the codec's own :func:`codec.encode_block`, with the
same statistics -- and written to the segment writer's temporary spill file
(with its ids and weights as plain arrays, for the posting arrays), so only
a term's unfinished block stays in memory. At the end the field's terms are
walked in sorted order: the spilled blocks are copied into the postings
file, the last block is encoded (or the list inlined,
:class:`term_dictionary.CompactTermInfo`), and the term info goes into Whoosh's term
dictionary (:class:`_TermEntries`). Past the writer's memory limit every
term is written into the spill file as a sorted run and forgotten
(:meth:`FieldPostings.write_run`); the end merges the runs back
(``term_runs``), joining each term's parts. ``segwriter.PerTermSegmentWriter``
holds one per field.
"""

from __future__ import annotations

from array import array
from hashlib import md5
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.filedb.filetables import _lengths as _ENTRY_LENGTHS
from whoosh.filedb.filetables import md5_hash
from whoosh.formats import Positions
from whoosh.system import pack_ushort

from search._whoosh.codec import encode_block
from search._whoosh.packing import inlined_single, inlined_term_info
from search._whoosh.term_dictionary import ARRAYS_ONLY_MAGIC, CompactTermInfo
from search._whoosh.term_runs import (
    absorb,
    marked_last,
    merged,
    run_items,
    spilled_arrays,
    spilled_blocks,
    stats_of,
    write_run,
)
from search._whoosh.token_columns import CountValues, Numbers, PositionValues, TokenColumns, Weights

POSTING_BYTES = 24  # a pending posting: three list slots (docnum, weight and value are shared objects)
TERM_BYTES = 200  # a term's dict entry, key and list
FLUSH_TOKENS = 1 << 20  # tokens held as columns (~5 MB) before their postings go to the lists (``add_tokens``)


def _columns(flat: list, lengths: array) -> tuple[list, array, list, tuple]:
    """A flat pending list as :func:`codec.encode_block` takes it: ids, weights, values, statistics."""
    ids = flat[0::3]
    raw_weights = flat[1::3]
    values = flat[2::3]
    if not all(values):
        values = [v for v in values if v]  # W3 keeps non-empty values only
    lens = list(map(lengths.__getitem__, ids))  # 0: no length (W3 skips it)
    shortest = min(lens)
    if not shortest:
        shortest = min(filter(None, lens), default=None)
    return ids, array("f", raw_weights), values, (max(raw_weights), shortest, max(lens))


class _Block:
    """One block's postings with the statistics ``W3TermInfo.add_block`` reads from a postings writer."""

    __slots__ = ("_ids", "_weights", "_values", "_maxweight", "_minlength", "_maxlength")

    def __init__(self, flat: list, lengths: array):
        self._ids, self._weights, self._values, stats = _columns(flat, lengths)
        self._maxweight, self._minlength, self._maxlength = stats

    def __len__(self):
        return len(self._ids)

    def min_id(self):
        return self._ids[0]

    def max_id(self):
        return self._ids[-1]

    def min_length(self):
        return self._minlength

    def max_length(self):
        return self._maxlength

    def max_weight(self):
        return self._maxweight

    def stats(self) -> tuple:
        return self._maxweight, self._minlength, self._maxlength


class FieldPostings:
    """One field's postings: each term's unfinished block, flat ``[docnum, weight, value, ...]``."""

    def __init__(self, field, spill, blocklimit: int, compression: int, arrays_only: bool = False,
                 flush_tokens: int = FLUSH_TOKENS, numbers: Numbers | None = None):
        self.field = field
        # Layout 2 (``codec``): a field without positions has its lists in the posting arrays alone, no blocks.
        self._arrays_only = arrays_only
        self.terms: dict = {}  # term (str for word_postings' fields, else bytes) -> flat pending list
        self._str_terms = hasattr(field, "word_postings")  # one kind of key per field, to sort them
        self.spilled: dict = {}  # term -> (CompactTermInfo, array of spill offsets and sizes)
        self.lengths = array("I")  # per docnum: the field's length (0: none)
        self.runs: list[list[int]] = []  # the terms written out of memory (``term_runs``): each run's chunks
        self._spill = spill
        self._full = 3 * blocklimit
        self._compression = compression
        self._fixedsize = field.format.fixed_value_size()
        self._scorable = field.scorable
        self._weights = Weights(field.format.field_boost)
        positional = type(field.format) is Positions
        # The values postings share: a position's (most postings of a field with positions have one), a count's.
        self._values: dict = PositionValues(field.format.encode) if positional else CountValues()
        # ``word_tokens``' (or ``word_numbers``', numbered by ``numbers``) tokens not yet in the lists (``flush``)
        self._tokens = TokenColumns(positional, numbers)
        self._flush_tokens = flush_tokens

    def add_tokens(self, docnum: int, words: list[str], first: int) -> tuple[int, int]:
        """Add one document's tokens (``word_tokens``: its words in order, numbered from ``first`` in a field with
        positions); its length and the bytes it holds (counted when its postings are made: ``flush``)."""
        self._set_length(docnum, len(words) if self._scorable else 0)
        self._tokens.add(docnum, words, first)
        if len(self._tokens) < self._flush_tokens:
            return self.lengths[docnum], 0
        return self.lengths[docnum], self.flush()

    def add_numbers(self, docnum: int, numbers: Any, first: int) -> tuple[int, int]:
        """:meth:`add_tokens` for words numbered by the ``numbers`` this was made with (``word_numbers``)."""
        self._set_length(docnum, len(numbers) if self._scorable else 0)
        self._tokens.add_numbers(docnum, numbers, first)
        if len(self._tokens) < self._flush_tokens:
            return self.lengths[docnum], 0
        return self.lengths[docnum], self.flush()

    def flush(self) -> int:
        """Append the postings of the tokens held (``token_columns``) to their terms' lists, full blocks written
        out; the bytes they now hold, as the postings appended one by one would count them."""
        terms, full = self.terms, self._full
        get = terms.get
        held = 0
        for word, part in self._tokens.postings(self._weights, self._values):
            pending = get(word)
            held += len(part) * POSTING_BYTES // 3
            if pending is None:
                terms[word] = pending = part
                held += TERM_BYTES
            else:
                pending += part
            if len(pending) > full:
                held -= self._write_blocks(word, pending) * POSTING_BYTES // 3
        return held

    def add_items(self, docnum: int, items) -> tuple[int, int]:
        """Add ``field.index``'s ``(term bytes, freq, weight, value)``; the length and the bytes held."""
        items = list(items)  # the length first: a block written below may need this document's
        held = self.flush() if len(self._tokens) else 0  # earlier documents' postings come first in each list
        length = sum(item[1] for item in items) if self._scorable else 0
        self._set_length(docnum, length)
        terms, full = self.terms, self._full
        for btext, _, weight, value in items:
            if self._str_terms:  # a text field given a list of words: Whoosh indexes them as they are
                btext = btext.decode("utf-8")
            pending = terms.get(btext)
            if pending is None:
                terms[btext] = [docnum, weight, value]
            else:
                pending += (docnum, weight, value)
                if len(pending) > full:
                    self._write_blocks(btext, pending)
        return length, held + len(items) * (POSTING_BYTES + TERM_BYTES)

    def _set_length(self, docnum: int, length: int) -> None:
        # Whoosh makes block and term statistics from the per-document
        # reader's approximation of a length (nothing for 0), and stores them
        # as length_to_byte of it: the same byte as of the length itself.
        lengths = self.lengths
        if len(lengths) < docnum:
            lengths.frombytes(bytes(4 * (docnum - len(lengths))))
        lengths.append(length)

    def _write_blocks(self, term, pending: list) -> int:
        """Write the term's pending postings but the last ``blocklimit`` or fewer as full blocks (not its last) into
        the spill file, and take them out of the list; the postings written."""
        full = self._full
        written = 0
        while len(pending) > full:
            self._write_block(term, pending[:full])
            del pending[:full]
            written += full // 3
        return written

    def _write_block(self, term, flat: list) -> None:
        """Encode ``flat`` postings of the term as a block (not its last) into the spill file."""
        block = _Block(flat, self.lengths)
        known = self.spilled.get(term)
        if known is None:
            known = self.spilled[term] = (CompactTermInfo(), array("Q"))
        info, places = known
        info.add_block(block)
        encoded = b"" if self._arrays_only else encode_block(
            block._ids, block._weights, block._values, block.stats(), self._fixedsize, self._compression, last=False)
        # The block, then its ids (int32) and weights (float32) for the posting arrays (``arrays``).
        decoded = array("i", block._ids).tobytes() + block._weights.tobytes()
        places.append(self._spill.tell())
        places.append(len(encoded))
        places.append(len(block))
        self._spill.write(encoded)
        self._spill.write(decoded)

    def term_documents(self) -> dict[str, int]:
        """``{term: documents}`` of the postings added so far: the field's document frequencies in the segment."""
        found: dict[str, int] = {}
        self.flush()
        self._spill.flush()
        for run in [run_items(self._spill.fileno(), chunks) for chunks in self.runs]:
            for term, pending, _, places in run:
                count = len(pending) // 3 + (sum(array("Q", places)[2::3]) if places is not None else 0)
                key = term.decode("utf-8") if isinstance(term, bytes) else term
                found[key] = found.get(key, 0) + count
        for term, pending in self.terms.items():  # a term's list keeps its key after its blocks are spilled
            spilled = self.spilled.get(term)
            count = len(pending) // 3 + (sum(spilled[1][2::3]) if spilled is not None else 0)
            key = term.decode("utf-8") if isinstance(term, bytes) else term
            found[key] = found.get(key, 0) + count
        return found

    def write_run(self) -> None:
        """Write every term (its unfinished list, its spilled blocks' places and statistics) into the spill file
        as one sorted run (``term_runs``), and forget them: memory holds no term of the documents added so far."""
        self.flush()
        terms, spilled = self.terms, self.spilled

        def items():
            for term in sorted(terms):
                known = spilled.get(term)
                if known is None:
                    yield term, terms[term], None, None
                else:
                    yield term, terms[term], stats_of(known[0]), known[1].tobytes()

        if terms:
            self.runs.append(write_run(self._spill, items()))
        self.terms, self.spilled = {}, {}

    def write_terms(self, fieldwriter, spill_fd: int, inlinelimit: int) -> None:
        """Write every term in order: its spilled blocks, its last block (or inlined list), its term info."""
        postfile = fieldwriter._postfile
        entries = _TermEntries(fieldwriter._tindex)
        prefix = pack_ushort(fieldwriter._fieldid)
        for term, parts in merged(spill_fd, self.runs, self.terms, self.spilled):  # freed as they are written
            btext = term.encode("utf-8") if isinstance(term, str) else term
            joined = self._joined(parts, spill_fd, inlinelimit)
            if isinstance(joined, bytes):  # short enough to inline
                entries.add(prefix + btext, joined)
                continue
            info, blocks, decoded = joined
            postings = ARRAYS_ONLY_MAGIC if self._arrays_only else b"".join([WHOOSH3_HEADER_MAGIC, *blocks])
            info.set_extent(postfile.tell(), len(postings))
            postfile.write(postings)
            entries.add(prefix + btext, info.to_bytes())
            fieldwriter.arrays.add(info._offset, b"".join(i for i, _ in decoded), b"".join(w for _, w in decoded))
        entries.flush()
        self.runs = []

    def _joined(self, parts: list, spill_fd: int, inlinelimit: int) -> Any:
        """A term's parts (``term_runs``) as one list: its inlined entry (bytes) if it is short and has no block,
        else its term info, its blocks (the last marked so) and their (ids, weights) bytes for the posting arrays.

        The unfinished lists of consecutive parts are joined; before a part's spilled blocks they are written as
        blocks of their own (of ``blocklimit`` postings, the last shorter), so the postings stay in order.
        """
        if len(parts) == 1 and parts[0][2] is None:  # most terms: one unfinished list
            carry = parts[0][0]
            if len(carry) == 3 and inlinelimit > 1:
                docnum, weight, value = carry
                return inlined_single(docnum, weight, value, self.lengths[docnum])
            if len(carry) < 3 * inlinelimit:
                return inlined_term_info(*_columns(carry, self.lengths))
        info = CompactTermInfo()
        blocks: list[bytes] = []
        decoded: list[tuple[bytes, bytes]] = []
        carry = []
        for pending, part_info, places in parts:
            if places is not None:
                if carry:
                    self._carried(carry, info, blocks, decoded, last=False)
                    carry = []
                absorb(info, part_info)
                blocks += spilled_blocks(spill_fd, places, last=False)
                decoded += spilled_arrays(spill_fd, places)
            carry += pending
        if not blocks and len(carry) < 3 * inlinelimit:
            if len(carry) == 3 and inlinelimit > 1:
                docnum, weight, value = carry
                return inlined_single(docnum, weight, value, self.lengths[docnum])
            return inlined_term_info(*_columns(carry, self.lengths))
        if carry:
            self._carried(carry, info, blocks, decoded, last=True)
        elif not self._arrays_only:  # written out when memory ran low: its last spilled block is the last
            blocks[-1] = marked_last(blocks[-1])
        return info, blocks, decoded

    def _carried(self, flat: list, info: CompactTermInfo, blocks: list, decoded: list, last: bool) -> None:
        """Encode ``flat`` postings as blocks of up to ``blocklimit`` (with ``last``, the final one marked last)."""
        full = self._full
        for start in range(0, len(flat), full):
            block = _Block(flat[start : start + full], self.lengths)
            info.add_block(block)
            final = last and start + full >= len(flat)
            blocks.append(b"" if self._arrays_only else encode_block(
                block._ids, block._weights, block._values, block.stats(), self._fixedsize, self._compression,
                last=final))
            decoded.append((array("i", block._ids).tobytes(), block._weights.tobytes()))


class _TermEntries:
    """Whoosh's ``OrderedHashWriter.add`` for the term dictionary, for many entries in order.

    The same bytes and hash table, with less Python per entry: ``add`` asks
    the file for its position twice and writes three pieces; here the
    position is counted and entries are written in batches (80,000 entries,
    a worker's half of IndoSum: 0.25-0.34 -> 0.17-0.21 s).
    """

    BATCH = 4096

    def __init__(self, tindex):
        self._tindex = tindex
        self._chunks: list[bytes] = []
        self._position = tindex.dbfile.tell()
        self._hash = _low_md5 if tindex.hashfn is md5_hash else tindex.hashfn
        if not isinstance(tindex.buckets[0], PackedBucket):  # the segment's first field
            tindex.buckets = [PackedBucket(bucket) for bucket in tindex.buckets]

    def add(self, key: bytes, value: bytes) -> None:
        tindex = self._tindex
        if key <= tindex.lastkey:
            raise ValueError(f"Keys must increase: {tindex.lastkey!r}..{key!r}")
        position = self._position
        tindex.index.append(position)
        hashed = self._hash(key)
        tindex.buckets[hashed & 255].add(hashed, position)
        tindex.lastkey = key
        self._chunks += (_ENTRY_LENGTHS.pack(len(key), len(value)), key, value)
        self._position = position + _ENTRY_LENGTHS.size + len(key) + len(value)
        if len(self._chunks) >= 3 * self.BATCH:
            self.flush()

    def flush(self) -> None:
        self._tindex.dbfile.write(b"".join(self._chunks))
        self._chunks = []


def _low_md5(key: bytes) -> int:
    """Whoosh's ``md5_hash`` (the digest's low 32 bits) without its hex string and 128-bit int."""
    return int.from_bytes(md5(key).digest()[12:], "big")


class PackedBucket:
    """One of the term dictionary's 256 hash buckets, as Whoosh's ``HashWriter`` keeps them until it closes:
    ``(hash, position)`` of each key, here in one array (16 bytes a term instead of a tuple of two numbers,
    ~130: 0.8 GB for the ~6 million terms of a worker's segment of 500,000 articles). ``HashWriter`` appends
    pairs to it and reads its length and pairs back when it writes the hash tables: the same tables."""

    __slots__ = ("_pairs",)

    def __init__(self, pairs=()) -> None:
        self._pairs = array("Q")
        for pair in pairs:
            self._pairs.extend(pair)

    def add(self, hashed: int, position: int) -> None:
        self._pairs.append(hashed)
        self._pairs.append(position)

    def append(self, pair: tuple[int, int]) -> None:
        self._pairs.extend(pair)

    def __len__(self) -> int:
        return len(self._pairs) // 2

    def __iter__(self):
        pairs = self._pairs
        return zip(pairs[0::2], pairs[1::2], strict=True)
