"""The web's rendering of results: escaped HTML with each match in ``<mark>``.

The library gives text and the spans of the matches (``search.Highlighted``);
what a page shows of them is made here, with ``marked_html``, the marking the
JSON API's snippets use too (the JSON's shape is the library's,
``search.results_json``, which ``cari search --json`` prints as well).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from search import hit_json, marked_html, results_json

if TYPE_CHECKING:
    from search import ArticlePage

__all__ = ["article_html", "hit_json", "marked_html", "results_json"]


def article_html(article: ArticlePage) -> dict:
    """The title and paragraphs of an article as HTML (escaped, matches in ``<mark>``)."""
    return {"title_html": marked_html(article.marked_title),
            "paragraphs_html": [marked_html(paragraph) for paragraph in article.paragraphs]}
