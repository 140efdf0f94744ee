"""Sastrawi with a cache, corrections and clitic stripping: one definition of a root.

``Stemmer.stem`` is what every stage calls (through :func:`shared_stemmer`):
Sastrawi's algorithm (run by :mod:`search.analysis.sastrawi_fast`, ~7 us a
new word instead of PySastrawi's ~0.15 ms), a table of corrections for the
words it gets wrong (``Bekasi -> bekas``, ``pasukan -> pasu``), and clitic
stripping (``-nya/-lah/-kah/-pun``) for the names its dictionary does not know.
"""

from __future__ import annotations

import itertools
import re
from functools import cached_property
from typing import Any

from search.analysis.sastrawi_fast import FastSastrawi
from search.analysis.wordlists import load_stem_exceptions

CLITICS = ("nya", "lah", "kah", "pun")
_ALPHA = re.compile(r"^[^\W\d_]+$")


def without_clitic(word: str, shortest: int = 4) -> str | None:
    """``word`` without a final ``-nya/-lah/-kah/-pun``, or None if it has none.

    The rest must keep ``shortest`` letters (four: the stemmer's; a query
    asks about three, an abbreviation's: ``kpknya``), and ``-lah`` after an
    ``l`` is a name's ending, not a clitic (Abdullah, Fadlullah).
    """
    for clitic in CLITICS:
        rest = word[: -len(clitic)]
        if word.endswith(clitic) and len(rest) >= shortest and not (clitic == "lah" and rest.endswith("l")):
            return rest
    return None


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
    def sastrawi(self) -> FastSastrawi:
        """The Sastrawi stemmer under Cari's corrections and cache."""
        # PySastrawi's algorithm and dictionary, re-written to stem a new word
        # ~20x faster with the same roots (bench/stemmer_identity.py). Uncached:
        # we keep our own cache, so a word costs one lookup, not two.
        return FastSastrawi()

    @cached_property
    def dictionary(self) -> Any:
        """Sastrawi's dictionary of root words, read when first needed (or by :meth:`load`)."""
        return self.sastrawi.get_dictionary()

    @property
    def loaded(self) -> bool:
        """Whether the dictionary has been read (a worker's warm-up reads it before the first request)."""
        return "dictionary" in vars(self)

    def load(self) -> None:
        """Read Sastrawi's dictionary and corrections now, not at the first new word (a server's worker, at start)."""
        self.dictionary  # noqa: B018 - a cached property: reading it loads it
        self.exceptions  # noqa: B018

    def stem(self, word: str) -> str:
        """The root of a lowercased word; numbers and mixed tokens unchanged."""
        root = self._cache.get(word)
        if root is None:
            root = self._cache[word] = self.stem_uncached(word)
        return root

    def stem_uncached(self, word: str) -> str:
        if word in self.exceptions:
            return self.exceptions[word]
        rest = without_clitic(word)
        if rest in self.exceptions:
            return self.exceptions[rest]  # pasukannya, bekasinya
        if not _ALPHA.match(word.replace("-", "")):
            return word  # 2.500, covid19, hwasong11: Sastrawi would mangle them
        root = self.sastrawi.stem(word) or word
        # Sastrawi only strips a clitic when the rest is a dictionary word,
        # so names keep theirs: rusianya, kazakhstanlah.
        if rest and root == word and "-" not in word and not self.dictionary.contains(word):
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
            and self.dictionary.contains(root + "k")
        ):
            return root + "k"
        return root

    def is_name_like(self, word: str) -> bool:
        """Whether a lowercased word has no dictionary root: most likely a name (``kazakhstan``, ``vrublevsky``)."""
        return self.stem(word) == word and not self.dictionary.contains(word)

    def known_roots(self) -> dict[str, str]:
        """The cache, ``word -> root``: saved with an index so that an update starts warm."""
        return self._cache

    def learn_roots(self, roots: dict[str, str]) -> None:
        """Add roots computed earlier (by ``known_roots``) with the same exceptions."""
        self._cache.update(roots)

    def forget_since(self, size: int) -> None:
        """Keep only the first ``size`` roots learned (a long read, an export's snippets, stems most of an
        archive's words: its memory is given back). A new dict is swapped in, never the one a writer may be
        saving (``known_roots``) changed under it; a root forgotten is worked out again when needed."""
        if len(self._cache) > size:
            self._cache = dict(itertools.islice(self._cache.items(), size))


_STEMMER = Stemmer()


def shared_stemmer() -> Stemmer:
    """The process-wide stemmer (and its cache) every stage uses."""
    return _STEMMER
