"""The search form: request arguments in, checked values and links out.

The HTML page and the JSON API read the same arguments (``q``, ``page``,
``limit``, ``source``, ``from``, ``to``, ``sort``) the same way, and a bad
value is a :class:`QueryError` with one clear message, like the CLI's.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass

from search import MAX_LIMIT, MAX_QUERY_CHARS, Filters, QueryError, checked_sort

from .formatting import BULAN, tanggal

MAX_PAGE = 10_000


@dataclass
class SearchForm:
    """What the reader asked for, as typed (shown again in the form)."""

    q: str = ""
    page: str = "1"
    limit: str = ""
    sources: tuple[str, ...] = ()  # several: articles from any of them
    date_from: str = ""
    date_to: str = ""
    sort: str = "relevance"
    as_typed: bool = False  # no typo corrections: the words exactly as the reader typed them
    prefix: bool = False  # results as the reader types: the last word is completed (never in links)
    group: bool = True  # results are stories (group=0: every article; search.ranking.stories)

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> SearchForm:
        """From ``request.args``; nothing is checked yet, so the form can always be redrawn."""
        return cls(
            q=args.get("q", "").strip(),
            page=args.get("page", "1").strip() or "1",
            limit=args.get("limit", "").strip(),
            sources=_sources(args),
            date_from=args.get("from", "").strip(),
            date_to=args.get("to", "").strip(),
            sort=args.get("sort", "relevance").strip() or "relevance",
            as_typed=args.get("as_typed", "") == "1",
            prefix=args.get("prefix", "") == "1",
            group=args.get("group", "1").strip() != "0",
        )

    @property
    def q_shown(self) -> str:
        """The query as put back in the box: capped, so a huge one is not echoed whole."""
        return self.q[:MAX_QUERY_CHARS]

    def page_number(self) -> int:
        return whole_number("page", self.page, 1, MAX_PAGE)

    def page_size(self, default: int) -> int:
        return whole_number("limit", self.limit, 1, MAX_LIMIT) if self.limit else default

    def checked_sort(self) -> str:
        """``relevance``, ``newest`` or ``oldest`` (``date`` is ``newest``); QueryError otherwise."""
        return checked_sort(self.sort)

    @property
    def sort_shown(self) -> str:
        """The sort as the page's menu names it: what the list is (browsing with no words is newest
        first whatever was asked, unless oldest); a bad one shows as relevance."""
        try:
            sort = checked_sort(self.sort)
        except QueryError:
            sort = "relevance"
        return "newest" if self.browsing and sort == "relevance" else sort

    @property
    def browsing(self) -> bool:
        """No words to rank by (a filter alone, or ``*``): the list is by date."""
        return not self.q or self.q == "*"

    def filters(self) -> Filters:
        return Filters(
            source=list(self.sources) or None,
            date_from=self.date_from or None,
            date_to=self.date_to or None,
        )

    @property
    def filtered(self) -> bool:
        return bool(self.sources or self.date_from or self.date_to)

    def chips(self) -> list[tuple[str, dict]]:
        """The active filters as (label, the arguments of this search without it), for removable chips."""
        chips = []
        for name in self.sources:
            chips.append((f"Sumber: {name}", self.url_args(source=self.toggled(name), page=1)))
        if self.date_from or self.date_to:
            chips.append((self.period_label(), self.url_args(**{"from": "", "to": "", "page": 1})))
        return chips

    def period_label(self) -> str:
        """The date filter in words: ``Tahun 2022``, ``Oktober 2022``, ``Dari 6 Oktober 2022``..."""
        year, month = self.chosen_year(), self.chosen_month()
        if month:
            return f"{BULAN[int(month[5:]) - 1]} {month[:4]}"
        if year and self.date_from == f"{year}-01-01":
            return f"Tahun {year}"
        if self.date_from and self.date_from == self.date_to:  # one day (a timeline's bar), one month or year typed
            return tanggal(self.date_from)
        if self.date_from and self.date_to:
            return f"{tanggal(self.date_from)} – {tanggal(self.date_to)}"
        return f"Dari {tanggal(self.date_from)}" if self.date_from else f"Sampai {tanggal(self.date_to)}"

    def chosen_year(self) -> str | None:
        """The year the date filter lies in (``2022``), when it lies in one; the month facet is for it."""
        if len(self.date_from) == len(self.date_to) == 10 and self.date_from[:4] == self.date_to[:4]:
            return self.date_from[:4] if self.date_from[:4].isdigit() else None
        return None

    def chosen_month(self) -> str | None:
        """``2022-10`` when the date filter is exactly one month (a month facet's link)."""
        year = self.chosen_year()
        number = self.date_from[5:7]
        if not (number.isdigit() and 1 <= int(number) <= 12):  # 2017-13-01: the search itself says what is wrong
            return None
        if year and self.date_from[5:7] == self.date_to[5:7] and self.date_from.endswith("-01"):
            month = self.date_from[:7]
            return month if (self.date_from, self.date_to) == month_range(month) else None
        return None

    def url_args(self, **changes: object) -> dict:
        """Arguments for a link to this search with ``changes`` (e.g. another page)."""
        args = {
            "q": self.q_shown,
            "page": self.page,
            "limit": self.limit,
            "source": list(self.sources),
            "from": self.date_from,
            "to": self.date_to,
            "sort": self.sort,
            "as_typed": "1" if self.as_typed else "",
            "group": "" if self.group else "0",
        }
        args.update({k: v if isinstance(v, list) else str(v) for k, v in changes.items()})
        defaults = {"page": "1", "sort": "relevance", "group": "1"}
        return {k: v for k, v in args.items() if v and defaults.get(k) != v}

    def toggled(self, name: str) -> list[str]:
        """The sources of this search with ``name`` added, or taken out if it is one of them (a facet's link)."""
        return [s for s in self.sources if s != name] if name in self.sources else [*self.sources, name]


def _sources(args: Mapping[str, str]) -> tuple[str, ...]:
    """Every ``source`` argument (``?source=a&source=b``), each once, blank ones left out."""
    given = args.getlist("source") if hasattr(args, "getlist") else [args.get("source", "")]
    return tuple(dict.fromkeys(name.strip() for name in given if name and name.strip()))


def year_range(year: str) -> tuple[str, str]:
    """The ``from`` and ``to`` of a year facet's link."""
    return f"{year}-01-01", f"{year}-12-31"


def month_range(month: str) -> tuple[str, str]:
    """The ``from`` and ``to`` of a month facet's link (``2024-02`` -> 2024-02-01 to 2024-02-29)."""
    year, number = int(month[:4]), int(month[5:7])
    return f"{month}-01", f"{month}-{calendar.monthrange(year, number)[1]:02d}"


def whole_number(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise QueryError(f"Invalid {name} {value[:20]!r}: use a whole number from {low} to {high}.", "bad_number",
                         name=name, value=value[:20], low=low, high=high)
    return number
