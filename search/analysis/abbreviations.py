"""Abbreviations where their full forms stand: ``Menteri Dalam Negeri`` is indexed as ``mendagri`` too.

Indonesian news writes an office or a body both ways, ``Mendagri`` and
``Menteri Dalam Negeri``, often in one article and often not. A query of one
must find the other, and the full form must be the phrase, not its words
apart: the stemmed fields drop stopwords, so ``menteri dalam negeri`` and
``menteri luar negeri`` are both ``menteri negeri`` there, and the exact-form
fields keep no positions (on IndoSum 32 of the 58 articles ``mendagri``
found were the Menteri Luar Negeri's, holding ``dalam`` elsewhere). So the
indexer adds the abbreviation's term to a text's words wherever the full form
stands as consecutive words (``search/data/abbreviations.tsv``; lowercased,
punctuation off, as the exact-form fields read words: ``Badan Meteorologi,
Klimatologi, dan Geofisika`` is BMKG's), after the text's own words: the
words keep their places, so phrases are unchanged. A query of the
abbreviation is then one term, and a query of the full form searches that
term too (``search.query.alternatives``).
"""

from __future__ import annotations

from functools import lru_cache

from search.analysis.tokens import index_parts
from search.analysis.wordlists import read_lines

# The words of a full form -> the abbreviations written for it (``kementerian luar negeri``: kemenlu, kemlu).
FullForms = dict[tuple[str, ...], tuple[str, ...]]


@lru_cache(maxsize=1)
def abbreviation_lines() -> tuple[tuple[str, str], ...]:
    """``(abbreviation, full form)`` of each line of ``search/data/abbreviations.tsv``, as written there."""
    found = []
    for line in read_lines("abbreviations.tsv"):
        short, _, full = (part.strip() for part in line.partition("\t"))
        if short and full:
            found.append((short, full))
    return tuple(found)


@lru_cache(maxsize=1)
def full_forms() -> FullForms:
    """The full forms of the table as the index's words, each with the one-word abbreviations written for it."""
    table: dict[tuple[str, ...], list[str]] = {}
    for short, full in abbreviation_lines():
        term = index_parts(short)
        words = tuple(index_parts(full))
        if len(term) == 1 and len(words) > 1 and term[0] not in table.setdefault(words, []):
            table[words].append(term[0])
    return {words: tuple(terms) for words, terms in table.items()}


@lru_cache(maxsize=1)
def _by_first_word() -> dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]]:
    """``first word -> ((full form's words, abbreviations), ...)``, the longest full form first."""
    grouped: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for words, terms in full_forms().items():
        grouped.setdefault(words[0], []).append((words, terms))
    return {first: tuple(sorted(forms, key=lambda form: -len(form[0]))) for first, forms in grouped.items()}


def abbreviations_in(words: list[str]) -> list[str]:
    """The abbreviation of each full form ``words`` holds as consecutive words, once for every place it stands.

    ``words`` are a text's words as the exact-form fields index them
    (``tokens.index_parts``). Where full forms start at one word, the
    longest is the one written (``Dewan Perwakilan Rakyat Daerah``: DPRD,
    not DPR); full forms starting at different words each count
    (``Kepala Kepolisian Republik Indonesia``: kapolri, polri and ri).
    """
    starts = _by_first_word()
    if starts.keys().isdisjoint(words):  # most texts: one set operation in C
        return []
    found: list[str] = []
    for at, word in enumerate(words):
        forms = starts.get(word)
        if forms is None:
            continue
        for full, terms in forms:  # the longest first: Dewan Perwakilan Rakyat Daerah is the DPRD's, not the DPR's
            if tuple(words[at : at + len(full)]) == full:
                found.extend(terms)
                break
    return found


@lru_cache(maxsize=1)
def _full_forms_of() -> dict[str, tuple[tuple[str, ...], ...]]:
    """``abbreviation's term -> the words of each of its full forms``."""
    found: dict[str, list[tuple[str, ...]]] = {}
    for words, terms in full_forms().items():
        for term in terms:
            found.setdefault(term, []).append(words)
    return {term: tuple(forms) for term, forms in found.items()}


def spelled_out(terms: set[str]) -> list[tuple[str, ...]]:
    """The words of the full forms of those of ``terms`` that are abbreviations (``pilkada``: pemilihan kepala
    daerah), where a query's abbreviation matched: snippets mark them as the phrase."""
    table = _full_forms_of()
    return [words for term in sorted(terms & table.keys()) for words in table[term]]
