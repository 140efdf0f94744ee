"""Other ways the reader's words are written: variants, synonyms, abbreviations, doubled forms, typos.

A query word (or a run of words, ``amerika serikat``) is searched together
with its alternatives, each weighing less than the form typed, so that
articles using the reader's own form still come first:

- spelling variants of names: the shipped list ``search/data/variants.tsv``
  (transliterations: ``Moskwa/Moskow``, ``Kyiv/Kiev``) and those the index
  itself holds (``search.query.typos``: names a small edit apart);
- synonyms the user keeps per index (``cari synonyms``, ``synonyms.py``);
- abbreviations both ways (``AS`` and ``Amerika Serikat``, from
  ``search/data/abbreviations.tsv``): the index holds the abbreviation where
  its full form stands (``search.analysis.abbreviations``), so the
  abbreviation is searched as itself and the other abbreviations of its full
  form (``Kemlu``, ``Kemenlu``), and the full form typed also searches its
  abbreviation;
- the base of a doubled word (``hari-hari`` also searches ``hari``);
- the correction of a word the index does not know, or knows far less often
  than a close spelling (``korupsii`` -> ``korupsi``).

This module holds the tables and the weights; the index-dependent lookups
are given to it as a :class:`Lexicon`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from search.analysis.abbreviations import abbreviation_lines
from search.analysis.stemmer import without_clitic
from search.analysis.tokens import fold, is_reduplication
from search.analysis.wordlists import read_lines
from search.query.learned_abbreviations import LearnedAbbreviations

# On an index of format 10, which does not hold an abbreviation where its full form stands: an abbreviation
# searches its full form as a phrase (AS -> "Amerika Serikat", weighing 0.3), the full form its abbreviation at 0.5.
FORMAT_10_WEIGHTS = {"abbreviation": 0.3, "full form": 0.5}
# How much an alternative weighs beside the word typed (1.0).
WEIGHTS = {
    "variant": 0.8,  # the same name spelt another way
    "synonym": 0.8,  # the user said these mean the same
    "base": 0.8,  # hari-hari -> hari
    "abbreviation": 0.8,  # Kemlu -> Kemenlu: another abbreviation of the same full form
    "full form": 1.0,  # Amerika Serikat -> AS: the index holds it where the full form stands, as the phrase
    "correction": 0.5,  # a typo's likely meaning, below what was typed
    "completion": 1.0,  # the word being typed, completed (results as the reader types): it is what they mean
    # The archive's own definitions (learned_abbreviations), not indexed where their long form stands: searched as
    # an index of format 10 searches the table's.
    "defined long form": FORMAT_10_WEIGHTS["abbreviation"],  # OJK -> "otoritas jasa keuangan", as a phrase
    "defined abbreviation": FORMAT_10_WEIGHTS["full form"],  # otoritas jasa keuangan -> OJK
}
# The longest run of words looked up as one key (``kementerian luar negeri``; ``persatuan sepak bola seluruh
# indonesia``, PSSI).
MAX_KEY_WORDS = 6
# A query of at most this many words is keywords (a name, a topic), not a sentence.
MAX_KEYWORDS = 5


@dataclass(frozen=True)
class Form:
    """One alternative: the text to search too, how much it weighs, and why it is searched."""

    text: str
    reason: str
    scale: float = 1.0  # the index's correction: a rare spelling must not outscore the one typed

    @property
    def weight(self) -> float:
        return round(WEIGHTS[self.reason] * self.scale, 3)


class Lexicon(Protocol):
    """What the index knows of words (``search.query.typos.IndexLexicon``)."""

    def variants(self, word: str) -> list[str]:
        """Names in the index a small edit from ``word`` (lowercased), rare enough to be the same name."""
        ...

    def correction(self, word: str, known_too: bool = True, context: tuple[str, ...] = ()) -> str | None:
        """The index's spelling of a word it does not know (or, ``known_too``, knows far less often), or None;
        ``context``, the query's other words, tells close spellings apart."""
        ...

    def weight_of(self, word: str, other: str) -> float:
        """The scale of ``other``'s weight beside ``word`` (at most 1: never above the word typed)."""
        ...

    def frequency(self, word: str) -> int:
        """In how many articles ``word`` (lowercased) is."""
        ...


def key(text: str) -> str:
    """The lookup key of a word or words: lowercased, without diacritics, spaces collapsed."""
    return fold(" ".join(text.lower().split()))


@dataclass
class Table:
    """Groups of equivalent words or phrases: every member is an alternative of every other."""

    reason: str
    members: dict[str, list[str]] = field(default_factory=dict)  # key -> the group's other members
    _longest: int | None = field(default=None, repr=False, compare=False)
    _first_words: set[str] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of_groups(cls, groups: Iterable[Iterable[str]], reason: str) -> Table:
        table = cls(reason)
        for group in groups:
            forms = list(dict.fromkeys(f.strip() for f in group if f.strip()))
            for form in forms:
                others = [o for o in forms if key(o) != key(form)]
                table.members.setdefault(key(form), [])
                table.members[key(form)] += [o for o in others if o not in table.members[key(form)]]
        return table

    def forms(self, text: str) -> list[Form]:
        return [Form(other, self.reason) for other in self.members.get(key(text), ())]

    def starts_a_key(self, word: str) -> bool:
        """Whether some key of two or more words starts with ``word`` (a lowercased, folded word)."""
        if self._first_words is None:
            self._first_words = {k.split()[0] for k in self.members if " " in k}
        return word in self._first_words

    def longest_key(self) -> int:
        """The most words a key has (asked at every word of every query: computed once)."""
        if self._longest is None:
            self._longest = max((len(k.split()) for k in self.members), default=1)
        return self._longest


@lru_cache(maxsize=1)
def shipped_variants() -> Table:
    """``search/data/variants.tsv``: spellings of the same name, one group a line, tab-separated."""
    return Table.of_groups((line.split("\t") for line in read_lines("variants.tsv")), "variant")


@lru_cache(maxsize=1)
def abbreviation_table() -> tuple[dict[str, list[str]], Table]:
    """(``abbreviation -> the other abbreviations of its full forms``, the full forms' table back to their
    abbreviations).

    The index holds an abbreviation's term wherever its full form stands
    (``search.analysis.abbreviations``), so the abbreviation itself finds
    the full form's articles: a query of it needs no phrase, only the other
    abbreviations written for the same full form (``Kemlu``: ``Kemenlu``).
    All-capitals abbreviations are keyed as written: ``AS`` is one only in
    capitals (the word ``as`` is not); others (``Menlu``) in any case.
    """
    shorts_of: dict[str, list[str]] = {}
    for short, full in abbreviation_lines():
        shorts_of.setdefault(key(full), []).append(short)
    forward: dict[str, list[str]] = {}
    for short, full in abbreviation_lines():
        others = forward.setdefault(short if short.isupper() else short.lower(), [])
        others += [other for other in shorts_of[key(full)] if key(other) != key(short) and other not in others]
    return forward, Table("full form", shorts_of)


def spelled_out(word: str) -> list[str]:
    """The full forms of an abbreviation as the reader wrote it (``AS``; ``menlu``): what an index of format 10
    searches it as."""
    capitals = [full for short, full in abbreviation_lines() if short.isupper() and short == word]
    if capitals:
        return capitals
    lower = word.lower()
    if any(short.isupper() and short == lower.upper() for short, _ in abbreviation_lines()):
        return []
    return [full for short, full in abbreviation_lines() if not short.isupper() and short.lower() == lower]


def other_abbreviations(word: str) -> list[str]:
    """The other abbreviations of the full form of an abbreviation as the reader wrote it (``kemlu``: Kemenlu)."""
    forward, _ = abbreviation_table()
    if word.isupper() and word in forward:
        return forward[word]
    lower = word.lower()
    return forward.get(lower, []) if lower.upper() not in forward else []


NO_COMPLETIONS = Table("completion")


@dataclass
class Alternatives:
    """Every source of alternatives for one index: shipped tables, the user's synonyms, the index's words."""

    synonyms: Table = field(default_factory=lambda: Table("synonym"))
    # The last word's completions while the reader types (set for one search: ``Index.search(prefix=True)``).
    completions: Table = field(default_factory=lambda: NO_COMPLETIONS)
    lexicon: Lexicon | None = None
    corrections: bool = True  # False: the words as typed (the reader asked for no corrections)
    abbreviations_indexed: bool = True  # False: an index of format 10 (FORMAT_10_WEIGHTS)
    # The abbreviations the archive defines itself, searched as the phrase they stand for and back (FORMAT_10_WEIGHTS).
    learned: LearnedAbbreviations | None = None
    # The index's learned names of several words by their words written together (``srimulyani``: sri mulyani).
    joined_names: Callable[[], dict[str, str]] | None = None

    def of_words(self, words: list[str]) -> list[Form]:
        """Alternatives of a run of two or more words as a whole (``amerika serikat`` -> ``AS``)."""
        text = " ".join(words)
        _, full_forms = abbreviation_table()
        abbreviated = full_forms.forms(text)
        if not self.abbreviations_indexed:
            abbreviated = [_format_10(form) for form in abbreviated]
        if self.learned is not None and not abbreviated:
            abbreviated = [Form(short, "defined abbreviation") for short in self.learned.shorts(key(text))]
        return _unique([*self.synonyms.forms(text), *shipped_variants().forms(text), *abbreviated], text)

    def of_word(self, word: str, in_keywords: bool = True, context: tuple[str, ...] = ()) -> list[Form]:
        """Alternatives of one word as the reader wrote it; ``context``: the query's other words.

        In a sentence (not ``in_keywords``) the index is asked only to correct
        words it does not know: its other words find the article, and asking
        about each of ~20 words would cost more than the search. In keywords
        the other words pick a typo's correction among close spellings.
        """
        completed = self.completions.forms(word)
        named = [*self.synonyms.forms(word), *shipped_variants().forms(word)]
        rest = without_clitic(key(word))
        if not named and rest:  # jokowinya is Jokowi's: Joko Widodo too (99 articles, not jokowi's 153)
            named = [*self.synonyms.forms(rest), *shipped_variants().forms(rest)]
        found = [*completed, *named]
        if self.abbreviations_indexed:
            found += [Form(other, "abbreviation") for other in other_abbreviations(word)]
        else:
            found += [_format_10(Form(full, "abbreviation")) for full in spelled_out(word)]
        if self.learned is not None and not spelled_out(word):  # the shipped table's are indexed
            found += [Form(full, "defined long form") for full in self.learned.long_forms(key(word))]
        lower = key(word)
        if is_reduplication(lower):
            found.append(Form(lower.split("-")[0], "base"))
        if self.lexicon is not None:
            if in_keywords:
                found += [Form(v, "variant") for v in self.lexicon.variants(lower)]
            # A word being typed that the archive's words complete is no typo: koru is korupsi half typed, not korut.
            corrected = (self.lexicon.correction(lower, known_too=in_keywords, context=context if in_keywords else ())
                         if self.corrections and not completed else None)
            if corrected:
                # And the corrected word's own spellings: kazakstn -> kazakstan, Kazakhstan.
                found += [Form(corrected, "correction"), *self.synonyms.forms(corrected),
                          *shipped_variants().forms(corrected)]
            elif in_keywords and not completed:
                found += self._written_together(lower)
            lexicon = self.lexicon
            # In keywords, a word in no article has nothing typed to rank below: its correction weighs what
            # the word would (persebaja: persebaya, above articles on baja, the root Sastrawi reads in it),
            # unless the word is a spelling of a name the index holds (tokjo: tokyo, not toko). In a sentence
            # the words typed right carry it (FacQA tuning: 3 questions worse at full weight).
            spelt = any(f.reason == "variant" for f in found)
            unknown = (1 / WEIGHTS["correction"] if corrected and in_keywords and not spelt
                       and not lexicon.frequency(lower) else 1.0)
            # A word in no article: the most frequent of its spellings stands for it, and no rarer one
            # outscores that (tjhina: china before chyna, the rarer spelling of the old one).
            reference = lower
            spellings = [key(f.text) for f in found if " " not in f.text]
            if spellings and not lexicon.frequency(lower):
                reference = max(spellings, key=lambda text: (lexicon.frequency(text), text))
            found = [Form(f.text, f.reason,
                          lexicon.weight_of(reference, key(f.text)) * (unknown if f.reason == "correction" else 1.0))
                     if " " not in f.text else f for f in found]
        return _unique(found, word)

    def _written_together(self, word: str) -> list[Form]:
        """A keyword in no article read as what the archive writes apart: an abbreviation and a clitic (``kpknya``:
        KPK; the stemmer strips a clitic from four letters on) or a learned name with its space left out
        (``srimulyani``: Sri Mulyani, said as a correction); each stands for the word typed, at its weight."""
        lexicon = self.lexicon
        if lexicon is None or lexicon.frequency(word):
            return []
        bare = without_clitic(word, shortest=3)
        if bare and lexicon.frequency(bare):
            return [Form(bare, "base", 1 / WEIGHTS["base"])]
        spaced = self.joined_names().get(word) if self.joined_names is not None else None
        return [Form(spaced, "correction", 1 / WEIGHTS["correction"])] if spaced else []

    def starts_a_run(self, word: str) -> bool:
        """Whether ``word`` may open a run of words looked up as one (``amerika`` in ``amerika serikat``)."""
        _, full_forms = abbreviation_table()
        folded = key(word)
        return any(t.starts_a_key(folded) for t in (self.synonyms, shipped_variants(), full_forms)) or (
            self.learned is not None and self.learned.starts_a_key(folded))

    def longest_key(self) -> int:
        """The most words any table's key has (at most ``MAX_KEY_WORDS``)."""
        _, full_forms = abbreviation_table()
        longest = max(self.synonyms.longest_key(), shipped_variants().longest_key(), full_forms.longest_key(),
                      self.learned.longest_key() if self.learned is not None else 1)
        return min(MAX_KEY_WORDS, longest)


def _format_10(form: Form) -> Form:
    """``form`` weighing what it did on an index of format 10 (``FORMAT_10_WEIGHTS``)."""
    return Form(form.text, form.reason, FORMAT_10_WEIGHTS[form.reason] / WEIGHTS[form.reason])


def _unique(forms: list[Form], typed: str) -> list[Form]:
    """Each text once (the first reason found), never the typed text itself."""
    seen = {key(typed)}
    kept = []
    for form in forms:
        if key(form.text) not in seen:
            seen.add(key(form.text))
            kept.append(form)
    return kept
