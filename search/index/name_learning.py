"""People and organisations learned from the whole index, at every write: which runs of the ``names`` field are names.

Each article's ``names`` terms (``search.analysis.names``) say what one article
shows; whether a run is a name, and whose, is decided here by evidence from
the whole archive, each time a write makes a new generation (so it follows
additions and removals, and a rebuild from the index's own articles learns
it again). The rule, as a reader would apply it:

- a run must stand by itself in at least ``MIN_DOCS`` articles;
- an **organisation** opens with an organisation's head word (``Komisi``,
  ``Kementerian``, ``Partai``, ``PT``, ``Universitas``, ...:
  ``analysis.names.ORG_HEADS``), or is an abbreviation (a word written in
  capitals wherever it stands inside a sentence: ``KPK``, ``DPR``);
- a **person** is one to three words, each a *name word* (capitalised in at
  least 90% of the articles that hold it, sentence openings aside), with a
  person's title or a verb of saying before it (``Ketua DPR Setya
  Novanto``, ``kata Setya Novanto``) in at least a tenth of its articles
  (and two at least); places and products seldom have either;
- an abbreviation the archive defines (``Komisi Pemberantasan Korupsi
  (KPK)``, ``Setya Novanto (Setnov)``) in two articles or more is one name
  with its long form; so is a one-word nickname the articles give a
  person's name in two or more (``Basuki Tjahaja Purnama (Ahok)``, ``...
  alias Ahok``), nearly always the same person's, and a nickname of the
  short table ``search/data/nicknames.tsv`` (those no article explains:
  ``Sandi``); a single name word that is part of exactly one well-known
  person's name (``Novanto``, ``Anies``: the name's forms counted as one) is
  that person, and one with a person's own evidence that nearly always
  stands in one full name (``kata Mourinho``, ``Jose Mourinho``) makes
  that full name the person's;
- a **one-word person** left alone is a person's usual short name: it stands
  alone in at least half of the articles that write it as a name (not a
  first name many people share: ``Abdul``, ``Robert``) and is no word of a
  place's or an organisation's name (``Kota Blitar``, ``Kementerian
  Perindustrian``).

The result is the generation's record of names (``search.index.names``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from search._whoosh.live import count_live_only
from search.analysis.names import (
    CONVENTIONAL_CAPITALS,
    NAME_SHARE,
    OFFICE_TITLES,
    ORG_HEADS,
    PERSON_TITLES,
    PLACE_HEADS,
)
from search.index import generations, kept
from search.index.name_counts import Tally, WordArticles, by_prefix, index_counts, write_counts
from search.index.name_joins import (
    MIN_DEFINED,
    MIN_DOCS,
    PLACE_SHARE,
    Holders,
    display,
    drop_loose_words,
    join_abbreviations,
    join_nicknames,
    join_single_words,
    join_tails,
    known_nicknames,
    nicknames,
)
from search.index.names import NAMES, ORGANISATION, PERSON, Name, names_record

# Share of a person's articles with a person's title or a verb of saying before the name (an office's
# title counts half: 'Presiden' is followed by 'Joko Widodo' and by 'Amerika Serikat').
PERSON_EVIDENCE = 0.15
SINGLE_PERSON_EVIDENCE = 0.25  # one word ('Ahok', 'Jokowi') needs more: clubs and brands are one word too
MIN_PERSON_EVIDENCE = 2
CAPITALISED_SHARE = 0.5  # a word of a full name a one-word person makes a person's: capitalised this often at least
PLACE_ABBREVIATIONS = frozenset({"dki", "ri", "as", "ntt", "ntb", "diy", "uea", "nkri", "jabodetabek", "rt", "rw"})


def learned_names(reader: Any, counts: dict[str, int] | None = None,
                  word_articles: WordArticles | None = None) -> list[Name]:
    """The names of the index ``reader`` reads (see the module's rules); ``counts``: its ``names`` term counts;
    ``word_articles``: the articles holding each word, as ``reader`` counts them (kept by a write's ``Tally``).

    A word's articles are counted over the articles the index holds: Whoosh's count keeps removed and
    replaced ones until their segment is merged, and an updated index would learn otherwise than a new one.
    """
    freq = by_prefix(index_counts(reader) if counts is None else counts)
    count_live_only(reader)  # a segment without deletions answers from its term dictionary, as before
    return learn(freq, word_articles or WordArticles(reader))


def write_names(generation: Path, index: Any, tally: Tally | None = None) -> None:
    """Learn the names of the Whoosh ``index`` just committed in ``generation`` and keep them as its record,
    with the term counts and word articles they were learned from (``tally``'s, or read from the index).

    A ``tally`` that holds the last write's first pass (``Candidates``, kept by a writing process) learns from
    what the write changed: the same names, for a fraction of the work (``tests/index/test_kept_records.py``).
    """
    with index.reader() as reader:
        if tally is None or tally.counts is None:
            counts = index_counts(reader)
            word_articles = tally.word_articles(reader) if tally is not None else WordArticles(reader)
            names = learned_names(reader, counts, word_articles)
            write_counts(generation, counts, word_articles.asked)
        else:
            word_articles = tally.word_articles(reader)
            changed = changed_values(tally.touched, (word for word, n in tally.word_changes.items() if n))
            terms = set(tally.touched)  # what the record's part of this write's changes holds
            incremental = tally.candidates is not None and tally.by_prefix is not None
            candidates = tally.candidates if tally.candidates is not None and incremental else \
                Candidates() if kept.is_keeping() else None
            freq = tally.split()
            count_live_only(reader)  # a segment without deletions answers from its term dictionary, as before
            names = learn(freq, word_articles, candidates, changed if incremental else None)
            # The answers the next write starts from: every one the kept pass rests on, not only those asked now.
            if incremental:
                asked, new_words = tally.carry(word_articles.asked)
                write_counts(generation, tally.counts, asked, tally.changes(terms, new_words))
            else:
                asked = word_articles.asked
                write_counts(generation, tally.counts, asked)
            tally.keep(generation, asked, candidates)
        generations.write_record(generation, NAMES, names_record(names))


@dataclass
class Candidates:
    """The runs the rule takes as names before any are joined (``learn``'s first pass, a pass over every run), kept
    by a writing process with the counts they were decided on, so that its next learning decides again only the runs
    a write can have changed (:func:`affected`); the joins that follow read the whole ``kinds``."""

    kinds: dict[str, str] = field(default_factory=dict)  # run -> ORGANISATION or PERSON
    containing: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # word -> runs decided holding it
    # What the joins read of every run and word, kept with the counts: the runs holding each word (name_joins.Holders)
    # and whether each word asked about is a name word; changed where a write changed a value (``forget``).
    holders: Holders = field(default_factory=Holders)
    name_words: dict[str, bool] = field(default_factory=dict)

    def renew(self, runs: dict[str, int]) -> None:
        """Start over from ``runs``: every run decided again, and what the joins read made from them."""
        self.kinds.clear()
        self.containing.clear()
        self.holders = Holders.of(runs)
        self.name_words.clear()

    def follow(self, runs: dict[str, int], changed: set[str]) -> None:
        """Follow a write that changed the ``changed`` values (``changed_values``): ``runs`` are the new counts."""
        self.holders.follow(runs, changed)
        for value in changed:
            self.name_words.pop(value, None)

    def affected(self, changed: Iterable[str]) -> set[str]:
        """The runs whose decision reads a changed value: the run itself, and every run holding it as a word."""
        found: set[str] = set()
        for value in changed:
            found.add(value)
            found |= self.containing.get(value, set())
        return found


def changed_values(terms: Iterable[str], words: Iterable[str]) -> set[str]:
    """What the first pass of ``learn`` reads that changed: the values of changed ``names`` terms (an abbreviation's
    short form for ``a:short=long``) and the ``words`` whose articles changed."""
    found = set(words)
    for term in terms:
        prefix, _, value = term.partition(":")
        found.add(value.partition("=")[0] if prefix == "a" else value)
    return found


def learn(freq: dict[str, dict[str, int]], word_articles: Callable[[str], int], candidates: Candidates | None = None,
          changed: set[str] | None = None) -> list[Name]:
    """The names of an index from its ``names`` term frequencies; ``word_articles(w)``: articles holding ``w``.

    ``candidates``: the first pass's runs as decided on counts that differ from ``freq`` only in the values
    ``changed`` (``changed_values``): only the runs those touch are decided again, and ``candidates`` is updated
    in place (without ``changed``, every run is decided into it).
    """
    runs = freq.get("n", {})
    state = candidates if candidates is not None else Candidates()
    if candidates is None or changed is None:
        state.renew(runs)
        # Decided anew, a run is a name only in MIN_DOCS articles: the runs in fewer (at 1,000,000 articles 687,000
        # of 879,000) are not asked (``kinds`` is empty after ``renew``: nothing to take off); 1.13 -> 0.96 CPU-s there.
        again: Iterable[str] = [run for run, articles in runs.items() if articles >= MIN_DOCS]
    else:
        state.follow(runs, changed)
        again = state.affected(changed)
    rules = _Rules(freq, word_articles, state.name_words, state.containing if candidates is not None else None)
    for run in again:
        kind = rules.decide(run)
        if kind is None:
            state.kinds.pop(run, None)
        else:
            state.kinds[run] = kind
    kinds = dict(sorted(state.kinds.items()))  # the runs' order: whatever order the counts are in (a write's are not)
    forms = _joined_forms(freq, rules, kinds, state.holders)
    return [Name(key, kind, display(key, forms[key], kinds, rules.acronym, rules.upper, rules.caps, rules.defined),
                 sorted(forms[key]))
            for key, kind in sorted(kinds.items())]


class _Rules:
    """The first pass's rules (the module's), asked of one run or word at a time over an index's counts."""

    def __init__(self, freq: dict[str, dict[str, int]], word_articles: Callable[[str], int],
                 name_words: dict[str, bool], containing: dict[str, set[str]] | None) -> None:
        self.runs, self.person, self.office, self.place, self.caps, self.upper = (
            freq.get(p, {}) for p in ("n", "t", "i", "l", "c", "u"))
        self.defined = _defined(freq.get("a", {}))
        self.word_articles = word_articles
        self.known = name_words  # a word's answer, kept (by a writing process) until its counts change
        self.containing = containing  # when kept for the next learning: the runs each word is in

    def name_word(self, word: str) -> bool:
        found = self.known.get(word)
        if found is None:
            n = self.caps.get(word, 0)
            found = self.known[word] = (n >= 2 and word not in CONVENTIONAL_CAPITALS
                                        and n >= NAME_SHARE * max(n, self.word_articles(word)))
        return found

    def acronym(self, word: str) -> bool:
        return self.upper.get(word, 0) >= max(2, self.caps.get(word, 0) / 2) and self.name_word(word)

    def placed(self, word: str) -> bool:
        return self.runs.get(word, 0) >= MIN_DOCS and self.place.get(word, 0) > PLACE_SHARE * self.runs[word]

    def evidence(self, run: str) -> float:
        return (self.person.get(run, 0) + self.office.get(run, 0) / 2) / self.runs[run]

    def decide(self, run: str) -> str | None:
        """``ORGANISATION``, ``PERSON`` or None (no name)."""
        articles = self.runs.get(run, 0)
        if articles < MIN_DOCS:  # most runs stand in an article or two
            return None
        words = run.split()
        if not words[0][:1].isalpha():
            return None
        if self.containing is not None:
            for word in words:
                self.containing[word].add(run)
        if len(words) > 1 and words[0] in ORG_HEADS or _organisation_abbreviation(run, self.defined, self.acronym,
                                                                                   self.office, self.runs):
            return ORGANISATION
        person, office, place = self.person, self.office, self.place
        if (len(words) <= 3 and all(map(self.name_word, words)) and words[0] not in PLACE_HEADS
                and not any(self.placed(word) for word in words[1:])  # 'Persija Jakarta'
                and place.get(run, 0) <= PLACE_SHARE * articles and not any(map(self.acronym, words))
                and self.evidence(run) >= (PERSON_EVIDENCE if len(words) > 1 else SINGLE_PERSON_EVIDENCE)
                and person.get(run, 0) + office.get(run, 0) >= MIN_PERSON_EVIDENCE):
            return PERSON
        return None


def _joined_forms(freq: dict[str, dict[str, int]], rules: _Rules, kinds: dict[str, str],
                  holders: Holders) -> dict[str, set[str]]:
    """The forms of each name of ``kinds`` (each run at first its own): its abbreviations, tails and nicknames
    joined to it, and the names that are loose words of others dropped from ``kinds``."""
    runs, caps, place, person = rules.runs, rules.caps, rules.place, rules.person
    forms: dict[str, set[str]] = {run: {run} for run in kinds}
    join_abbreviations(rules.defined, kinds, forms, runs)
    join_abbreviations(_people_defined(freq.get("a", {}), kinds, rules.defined), kinds, forms, runs)
    join_tails(kinds, forms, runs, place, person, rules.name_word)
    join_nicknames(nicknames(freq.get("k", {})), kinds, forms, lambda word: caps.get(word, 0) >= 1 and not (
        word in CONVENTIONAL_CAPITALS or word in PERSON_TITLES or word in OFFICE_TITLES), MIN_DEFINED)
    join_nicknames(known_nicknames(), kinds, forms, lambda word: runs.get(word, 0) >= MIN_DOCS, 0)
    join_single_words(runs, kinds, forms, rules.name_word, place, holders, lambda word: caps.get(word, 0) >= max(
        MIN_DEFINED, CAPITALISED_SHARE * rules.word_articles(word)) and word not in CONVENTIONAL_CAPITALS)
    drop_loose_words(kinds, forms, runs, freq.get("p", {}), caps)
    return forms


def _defined(pairs: dict[str, int]) -> dict[str, str]:
    """``short -> long`` of each abbreviation the archive defines in ``MIN_DEFINED`` articles, its usual long form."""
    best: dict[str, tuple[int, str]] = {}
    for pair, articles in pairs.items():
        short, _, long = pair.partition("=")
        found = best.get(short)  # of two as usual, the first in order: whatever order the counts are in
        if articles >= MIN_DEFINED and (found is None or articles > found[0] or articles == found[0] and long < found[1]):
            best[short] = (articles, long)
    return {short: long for short, (_, long) in best.items() if short != long}


def _people_defined(pairs: dict[str, int], kinds: dict[str, str], defined: dict[str, str]) -> dict[str, str]:
    """``short -> long`` of each person the archive gives, even once, as another person's short form
    (``Djadjang Nurdjaman (Djanur)``: both people by the evidence of their own articles), not ``defined`` already:
    one person, not two (IndoSum's people facet listed Djanur and Djadjang Nurdjaman)."""
    found: dict[str, str] = {}
    for pair in sorted(pairs):
        short, _, long = pair.partition("=")
        if short not in defined and short != long and kinds.get(short) == PERSON and kinds.get(long) == PERSON:
            found.setdefault(short, long)
    return found


def _organisation_abbreviation(run: str, defined: dict[str, str], acronym: Callable[[str], bool],
                               office: dict[str, int], runs: dict[str, int]) -> bool:
    """'KPK' (defined as 'Komisi ...'), 'DPRD' ('Ketua DPRD': an office's title before it); not 'HAM' (Hak Asasi
    Manusia), 'USB', 'DKI', nor 'SN' ('tersangka SN': a person's initials)."""
    if " " in run or not acronym(run) or run in PLACE_ABBREVIATIONS:
        return False
    long = defined.get(run)
    if long is not None:
        return long.split()[0] in ORG_HEADS
    return office.get(run, 0) >= PERSON_EVIDENCE * runs[run]


