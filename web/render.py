"""The web's rendering of results: escaped HTML with each match in ``<mark>``, and the API's JSON of them.

The library gives text and the spans of the matches (``search.Highlighted``);
what a page or the JSON API shows of them is made here. The JSON API's
``snippet`` is HTML (escaped text, matches in ``<mark>``), as it always was;
``cari search --json`` prints the same JSON.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from search import ArticlePage, Highlighted, Hit, SearchResults


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


def article_html(article: ArticlePage) -> dict:
    """The title and paragraphs of an article as HTML (escaped, matches in ``<mark>``)."""
    return {"title_html": marked_html(article.marked_title),
            "paragraphs_html": [marked_html(paragraph) for paragraph in article.paragraphs]}
