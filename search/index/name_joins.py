"""The joins of the names learning (``search.index.name_learning``): runs taken as names, made one name.

``learn``'s first pass decides which runs are names, each by itself; these passes join the runs that stand
for one name (an abbreviation and its long form, a run and its tail, a nickname and the person, a single
word and the one person it is part of). They read every name the first pass took (a few thousand at
1,000,000 articles), and through :class:`Holders` (kept by a writing process from one write to the next,
changed where a write changed the runs) the runs holding each word, not every run of the archive
(~900,000 at 1,000,000 articles: ~0.2 CPU-s a write to walk again).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache

from search.analysis.names import NAME_JOINERS, ORG_HEADS, PLACE_HEADS
from search.analysis.wordlists import read_lines
from search.index.names import ORGANISATION, PERSON, folded_name

LOWER_INSIDE = NAME_JOINERS | {"dan"}  # written in small letters inside a name: 'Kementerian Pemuda dan Olahraga'
MIN_DOCS = 3
PLACE_SHARE = 0.1  # a run after 'di' or 'ke' in more than a tenth of its articles is a place
MIN_DEFINED = 2  # articles that define an abbreviation the same way
SHARED_BY = 3  # names (each in two articles) a first name opens, none usual, before it is nobody's
DOMINANT = 2  # a name holding a word that many times as often as all the others: the word stands for it
# A one-word person stands alone in at least this share of the articles that write it as a name (``c:``): a
# usual short name ('Wiranto', 'Mourinho' after 'Jose Mourinho'), not a first name many people share ('Abdul':
# alone in 8 of the 43 IndoSum articles that write it, the rest 'Abdul Rahman', 'Abdul Somad'...).
SHORT_NAME_SHARE = 0.5


class Holders(dict[str, set[str]]):
    """``word -> the runs of two or three words holding it that stand in MIN_DEFINED articles`` (what
    :func:`join_single_words` reads), made from every run once and then changed run by run."""

    @classmethod
    def of(cls, runs: dict[str, int]) -> Holders:
        found = cls()
        for run, articles in runs.items():
            if articles >= MIN_DEFINED:
                found.change(run, True)
        return found

    def change(self, run: str, held: bool) -> None:
        words = run.split()
        if not 2 <= len(words) <= 3:
            return
        for word in set(words):
            if held:
                self.setdefault(word, set()).add(run)
            else:
                runs = self.get(word)
                if runs is not None:
                    runs.discard(run)
                    if not runs:
                        del self[word]

    def follow(self, runs: dict[str, int], changed: Iterable[str]) -> None:
        """The runs among ``changed`` (values whose counts a write changed) held or let go by their new counts."""
        for run in changed:
            if " " in run:
                self.change(run, runs.get(run, 0) >= MIN_DEFINED)


def join_tails(kinds: dict[str, str], forms: dict[str, set[str]], runs: dict[str, int],  # noqa: C901
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
    ending: dict[str, list[str]] = defaultdict(list)  # last word -> the runs of two words or more ending with it
    for run in kinds:  # from here on runs only leave ``kinds``
        head, space, last = run.rpartition(" ")
        if space:
            ending[last].append(run)
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
                and max((r for r in ending[words[1]] if r in kinds), key=lambda r: (runs.get(r, 0), r)) == run:
            forms[run].add(words[1])  # 'Golkar' of 'Partai Golkar', its most usual name


def join_abbreviations(defined: dict[str, str], kinds: dict[str, str], forms: dict[str, set[str]],
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


def nicknames(pairs: dict[str, int]) -> dict[str, dict[str, int]]:
    """``{nickname: {name: articles}}`` of the ``k:`` terms' counts (``ahok=basuki tjahaja purnama``)."""
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for pair, articles in pairs.items():
        short, _, long = pair.partition("=")
        if short and long:
            found[short][long] = articles
    return found


@lru_cache(maxsize=1)
def known_nicknames() -> dict[str, dict[str, int]]:
    """The curated table's ``{nickname: {name: 1}}`` (``search/data/nicknames.tsv``)."""
    found: dict[str, dict[str, int]] = {}
    for line in read_lines("nicknames.tsv"):
        short, _, long = line.partition("\t")
        found[folded_name(short)] = {folded_name(long): 1}
    return found


def join_nicknames(nicknames: dict[str, dict[str, int]], kinds: dict[str, str], forms: dict[str, set[str]],
                    usable: Callable[[str], bool], least: int) -> None:
    """A nickname (``ahok``) that names one person (``basuki tjahaja purnama``, or a name among its forms) in
    at least ``least`` articles, ``DOMINANT`` times as often as any other, is that person: one name, all forms."""
    person_of = {form: key for key, kind in kinds.items() if kind == PERSON for form in forms[key]}
    holding: defaultdict[str, set[str]] | None = None  # names_of(forms), made when first asked, then kept in step
    for short in sorted(nicknames):
        people: dict[str, int] = defaultdict(int)
        for long, articles in nicknames[short].items():
            if person_of.get(long) is not None:
                people[person_of[long]] += articles
        if not people or kinds.get(short) == ORGANISATION or not usable(short):
            continue
        ranked = sorted(people.items(), key=lambda item: (-item[1], item[0]))
        person, articles = ranked[0]
        if articles < least or (len(ranked) > 1 and articles < DOMINANT * ranked[1][1]) or person == short:
            continue
        if holding is None:
            holding = names_of(forms)
        if holding[short] - {person, short}:  # a form of another name
            continue
        joined = forms.pop(short, set()) if short in kinds else set()
        kinds.pop(short, None)
        for form in joined:
            holding[form].discard(short)
        forms[person] |= joined | {short}
        for form in joined | {short}:
            holding[form].add(person)
        person_of.update(dict.fromkeys(forms[person], person))


def join_single_words(runs: dict[str, int], kinds: dict[str, str], forms: dict[str, set[str]],  # noqa: C901
                      name_word: Callable[[str], bool], place: dict[str, int], holders: Holders,
                      capitalised: Callable[[str], bool] = lambda word: False) -> None:
    """A single name word that, in the names it is part of, is nearly always one well-known person's name
    ('Novanto', 'Trump') stands for that person; one part of several people's names ('Agus', 'Bambang', 'Kim')
    is nobody's in particular. A word with a person's own evidence ('kata Mourinho') whose names are nearly
    always one full name it opens or ends that no title stood before ('Jose Mourinho', 'Marc Marquez': sport
    writes them bare) makes that full name the person's (``capitalised``: whether a word is written with a
    capital in most of its articles, as first names are where sentences open with them)."""
    person_of = {form: key for key, kind in kinds.items() if kind == PERSON for form in forms[key]}
    holding = names_of(forms)
    # Only a word that is a name itself or is in a person's name can change anything below: any other's best run is
    # no person's (runs only leave ``kinds`` here), so it is passed over whatever its counts.
    in_people = {word for run, kind in kinds.items() if kind == PERSON for word in run.split()}
    for word in sorted(word for word in kinds.keys() | in_people if word in holders):
        alone = runs.get(word, 0)
        if kinds.get(word) == ORGANISATION or alone < MIN_DOCS or not name_word(word) \
                or place.get(word, 0) > PLACE_SHARE * alone:
            continue
        ranked = sorted(holders[word], key=lambda run: (-runs[run], run))
        owners: dict[str, int] = defaultdict(int)
        for run in ranked:  # 'Menteri Kelautan dan Perikanan Susi Pudjiastuti': its tail's person
            owners[person_of.get(run) or person_of.get(run.split(" ", 1)[1] if run.count(" ") == 2 else "", run)] \
                += runs[run]
        best, most = ranked[0], runs[ranked[0]]
        others = sum(runs[run] for run in ranked[1:])
        if kinds.get(word) == PERSON and (kinds.get(best) != PERSON or most < DOMINANT * others):
            # A word with a person's own evidence ('kata Anies'): its runs counted by the name they are forms of
            # ('Anies Baswedan' and 'Jakarta Anies Baswedan' are one); not a word only lineups and lists give
            # alone ('Ridwan', 'Rodrigo': many people's).
            best, most = min(owners.items(), key=lambda item: (-item[1], item[0]))
            others = sum(owners.values()) - most
        if kinds.get(word) == PERSON and best not in kinds and most >= DOMINANT * others \
                and _full_name(best, word, capitalised, runs, place):
            kinds[best], forms[best] = PERSON, {best}
            holding[best].add(best)
        if kinds.get(best) != PERSON or most < DOMINANT * others:
            if kinds.get(word) == PERSON and sum(run.startswith(word + " ") for run in ranked) >= SHARED_BY:
                for form in forms.pop(word):  # 'Budi' (Gunawan, Karya, Waseso): nobody's in particular
                    holding[form].discard(word)
                del kinds[word]
            continue
        if alone > 4 * most or holding[word] - {best, word}:  # the word is a form of another name
            continue
        moved = (forms.pop(word, set()) if word in kinds else set()) | {word}
        forms[best] |= moved
        for form in moved:
            holding[form].discard(word)
            holding[form].add(best)
        kinds.pop(word, None)


def _full_name(run: str, word: str, capitalised: Callable[[str], bool], runs: dict[str, int],
               place: dict[str, int]) -> bool:
    """Whether ``run`` reads as a person's full name ``word`` opens or ends: two or three words written with a
    capital, none a place's or an organisation's head word, seldom after 'di' or 'ke'."""
    words = run.split()
    return (2 <= len(words) <= 3 and word in (words[0], words[-1]) and all(map(capitalised, words))
            and not (PLACE_HEADS | ORG_HEADS) & set(words) and place.get(run, 0) <= PLACE_SHARE * runs.get(run, 0))


def drop_loose_words(kinds: dict[str, str], forms: dict[str, set[str]], runs: dict[str, int],
                     tails: dict[str, int], caps: dict[str, int]) -> None:
    """One-word people left after the joins that are not a person's usual short name: a word standing alone in
    fewer than SHORT_NAME_SHARE of the articles that write it as a name (a first name many people share:
    'Abdul', 'Robert'), or a word of a place's or an organisation's name ('Kota Blitar', 'Wali Kota Kendari',
    'Kementerian Perindustrian', 'Kemenko Polhukam': a run or the tail of one with a place's or an
    organisation's head word right before it)."""
    for word in [key for key, kind in kinds.items() if kind == PERSON and " " not in key]:
        headed = any(runs.get(f"{head} {word}", 0) or tails.get(f"{head} {word}", 0) for head in PLACE_HEADS | ORG_HEADS)
        if headed or runs.get(word, 0) < SHORT_NAME_SHARE * caps.get(word, 0):
            del kinds[word]
            del forms[word]


def names_of(forms: dict[str, set[str]]) -> defaultdict[str, set[str]]:
    """``form -> the names whose forms hold it``."""
    found: defaultdict[str, set[str]] = defaultdict(set)
    for key, held in forms.items():
        for form in held:
            found[form].add(key)
    return found


def display(key: str, names: Iterable[str], kinds: dict[str, str], acronym: Callable[[str], bool],
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
