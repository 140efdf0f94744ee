"""Completions while the reader types: words, names and titles of the index that start with what was typed.

``kaza`` -> ``kazakhstan`` (a word of the titles, the most frequent first;
for a longer prefix the body's words held by two articles or more too),
``tempo`` -> ``Tempo.co`` (a publisher, or an author's whole name),
``setya nov`` -> ``setya novanto`` and the newest titles holding ``setya``
and a word starting with ``nov``. Every completion is a phrase some article
holds: after other words, a word is offered only where an article's title
or text has it right after them (``piala dun`` -> ``piala dunia``, never
``piala dunkirk``), those found together in the most articles first.

Everything comes from what an open index already has at hand, so that a
suggestion costs milliseconds on 100,000 articles (p99 about 8 ms of CPU,
``bench/suggest.py``) and the table 0.1 s when first asked for: the title
words and their document counts (the title lexicon: 26,000 words for
100,000 articles, read in one pass over the term dictionaries; the body's
600,000 are looked up only a few at a time, from the prefix on), the
publisher and author lexicons, and the posting arrays and date order of the
array scorer for the titles. After other words the work is bounded: a
dozen words tried, at most ``PHRASE_READS`` articles read (``PHRASE_FURTHER``
more when those show nothing: ``gempa bu`` -> ``gempa bumi``, a phrase of
the text that titles seldom hold). Stored fields
are read only for those and the few suggestions shown.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from search._whoosh.codec import field_doc_frequencies, prefix_doc_frequencies
from search._whoosh.postings import PostingArrays
from search.analysis.stemmer import shared_stemmer
from search.ranking.dates import DateOrder

TITLE_WORDS = "title_exact"  # exact (unstemmed, lower-case) forms: what a completion must show
BODY_WORDS = "body_exact"
MIN_PREFIX = 2  # one letter matches too much to be a useful completion
BODY_FROM = 3  # letters typed before the body's words are looked up too
BODY_LOOKUPS = 60  # body words read per suggestion, at most
MIN_BODY_ARTICLES = 2  # a body word in one article alone is most often a typo (jokowiiriana)
PHRASE_WORDS = 3  # a completion follows at most this many words typed before it (what is checked)
PHRASE_CANDIDATES = 12  # title words starting with the last one tried after other words, at most (the most frequent)
PHRASE_TRIES = 5  # words tried after other words, at most (the most often together first)
PHRASE_READS = 10  # articles read whole to find what follows the words typed, at most, per suggestion
PHRASE_TITLED = 3  # of them, articles holding every word typed in the title
PHRASE_SPREAD = 3  # and articles holding every word, spread over all of them
PHRASE_ENOUGH = 1  # fewer words found after other words (none): a second look, in the text (``_read_further``)
PHRASE_FURTHER = 10  # articles read in that look, at most, spread over all those holding the words typed
MAX_TYPED = 100
MASK_SHARE = 50  # articles held together past 1/MASK_SHARE of the index are looked up as a mask
_WORD = re.compile(r"\w+")


@dataclass
class Completion:
    text: str
    kind: str  # "word", "name" or "title"
    id: str | None = None  # the article, for a title

    def to_dict(self) -> dict:
        return {"text": self.text, "kind": self.kind, **({"id": self.id} if self.id else {})}


class CompletionTable:
    """The completions of one open index (a Whoosh searcher and the array scorer's postings and dates)."""

    def __init__(self, searcher: Any, postings: PostingArrays, dates: DateOrder) -> None:
        self._searcher = searcher
        self._postings = postings
        self._dates = dates
        reader = searcher.reader()
        # One pass over the title lexicon with its counts (a lookup per word took 1.5 s on 100,000
        # articles). The counts include deleted articles: those shown are counted again (``_words``).
        self.words, self.frequency = _lexicon_counts(reader, TITLE_WORDS)
        self._has_deletions = not bool(postings.live.all())
        self.sources = _lexicon(reader, "source_id")
        self.author_words = _lexicon(reader, "author")
        self._tips: list[str] | None = None

    def complete(self, typed: str, limit: int = 8) -> list[Completion]:
        """Up to ``limit`` completions of ``typed``: words first, then names, then titles."""
        typed = " ".join(typed.split())[:MAX_TYPED]
        head, _, last = typed.rpartition(" ")
        last = last.lower()
        if len(typed) < MIN_PREFIX or len(last) < 1:
            return []
        words = self.completions(head, last, limit) if len(last) >= MIN_PREFIX else []
        out = [Completion(f"{head} {w}".strip(), "word") for w in words]
        out += [Completion(name, "name") for name in self._names(typed, last)]
        out += self._titles(head, words or [last])
        seen: set[str] = set()
        unique = []
        for suggestion in out:
            if suggestion.text.lower() != typed.lower() and suggestion.text.lower() not in seen:
                seen.add(suggestion.text.lower())
                unique.append(suggestion)
        return unique[:limit]

    def completions(self, head: str, last: str, limit: int) -> list[str]:
        """Words starting with ``last`` that some article holds right after the words of ``head``, most often first.

        Without ``head``: the words starting with ``last`` (``_words``).
        """
        before = _WORD.findall(head.lower())[-PHRASE_WORDS:]
        if not before:
            return self._words(last, limit)
        # The articles holding every word before (ascending): those of the rarest, then kept where the
        # others' lists hold them too; each list is looked up for the fewer articles of the two
        # (``_holding_among``), never merged whole: a common word's lists are tens of thousands of
        # postings on 100,000 articles.
        rarest, *others = sorted(before, key=self._postings_count)
        together = self._holding_word(rarest)
        for word in others:
            together = self._holding_among(word, together)
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
        else:  # and some spread over all of them: the most frequent phrases are the likeliest found there
            spread = together[np.linspace(0, len(together) - 1, PHRASE_SPREAD).astype(np.int64)]
            first_read = list(dict.fromkeys(in_titles[:PHRASE_TITLED].tolist() + spread.tolist()))
        found = self._following(before, last, first_read)
        if len(together) > len(first_read):
            found = self._most_often_together(before, last, (together, in_titles), first_read, found)
        if len(found) < PHRASE_ENOUGH and len(together) > PHRASE_READS:
            found = self._read_further(before, last, together, found)
        return sorted(found, key=lambda word: -found[word])[:limit]  # stable: equal counts as found

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
        ordered = [np.concatenate([_both(in_titles, self._postings.get(TITLE_WORDS, word)[0])[:PHRASE_READS],
                                   articles[:PHRASE_READS]]).tolist() for _, word, articles in tried]
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
        following = self._following(before, last, together[spread].tolist())
        new = [word for word in following if word not in found]
        merged = dict(found)
        merged.update({word: count for count, word, _ in self._counted_among(new, together)})
        return merged

    def _counted_among(self, words: list[str], together: np.ndarray) -> list[tuple[int, str, np.ndarray]]:
        """(how many, word, which) of ``together`` hold each of ``words``, for those some do.

        Many articles together (a common word typed before: ``ini``, ``masih``)
        are a mask over every article, each word's lists looked up in it;
        few, a binary search each (``_holding_among``).
        """
        mask = None
        if len(together) * MASK_SHARE > self._postings.doc_count:
            mask = np.zeros(self._postings.doc_count, dtype=bool)
            mask[together] = True
        counted = []
        for word in words:
            if mask is None:
                articles = self._holding_among(word, together)
            else:
                in_title, in_body = (ids[mask[ids]] for ids in (self._postings.get(TITLE_WORDS, word)[0],
                                                                 self._postings.get(BODY_WORDS, word)[0]))
                # Both ascending: the body's and those of the title the body does not hold.
                extra = np.setdiff1d(in_title, _both(in_title, in_body), assume_unique=True)
                articles = np.sort(np.concatenate([in_body, extra])) if len(extra) else in_body
            if len(articles):
                counted.append((len(articles), word, articles))
        return counted

    def tip_words(self) -> list[str]:
        """Two names in the most titles (a word with no dictionary root, 4 letters or more, in fewer
        than a tenth of the articles: a subject, not the country), the second in articles with the first."""
        if self._tips is not None:
            return self._tips

        is_name = shared_stemmer().is_name_like
        order = np.argsort(-self.frequency, kind="stable")[:300].tolist()
        common = [self.words[i] for i in order if self.words[i].isalpha() and len(self.words[i]) >= 4
                  and is_name(self.words[i]) and len(self._holding_word(self.words[i])) < self._postings.live_count / 10]
        self._tips = []
        if common:
            first = self._holding_word(common[0])
            together = [(len(np.intersect1d(first, self._holding_word(word), assume_unique=True)), word)
                        for word in common[1:30]]
            best = max(together, default=(0, ""))
            self._tips = [common[0]] + ([best[1]] if best[0] else [])
        return self._tips

    def frequent_completions(self, prefix: str, limit: int, share: float) -> list[str]:
        """The words starting with ``prefix`` in the most articles, at most ``limit``, each in at least
        ``share`` of the articles the first is in (``gem``: gempa, not gemini as well)."""
        words = self._words(prefix, limit)
        counts = [len(self._holding_word(word)) for word in words]
        return [word for word, count in zip(words, counts, strict=True) if counts and count >= share * max(counts)]

    def _postings_count(self, word: str) -> int:
        return len(self._postings.get(TITLE_WORDS, word)[0]) + len(self._postings.get(BODY_WORDS, word)[0])

    def _holding_among(self, word: str, articles: np.ndarray) -> np.ndarray:
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

    def _holding_word(self, word: str) -> np.ndarray:
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

    def _words(self, prefix: str, limit: int) -> list[str]:
        """The ``limit`` words starting with ``prefix`` in the most titles (then the body's), most first."""
        low = bisect.bisect_left(self.words, prefix)
        high = bisect.bisect_left(self.words, prefix + "\uffff")
        counts = self.frequency[low:high]
        top = np.arange(len(counts))
        if len(counts) > 2 * limit:  # the best few without sorting the whole range (~2,000 words for "ka")
            threshold = np.partition(counts, len(counts) - 2 * limit)[len(counts) - 2 * limit]
            top = np.flatnonzero(counts >= threshold)  # those tied with the last one kept too
        top = top[np.lexsort((top, -counts[top]))]  # the most first, equal counts in alphabetical order
        found = [self.words[low + i] for i in top[:2 * limit].tolist()]
        if self._has_deletions:  # the lexicon's counts include deleted articles: count the few shown again
            live = {word: self._live_count(TITLE_WORDS, word) for word in found}
            found = sorted((word for word in found if live[word]), key=lambda word: (-live[word], word))
        found = found[:limit]
        if len(found) < limit and len(prefix) >= BODY_FROM:
            body = [w for w in self._body_words(prefix) if w not in found]
            if self._has_deletions:
                body = [w for w in body[:limit - len(found)] if self._live_count(BODY_WORDS, w)]
            found += body
        return found[:limit]

    def _body_words(self, prefix: str) -> list[str]:
        """Up to BODY_LOOKUPS body words from ``prefix`` on, in the most articles first (those in fewer than
        MIN_BODY_ARTICLES left out), counted from the term dictionaries (deleted articles included)."""
        frequency = prefix_doc_frequencies(self._searcher.reader(), BODY_WORDS, prefix, BODY_LOOKUPS)
        return sorted((w for w, n in frequency.items() if n >= MIN_BODY_ARTICLES), key=lambda w: (-frequency[w], w))

    def _live_count(self, fieldname: str, word: str) -> int:
        """How many live articles hold ``word`` in ``fieldname`` (its posting array, kept for what follows)."""
        return int(self._postings.live[self._postings.get(fieldname, word)[0]].sum())

    def _names(self, typed: str, last: str) -> list[str]:
        """Publishers, and whole author names, with a word starting with what was typed."""
        starts = re.compile(r"(?<!\w)" + re.escape(typed.lower())).search
        names = [source for source in self.sources if starts(source.lower())][:3]
        low = bisect.bisect_left(self.author_words, last)
        for word in self.author_words[low:low + 3]:
            if not word.startswith(last):
                break
            ids = self._postings.get("author", word)[0]
            author = self._searcher.stored_fields(int(ids[0])).get("author") if len(ids) else None
            if author and starts(author.lower()) and author not in names:
                names.append(author)
        return names[:3]

    def _titles(self, head: str, completions: list[str]) -> list[Completion]:
        """The newest three titles holding every word of ``head`` and one of ``completions``."""
        count = self._postings.doc_count
        matched = np.zeros(count, dtype=bool)
        for word in completions[:3]:
            matched[self._postings.get(TITLE_WORDS, word)[0]] = True
        for word in _WORD.findall(head.lower()):
            within = np.zeros(count, dtype=bool)
            within[self._postings.get(TITLE_WORDS, word)[0]] = True
            matched &= within
        matched &= self._postings.live
        out = []
        for docnum in self._dates.newest(matched, 3).tolist():
            fields = self._searcher.stored_fields(docnum)
            out.append(Completion(fields.get("title", ""), "title", fields["id"]))
        return out


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


def _lexicon(reader: Any, fieldname: str) -> list[str]:
    """The field's words, sorted (as the lexicon gives them), or none if the schema has no such field."""
    if fieldname not in reader.schema.names():
        return []
    return [t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon(fieldname)]


def _lexicon_counts(reader: Any, fieldname: str) -> tuple[list[str], np.ndarray]:
    """The field's words, sorted, and how many documents hold each (deleted ones included), read straight
    from each segment's term dictionary (``field_doc_frequencies``)."""
    if fieldname not in reader.schema.names():
        return [], np.zeros(0, dtype=np.int64)
    counts = field_doc_frequencies(reader, fieldname)
    words = sorted(counts)
    return words, np.array([counts[word] for word in words], dtype=np.int64)
