"""Restrictions on the results: publisher, date range, people and organisations named."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from whoosh import query as q

from search.errors import QueryError
from search.index.names import NAMES_FIELD, NameBook, name_terms
from search.index.schema import WIB, published_value

# ``person:"Setya Novanto"``, ``org:KPK`` (and in Indonesian ``orang:``, ``organisasi:``) in a query's text
NAME_FILTER = re.compile(r'(?<![\w:/.])(person|orang|org|organisasi|organisation|organization):("[^"]*"|[^\s"()]+)',
                         re.IGNORECASE)
PERSON_PREFIXES = ("person", "orang")


def take_name_filters(text: str) -> tuple[str, list[str], list[str]]:
    """``text`` without its ``person:``/``org:`` filters, and the people and organisations they name."""
    people: list[str] = []
    organisations: list[str] = []

    def taken(match: re.Match) -> str:
        name = match.group(2).strip('"').strip()
        (people if match.group(1).lower() in PERSON_PREFIXES else organisations).append(name)
        return " "

    return " ".join(NAME_FILTER.sub(taken, text).split()), people, organisations


@dataclass
class Filters:
    """Restrictions on the results: publishers, date range (ISO dates), people and organisations (each
    named must be in the article: ``search.index.names``).

    ``source`` is one publisher or several (a list or tuple): an article from any of them is allowed.
    """

    source: str | Sequence[str] | None = None
    date_from: str | None = None
    date_to: str | None = None
    people: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.source or self.date_from or self.date_to or self.people or self.organisations)

    @property
    def sources(self) -> list[str]:
        """The publishers asked for, each once, in the order given (blank ones left out)."""
        given = [self.source] if isinstance(self.source, str) else list(self.source or [])
        return list(dict.fromkeys(name.strip() for name in given if name and name.strip()))

    def source_names(self, known_sources: list[str]) -> list[str]:
        """The index's publishers the sources asked for name, each once (QueryError as ``matching_sources``)."""
        return list(dict.fromkeys(name for wanted in self.sources for name in matching_sources(wanted, known_sources)))

    def with_names(self, people: list[str], organisations: list[str]) -> Filters:
        """These filters and the people and organisations a query names (``person:"..."``, ``org:"..."``)."""
        return replace(self, people=(*self.people, *people), organisations=(*self.organisations, *organisations))

    def to_query(self, known_sources: list[str] | None = None, name_book: NameBook | None = None) -> q.Query | None:
        """The Whoosh query that allows only the matching articles, or None for no restriction.

        With ``known_sources`` (the index's publishers) each source is matched
        as people write it (:func:`matching_sources`); without, exactly. A
        person or organisation is found by any of its forms
        (``Novanto``, ``Setnov`` for ``Setya Novanto``; ``KPK`` for ``Komisi
        Pemberantasan Korupsi``) ``name_book`` knows, else by its words as a run of capitals.
        """
        parts = []
        book = name_book or NameBook([])
        for name in (*self.people, *self.organisations):
            terms = name_terms(book.forms(name))
            if not terms:
                raise QueryError("A person or organisation filter needs a name (e.g. person:\"Setya Novanto\").",
                                 "name_needed")
            parts.append(q.Or([q.Term(NAMES_FIELD, term) for term in terms]))
        if self.sources:  # any of them
            names = self.sources if known_sources is None else self.source_names(known_sources)
            parts.append(q.Or([q.Term("source_id", name) for name in names]) if len(names) > 1
                         else q.Term("source_id", names[0]))
        if self.date_from or self.date_to:
            start = _filter_date(self.date_from, "from")
            end = _filter_date(self.date_to, "to", end_of_day=True)
            if start is not None and end is not None and start > end:
                # Swapped by mistake: no article could match, and "no results" would blame the words.
                raise QueryError(f"The from date {self.date_from!r} is after the to date {self.date_to!r}: swap them.",
                                 "dates_reversed", date_from=self.date_from, date_to=self.date_to)
            parts.append(q.DateRange("published", start, end))
        return q.And(parts) if parts else None


_DOMAIN_END = re.compile(r"\.(?:co\.id|or\.id|go\.id|com|co|id|net|org|tv|news)$")


def source_key(name: str) -> str:
    """A publisher's name as people write it, made one: ``Kompas.com``, ``kompas``, ``www.kompas.com`` -> ``kompas``."""
    name = name.strip().lower()
    name = re.sub(r"^(?:https?://)?(?:www\.)?", "", name).rstrip("/")
    return re.sub(r"[\W_]+", "", _DOMAIN_END.sub("", name))


def source_words(name: str) -> set[str]:
    """The words of a publisher's name as people write them: ``CNN Indonesia`` -> ``cnn``, ``indonesia``."""
    return {source_key(word) for word in re.split(r"[\s|/,:-]+", name) if source_key(word)}


def matching_sources(wanted: str, known: list[str]) -> list[str]:
    """The index's publishers that ``wanted`` names (any case, the name, the domain, or one word of the
    name, or its start, that no other publisher has: ``cnn`` for ``CNN Indonesia``, ``antara`` for
    ``antaranews``); QueryError if none or several.

    The error lists the publishers there are (or those the word is in), so the reader can pick one.
    """
    found = [name for name in known if source_key(name) == source_key(wanted)]
    if found:
        return found
    key = source_key(wanted)
    by_word = [name for name in known if key and key in source_words(name)]
    if not by_word:  # the start of a name written as one word: antara (antaranews), poskota (poskotanews)
        by_word = [name for name in known if len(key) >= 3 and source_key(name).startswith(key)]
    if len(by_word) == 1:
        return by_word
    if by_word:
        listed = ", ".join(sorted(by_word, key=str.lower))
        raise QueryError(f"{wanted!r} is in the name of several sources: {listed}; name one of them.",
                         "several_sources", wanted=wanted, listed=listed)
    listed = ", ".join(sorted(known, key=str.lower)[:30]) + (", …" if len(known) > 30 else "")
    raise QueryError(f"No articles from {wanted!r}: the sources are {listed or 'none yet'}.", "unknown_source",
                     wanted=wanted, listed=listed)


# A year ("2022") or a month ("2022-10") stands for the whole of it.
_PERIOD = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2}))?$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _filter_date(value: str | None, which: str, end_of_day: bool = False) -> datetime | None:
    """The bound of a date filter as ``published`` holds it: the start of a day, month or year in WIB
    (``end_of_day``: its last second), or the given moment."""
    if not value:
        return None
    value = value.strip()
    start = _period_start(value)
    if start is None:
        moment = published_value(value) if not _PERIOD.match(value) else None
        if moment is None:
            raise QueryError(
                f"Invalid {which} date {value!r}: use a day (2022-10-06), a month (2022-10) or a year (2022).",
                "bad_date", value=value,
            )
        return moment
    try:
        return (_next_period(start, value) - timedelta(seconds=1) if end_of_day else start) - WIB  # Jakarta's days (schema.WIB)
    except (OverflowError, ValueError):  # the first or the last day there is: no bound at all
        return None


def _period_start(value: str) -> datetime | None:
    """The first moment of the day, month or year ``value`` names (naive, local), or None."""
    try:
        if _DAY.match(value):
            return datetime.strptime(value, "%Y-%m-%d")
        m = _PERIOD.match(value)
        if m:
            return datetime(int(m["y"]), int(m["m"] or 1), 1)
    except ValueError:
        return None
    return None


def _next_period(start: datetime, value: str) -> datetime:
    """The start of the day, month or year after the one ``value`` names."""
    if _DAY.match(value):
        return start + timedelta(days=1)
    if len(value) == 7:  # a month
        return datetime(start.year + start.month // 12, start.month % 12 + 1, 1)
    return datetime(start.year + 1, 1, 1)
