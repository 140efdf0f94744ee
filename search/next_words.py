"""The words that follow the words typed, in the articles holding them all: completions after other words.

``piala dun`` -> ``piala dunia``, never ``piala dunkirk``: a word is offered
only where an article's title or text has it right after the words typed,
those found together in the most articles first. The work is bounded: a
dozen words tried, at most ``PHRASE_READS`` articles read (``PHRASE_FURTHER``
more when those show nothing: ``gempa bu`` -> ``gempa bumi``, a phrase of
the text that titles seldom hold). The articles read are picked from those
holding the words in the archive's order (newest first, equal dates by id:
``ArchiveOrder``), never by document number, so that an index and its
rebuild, or an archive grown by ``cari add`` and one built at once, offer
the same completions.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from search._whoosh.postings import PostingArrays
from search.ranking.dates import ArchiveOrder

TITLE_WORDS = "title_exact"  # exact (unstemmed, lower-case) forms: what a completion must show
BODY_WORDS = "body_exact"
BODY_FROM = 3  # letters typed before the body's words are looked up too
PHRASE_CANDIDATES = 12  # title words starting with the last one tried after other words, at most (the most frequent)
PHRASE_TRIES = 5  # words tried after other words, at most (the most often together first)
PHRASE_READS = 10  # articles read whole to find what follows the words typed, at most, per suggestion
PHRASE_TITLED = 3  # of them, the newest articles holding every word typed in the title
PHRASE_SPREAD = 3  # and articles holding every word, spread over all of them
PHRASE_ENOUGH = 1  # fewer words found after other words (none): a second look, in the text (``_read_further``)
PHRASE_FURTHER = 10  # articles read in that look, at most, spread over all those holding the words typed
MASK_SHARE = 50  # articles held together past 1/MASK_SHARE of the index are looked up as a mask


class NextWords:
    """The words after the words typed, of one open index: its searcher (stored fields), the array scorer's
    postings, the archive's order (made when first asked for), and the table's words by a prefix (``words``:
    the titles' most frequent, then the body's; ``body_words``: the body's alone)."""

    def __init__(self, searcher: Any, postings: PostingArrays, order: Callable[[], ArchiveOrder],
                 words: Callable[[str, int], list[str]], body_words: Callable[[str], list[str]]) -> None:
        self._searcher = searcher
        self._postings = postings
        self._order = order
        self._words = words
        self._body_words = body_words

    def after(self, before: list[str], last: str, limit: int) -> list[str]:
        """Up to ``limit`` words starting with ``last`` that some article holds right after the words ``before``
        (lower-case), most often together first, equal counts in alphabetical order."""
        # The articles holding every word before (ascending): those of the rarest, then kept where the
        # others' lists hold them too; each list is looked up for the fewer articles of the two
        # (``holding_among``), never merged whole: a common word's lists are tens of thousands of
        # postings on 100,000 articles.
        rarest, *others = sorted(before, key=self._postings_count)
        together = self.holding_word(rarest)
        for word in others:
            together = self.holding_among(word, together)
        if not len(together):
            return []
        # Read first (PHRASE_READS at most in all): the articles holding them all in the title, where a
        # phrase is most often written ("xiaomi redmi", "theo walcott": names a word-frequency list would
        # not reach), and what follows the words typed is counted.
        in_titles = self._postings.get(TITLE_WORDS, before[0])[0]
        for word in before[1:]:
            in_titles = _both(in_titles, self._postings.get(TITLE_WORDS, word)[0])
        in_titles = in_titles[self._postings.live[in_titles]]
        if len(together) <= PHRASE_READS:
            first_read = together.tolist()
        else:  # the newest, and some spread over all of them: the most frequent phrases are the likeliest found there
            spread = self._order().spread(together, np.linspace(0, len(together) - 1, PHRASE_SPREAD).astype(np.int64))
            first_read = list(dict.fromkeys(self._order().first(in_titles, PHRASE_TITLED).tolist() + spread.tolist()))
        found = self._following(before, last, first_read)
        if len(together) > len(first_read):
            found = self._most_often_together(before, last, (together, in_titles), first_read, found)
        if len(found) < PHRASE_ENOUGH and len(together) > PHRASE_READS:
            found = self._read_further(before, last, together, found)
        return sorted(found, key=lambda word: (-found[word], word))[:limit]


    def _most_often_together(self, before: list[str], last: str, holding: tuple[np.ndarray, np.ndarray],
                             read: list[int], found: dict[str, int]) -> dict[str, int]:
        """``found`` and the words starting with ``last`` that follow ``before`` in the articles holding them
        all (``holding``: those, and those holding them all in the title), by how many of those hold the
        word too (the most frequent words tried).

        The words held with the ones before by the most articles are tried
        (PHRASE_TRIES), each kept only if an article has it right after
        them: a few of the articles holding each (the first of every word in
        turn, then the second..., those with every word in the title first)
        are read, up to PHRASE_READS in all with those ``read`` already.
        """
        together, in_titles = holding
        counted = self._counted_among(self._words(last, PHRASE_CANDIDATES), together)
        if len(counted) < PHRASE_TRIES and len(last) >= BODY_FROM:  # the body's words only when the titles' are too few
            known = {word for _, word, _ in counted}
            counted += self._counted_among([w for w in self._body_words(last) if w not in known], together)
        counted.sort(key=lambda held: -held[0])  # stable: equal counts keep the words' own order
        tried = [(count, word, articles) for count, word, articles in counted[:PHRASE_TRIES] if word not in found]
        first = self._order().first
        ordered = [np.concatenate([first(_both(in_titles, self._postings.get(TITLE_WORDS, word)[0]), PHRASE_READS),
                                   first(articles, PHRASE_READS)]).tolist() for _, word, articles in tried]
        to_read: list[int] = []
        budget = PHRASE_READS - len(read)
        for rank in range(2 * PHRASE_READS):
            for articles in ordered:
                docnum = articles[rank] if rank < len(articles) else None
                if docnum is not None and docnum not in read and docnum not in to_read and len(to_read) < budget:
                    to_read.append(docnum)
        following = self._following(before, last, to_read)
        counts = {word: count for count, word, _ in counted}
        merged = {word: max(count, counts.get(word, 0)) for word, count in found.items()}
        merged.update({word: count for count, word, _ in tried if word in following})
        return merged

    def _read_further(self, before: list[str], last: str, together: np.ndarray,
                      found: dict[str, int]) -> dict[str, int]:
        """``found`` and the words starting with ``last`` after ``before`` in PHRASE_FURTHER more articles of
        ``together``, counted as the others (how many of ``together`` hold each).

        When the words in the most titles gave none, the phrase is most
        often one of the text that titles seldom hold (``gempa bumi``: 54
        titles of 100,000, in 769 articles with ``gempa``), so it is looked
        for where it is written: in articles spread over all those holding
        the words typed (between those of the first look), read once.
        """
        spread = ((np.arange(PHRASE_FURTHER) + 0.5) * len(together) / PHRASE_FURTHER).astype(np.int64)
        following = self._following(before, last, self._order().spread(together, spread).tolist())
        new = [word for word in following if word not in found]
        merged = dict(found)
        merged.update({word: count for count, word, _ in self._counted_among(new, together)})
        return merged

    def _counted_among(self, words: list[str], together: np.ndarray) -> list[tuple[int, str, np.ndarray]]:
        """(how many, word, which) of ``together`` hold each of ``words``, for those some do.

        Many articles together (a common word typed before: ``ini``, ``masih``)
        are a mask over every article, each word's lists looked up in it;
        few, a binary search each (``holding_among``).
        """
        mask = None
        if len(together) * MASK_SHARE > self._postings.doc_count:
            mask = np.zeros(self._postings.doc_count, dtype=bool)
            mask[together] = True
        counted = []
        for word in words:
            if mask is None:
                articles = self.holding_among(word, together)
            else:
                in_title, in_body = (ids[mask[ids]] for ids in (self._postings.get(TITLE_WORDS, word)[0],
                                                                 self._postings.get(BODY_WORDS, word)[0]))
                # Both ascending: the body's and those of the title the body does not hold.
                extra = np.setdiff1d(in_title, _both(in_title, in_body), assume_unique=True)
                articles = np.sort(np.concatenate([in_body, extra])) if len(extra) else in_body
            if len(articles):
                counted.append((len(articles), word, articles))
        return counted

    def _postings_count(self, word: str) -> int:
        return len(self._postings.get(TITLE_WORDS, word)[0]) + len(self._postings.get(BODY_WORDS, word)[0])

    def holding_among(self, word: str, articles: np.ndarray) -> np.ndarray:
        """Those of ``articles`` (ascending) holding ``word`` as written in the title or the text.

        Each of the word's lists is searched for the articles or the articles
        for its postings, whichever are fewer: a binary search each, and no
        merging (a common word's lists are tens of thousands of postings).
        """
        held = np.zeros(len(articles), dtype=bool)
        if not len(articles):
            return articles
        for fieldname in (TITLE_WORDS, BODY_WORDS):
            ids = self._postings.get(fieldname, word)[0]  # ascending
            if not len(ids):
                continue
            if len(ids) < len(articles):
                at = np.minimum(np.searchsorted(articles, ids), len(articles) - 1)
                held[at[articles[at] == ids]] = True
            else:
                at = np.minimum(np.searchsorted(ids, articles), len(ids) - 1)
                held |= ids[at] == articles
        return articles[held]

    def holding_word(self, word: str) -> np.ndarray:
        """The live articles holding ``word`` as written in the title or the text, ascending."""
        held = np.zeros(self._postings.doc_count, dtype=bool)
        held[self._postings.get(TITLE_WORDS, word)[0]] = True
        held[self._postings.get(BODY_WORDS, word)[0]] = True
        return np.flatnonzero(held & self._postings.live)

    def _following(self, words: list[str], prefix: str, articles: list[int]) -> dict[str, int]:
        """The words starting with ``prefix`` that follow ``words`` (one after the other, as written)
        in the title or text of one of ``articles``, and in how many of them.

        The articles are read whole (their stored title and text), once for
        every word tried: a phrase query's matchers decoded the posting
        blocks of every word in every segment, ~13 ms a check on IndoSum.
        """
        written = _phrase_pattern(tuple(words))
        found: dict[str, int] = {}
        for docnum in articles:
            fields = self._searcher.stored_fields(docnum)
            here: set[str] = set()
            for text in (fields.get("title", "").lower(), fields.get("body", "").lower()):  # never across the two
                here.update(match.group(1) for match in written.finditer(text) if match.group(1).startswith(prefix)
                            and (match.start() == 0 or not text[match.start() - 1].isalnum()))
            for word in here:
                found[word] = found.get(word, 0) + 1
        return found

def _both(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The numbers in both of two ascending arrays of distinct numbers: the fewer looked up in the more."""
    few, many = (first, second) if len(first) <= len(second) else (second, first)
    if not len(few) or not len(many):
        return few[:0]
    at = np.minimum(np.searchsorted(many, few), len(many) - 1)
    return few[many[at] == few]


@functools.lru_cache(maxsize=1024)
def _phrase_pattern(words: tuple[str, ...]) -> re.Pattern:
    """``words`` (lower-case) one after the other as written (anything not a letter between them), and the
    next word (group 1), over lower-cased text. It opens with the first word itself, so that the regular
    expression engine looks for it as a literal; the callers check that no letter stands before it."""
    return re.compile(r"\W+".join(map(re.escape, words)) + r"\W+(\w+)")
