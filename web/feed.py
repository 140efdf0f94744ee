"""The Atom feed of a search (RFC 4287): a newsroom follows ``banjir`` or ``"setya novanto"`` in a feed reader.

The feed holds the newest matches of the query and its filters, newest first,
and only articles holding every word of the query (a search that found too
few and widened to most of the words gives an empty feed, not a loose one).
Its ETag and Last-Modified come from the index generation, so a reader that
polls is answered 304 until the archive changes. Built with ElementTree:
every text is escaped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timezone
from urllib.parse import quote
from xml.etree import ElementTree as ET

from search import SearchResults, utc_moment

from .formatting import web_link

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50  # the newest matches a feed holds

ET.register_namespace("", ATOM)


def feed_etag(generation: str, args: dict) -> str:
    """One generation and one query: one feed (the query's arguments in a fixed order)."""
    key = generation + "\0" + "\0".join(f"{k}={v}" for k, v in sorted(args.items()))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    element.text = text
    return element


def atom(results: SearchResults, title: str, self_url: str, page_url: str, article_url: Callable[[str], str],
         changed: datetime, feed_id: str) -> bytes:
    """The feed's XML: ``results`` (newest first), ``changed`` when the index last changed."""
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "id"})
    _text(feed, "id", feed_id)
    _text(feed, "title", title)
    _text(feed, "subtitle", "Artikel terbaru yang memuat setiap kata pencarian ini, dari Cari.")
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "type": "application/atom+xml", "href": self_url})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": page_url})
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "Cari")
    _text(feed, "generator", "Cari")
    hits = results.hits if results.matched == "all" else []
    moments = [utc_moment(hit.date) or changed for hit in hits]
    _text(feed, "updated", _stamp(max(moments, default=changed)))
    for hit, moment in zip(hits, moments, strict=True):
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", "urn:cari:article:" + quote(hit.id, safe=""))
        _text(entry, "title", hit.title or hit.id)
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html",
                                                 "href": article_url(hit.id)})
        original = web_link(hit.url)
        if original:
            ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "related", "type": "text/html", "href": original})
        _text(entry, "updated", _stamp(moment))
        if utc_moment(hit.date) is not None:
            _text(entry, "published", _stamp(moment))
        if hit.author or hit.source:
            _text(ET.SubElement(entry, f"{{{ATOM}}}author"), "name", hit.author or hit.source or "")
        if hit.source:
            ET.SubElement(entry, f"{{{ATOM}}}category", {"term": hit.source})
        _text(entry, "summary", hit.snippet.text, type="text")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8", xml_declaration=False)
