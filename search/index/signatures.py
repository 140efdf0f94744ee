"""Story signatures: an article's body summed up in a MinHash signature of its runs of words.

Each article's body (as the index holds it: dateline, "Baca juga" lines and
other furniture already taken off by ingest) is cut into overlapping runs of
``SHINGLE`` words (the words of the exact-form field,
``analysis.tokens.index_words``: an indexing worker takes them from the
analysis it makes for that field, so a signature costs no second pass over
the text, and it is made on every core), and the set of runs is summed up in
a MinHash signature of ``NUM_PERM`` values (datasketch's ``affine32`` scheme,
hash functions drawn from seed ``SEED``, so a signature is the same in every
process and every build). The share of values two signatures agree on is
their runs' estimated Jaccard similarity (``similarity``); the stories are
grouped from them (``search.index.stories``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from search.analysis.tokens import index_words, word_hash

NUM_PERM = 64
SEED = 1
SHINGLE = 5  # words in a run
# A body of fewer words is never grouped: a caption or a stub shares its few runs with unrelated ones.
MIN_WORDS = 30

_MULTIPLIER = np.uint32(1_000_003)
# Word hashes kept (then forgotten all at once): the frequent words come back at once, and an indexing worker of
# 500,000 articles held ~1,000,000 (~0.1 GB) before.
WORD_HASHES = 200_000


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The NUM_PERM hash functions ``h -> a * h + b mod 2**32`` (``a`` odd: each a permutation of 32-bit values)."""
    draw = np.random.RandomState(SEED)  # the legacy generator: its numbers for a seed never change
    a = draw.randint(1, 2**32, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
    b = draw.randint(0, 2**32, size=NUM_PERM, dtype=np.uint64)
    return a.astype(np.uint32), b.astype(np.uint32)


_A, _B = _permutations()


def _minhash(runs: np.ndarray) -> np.ndarray:
    """The MinHash signature (uint32 x NUM_PERM) of the 32-bit hashes of a body's runs (repeats change nothing).

    datasketch's ``affine32`` scheme: each hash is mixed once (MurmurHash3's
    32-bit finaliser), then permuted by each function, and the least value of
    each kept; uint32 arithmetic wraps, which is the ``mod 2**32``.
    (datasketch itself was not kept: importing it imports SciPy, 0.65 s of
    CPU and 57 MB in every build process, 5% of an IndoSum build on its own,
    for what is these few lines of numpy.)
    """
    h = runs.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return (h[:, None] * _A + _B).min(axis=0)


class _WordHashes(dict):
    """A word's ``word_hash`` (CRC-32 of its UTF-8), kept once worked out: a dictionary lookup costs a fifth."""

    def __missing__(self, word: str) -> int:
        if len(self) > WORD_HASHES:  # bounded: an archive's vocabulary grows with it (~0.1 kB a word kept)
            self.clear()
        value = self[word] = word_hash(word)
        return value


_word_hashes = _WordHashes()


def signature(body: str) -> np.ndarray | None:
    """The signature of an article's body, or None when it is too short to be grouped (``MIN_WORDS``)."""
    return signature_of_words(index_words(body).words)


def signature_of_words(words: list[str]) -> np.ndarray | None:
    """The signature of a body's words (``index_words(body).words``: lowercased, punctuation off), or None."""
    if len(words) < MIN_WORDS:
        return None
    return signature_of_hashes(np.array(list(map(_word_hashes.__getitem__, words)), dtype=np.uint32))


def signature_of_hashes(hashes: np.ndarray) -> np.ndarray | None:
    """The signature of a body's words given as their ``word_hash`` values (uint32, in order), or None."""
    if len(hashes) < MIN_WORDS:
        return None
    count = len(hashes) - SHINGLE + 1
    runs = hashes[:count].copy()
    for offset in range(1, SHINGLE):  # a polynomial hash of each run of SHINGLE words, all runs at once
        runs = runs * _MULTIPLIER + hashes[offset : offset + count]
    return _minhash(runs)


class SignatureRows(Mapping[str, "np.ndarray | None"]):
    """``id -> signature`` (None: too short), the signatures kept as rows of a few large arrays.

    A build's parent keeps every (re)indexed article's signature until the record is written: as a dict of
    arrays, one numpy object each (~0.45 kB an article, 0.45 GB at 1,000,000), as rows 0.26 kB.
    """

    BLOCK = 8192  # rows an array: appended to without copying what came before

    def __init__(self) -> None:
        self._row: dict[str, int] = {}  # id -> row; -1: no signature (too short)
        self._blocks: list[np.ndarray] = []
        self._rows = 0

    def __getitem__(self, doc_id: str) -> np.ndarray | None:
        row = self._row[doc_id]
        return None if row < 0 else self._blocks[row // self.BLOCK][row % self.BLOCK]

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._row

    @property
    def holds(self) -> Callable[[object], bool]:
        """Whether an id is held: the dictionary's own ``__contains__`` (``map`` over a million ids calls it in C)."""
        return self._row.__contains__

    def __iter__(self) -> Iterator[str]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)

    def __setitem__(self, doc_id: str, found: np.ndarray | None) -> None:
        self.add_rows([doc_id], None if found is None else found.reshape(1, NUM_PERM), [found is not None])

    def add_rows(self, ids: list[str], values: np.ndarray | None, signed: list[bool]) -> None:
        """Keep ``ids``' signatures: ``values`` holds a row for each id whose ``signed`` is true, in order."""
        rows = iter(() if values is None else values)
        for doc_id, has in zip(ids, signed, strict=True):
            if not has:
                self._row[doc_id] = -1
                continue
            at = self._rows % self.BLOCK
            if at == 0:
                self._blocks.append(np.zeros((self.BLOCK, NUM_PERM), dtype=np.uint32))
            self._blocks[-1][at] = next(rows)
            self._row[doc_id] = self._rows
            self._rows += 1


@dataclass
class Sketches:
    """Signatures by article id: what a build collects and the record stores."""

    signatures: SignatureRows = field(default_factory=SignatureRows)

    def add(self, doc_id: str, body: str) -> None:
        self.signatures[doc_id] = signature(body)

    def made(self, doc_id: str, found: np.ndarray | None) -> None:
        """Keep a signature made elsewhere (an indexing worker's)."""
        self.signatures[doc_id] = found

    def __len__(self) -> int:
        return len(self.signatures)


def similarity(first: np.ndarray | None, second: np.ndarray | None) -> float:
    """The share of equal values of two signatures: their runs of words' estimated Jaccard similarity."""
    if first is None or second is None:
        return 0.0
    return float((first == second).mean())
