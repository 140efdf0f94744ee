"""Facets: how the matching articles divide by publisher and by year.

Counted over every match, not only the page shown, so a front end can offer
"Kompas.com (12) · Tempo.co (3)" and "2022 (9) · 2023 (6)" as filters.
"""

from __future__ import annotations

from collections import Counter


def facet_options() -> dict:
    """The ``groupedby`` argument that makes Whoosh count the facets while searching."""
    from whoosh import sorting

    return {
        "source": sorting.FieldFacet("source_id", maptype=sorting.Count),
        "year": sorting.FieldFacet("year", maptype=sorting.Count),
    }


def facet_counts(results) -> dict[str, dict[str, int]]:
    """``{"source": {name: n}, "year": {"2022": n}}`` from Whoosh results, largest first."""
    sources = Counter({name: n for name, n in results.groups("source").items() if name})
    years = {year: n for year, n in results.groups("year").items() if year}
    return {
        "source": dict(sources.most_common()),
        "year": dict(sorted(years.items(), reverse=True)),
    }
