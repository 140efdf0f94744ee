"""Answer types: what a question asks for, and which kinds of answer a text holds.

A question such as ``Berapa atlet yang berlaga?`` wants a number and ``Kapan
...`` or ``Tanggal berapa ...`` a date. The indexer records which of these
kinds each article contains (the ``answers`` field); a question that asks
for one of them ranks the articles holding it a little higher. Only kinds
that plain patterns find reliably are used: dates and numbers.
"""

from __future__ import annotations

import re

DATE, NUMBER, PLACE = "date", "number", "place"

_DAYS = r"senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu"
_MONTHS = (
    r"januari|februari|pebruari|maret|april|mei|juni|juli|agustus|september|oktober|"
    r"november|nopember|desember"
)
# A weekday, a month, a day/month such as (19/8), or a year.
_DATE = rf"\b(?:{_DAYS}|{_MONTHS})\b|\(\d{{1,2}}/\d{{1,2}}\)|\b(?:19|20)\d\d\b"
_NUMBER_WORDS = (
    r"satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|puluh|puluhan|"
    r"ratus|ratusan|ribu|ribuan|juta|jutaan|miliar|triliun|persen|setengah|separuh"
)
_NUMBER = rf"\b(?:{_NUMBER_WORDS})\b|\b\d+(?:[.,]\d+)*\b(?!/)"
# Every match starts with one of these characters: a lookahead on them lets
# the scan skip most positions without trying each alternative (4x faster
# over a whole article, which the indexer scans once).
_DATE_STARTS, _NUMBER_STARTS = r"srkjmfpaond(12", r"sdtelprjm\d"
_DATE_PATTERN = re.compile(rf"(?=[{_DATE_STARTS}])(?:{_DATE})", re.IGNORECASE)
_NUMBER_PATTERN = re.compile(rf"(?=[{_NUMBER_STARTS}])(?:{_NUMBER})", re.IGNORECASE)
# Dates and numbers in one left-to-right scan: a number found is one that is
# not part of a date, as if the dates had been removed first.
_DATE_OR_NUMBER = re.compile(rf"(?=[{_DATE_STARTS}{_NUMBER_STARTS}])(?:(?P<date>{_DATE})|{_NUMBER})", re.IGNORECASE)

_ASKS_DATE = re.compile(r"\bkapan(?:kah)?\b|\b(?:tanggal|tahun|bulan|hari)\s+(?:apa|berapa)", re.IGNORECASE)
_ASKS_NUMBER = re.compile(r"\bberapa(?:kah)?\b", re.IGNORECASE)
_ASKS_PLACE = re.compile(r"\b(?:di\s*mana|dimana|manakah|kemana|darimana)(?:kah)?\b", re.IGNORECASE)


def answer_kinds(text: str) -> list[str]:
    """The kinds of answer ``text`` contains (``date``, ``number``), for the index."""
    kinds = []
    if _DATE_PATTERN.search(text):
        kinds.append(DATE)
    # A date's digits (19/8, 2005) are not the quantity a "berapa" asks for:
    # the scan takes each date whole, so only a number outside them counts.
    if any(match.lastgroup is None for match in _DATE_OR_NUMBER.finditer(text)):
        kinds.append(NUMBER)
    return kinds


def asked_kind(question: str) -> str | None:
    """The kind of answer a question asks for, or None (not a date/number question)."""
    if _ASKS_DATE.search(question):
        return DATE
    if _ASKS_NUMBER.search(question):
        return NUMBER
    return None


def asked_type(question: str) -> str | None:
    """What a question asks for: ``number``, ``date``, ``place``, or None.

    Places are not indexed as a kind (a capitalised word is everywhere in
    news); the question re-rank looks for one near the matched words. Not
    names (``siapa``): a name near the matched words moved nothing
    (docs/relevance.md).
    """
    kind = asked_kind(question)
    if kind is None and _ASKS_PLACE.search(question):
        return PLACE
    return kind


def word_is(kind: str, word: str) -> bool:
    """Whether one word is an answer of ``kind``: a number, or a date word (month, weekday, year).

    A year is a date, not the quantity a ``berapa`` asks for.
    """
    if _DATE_PATTERN.fullmatch(word):
        return kind == DATE
    return kind == NUMBER and bool(_NUMBER_PATTERN.fullmatch(word))
