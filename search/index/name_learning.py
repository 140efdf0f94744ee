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
  that person.

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
    NAME_JOINERS,
    NAME_SHARE,
    OFFICE_TITLES,
    ORG_HEADS,
    PERSON_TITLES,
    PLACE_HEADS,
)
from search.analysis.wordlists import read_lines
from search.index import generations, kept
from search.index.name_counts import Tally, WordArticles, by_prefix, index_counts, write_counts
from search.index.names import NAMES, ORGANISATION, PERSON, Name, folded_name, names_record

LOWER_INSIDE = NAME_JOINERS | {"dan"}  # written in small letters inside a name: 'Kementerian Pemuda dan Olahraga'
MIN_DOCS = 3
# Share of a person's articles with a person's title or a verb of saying before the name (an office's
# title counts half: 'Presiden' is followed by 'Joko Widodo' and by 'Amerika Serikat').
PERSON_EVIDENCE = 0.15
SINGLE_PERSON_EVIDENCE = 0.25  # one word ('Ahok', 'Jokowi') needs more: clubs and brands are one word too
MIN_PERSON_EVIDENCE = 2
PLACE_SHARE = 0.1  # a run after 'di' or 'ke' in more than a tenth of its articles is a place
PLACE_ABBREVIATIONS = frozenset({"dki", "ri", "as", "ntt", "ntb", "diy", "uea", "nkri", "jabodetabek", "rt", "rw"})
MIN_DEFINED = 2  # articles that define an abbreviation the same way
SHARED_BY = 3  # names (each in two articles) a first name opens, none usual, before it is nobody's
DOMINANT = 2  # a name holding a word that many times as often as all the others: the word stands for it


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
            incremental = tally.candidates is not None and tally.by_prefix is not None
            candidates = tally.candidates if tally.candidates is not None and incremental else \
                Candidates() if kept.is_keeping() else None
            freq = tally.split()
            count_live_only(reader)  # a segment without deletions answers from its term dictionary, as before
            names = learn(freq, word_articles, candidates, changed if incremental else None)
            # The answers the next write starts from: every one the kept pass rests on, not only those asked now.
            asked = {**tally.carried(), **word_articles.asked} if incremental else word_articles.asked
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
    runs, person, office, place, caps, upper = (freq.get(p, {}) for p in ("n", "t", "i", "l", "c", "u"))
    defined = _defined(freq.get("a", {}))
    known: dict[str, bool] = {}

    def name_word(word: str) -> bool:
        found = known.get(word)
        if found is None:
            n = caps.get(word, 0)
            found = known[word] = (n >= 2 and word not in CONVENTIONAL_CAPITALS
                                   and n >= NAME_SHARE * max(n, word_articles(word)))
        return found

    def acronym(word: str) -> bool:
        return upper.get(word, 0) >= max(2, caps.get(word, 0) / 2) and name_word(word)

    def placed(word: str) -> bool:
        return runs.get(word, 0) >= MIN_DOCS and place.get(word, 0) > PLACE_SHARE * runs[word]

    def evidence(run: str) -> float:
        return (person.get(run, 0) + office.get(run, 0) / 2) / runs[run]

    def decide(run: str) -> str | None:
        articles = runs.get(run, 0)
        if articles < MIN_DOCS:  # most runs stand in an article or two
            return None
        words = run.split()
        if not words[0][:1].isalpha():
            return None
        if candidates is not None:  # kept for the next learning: the runs each word is in
            for word in words:
                state.containing[word].add(run)
        if len(words) > 1 and words[0] in ORG_HEADS or _organisation_abbreviation(run, defined, acronym, office,
                                                                                   runs):
            return ORGANISATION
        if (len(words) <= 3 and all(map(name_word, words)) and words[0] not in PLACE_HEADS
                and not any(placed(word) for word in words[1:])  # 'Persija Jakarta'
                and place.get(run, 0) <= PLACE_SHARE * articles and not any(map(acronym, words))
                and evidence(run) >= (PERSON_EVIDENCE if len(words) > 1 else SINGLE_PERSON_EVIDENCE)
                and person.get(run, 0) + office.get(run, 0) >= MIN_PERSON_EVIDENCE):
            return PERSON
        return None

    state = candidates if candidates is not None else Candidates()
    again = runs if candidates is None or changed is None else state.affected(changed)
    for run in again:
        kind = decide(run)
        if kind is None:
            state.kinds.pop(run, None)
        else:
            state.kinds[run] = kind
    kinds = dict(sorted(state.kinds.items()))  # the runs' order: whatever order the counts are in (a write's are not)
    forms: dict[str, set[str]] = {run: {run} for run in kinds}
    _join_abbreviations(defined, kinds, forms, runs)
    _join_tails(kinds, forms, runs, place, person, name_word)
    _join_nicknames(_nicknames(freq.get("k", {})), kinds, forms, lambda word: caps.get(word, 0) >= 1 and not (
        word in CONVENTIONAL_CAPITALS or word in PERSON_TITLES or word in OFFICE_TITLES), MIN_DEFINED)
    _join_nicknames(_known_nicknames(), kinds, forms, lambda word: runs.get(word, 0) >= MIN_DOCS, 0)
    _join_single_words(runs, kinds, forms, name_word, place)
    return [Name(key, kind, _display(key, forms[key], kinds, acronym, upper, caps, defined), sorted(forms[key]))
            for key, kind in sorted(kinds.items())]


def _defined(pairs: dict[str, int]) -> dict[str, str]:
    """``short -> long`` of each abbreviation the archive defines in ``MIN_DEFINED`` articles, its usual long form."""
    best: dict[str, tuple[int, str]] = {}
    for pair, articles in pairs.items():
        short, _, long = pair.partition("=")
        found = best.get(short)  # of two as usual, the first in order: whatever order the counts are in
        if articles >= MIN_DEFINED and (found is None or articles > found[0] or articles == found[0] and long < found[1]):
            best[short] = (articles, long)
    return {short: long for short, (_, long) in best.items() if short != long}


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


def _join_tails(kinds: dict[str, str], forms: dict[str, set[str]], runs: dict[str, int],  # noqa: C901
                place: dict[str, int], person: dict[str, int], name_word: Callable[[str], bool]) -> None:
    """Runs that are one name with another: 'Jakarta Sandiaga Uno' and 'Filipina Rodrigo Duterte' (a place
    before a person's name: the person), 'Metro Jaya' and 'Pusat Statistik' (the end of an organisation's
    name: the organisation), 'Partai Gerindra Prabowo Subianto' (an organisation, then a person: neither)."""
    def placed(word: str) -> bool:
        return runs.get(word, 0) >= MIN_DOCS and place.get(word, 0) > PLACE_SHARE * runs[word]

    for run in sorted((r for r in kinds if kinds[r] == PERSON), key=lambda r: (-len(r.split()), r)):
        words = run.split()
        shorter = next((t for t in (" ".join(words[i:]) for i in range(1, len(words) - 1)) if kinds.get(t) == PERSON),
                       None)
        if shorter is not None:
            forms[shorter] |= forms.pop(run)
            kinds.pop(run)
        elif len(words) == 3 and (placed(words[0]) or (runs.get(words[0], 0) >= runs.get(run, 0)
                                                        and not person.get(words[0], 0))):  # 'Rusia Vladimir Putin'
            tail = " ".join(words[1:])
            kinds[tail], forms[tail] = PERSON, forms.pop(run) | forms.get(tail, set()) | {tail}
            kinds.pop(run)
    for run in sorted((r for r in kinds if kinds[r] == ORGANISATION), key=lambda r: (-len(r.split()), r)):
        if run not in kinds:
            continue
        words = run.split()
        splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
        if any(kinds.get(tail) == PERSON and kinds.get(head) == ORGANISATION for head, tail in splits):
            kinds.pop(run)  # 'Partai Golkar' 'Idrus Marham'
            forms.pop(run)
            continue
        for _, tail in splits:
            if tail in kinds and runs.get(run, 0) >= runs.get(tail, 0) and (kinds[tail] == ORGANISATION
                                                                             or " " in tail):
                forms[run] |= forms.pop(tail)
                kinds.pop(tail)
        alone = runs.get(words[-1], 0)
        if len(words) == 2 and words[0] in ORG_HEADS and words[1] not in kinds and alone >= MIN_DOCS \
                and name_word(words[1]) and alone <= 3 * runs.get(run, 0) and not placed(words[1]) \
                and max((r for r in kinds if r.endswith(" " + words[1])), key=lambda r: (runs.get(r, 0), r)) == run:
            forms[run].add(words[1])  # 'Golkar' of 'Partai Golkar', its most usual name


def _join_abbreviations(defined: dict[str, str], kinds: dict[str, str], forms: dict[str, set[str]],
                        runs: dict[str, int]) -> None:
    """'KPK' defined as 'Komisi Pemberantasan Korupsi': one name, keyed by the long form."""
    for short, long in sorted(defined.items()):
        if long in kinds and short in forms.get(long, ()):
            continue
        if long in kinds:
            forms[long].add(short)
            forms[long] |= forms.pop(short, set())
            kinds.pop(short, None)
        elif short in kinds and runs.get(long, 0):
            forms[short].add(long)


def _nicknames(pairs: dict[str, int]) -> dict[str, dict[str, int]]:
    """``{nickname: {name: articles}}`` of the ``k:`` terms' counts (``ahok=basuki tjahaja purnama``)."""
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for pair, articles in pairs.items():
        short, _, long = pair.partition("=")
        if short and long:
            found[short][long] = articles
    return found


def _known_nicknames() -> dict[str, dict[str, int]]:
    """The curated table's ``{nickname: {name: 1}}`` (``search/data/nicknames.tsv``)."""
    found: dict[str, dict[str, int]] = {}
    for line in read_lines("nicknames.tsv"):
        short, _, long = line.partition("\t")
        found[folded_name(short)] = {folded_name(long): 1}
    return found


def _join_nicknames(nicknames: dict[str, dict[str, int]], kinds: dict[str, str], forms: dict[str, set[str]],
                    usable: Callable[[str], bool], least: int) -> None:
    """A nickname (``ahok``) that names one person (``basuki tjahaja purnama``, or a name among its forms) in
    at least ``least`` articles, ``DOMINANT`` times as often as any other, is that person: one name, all forms."""
    person_of = {form: key for key, kind in kinds.items() if kind == PERSON for form in forms[key]}
    for short in sorted(nicknames):
        people: dict[str, int] = defaultdict(int)
        for long, articles in nicknames[short].items():
            if person_of.get(long) is not None:
                people[person_of[long]] += articles
        if not people or kinds.get(short) == ORGANISATION or not usable(short):
            continue
        ranked = sorted(people.items(), key=lambda item: (-item[1], item[0]))
        person, articles = ranked[0]
        if articles < least or (len(ranked) > 1 and articles < DOMINANT * ranked[1][1]) or person == short \
                or any(short in forms[key] for key in forms if key not in (person, short)):
            continue
        joined = forms.pop(short, set()) if short in kinds else set()
        kinds.pop(short, None)
        forms[person] |= joined | {short}
        person_of.update(dict.fromkeys(forms[person], person))


def _join_single_words(runs: dict[str, int], kinds: dict[str, str], forms: dict[str, set[str]],
                       name_word: Callable[[str], bool], place: dict[str, int]) -> None:
    """A single name word that, in the names it is part of, is nearly always one well-known person's name
    ('Novanto', 'Trump') stands for that person; one part of several people's names ('Agus', 'Bambang', 'Kim')
    is nobody's in particular."""
    holders: dict[str, list[str]] = defaultdict(list)
    for run, articles in runs.items():
        if articles >= MIN_DEFINED:
            words = run.split()
            if 2 <= len(words) <= 3:
                for word in set(words):
                    holders[word].append(run)
    person_of = {form: key for key, kind in kinds.items() if kind == PERSON for form in forms[key]}
    names_of = _names_of(forms)
    for word in sorted(holders):
        alone = runs.get(word, 0)
        if kinds.get(word) == ORGANISATION or alone < MIN_DOCS or not name_word(word) \
                or place.get(word, 0) > PLACE_SHARE * alone:
            continue
        ranked = sorted(holders[word], key=lambda run: (-runs[run], run))
        owners: dict[str, int] = defaultdict(int)
        for run in ranked:
            owners[person_of.get(run, run)] += runs[run]
        best, most = ranked[0], runs[ranked[0]]
        others = sum(runs[run] for run in ranked[1:])
        if kinds.get(word) == PERSON and (kinds.get(best) != PERSON or most < DOMINANT * others):
            # A word with a person's own evidence ('kata Anies'): its runs counted by the name they are forms of
            # ('Anies Baswedan' and 'Jakarta Anies Baswedan' are one); not a word only lineups and lists give
            # alone ('Ridwan', 'Rodrigo': many people's).
            best, most = min(owners.items(), key=lambda item: (-item[1], item[0]))
            others = sum(owners.values()) - most
        if kinds.get(best) != PERSON or most < DOMINANT * others:
            if kinds.get(word) == PERSON and sum(run.startswith(word + " ") for run in ranked) >= SHARED_BY:
                for form in forms.pop(word):  # 'Budi' (Gunawan, Karya, Waseso): nobody's in particular
                    names_of[form].discard(word)
                del kinds[word]
            continue
        if alone > 4 * most or names_of[word] - {best, word}:  # the word is a form of another name
            continue
        moved = (forms.pop(word, set()) if word in kinds else set()) | {word}
        forms[best] |= moved
        for form in moved:
            names_of[form].discard(word)
            names_of[form].add(best)
        kinds.pop(word, None)


def _names_of(forms: dict[str, set[str]]) -> defaultdict[str, set[str]]:
    """``form -> the names whose forms hold it``."""
    found: defaultdict[str, set[str]] = defaultdict(set)
    for key, held in forms.items():
        for form in held:
            found[form].add(key)
    return found


def _display(key: str, names: Iterable[str], kinds: dict[str, str], acronym: Callable[[str], bool],
             upper: dict[str, int], caps: dict[str, int], defined: dict[str, str]) -> str:
    """'Komisi Pemberantasan Korupsi (KPK)', 'Setya Novanto': capitals where the archive writes them."""
    def written(run: str) -> str:
        return " ".join(w if w in LOWER_INSIDE else w.upper() if upper.get(w, 0) >= max(1, caps.get(w, 0) / 2)
                        else w[:1].upper() + w[1:] for w in run.split())

    shown = written(key)
    short = [n for n in names if n != key and len(n.split()) == 1
             and (acronym(n) or upper.get(n, 0) >= 1 or (defined.get(n) == key and len(n) <= 4))]
    if kinds.get(key) == ORGANISATION and short and not acronym(key) and short[0] not in key.split():
        shown += f" ({sorted(short)[0].upper()})"
    return shown
