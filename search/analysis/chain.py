"""The Indonesian analyzer: one chain used both to index and to query.

It reads like a Whoosh/Lucene analysis chain, each step a small filter:

    IndonesianTokenizer() | LowercaseFilter() | HyphenFilter()
        | StopFilter(STOPWORDS) | IndonesianStemFilter()

* the tokenizer keeps numbers such as ``2.500`` or ``43,5`` and hyphenated
  words such as ``anak-anak`` whole;
* ``HyphenFilter`` turns a reduplication (``anak-anak``, ``berlari-lari``,
  ``besar-besaran``) into one word and splits other compounds
  (``Nur-Sultan``, ``Covid-19``) into their parts;
* ``IndonesianStemFilter`` stems with Sastrawi's algorithm (run by
  ``search.analysis.sastrawi_fast``, ~7 µs a new word instead of PySastrawi's
  ~0.15 ms), with a cache, a table of corrections for the words it gets
  wrong (``Bekasi -> bekas``, ``pasukan -> pasu``), and clitic stripping
  (``-nya/-lah/-kah``) for the names its dictionary does not know.
"""

from __future__ import annotations

import re
from functools import cached_property
from importlib import resources

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
)

# A number with thousands/decimal separators (2.500, 43,5, 6/10/2022 is three
# tokens on purpose), or a word, possibly hyphenated (anak-anak, Covid-19).
TOKEN_PATTERN = r"\d+(?:[.,]\d+)+|\w+(?:-\w+)*"

CLITICS = ("nya", "lah", "kah", "pun")
_ALPHA = re.compile(r"^[^\W\d_]+$")


def _read_lines(name: str) -> list[str]:
    """Lines of a data file shipped in ``search/data``, without comments."""
    text = resources.files("search.data").joinpath(name).read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def load_stopwords() -> frozenset[str]:
    """Sastrawi's Indonesian stopword list."""
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    return frozenset(StopWordRemoverFactory().get_stop_words())


def load_stem_exceptions() -> dict[str, str]:
    """``word -> root`` corrections for Sastrawi, from ``stem_exceptions.tsv``.

    A word mapped to itself is protected from stemming (proper names such as
    ``bekasi`` that Sastrawi would reduce to ``bekas``).
    """
    table = {}
    for line in _read_lines("stem_exceptions.tsv"):
        word, _, root = line.partition("\t")
        table[word.strip().lower()] = (root.strip() or word.strip()).lower()
    return table


def _without_clitic(word: str) -> str | None:
    """``word`` without a final ``-nya/-lah/-kah/-pun``, or None if it has none.

    The rest must keep four letters, and ``-lah`` after an ``l`` is a name's
    ending, not a clitic (Abdullah, Fadlullah).
    """
    for clitic in CLITICS:
        rest = word[: -len(clitic)]
        if word.endswith(clitic) and len(rest) >= 4 and not (clitic == "lah" and rest.endswith("l")):
            return rest
    return None


class IndonesianTokenizer(RegexTokenizer):
    """Words, hyphenated words and numbers with their separators."""

    def __init__(self):
        super().__init__(expression=TOKEN_PATTERN, gaps=False)


def is_reduplication(word: str) -> bool:
    """True for ``anak-anak``, ``berlari-lari``, ``besar-besaran``, ``orang-orangnya``.

    Indonesian doubles a word to make a plural or an intensive; the doubled
    form means the root, so it must meet the same index term.
    """
    parts = word.split("-")
    if len(parts) != 2 or not all(_ALPHA.match(p) for p in parts):
        return False
    first, second = parts
    return (
        first == second
        or first.endswith(second)  # berlari-lari
        or second.startswith(first)  # besar-besaran, orang-orangnya
    )


def hyphen_parts(word: str) -> list[str] | None:
    """The parts a hyphenated word is split into (``nur-sultan``), or None: no hyphen, or a reduplication."""
    if "-" not in word or is_reduplication(word):
        return None
    return word.split("-")


class HyphenFilter(Filter):
    """Keep reduplications whole; split other hyphenated words into parts.

    ``Nur-Sultan`` must be found by ``Sultan`` and ``Covid-19`` by ``covid``,
    so compounds become consecutive tokens (phrases still match). Positions
    after a split are shifted so that phrase queries stay exact.
    """

    def __call__(self, tokens):
        shift = 0
        for t in tokens:
            if t.positions:
                t.pos += shift
            parts = hyphen_parts(t.text)
            if parts is None:
                yield t
                continue
            start = t.startchar if t.chars else 0
            offset = 0
            base_pos = t.pos if t.positions else 0
            for i, part in enumerate(parts):
                t.text = part
                if t.chars:
                    t.startchar = start + offset
                    t.endchar = t.startchar + len(part)
                if t.positions:
                    t.pos = base_pos + i
                offset += len(part) + 1
                yield t
            shift += len(parts) - 1


class Stemmer:
    """Sastrawi with a cache, corrections and clitic stripping: word -> root.

    Kept apart from the Whoosh filter so that the indexer's worker processes
    and the query side share one definition of a root.
    """

    def __init__(self, exceptions: dict[str, str] | None = None):
        self._exceptions = exceptions
        self._cache: dict[str, str] = {}

    @cached_property
    def exceptions(self) -> dict[str, str]:
        return self._exceptions if self._exceptions is not None else load_stem_exceptions()

    @cached_property
    def _sastrawi(self):
        from search.analysis.sastrawi_fast import FastSastrawi

        # PySastrawi's algorithm and dictionary, re-written to stem a new word
        # ~20x faster with the same roots (bench/stemmer_identity.py). Uncached:
        # we keep our own cache, so a word costs one lookup, not two.
        return FastSastrawi()

    @cached_property
    def _dictionary(self):
        return self._sastrawi.get_dictionary()

    def stem(self, word: str) -> str:
        """The root of a lowercased word; numbers and mixed tokens unchanged."""
        root = self._cache.get(word)
        if root is None:
            root = self._cache[word] = self._stem_uncached(word)
        return root

    def _stem_uncached(self, word: str) -> str:
        if word in self.exceptions:
            return self.exceptions[word]
        rest = _without_clitic(word)
        if rest in self.exceptions:
            return self.exceptions[rest]  # pasukannya, bekasinya
        if not _ALPHA.match(word.replace("-", "")):
            return word  # 2.500, covid19, hwasong11: Sastrawi would mangle them
        root = self._sastrawi.stem(word) or word
        # Sastrawi only strips a clitic when the rest is a dictionary word,
        # so names keep theirs: rusianya, kazakhstanlah.
        if rest and root == word and "-" not in word and not self._dictionary.contains(word):
            return self.stem(rest)
        return self._confix_an(word, root)

    def _confix_an(self, word: str, root: str) -> str:
        """Correct ``pe-/per-/ke- ... -kan`` splits to ``... -an``: no such confix exists.

        Sastrawi reads ``penarikan`` as pe-tari-kan and ``pergerakan`` as
        per-gera-kan; Indonesian has peN-an, per-an and ke-an but never
        peN-kan, so when ``root + k`` is a word it is the root (tarik, gerak).
        """
        if (
            word.endswith(root + "kan")
            and word.startswith(("pe", "ke"))
            and self._dictionary.contains(root + "k")
        ):
            return root + "k"
        return root

    def known_roots(self) -> dict[str, str]:
        """The cache, ``word -> root``: saved with an index so that an update starts warm."""
        return self._cache

    def learn_roots(self, roots: dict[str, str]) -> None:
        """Add roots computed earlier (by ``known_roots``) with the same exceptions."""
        self._cache.update(roots)

    def __reduce__(self):
        # Whoosh pickles the schema (and so this object) into the index. It
        # comes back as the process's shared stemmer: the same table (a
        # pickled stemmer never kept its own) and one cache for the analyzers
        # of every index opened and for the indexer's worker processes.
        return (shared_stemmer, ())


class IndonesianStemFilter(Filter):
    """Replace each token's text by its root (see :class:`Stemmer`)."""

    def __init__(self, stemmer: Stemmer | None = None):
        self.stemmer = stemmer or Stemmer()

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __call__(self, tokens):
        stem = self.stemmer.stem
        for t in tokens:
            if not t.stopped:
                t.text = stem(t.text)
            yield t


_STOPWORDS: frozenset[str] | None = None
_STEMMER = Stemmer()


def shared_stemmer() -> Stemmer:
    """The process-wide stemmer (and its cache) every analyzer uses."""
    return _STEMMER


def stopwords() -> frozenset[str]:
    """The stopword list, loaded once."""
    global _STOPWORDS
    if _STOPWORDS is None:
        _STOPWORDS = load_stopwords()
    return _STOPWORDS


def indonesian_analyzer():
    """The analyzer for article text: tokenize, lowercase, stop, stem."""
    return (
        IndonesianTokenizer()
        | LowercaseFilter()
        | HyphenFilter()
        | StopFilter(stoplist=stopwords(), minsize=1)
        | IndonesianStemFilter(_STEMMER)
    )


def exact_analyzer():
    """The analyzer for the exact-form fields: the words as written, stopwords kept.

    Indexed beside the stemmed fields so that ``penarikan`` ranks an article
    saying ``penarikan`` above one saying only ``tarik``, and a name that
    Sastrawi over-stems (``Bekasi -> bekas``) still meets its own spelling.
    Stopwords stay: rare ones (``sejak``, ``antara``, ``belum``) still tell
    texts apart, and the ones in most articles are left out of a query by
    ``ranking.drop_common_terms`` rather than at indexing.
    """
    return IndonesianTokenizer() | LowercaseFilter() | HyphenFilter()


def name_analyzer():
    """The analyzer for names (source, author): words, lowercased, unstemmed."""
    return IndonesianTokenizer() | LowercaseFilter() | HyphenFilter()


def analyze(text: str) -> list[str]:
    """The index terms of a text, in order (handy for tests and debugging)."""
    return [t.text for t in indonesian_analyzer()(text)]
