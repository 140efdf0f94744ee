"""One field's postings while a segment is written: each term's list, its full blocks encoded and spilled.

:class:`FieldPostings` keeps, for each term of one field, its postings not
yet in a block, flat (``[docnum, weight, value, ...]``). Once a list has a
full W3 block (``blocklimit`` postings) and the next posting arrives, the
block is encoded -- by the codec's own :func:`codec.encode_block`, with the
same statistics -- and written to the segment writer's temporary spill file
(with its ids and weights as plain arrays, for the posting arrays), so only
a term's unfinished block stays in memory. At the end the field's terms are
walked in sorted order: the spilled blocks are copied into the postings
file, the last block is encoded (or the list inlined,
:class:`codec.CompactTermInfo`), and the term info goes into Whoosh's term
dictionary (:class:`_TermEntries`). Past the writer's memory limit every
term is written into the spill file as a sorted run and forgotten
(:meth:`FieldPostings.write_run`); the end merges the runs back
(``term_runs``), joining each term's parts. ``segwriter.PerTermSegmentWriter``
holds one per field.
"""

from __future__ import annotations

import os
from array import array
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.filedb.filetables import _lengths as _ENTRY_LENGTHS
from whoosh.formats import Positions
from whoosh.system import pack_int, pack_uint, pack_ushort

from search._whoosh.codec import ARRAYS_ONLY_MAGIC, CompactTermInfo, encode_block
from search._whoosh.packing import inlined_single, inlined_term_info
from search._whoosh.term_runs import absorb, merged, run_items, stats_of, write_run

POSTING_BYTES = 24  # a pending posting: three list slots (docnum, weight and value are shared objects)
TERM_BYTES = 200  # a term's dict entry, key and list


class _PositionValues(dict):
    """``Positions.encode([p])`` by position: most postings have one position, so one bytes object each."""

    def __init__(self, encode):
        super().__init__()
        self._encode = encode

    def __missing__(self, pos):
        value = self[pos] = self._encode([pos])
        return value


class _CountValues(dict):
    """``Frequency``'s value (the count, ``pack_uint``) by count, shared."""

    def __missing__(self, count):
        value = self[count] = pack_uint(count)
        return value


class _Weights(dict):
    """``freq * boost`` by frequency, so pending postings share their float objects."""

    def __init__(self, boost: float):
        super().__init__()
        self._boost = boost

    def __missing__(self, freq):
        weight = self[freq] = freq * self._boost
        return weight


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

    def __init__(self, field, spill, blocklimit: int, compression: int, arrays_only: bool = False):
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
        self._weights = _Weights(field.format.field_boost)
        positional = type(field.format) is Positions
        self._encode = field.format.encode if positional else None
        self._singles = _PositionValues(field.format.encode) if positional else None
        self._counts = None if positional else _CountValues()

    def add_postings(self, docnum: int, postings: dict) -> tuple[int, int]:
        """Add one document's ``{term: positions}``, or ``{term: frequency}`` for a field without
        positions (``word_postings``); its length and the bytes it holds."""
        if self._singles is None:
            return self._add_counts(docnum, postings)
        singles, encode = self._singles, self._encode
        self._set_length(docnum, sum(map(len, postings.values())) if self._scorable else 0)
        terms, full, weights = self.terms, self._full, self._weights
        get = terms.get
        one = weights[1]
        held = POSTING_BYTES * len(postings)
        for word, found in postings.items():  # a loop per posting: the indexer's innermost (see the module doc)
            if len(found) == 1:
                weight, value = one, singles[found[0]]
            else:
                weight, value = weights[len(found)], encode(found)
                held += 40 + len(value)
            pending = get(word)
            if pending is None:
                terms[word] = [docnum, weight, value]
                held += TERM_BYTES
            elif len(pending) < full:
                pending += (docnum, weight, value)
            else:
                self._write_block(word, pending)
                held -= full * POSTING_BYTES // 3
                pending += (docnum, weight, value)
        return self.lengths[docnum], held

    def _add_counts(self, docnum: int, postings: dict) -> tuple[int, int]:
        """``add_postings`` for a field without positions: ``{term: frequency}``."""
        counts = self._counts
        assert counts is not None
        self._set_length(docnum, sum(postings.values()) if self._scorable else 0)
        terms, full, weights = self.terms, self._full, self._weights
        get = terms.get
        one, once = weights[1], counts[1]
        held = POSTING_BYTES * len(postings)
        for word, freq in postings.items():
            if freq == 1:
                weight, value = one, once
            else:
                weight, value = weights[freq], counts[freq]
            pending = get(word)
            if pending is None:
                terms[word] = [docnum, weight, value]
                held += TERM_BYTES
            elif len(pending) < full:
                pending += (docnum, weight, value)
            else:
                self._write_block(word, pending)
                held -= full * POSTING_BYTES // 3
                pending += (docnum, weight, value)
        return self.lengths[docnum], held

    def add_items(self, docnum: int, items) -> tuple[int, int]:
        """Add ``field.index``'s ``(term bytes, freq, weight, value)``; the length and the bytes held."""
        items = list(items)  # the length first: a block written below may need this document's
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
                if len(pending) >= full:
                    self._write_block(btext, pending)
                pending += (docnum, weight, value)
        return length, len(items) * (POSTING_BYTES + TERM_BYTES)

    def _set_length(self, docnum: int, length: int) -> None:
        # Whoosh makes block and term statistics from the per-document
        # reader's approximation of a length (nothing for 0), and stores them
        # as length_to_byte of it: the same byte as of the length itself.
        lengths = self.lengths
        if len(lengths) < docnum:
            lengths.frombytes(bytes(4 * (docnum - len(lengths))))
        lengths.append(length)

    def _write_block(self, term, pending: list) -> None:
        """Encode the term's pending postings as a block (not its last) into the spill file; empty the list."""
        block = _Block(pending, self.lengths)
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
        pending.clear()

    def term_documents(self) -> dict[str, int]:
        """``{term: documents}`` of the postings added so far: the field's document frequencies in the segment."""
        found: dict[str, int] = {}
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
                blocks += _spilled_blocks(spill_fd, places, last=False)
                decoded += _spilled_arrays(spill_fd, places)
            carry += pending
        if not blocks and len(carry) < 3 * inlinelimit:
            if len(carry) == 3 and inlinelimit > 1:
                docnum, weight, value = carry
                return inlined_single(docnum, weight, value, self.lengths[docnum])
            return inlined_term_info(*_columns(carry, self.lengths))
        if carry:
            self._carried(carry, info, blocks, decoded, last=True)
        elif not self._arrays_only:  # written out when memory ran low: its last spilled block is the last
            blocks[-1] = _marked_last(blocks[-1])
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
        if not isinstance(tindex.buckets[0], PackedBucket):  # the segment's first field
            tindex.buckets = [PackedBucket(bucket) for bucket in tindex.buckets]

    def add(self, key: bytes, value: bytes) -> None:
        tindex = self._tindex
        if key <= tindex.lastkey:
            raise ValueError(f"Keys must increase: {tindex.lastkey!r}..{key!r}")
        position = self._position
        tindex.index.append(position)
        hashed = tindex.hashfn(key)
        tindex.buckets[hashed & 255].add(hashed, position)
        tindex.lastkey = key
        self._chunks += (_ENTRY_LENGTHS.pack(len(key), len(value)), key, value)
        self._position = position + _ENTRY_LENGTHS.size + len(key) + len(value)
        if len(self._chunks) >= 3 * self.BATCH:
            self.flush()

    def flush(self) -> None:
        self._tindex.dbfile.write(b"".join(self._chunks))
        self._chunks = []


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


def _spilled_arrays(spill_fd: int, places) -> list[tuple[bytes, bytes]]:
    """(ids, weights) bytes of each of a term's spilled blocks, written after each block (``_write_block``)."""
    if places is None:
        return []
    found = []
    for offset, size, count in zip(places[0::3], places[1::3], places[2::3], strict=True):
        data = os.pread(spill_fd, 8 * count, offset + size)
        found.append((data[: 4 * count], data[4 * count :]))
    return found


def _spilled_blocks(spill_fd: int, places, last: bool) -> list:
    """A term's spilled blocks; with ``last``, the final one marked as the list's last (negative size)."""
    if places is None:
        return []
    # Read, not mapped: mapped pages would count in the worker's resident memory.
    blocks = [os.pread(spill_fd, size, offset) for offset, size in zip(places[0::3], places[1::3], strict=True)]
    if last:
        blocks[-1] = _marked_last(blocks[-1])
    return blocks


def _marked_last(block: bytes) -> bytes:
    """A spilled block marked as its list's last: its size negative (the size excludes its own 4 bytes)."""
    return pack_int(-(len(block) - 4)) + block[4:]
