"""The search form: request arguments in, checked values and links out.

The HTML page and the JSON API read the same arguments (``q``, ``page``,
``limit``, ``source``, ``from``, ``to``, ``sort``) the same way, and a bad
value is a :class:`QueryError` with one clear message, like the CLI's.
"""

from __future__ import annotations

from dataclasses import dataclass

from search.errors import QueryError
from search.query.filters import Filters
from search.query.syntax import MAX_QUERY_CHARS
from search.searcher import MAX_LIMIT

SORTS = ("relevance", "date")
MAX_PAGE = 10_000


@dataclass
class SearchForm:
    """What the reader asked for, as typed (shown again in the form)."""

    q: str = ""
    page: str = "1"
    limit: str = ""
    source: str = ""
    date_from: str = ""
    date_to: str = ""
    sort: str = "relevance"
    as_typed: bool = False  # no typo corrections: the words exactly as the reader typed them

    @classmethod
    def from_args(cls, args) -> SearchForm:
        """From ``request.args``; nothing is checked yet, so the form can always be redrawn."""
        return cls(
            q=args.get("q", "").strip(),
            page=args.get("page", "1").strip() or "1",
            limit=args.get("limit", "").strip(),
            source=args.get("source", "").strip(),
            date_from=args.get("from", "").strip(),
            date_to=args.get("to", "").strip(),
            sort=args.get("sort", "relevance").strip() or "relevance",
            as_typed=args.get("as_typed", "") == "1",
        )

    @property
    def q_shown(self) -> str:
        """The query as put back in the box: capped, so a huge one is not echoed whole."""
        return self.q[:MAX_QUERY_CHARS]

    def page_number(self) -> int:
        return _whole_number("page", self.page, 1, MAX_PAGE)

    def page_size(self, default: int) -> int:
        return _whole_number("limit", self.limit, 1, MAX_LIMIT) if self.limit else default

    def checked_sort(self) -> str:
        if self.sort not in SORTS:
            raise QueryError(f"Invalid sort {self.sort!r}: use {' or '.join(SORTS)}.",
                             "Urutan tidak dikenali: pilih relevansi atau tanggal.")
        return self.sort

    def filters(self) -> Filters:
        return Filters(
            source=self.source or None,
            date_from=self.date_from or None,
            date_to=self.date_to or None,
        )

    @property
    def filtered(self) -> bool:
        return bool(self.source or self.date_from or self.date_to)

    def url_args(self, **changes) -> dict:
        """Arguments for a link to this search with ``changes`` (e.g. another page)."""
        args = {
            "q": self.q_shown,
            "page": self.page,
            "limit": self.limit,
            "source": self.source,
            "from": self.date_from,
            "to": self.date_to,
            "sort": self.sort,
            "as_typed": "1" if self.as_typed else "",
        }
        args.update({k: str(v) for k, v in changes.items()})
        defaults = {"page": "1", "sort": "relevance"}
        return {k: v for k, v in args.items() if v and defaults.get(k) != v}


def _whole_number(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise QueryError(f"Invalid {name} {value[:20]!r}: use a whole number from {low} to {high}.",
                         f"Nilai {name} {value[:20]!r} tidak sah: gunakan bilangan bulat dari {low} sampai {high}.")
    return number
