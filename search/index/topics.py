"""Topics: latent semantic analysis of the archive, learned when it is built, for related articles.

More like this matches an article's words; two reports of one subject often
share few of them (a power cut story says ``listrik``, ``pembangkit``,
``PLN``; its telling word ``kapal``, the ships PLN rents, pulls in ferries
and warships). Latent semantic analysis (Deerwester et al. 1990: a truncated
SVD of the archive's tf-idf matrix) learns which words occur together, so
that an article is a point in a space of ``DIMENSIONS`` topics and two
articles about one subject lie close even in other words.

The fit reads ``SAMPLE`` articles at most (all of a smaller archive), spread
evenly over the index, each analysed once
(``search.analysis.article_terms``: a root, or a name kept whole; title 3,
lead 2, body 1 + log count) and weighted by tf-idf, rows of unit length. A
randomised SVD of that sparse matrix (a few products with it, whatever the
archive's size) gives each word's topic vector (the right singular vectors):
an article's topics are the sum of its words' tf-idf times their vectors, so
any article, also one written after the fit, gets its point without a pass
over the archive. The record ``topics.npz`` holds the words (those in at
least two sampled articles), their idf and their vectors (float16); a write
that adds or removes articles keeps it (hard-linked with the generation,
``generations.copy_generation``): topics change slowly, and a full rebuild
learns them again (and so does a write to a small index, or to one grown
twice since: ``needs_learning``). An index without the record (written
before it existed) ranks related articles by more like this alone.

Cost: ~1.5 ms of analysis per sampled article plus a randomised SVD of the
sample (5.8 CPU-s for IndoSum's 3,463 articles, 8.4 for 3,500 of 20,000
synthetic ones: about that at any archive size); the record is ``words x
DIMENSIONS x 2`` bytes (8.6 MB for IndoSum, 12.8 MB for the synthetic 20,000).
"""

from __future__ import annotations

import math
import os
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from search._whoosh.columns import live_mask
from search.analysis.article_terms import Bag, text_bag
from search.index.npz import read_arrays

RECORD = "topics.npz"
SAMPLE = 3500  # articles the topics are learned from, at most (IndoSum's 3,463 all)
RELEARN_BELOW = 1000  # a write to an index of fewer live articles learns its topics again (~1.5 ms an article)
RELEARN_GROWTH = 2.0  # ... and one that has grown this many times since they were learned
DIMENSIONS = 200
MIN_ARTICLES = 2  # a word in fewer sampled articles has no topic vector
VERSION = 1
REMEMBERED = 20_000  # documents' points kept per opened generation (~8 MB)


@dataclass
class Topics:
    """The words' topic vectors: ``index[word]`` is a row of ``vectors`` and of ``idf``."""

    index: dict[str, int]
    idf: np.ndarray  # float32, per word
    vectors: np.ndarray  # float32, words x dimensions
    articles: int = 0  # the live articles of the index when they were learned
    # Points of documents already seen (document number -> point; None: no known word), for one generation.
    seen: dict[int, np.ndarray | None] = field(default_factory=dict, repr=False)
    # The points stored when the generation was written (``search.index.topic_points.StoredPoints``), or None.
    stored: Any = field(default=None, repr=False)

    def point_of(self, doc: int, bag: Callable[[], Bag]) -> np.ndarray | None:
        """The point of document ``doc`` of the generation these topics belong to: stored at index time
        (``stored``), else computed from ``bag()`` and remembered (at most ``REMEMBERED``, float16): an article
        page's related articles are often another's."""
        if self.stored is not None:
            found = self.stored.get(doc)
            if found is None or len(found):  # an empty array: its segment has no stored points
                return found
        if doc in self.seen:
            found = self.seen[doc]
            return None if found is None else found.astype(np.float32)
        point = self.point(bag())
        if len(self.seen) >= REMEMBERED:
            self.seen.clear()
        self.seen[doc] = None if point is None else point.astype(np.float16)
        return point

    def point(self, bag: Bag) -> np.ndarray | None:
        """The unit-length topic vector of an article whose weighted words are ``bag`` (None: no known word)."""
        rows, weights = [], []
        for word, weight in bag.items():
            row = self.index.get(word)
            if row is not None:
                rows.append(row)
                weights.append(weight)
        if not rows:
            return None
        at = np.array(rows)
        tfidf = np.array(weights, dtype=np.float32) * self.idf[at]
        point = (tfidf / (np.linalg.norm(tfidf) or 1.0)) @ self.vectors[at]
        length = float(np.linalg.norm(point))
        return point / length if length > 0 else None

    def save(self, path: Path) -> None:
        """Write the record at ``path`` (under another name, then renamed: never through a hard link)."""
        partial = path.with_name(path.name + ".partial")
        words = np.array(sorted(self.index, key=self.index.__getitem__))
        with partial.open("wb") as f:
            np.savez(f, version=np.array([VERSION]), words=words, idf=self.idf.astype(np.float32),
                     vectors=self.vectors.astype(np.float16), articles=np.array([self.articles]))
        os.replace(partial, path)

    @staticmethod
    def learned_on(generation: Path) -> int | None:
        """The live articles the record of ``generation`` was learned on (None: no readable record), read without
        its words and vectors (~13 MB: ``needs_learning`` asked it of every write)."""
        try:
            found = read_arrays(generation / RECORD, ("version", "articles"))
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
            return None
        return int(found["articles"][0]) if int(found["version"][0]) == VERSION else None

    @classmethod
    def load(cls, generation: Path) -> Topics | None:
        """The record of ``generation``, or None when it has none or it cannot be read."""
        path = generation / RECORD
        if not path.exists():
            return None
        try:
            found = read_arrays(path, ("version", "words", "idf", "vectors", "articles"))
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
            return None
        if int(found["version"][0]) != VERSION or len(found["words"]) != len(found["vectors"]):
            return None
        words = found["words"].tolist()
        return cls({word: row for row, word in enumerate(words)}, found["idf"].astype(np.float32),
                   found["vectors"].astype(np.float32), int(found["articles"][0]))


def fit(bags: list[Bag], dimensions: int = DIMENSIONS, progress: Progress | None = None) -> Topics | None:
    """The topics of the articles ``bags`` (None: too few articles or words to learn any); ``progress`` is told
    the share done after each of the SVD's products."""
    frequency = Counter(word for bag in bags for word in bag)
    words = sorted(word for word, count in frequency.items() if count >= MIN_ARTICLES)
    if len(bags) < 3 or not words:
        return None
    index = {word: row for row, word in enumerate(words)}
    idf = np.array([math.log(len(bags) / frequency[word]) for word in words], dtype=np.float32)
    # The sample's tf-idf rows, unit length, kept sparse: (article, word, weight).
    rows, cols, values = [], [], []
    for number, bag in enumerate(bags):
        known = [(index[word], weight) for word, weight in bag.items() if word in index]
        if not known:
            continue
        at = np.array([row for row, _ in known])
        weights = np.array([weight for _, weight in known], dtype=np.float64) * idf[at]
        weights /= np.linalg.norm(weights) or 1.0
        rows.extend([number] * len(known))
        cols.extend(at.tolist())
        values.extend(weights.tolist())
    rank = min(dimensions, len(bags) - 1, len(words))
    if len(values) < 2 or rank < 1:
        return None
    matrix = SparseRows(np.array(rows), np.array(cols), np.array(values, dtype=np.float32), len(bags), len(words))
    vectors = right_singular_vectors(matrix, rank, progress=progress)
    if vectors.shape[1] == 0 or not np.isfinite(vectors).all():
        return None
    return Topics(index, idf, vectors)


class SparseRows:
    """A sparse matrix of ``shape`` from its (row, column, value) entries, multiplied by dense matrices."""

    CHUNK = 1 << 16  # entries multiplied at once (a chunk of 65,536 x 220 float32 is ~58 MB)

    def __init__(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, height: int, width: int):
        self.shape = (height, width)
        self.by_row = self._sorted(rows, cols, values)
        self.by_col = self._sorted(cols, rows, values)

    @staticmethod
    def _sorted(keys: np.ndarray, others: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, ...]:
        order = np.argsort(keys, kind="stable")
        return keys[order], others[order], values[order]

    def times(self, dense: np.ndarray, transposed: bool = False) -> np.ndarray:
        """This matrix (or its transpose) times ``dense``."""
        keys, others, values = self.by_col if transposed else self.by_row
        out = np.zeros((self.shape[1] if transposed else self.shape[0], dense.shape[1]), dtype=np.float32)
        for at in range(0, len(keys), self.CHUNK):
            part = slice(at, at + self.CHUNK)
            key = keys[part]
            starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
            out[key[starts]] += np.add.reduceat(values[part, None] * dense[others[part]], starts, axis=0)
        return out


def orthonormal(tall: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the columns of ``tall`` (through the eigenvectors of its small Gram matrix: a tall
    QR costs ~0.6 CPU-s at 17,000 x 220, this a few ms)."""
    values, vectors = np.linalg.eigh(tall.T.astype(np.float64) @ tall)
    keep = values > max(values.max(initial=0.0), 1e-30) * 1e-10
    return (tall @ (vectors[:, keep] / np.sqrt(values[keep])).astype(np.float32)).astype(np.float32)


def right_singular_vectors(matrix: SparseRows, rank: int, iterations: int = 2,
                           progress: Progress | None = None) -> np.ndarray:
    """The ``rank`` leading right singular vectors of ``matrix`` (columns x rank, float32), by the randomised
    range finder with power iterations (Halko, Martinsson and Tropp 2011): a few sparse products, no dense SVD
    of the whole matrix (numpy's eigh of a 3,500-square matrix alone is ~17 CPU-s)."""
    width = rank + 20
    rng = np.random.default_rng(21)
    products = 2 * iterations + 2
    told = progress or (lambda share: None)
    basis = orthonormal(matrix.times(rng.standard_normal((matrix.shape[1], width)).astype(np.float32)))
    for done in range(iterations):
        told((2 * done + 1) / products)
        basis = orthonormal(matrix.times(orthonormal(matrix.times(basis, transposed=True))))
    told((products - 1) / products)
    small = matrix.times(basis, transposed=True).T  # basis' x matrix: width x columns
    values, vectors = np.linalg.eigh(small @ small.T)
    keep = np.argsort(values)[::-1][:rank]
    keep = keep[values[keep] > 1e-9]
    return ((small.T @ vectors[:, keep]) / np.sqrt(values[keep])).astype(np.float32)


def sample_numbers(live: np.ndarray, size: int = SAMPLE) -> list[int]:
    """At most ``size`` live document numbers spread evenly over the index (``live``: a mask per number)."""
    numbers = np.flatnonzero(live)
    if len(numbers) > size:
        numbers = numbers[np.linspace(0, len(numbers) - 1, size).astype(np.int64)]
    return numbers.tolist()


def needs_learning(generation: Path, ix: Any) -> bool:
    """Whether a write of the Whoosh index ``ix`` into ``generation`` learns its topics again: a new index or one
    without them; a small one (below ``RELEARN_BELOW`` live articles: the same articles always give the same
    topics, so an index rebuilt from its export ranks related articles as the original); one that has grown
    ``RELEARN_GROWTH`` times since. Other writes keep them (hard-linked): topics change slowly."""
    if not (generation / RECORD).exists():
        return True
    with ix.searcher() as searcher:
        articles = searcher.doc_count()
    if articles < RELEARN_BELOW:
        return True
    learned = Topics.learned_on(generation)
    return learned is None or articles >= RELEARN_GROWTH * max(learned, 1)


Progress = Callable[[float], None]  # told the share of the learning done (0 to 1), now and then

# Of the learning's time, the share reading and analysing the sample takes (IndoSum: 1.5 of 4 CPU-s); the fit's
# sparse products share the rest.
READING_SHARE = 0.4
TOLD_EVERY = 100  # articles read between two progress reports


def learn_from(generation: Path, ix: Any, progress: Progress | None = None) -> None:
    """Write the topics of the Whoosh index ``ix`` just written in ``generation`` (see ``learn``), or take off an
    outdated record when there are too few articles to learn any; ``progress`` hears how far it has gone."""
    with ix.searcher() as searcher:
        if not learn(generation, live_mask(searcher.reader()), searcher.stored_fields, progress):
            (generation / RECORD).unlink(missing_ok=True)  # a hard link: the live generation keeps its own


def learn(generation: Path, live: np.ndarray, stored: Callable[[int], dict], progress: Progress | None = None) -> bool:
    """Learn the topics of the index in ``generation`` and write its record; False when there were too few.

    ``live``: a mask of the live document numbers; ``stored(number)``: a document's stored fields; ``progress``:
    told the share done as the sample is read and as the fit goes (the rebuild's line, issue 21: 6-9 s on IndoSum).
    """
    told = progress or (lambda share: None)
    numbers = sample_numbers(live)
    bags: list[Bag] = []
    for number in numbers:
        fields = stored(number)
        bags.append(text_bag(fields.get("title", ""), fields.get("body", "")))
        if len(bags) % TOLD_EVERY == 0:
            told(READING_SHARE * len(bags) / len(numbers))
    topics = fit(bags, progress=lambda share: told(READING_SHARE + (1 - READING_SHARE) * share))
    if topics is None:
        return False
    topics.articles = int(live.sum())
    topics.save(generation / RECORD)
    return True
