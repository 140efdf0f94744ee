"""The spellings a name may have in Indonesian news: transliterations and the old spelling.

``Kazakhstan`` and ``Kazakstan``, ``Vrublevsky`` and ``Vrublevskiy``,
``Soekarno`` and ``Sukarno``, ``Tjahaja`` and ``Cahaya``, ``Mohammad`` and
``Mohamad`` are one name each. They differ by the changes transliteration
and Indonesian's pre-1972 spelling make, not by any edit: ``Prabowo`` and
``Pranowo`` are two people. :func:`skeleton` makes those letters one, and
:func:`respellings` writes a name the other ways, so that the index can be
asked for each directly (a lookup each) instead of compared with every word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

# Each pair is written either way round in one name.
_SWAPS = (("oe", "u"), ("tj", "c"), ("dj", "j"), ("sj", "sy"), ("kh", "k"), ("ch", "k"), ("ch", "kh"),
          ("ph", "f"), ("q", "k"), ("x", "ks"), ("v", "w"), ("y", "i"), ("iy", "y"), ("j", "y"))
_TO_SKELETON = (("oe", "u"), ("tj", "c"), ("dj", "j"), ("sj", "sy"), ("ch", "k"), ("kh", "k"), ("ph", "f"),
                ("q", "k"), ("x", "ks"), ("v", "w"), ("j", "y"), ("y", "i"), ("h", ""))
_DOUBLED = re.compile(r"(\w)\1+")
_VOWELS = frozenset("aeiou")
# Spellings tried for one word at most: two changes of a long name are a few hundred.
MAX_RESPELLINGS = 2_000


def skeleton(word: str) -> str:
    """A name with the letters spellings disagree on made one (``kazakhstan`` -> ``kazakstan``)."""
    for written, said in _TO_SKELETON:
        word = word.replace(written, said)
    return _DOUBLED.sub(r"\1", word)


def _one_change(word: str) -> Iterator[str]:
    """Every spelling one change away: a pair swapped, an ``h`` after a consonant added or dropped,
    a letter doubled or undoubled."""
    for a, b in _SWAPS:
        for written, other in ((a, b), (b, a)):
            at = word.find(written)
            while at != -1:
                yield word[:at] + other + word[at + len(written):]
                at = word.find(written, at + 1)
    for at in range(1, len(word) + 1):
        if word[at - 1] not in _VOWELS and word[at - 1] != "h":
            yield word[:at] + "h" + word[at:]
        if at < len(word) and word[at] == "h":
            yield word[:at] + word[at + 1:]
        if at < len(word) and word[at] == word[at - 1]:
            yield word[:at] + word[at + 1:]
        elif at < len(word):
            yield word[:at] + word[at - 1] + word[at:]


# The old spelling's letters (before 1972) that stand for one sound each: never another name's.
_OLD_SPELLINGS = (("oe", "u"), ("tj", "c"), ("dj", "j"), ("sj", "sy"))


# And its j, today's y (Soerabaja, Djokjakarta), read in the same pass: its dj is today's j.
_OLD_LETTERS = re.compile(r"oe|[tds]j(?=[aeiou])|j")  # tj, dj, sj before a vowel (stjles is styles)
_TODAY = {**dict(_OLD_SPELLINGS), "j": "y"}


def modern(word: str) -> str:
    """A word with the old spelling's letters written as today (``tjahaja`` -> ``cahaya``, ``agoeng`` -> ``agung``,
    ``bhajangkara`` -> ``bhayangkara``)."""
    return _OLD_LETTERS.sub(lambda m: _TODAY[m.group(0)], word)


def doublings(word: str) -> list[str]:
    """A name with one consonant doubled or a doubled one written once (``susi``: ``sussi``; ``bobby``: ``boby``).

    Vowels are left alone: ``moon`` is not ``mon``, nor ``good`` ``god``.
    """
    found = []
    for at in range(1, len(word)):
        if word[at] == word[at - 1]:
            if word[at] not in _VOWELS:
                found.append(word[:at] + word[at + 1:])
        elif word[at] not in _VOWELS and at < len(word) - 1 and word[at + 1] != word[at]:
            found.append(word[:at] + word[at] + word[at:])  # inside the name: a final letter is not doubled
    return list(dict.fromkeys(spelling for spelling in found if spelling != word))


def short_respellings(word: str) -> list[str]:
    """The other spellings of a short (four-letter) name: one change each, only those that keep it the name.

    A consonant written once or doubled (``nina``: ``ninna``), the old spelling
    (``joko``: ``djoko``, ``budi``: ``boedi``, ``tjut``: ``cut``) and a final
    ``i`` written ``y`` (``andi``: ``andy``). The other changes :func:`respellings`
    makes (``v``/``w``, an ``h`` added, ``y``/``i`` inside) turn so short a word
    into other names: ``ivan`` and ``iwan``, ``lion`` and ``lyon``.
    """
    if not _VOWELS.intersection(word[:3]):
        return []  # an abbreviation (TPPU is not TPU, nor BBCA BCA)
    found = doublings(word)
    for a, b in _OLD_SPELLINGS:
        for written, other in ((a, b), (b, a)):
            at = word.find(written)
            while at != -1:
                if not (written == "j" and word[at - 1:at] in ("t", "d", "s")):  # tj's j is not dj
                    found.append(word[:at] + other + word[at + len(written):])
                at = word.find(written, at + 1)
    if word[-1:] in ("i", "y") and word[-2:-1] not in _VOWELS:
        found.append(word[:-1] + ("y" if word[-1] == "i" else "i"))
    return list(dict.fromkeys(spelling for spelling in found if spelling != word))


def respellings(word: str) -> list[str]:
    """The other spellings of a lowercased name, one or two changes away, with the same :func:`skeleton`."""
    shape = skeleton(word)
    found = dict.fromkeys(islice((s for s in _one_change(word) if s != word), MAX_RESPELLINGS))
    for first in list(found):
        for second in _one_change(first):
            if len(found) >= MAX_RESPELLINGS:
                break
            found.setdefault(second)
    found.pop(word, None)
    return [spelling for spelling in found if skeleton(spelling) == shape]


def y_for_i_inside(word: str, other: str) -> bool:
    """Whether ``other`` is ``word`` with an ``i`` written ``y`` (or the other way) before its last letter: in a
    short name another name (``china`` and ``chyna``, ``lion`` and ``lyon``), unlike a final one (``andi``, ``andy``)."""
    if len(word) != len(other):
        return False
    differ = [at for at, (a, b) in enumerate(zip(word, other, strict=True)) if a != b]
    return len(differ) == 1 and differ[0] < len(word) - 1 and {word[differ[0]], other[differ[0]]} == {"i", "y"}
