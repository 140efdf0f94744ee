"""Answer types: what a question asks for, and which kinds of answer a text holds.

A question such as ``Berapa atlet yang berlaga?`` wants a number and ``Kapan
...`` or ``Tanggal berapa ...`` a date. The indexer records which of these
kinds each article contains (the ``answers`` field); a question that asks
for one of them ranks the articles holding it a little higher. Only kinds
that plain patterns find reliably are used: dates and numbers.
"""

from __future__ import annotations

import re

DATE, NUMBER, ORDINAL, PLACE, ALIAS = "date", "number", "ordinal", "place", "alias"

_DAYS = r"senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu"
_MONTHS = (
    r"januari|februari|pebruari|maret|april|mei|juni|juli|agustus|september|oktober|"
    r"november|nopember|desember"
)
# A weekday, a month, a day/month such as (19/8), or a year.
DATE_REGEX = rf"\b(?:{_DAYS}|{_MONTHS})\b|\(\d{{1,2}}/\d{{1,2}}\)|\b(?:19|20)\d\d\b"
_NUMBER_WORDS = (
    r"satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|puluh|puluhan|"
    r"ratus|ratusan|ribu|ribuan|juta|jutaan|miliar|triliun|persen|setengah|separuh"
)
NUMBER_REGEX = rf"\b(?:{_NUMBER_WORDS})\b|\b\d+(?:[.,]\d+)*\b(?!/)"
# Every match starts with one of these characters: a lookahead on them lets
# the scan skip most positions without trying each alternative (4x faster
# over a whole article, which the indexer scans once).
_DATE_STARTS, _NUMBER_STARTS = r"srkjmfpaond(12", r"sdtelprjm\d"
_DATE_PATTERN = re.compile(rf"(?=[{_DATE_STARTS}])(?:{DATE_REGEX})", re.IGNORECASE)
_NUMBER_PATTERN = re.compile(rf"(?=[{_NUMBER_STARTS}])(?:{NUMBER_REGEX})", re.IGNORECASE)
# Dates and numbers in one left-to-right scan: a number found is one that is
# not part of a date, as if the dates had been removed first.
_DATE_OR_NUMBER = re.compile(rf"(?=[{_DATE_STARTS}{_NUMBER_STARTS}])(?:(?P<date>{DATE_REGEX})|{NUMBER_REGEX})", re.IGNORECASE)

_ASKS_DATE = re.compile(r"\bkapan(?:kah)?\b|\b(?:tanggal|tahun|bulan|hari)\s+(?:apa|berapa)", re.IGNORECASE)
_ASKS_NUMBER = re.compile(r"\b(?:ke\s*-?\s*)?berapa(?:kah)?\b", re.IGNORECASE)
# Which one in a row, not how many: "ke berapa", "keberapa", "abad berapa".
_ASKS_ORDINAL = re.compile(r"\bke\s*-?\s*berapa|\babad\s+(?:ke\s*-?\s*)?berapa", re.IGNORECASE)
# A place: "di mana", "dari manakah", or "manakah" with a word for a place
# ("negara manakah", "manakah lokasi"); "perusahaan manakah", "pihak
# manakah" ask for an organisation, not a place.
_PLACE_NOUNS = (
    r"kota|negara|negeri|provinsi|propinsi|kabupaten|kecamatan|desa|kelurahan|kampung|pulau|benua|daerah|"
    r"wilayah|kawasan|lokasi|letak|tempat|distrik|bandara|pelabuhan|selat|laut|sungai|gunung|danau"
)
_ASKS_PLACE = re.compile(
    rf"\b(?:di|ke|dari)\s*mana(?:kah)?\b|\b(?:{_PLACE_NOUNS})(?:\s+\w+)?\s+mana(?:kah)?\b|\bmanakah\s+(?:{_PLACE_NOUNS})\b",
    re.IGNORECASE,
)

# Another name of a thing the question names: an abbreviation's full form
# ("kepanjangan dari GAM"), a species' Latin name ("nama latin dari beruang
# madu"), or the other way round ("hewan apakah yang nama latinnya ...").
_ASKS_ALIAS = re.compile(
    r"\b(?:kepanjangan|kependekan|singkatan|akronim)(?:nya)?\b|\bnama\s+(?:latin|ilmiah)(?:nya)?\b", re.IGNORECASE)
# The words of such a question that say only that another name is asked:
# the passage gives the name, it rarely says "kepanjangan" or "nama latin"
# (and "latin" finds Amerika Latin).
_ALIAS_WORDS = frozenset({"kepanjangan", "kepanjangannya", "kependekan", "kependekannya", "singkatan", "singkatannya",
                          "akronim", "latin", "latinnya", "ilmiah", "ilmiahnya", "nama"})
_WORD = re.compile(r"\w+")


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
    if kind == NUMBER and _ASKS_ORDINAL.search(question):
        return ORDINAL
    if kind is None and _ASKS_PLACE.search(question):
        return PLACE
    if kind is None and _ASKS_ALIAS.search(question):
        return ALIAS
    return kind


def framing_words(question: str) -> frozenset[str]:
    """The words of a question (lowercased) that say what kind of answer it wants and that the answer does not hold.

    Only for another name (:data:`ALIAS`): ``kepanjangan``, ``nama latin``.
    """
    if asked_type(question) != ALIAS:
        return frozenset()
    return frozenset(w for w in _WORD.findall(question.lower()) if w in _ALIAS_WORDS)


# Numbers in words beyond the index's list (the ``answers`` field keeps the
# list it was built with): teens and the se- forms for a quantity, and the
# ordinals (``kedua``, ``pertama``) for which one in a row.
_MORE_QUANTITY_WORDS = re.compile(r"belas|belasan|seratus|seribu|sejuta|lusin", re.IGNORECASE)
_ORDINAL_WORDS = re.compile(
    r"pertama|ke(?:dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|seratus|seribu)",
    re.IGNORECASE,
)
# A Roman numeral as written: a century (abad XIX), a congress (Kongres V), a king.
_ROMAN = re.compile(r"(?=[MDCLXVI])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
# Words a Roman numeral follows as a number: "abad XIX", "ke V", "jilid II".
_BEFORE_ROMAN = frozenset({"abad", "ke", "jilid", "bab", "tahap", "babak", "angkatan", "seri", "pasal", "ayat"})


def word_is(kind: str, word: str) -> bool:
    """Whether one word is an answer of ``kind``: a number, an ordinal, or a date word (month, weekday, year).

    A year is a date, not the quantity a ``berapa`` asks for. A quantity may
    be written in words (``tiga``, ``dua belas``, ``seratus``); an ordinal is
    a number or an ordinal word (``ke-5``, ``kelima``, ``pertama``); Roman
    numerals need the word before them (:func:`is_roman_ordinal`).
    """
    if _DATE_PATTERN.fullmatch(word):
        return kind == DATE
    if kind == ORDINAL:
        return word.isdigit() or bool(_ORDINAL_WORDS.fullmatch(word))
    return kind == NUMBER and bool(_NUMBER_PATTERN.fullmatch(word) or _MORE_QUANTITY_WORDS.fullmatch(word))


def is_roman_ordinal(word: str, before: str) -> bool:
    """Whether ``word`` is a Roman numeral that tells which one in a row, after the word ``before`` (as written).

    ``abad XIX``, ``Kongres V``, ``Perang Dunia II``: a Roman numeral in
    capitals after ``abad``, ``ke``, ``jilid`` ... or after a capitalised word
    that is not itself in capitals (``DI`` or ``MIX`` in a shouted headline
    are no numerals).
    """
    if not word or not before or not _ROMAN.fullmatch(word):
        return False
    return before.lower() in _BEFORE_ROMAN or (before[:1].isupper() and not before.isupper())
