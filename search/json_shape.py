"""The JSON both front ends print of results: the JSON API's shape, which ``cari search --json`` prints too.

The results themselves are data (``search.results``: text and the spans of
the matches). This shape is the one place that turns them into the JSON a
script reads, shared by the two front ends (``web.api`` and
``search.cli.searching``), so neither imports the other. Its ``snippet`` is
HTML, as the JSON API's always was: the text escaped, each match in
``<mark>``; the web's pages mark text the same way (``web.render``).
"""

from __future__ import annotations

import html

from search.highlight.spans import Highlighted
from search.results import Hit, SearchResults


def marked_html(highlighted: Highlighted) -> str:
    """Everything escaped; the only markup added is ``<mark>`` around each match."""
    return "".join(f"<mark>{html.escape(piece)}</mark>" if matched else html.escape(piece)
                   for piece, matched in highlighted.pieces())


def hit_json(hit: Hit) -> dict:
    """The JSON of one result: its fields, ``snippet`` as HTML, and ``explain`` when asked for."""
    data = hit.to_dict()
    data.pop("marked_title")
    data["snippet"] = marked_html(hit.snippet)
    return data


def results_json(results: SearchResults) -> dict:
    """The JSON of a page of results, shared by ``/api/search`` and ``cari search --json``."""
    return {**results.to_dict(), "results": [hit_json(hit) for hit in results.hits]}
