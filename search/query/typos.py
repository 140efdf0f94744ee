"""Typos and variants of a query's words, corrected from the index's own words (``IndexLexicon``).

A word the index lacks (or knows far less often than a close spelling) also
searches its likeliest correction, and a name its variants (``kazakstan``:
``kazakhstan``). Candidates share the word's first letters, so the words
compared are bounded on any archive. The "did you mean" offered after a
search that found little is ``did_you_mean``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from whoosh.support.levenshtein import damerau_levenshtein

from search._whoosh.term_prefixes import prefix_terms
from search.analysis.stemmer import shared_stemmer, without_clitic
from search.analysis.wordlists import stopwords
from search.query.budget import NO_DEADLINE, Deadline
from search.query.transliteration import modern, respellings, short_respellings, y_for_i_inside
from search.query.typo_cost import COMMON_TYPO, typo_cost

# Letters a suggestion shares with the word (typos at the very start are
# rare), and the most terms compared: a bounded time on any archive.
SAME_START = 3
MAX_COMPARED = 20_000
PREFIXES_REMEMBERED = 20_000
LONG_WORD = 7  # from this length a word opening with an affix shares one more letter with its candidates
# How Indonesian's prefixes open a word (me-, pe-, be-, te-, di-, ke-, se-): each starts tens of thousands.
AFFIX_OPENINGS = frozenset({"me", "pe", "be", "te", "di", "ke", "se"})
_LETTERS = "abcdefghijklmnopqrstuvwxyz"

# Typos corrected as Meilisearch does: none under 5 letters, one edit from 5, two from 9.
ONE_EDIT_FROM, TWO_EDITS_FROM = 5, 9
# A known word is corrected when a close spelling is this many times more frequent.
FAR_MORE_OFTEN = 30
# Or, in keywords, when a close spelling stands with the query's other words in this many articles
# and this many times as many as the word typed does.
MIN_TOGETHER, FAR_MORE_TOGETHER = 3, 5
# Or when the word is in this few articles (often the archive's own typo: ``beiber``) and a name one
# likely typo away is this many times more frequent, and stands with the query's other words at least as
# often (a word alone: the name is what readers look for).
RARE_TYPO_DOCS, FAR_MORE_NAME = 2, 5
# A name is a variant of another of its spellings (``respelling``) when the
# rarer of the two is rare (this share of the articles, or this many): a
# frequent spelling is a name of its own.
VARIANT_SHARE, VARIANT_DOCS = 0.02, 5
MIN_VARIANT = 5
SHORT_NAME = 5  # letters: a y written for an i inside a name this short makes another name (lion, lyon)


def allowed_edits(word: str) -> int:
    """How many typos a word of this length may hold."""
    return 0 if len(word) < ONE_EDIT_FROM else 1 if len(word) < TWO_EDITS_FROM else 2


def within_edits(word: str, other: str, edits: int) -> bool:
    """Whether ``other`` is at most ``edits`` edits (Damerau) from ``word``; one edit checked without a matrix."""
    if abs(len(word) - len(other)) > edits:
        return False
    start = 0
    while start < min(len(word), len(other)) and word[start] == other[start]:
        start += 1
    a, b = word[start:], other[start:]
    if edits != 1:
        # The common ending too: what is left is short, and the full distance is its distance.
        end = 0
        while end < min(len(a), len(b)) and a[-1 - end] == b[-1 - end]:
            end += 1
        a, b = a[: len(a) - end], b[: len(b) - end]
        # Each letter of one that the other lacks takes an edit of its own (swaps bring none): most of
        # an archive's words sharing the opening are ruled out without the matrix.
        if len(set(a).difference(b)) > edits or len(set(b).difference(a)) > edits:
            return False
        return damerau_levenshtein(a, b, edits) <= edits
    return a[1:] == b[1:] or a[1:] == b or a == b[1:] or (a[:2] == b[1::-1] and a[2:] == b[2:])


class IndexLexicon:
    """The index's words as written (``body_exact``), for variants of names and corrections of typos.

    Candidates share the word's first letters (``SAME_START``: typos at the
    very start are rare, and it bounds the words compared on any archive).
    """

    def __init__(self, reader: Any, is_name: Callable[[str], bool], field: str = "body_exact",
                 deadline: Deadline = NO_DEADLINE, counts: Any = None) -> None:
        self._reader = reader
        # Where the query's own words are counted: the scorer's remembered counts
        # (``PostingArrays``) ask the reader once a word, not once a query.
        self._counts = counts or reader
        self._is_name = is_name  # word -> whether it looks like a name (no dictionary root)
        self._field = field
        self.deadline = deadline
        self._docs = max(1, reader.doc_count())
        self._found: dict[tuple[str, str], object] = {}
        self._prefixes: dict[str, dict[int, list[str]]] = {}

    def frequency(self, word: str) -> int:
        """In how many articles a word of the query is (remembered)."""
        return self._counts.doc_frequency(self._field, word) if self._field in self._reader.schema else 0

    def _frequency_of_candidate(self, word: str) -> int:
        """The same for a spelling tried (most are in no article: not worth remembering)."""
        return self._reader.doc_frequency(self._field, word)

    def _close(self, word: str, edits: int) -> list[tuple[str, int]]:
        """(word, document frequency) of the indexed words within ``edits`` of ``word``, sharing its start.

        Long words opening with an affix share more letters with their
        candidates: Indonesian's prefixes (``pem``, ``men``, ``ber``) start
        tens of thousands of words on a large archive, and a typo in the
        first four letters of such a word is rare. Other words share three
        (``zuchini`` finds ``zucchini``). Only words of a length that could
        be close are compared.
        """
        if edits == 0 or self._field not in self._reader.schema:
            return []
        affixed = len(word) >= LONG_WORD and word[:2] in AFFIX_OPENINGS
        shared = SAME_START + affixed + (edits > 1)
        by_length = self._starting(word[:shared])
        found = []
        for length in range(len(word) - edits, len(word) + edits + 1):
            for text in by_length.get(length, ()):
                if text != word and within_edits(word, text, edits):
                    found.append((text, self._reader.doc_frequency(self._field, text)))
        return found

    def _starting(self, prefix: str) -> dict[int, list[str]]:
        """The indexed words starting with ``prefix`` (at most ``MAX_COMPARED``) by length, remembered.

        Walking Whoosh's term index costs a few µs a word; queries ask for
        the same few thousand prefixes again and again.
        """
        found = self._prefixes.get(prefix)
        if found is None:
            found = {}
            for text in self.deadline.checked(prefix_terms(self._reader, self._field, prefix, MAX_COMPARED)):
                found.setdefault(len(text), []).append(text)
            if len(self._prefixes) > PREFIXES_REMEMBERED:
                self._prefixes.clear()
            self._prefixes[prefix] = found
        return found

    def _remembered(self, kind: str, word: str, compute: Callable[[], Any]) -> Any:
        if (kind, word) not in self._found:
            if len(self._found) > 10_000:
                self._found.clear()
            self._found[(kind, word)] = compute()
        return self._found[(kind, word)]

    def variants(self, word: str) -> list[str]:
        """Names a small edit from ``word`` (``kazakstan``: ``kazakhstan``), the rarer of each pair rare.

        A four-letter name has only the few spellings that keep so short a word
        the same name (``susi``: ``sussi``, ``joko``: ``djoko``, ``andi``: ``andy``;
        :func:`short_respellings`): its other respellings are other names.
        """
        if len(word) < MIN_VARIANT - 1 or not word.isalpha() or not self._is_name(word):
            return []
        return self._remembered("variant", word, lambda: self._variants(word))

    def _variants(self, word: str) -> list[str]:
        rare = max(VARIANT_DOCS, VARIANT_SHARE * self._docs)
        own = self.frequency(word)
        found = []
        spellings = respellings(word) if len(word) >= MIN_VARIANT else short_respellings(word)
        if len(word) <= SHORT_NAME:  # a y for an i inside so short a name is another name (china: Blac Chyna)
            spellings = [text for text in spellings if not y_for_i_inside(word, text)]
        if not own and modern(word) != word:
            spellings = [modern(word), *spellings]
        for text in self.deadline.checked(spellings):
            df = self._frequency_of_candidate(text)
            # A spelling the index lacks is no name of its own: any of its respellings is the name (bartjelona),
            # and its old spelling may be a word of the language too (agoeng: agung; lukakoe: lukaku, luka-ku).
            if df and (min(df, own or df) <= rare or not own) and (
                    self._is_name(text) or (not own and modern(word) in (text, modern(text)))):
                found.append(text)
        return found

    def weight_of(self, word: str, other: str) -> float:
        """How much ``other`` may weigh beside ``word`` so that it never outscores it: the ratio of their idfs.

        A rare spelling has a high idf; searched at the typed word's
        weight, an article with the rare one would rank above those with
        the word typed.
        """
        own, theirs = self.frequency(word), self.frequency(other)
        if not own or not theirs:
            return 1.0
        return min(1.0, _idf(own, self._docs) / _idf(theirs, self._docs))

    def correction(self, word: str, known_too: bool = True, context: tuple[str, ...] = ()) -> str | None:
        """The most frequent close spelling of a word the index lacks (or, ``known_too``, knows far less often), or None.

        ``context``, the query's other words (lowercased), picks among
        close spellings the one articles hold with them: ``arab suadi`` is
        ``arab saudi``, not ``arab suami``, however often ``suami`` is written.
        """
        if not word.isalpha() or word in stopwords() or len(word) < ONE_EDIT_FROM - 1:
            return None
        own = self.frequency(word)
        if own and (not known_too or own * FAR_MORE_OFTEN >= self._docs):
            return None  # no spelling could be that much more frequent
        context = tuple(sorted({other for other in context if other != word and self.frequency(other)}))
        return self._remembered("correction", " ".join((word, *context)), lambda: self._correction(word, own, context))

    def _correction(self, word: str, own: int, context: tuple[str, ...] = ()) -> str | None:
        if not own and self._reader.doc_frequency("body", shared_stemmer().stem(word)) * FAR_MORE_OFTEN > self._docs:
            return None  # a new form of a common root (pengusirannya): its root finds it
        if not own and self._with_clitic(word):
            return None  # a word the index holds with a clitic (pertaminanya, not pertaniannya): its root finds it
        # The same whatever the other words: remembered by word (a query's words recur beside other words).
        close = list(self._remembered("close", word, lambda: self._close_spellings(word, own)))
        best = self._likeliest(word, close, context)
        if best is not None and best[1] and (not own or best[1] >= own * FAR_MORE_OFTEN or (
                context and self._is_name(word) and self._far_more_with(best[0], word, context))):
            return best[0]
        if 0 < own <= RARE_TYPO_DOCS:  # perhaps the archive's own typo of a name: every kind of typo at the start too
            close += [found for found in self._opening_edits(word) if found not in close]
            best = self._likeliest(word, close, context)
            if best is not None and self._likely_name_typo(word, own, best, context):
                return best[0]
        return None  # a word of the language typed (selamat, not selama) is meant

    def _with_clitic(self, word: str) -> bool:
        """Whether ``word`` is a word the index holds as written followed by ``-nya/-lah/-kah/-pun``."""
        rest = without_clitic(word)
        return rest is not None and self._frequency_of_candidate(rest) > 0

    def _close_spellings(self, word: str, own: int) -> list[tuple[str, int]]:
        """(spelling, frequency) of the indexed spellings a typo away from ``word`` (``own``: its frequency)."""
        close = self._close(word, allowed_edits(word) or 1)
        if len(word) < ONE_EDIT_FROM:
            # A 4-letter word is corrected only to a 5-letter one (one letter left out: anis -> anies),
            # the word meant being long enough for a typo.
            close = [found for found in close if len(found[0]) == ONE_EDIT_FROM]
        # A typo among the letters ``_close`` asks candidates to share competes with the other spellings.
        return close + [found for found in self._opening_edits(word, every_kind=not own) if found not in close]

    def _likeliest(self, word: str, close: list[tuple[str, int]], context: tuple[str, ...]) -> tuple[str, int] | None:
        """The likeliest of close spellings ``(word, frequency)``: the cheapest typo, then the query's context.

        A letter left out, two swapped or one typed twice before a letter
        replaced or a stray one (amazn is amazon, not the more frequent aman;
        lampun lampung, not lampu; apris paris, not april; rusai rusia, not
        rusak), then the one articles hold with the query's other words, then
        the most frequent (enger: wenger, not neger).
        """
        least = min((typo_cost(word, found[0]) for found in close), default=0)
        close = [found for found in close if typo_cost(word, found[0]) == least]
        if context and len(close) > 1:
            return max(close, key=lambda found: (self._held_with(found[0], context), found[1], found[0]))
        return max(close, key=lambda found: (found[1], found[0]), default=None)

    def _likely_name_typo(self, word: str, own: int, best: tuple[str, int], context: tuple[str, ...]) -> bool:
        """Whether a word in very few articles is more likely a common typo of the name ``best`` than meant.

        The noisy channel with context: the name is far more frequent
        (``FAR_MORE_NAME`` times), and articles hold it with the query's other
        words at least as often as the word typed (``beiber``: ``bieber``;
        ``kein``: ``kevin``; ``arma fc``: ``arema fc``).
        """
        if typo_cost(word, best[0]) != COMMON_TYPO or best[1] < own * FAR_MORE_NAME or not self._is_name(best[0]):
            return False
        return not context or self._held_with(best[0], context) >= max(1, self._held_with(word, context))

    def _far_more_with(self, other: str, word: str, context: tuple[str, ...]) -> bool:
        """Whether articles hold ``other`` with the query's other words far more often than the word typed.

        A typo may be in the archive itself (``braito``, once): ``braito
        putera`` stands in one article at most, ``barito putera`` in many. Only
        a word without a dictionary root is corrected so: ``selamat`` in
        ``selamat datang gubernur baru`` is meant, however often ``selama``
        stands with the other words.
        """
        together = self._held_with(other, context)
        return together >= MIN_TOGETHER and together >= FAR_MORE_TOGETHER * self._held_with(word, context)

    def _held_with(self, word: str, context: tuple[str, ...]) -> int:
        """In how many articles ``word`` stands with every word of ``context`` (0 where counts are not arrays)."""
        lists = getattr(self._counts, "get", None)
        if lists is None:
            return 0
        together = lists(self._field, word)[0]
        for other in context:
            # The candidate's few articles looked up in the other word's list (ascending document
            # numbers): a binary search each, not a merge of a common word's whole list.
            ids = lists(self._field, other)[0]
            at = np.minimum(np.searchsorted(ids, together), max(len(ids) - 1, 0))
            together = together[ids[at] == together] if len(ids) else together[:0]
        return int(len(together))


    def _opening_edits(self, word: str, every_kind: bool = True) -> list[tuple[str, int]]:
        """(word, frequency) of the indexed spellings that undo one typo among the letters ``_close`` asks to share.

        ``_close`` compares only words sharing the first letters (three, four
        in a long word opening with an affix, one more for two typos), so a
        typo there (``sruabaya``, ``autralia``, ``uriah``, ``peersela``) meets
        no candidate. Undoing it is one look-up a spelling: two neighbours
        swapped back, a letter left out put back (26 a place), a letter typed
        twice or by mistake taken out (every kind: :func:`typo_cost` ranks
        them); the first and the third letters
        swapped only in a word that may hold two typos. A four-letter word
        gets only a letter put back (``maga``: ``marga``). A word the index
        holds (not ``every_kind``) gets only the swaps: a look-up each, where
        putting a letter back is 26 a place, for every rare word typed right.
        """
        edits = allowed_edits(word) or 1
        shared = min(len(word), SAME_START + (len(word) >= LONG_WORD and word[:2] in AFFIX_OPENINGS) + (edits > 1))
        put_back = [word[:at] + letter + word[at:] for at in range(shared + 1) for letter in _LETTERS] if every_kind else []
        if len(word) < ONE_EDIT_FROM:
            return self._indexed(put_back)
        pairs = [(at, at + 1) for at in range(min(shared, len(word) - 1))] + ([(0, 2)] if edits > 1 else [])
        swapped = [_swapped(word, i, j) for i, j in pairs if word[i] != word[j]]
        taken_out = [word[:at] + word[at + 1:] for at in range(shared)] if every_kind else []
        # Every kind: ``typo_cost`` ranks them (preancis is perancis before prancis, a stray e taken out;
        # idane zidane, a letter put back, as well as diane, two swapped).
        return self._indexed(swapped + put_back + taken_out)

    def _indexed(self, spellings: list[str]) -> list[tuple[str, int]]:
        """(spelling, frequency) of those of ``spellings`` the index holds."""
        found = []
        for text in self.deadline.checked(dict.fromkeys(spellings)):
            frequency = self._frequency_of_candidate(text)
            if frequency:
                found.append((text, frequency))
        return found


def _swapped(word: str, i: int, j: int) -> str:
    letters = list(word)
    letters[i], letters[j] = letters[j], letters[i]
    return "".join(letters)


def _idf(df: int, docs: int) -> float:
    return math.log(docs / (df + 1)) + 1
