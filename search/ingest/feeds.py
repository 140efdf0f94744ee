"""RSS and Atom feeds in (feedparser): one article an item, its full text where the feed has it, else its summary.

An item's id is its ``guid``/``id``, else its link; its text is the item's
``content:encoded`` (Atom ``content``), else its ``description``/``summary``,
HTML stripped; its date keeps its zone (``+0700`` stays WIB).
"""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import lxml.html
from lxml.etree import ParserError

from search.ingest.article import Article, ArticleError, Problem, lead_title
from search.ingest.dates import parse_date
from search.ingest.pages import _publisher, clean_text

# Elements whose end is a paragraph break when an item's HTML becomes text.
_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section", "article",
           "figure", "figcaption", "ul", "ol", "table", "pre"}


_BREAK = "\u2029"  # PARAGRAPH SEPARATOR: never in a feed's text, so it marks the ends of blocks


def html_to_text(fragment: str) -> str:
    """The text of an HTML fragment, one paragraph a line; scripts, styles and captions dropped."""
    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ParserError, ValueError):
        return ""
    for element in root.iter("script", "style", "figcaption", "iframe", "noscript"):
        element.drop_tree()
    # A newline in the source is a space; only the end of a block is a paragraph break.
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            element.tail = _BREAK + (element.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().split(_BREAK))
    return "\n".join(line for line in lines if line)


def _date(entry: Any) -> str | None:
    for name in ("published", "updated", "created"):
        text = entry.get(name)
        if not text:
            continue
        try:
            return parsedate_to_datetime(text).isoformat()  # RSS: "Thu, 06 Oct 2022 21:01:00 +0700"
        except (TypeError, ValueError, IndexError):
            iso = parse_date(text)  # Atom: ISO 8601
            if iso:
                return iso
    return None


def _text(entry: Any) -> str:
    for content in entry.get("content") or []:  # content:encoded, Atom <content>
        text = html_to_text(content.get("value") or "")
        if text:
            return text
    return html_to_text(entry.get("summary") or "")


def read_feed(data: bytes, name: str) -> Iterator[Article | Problem]:
    """The articles of an RSS or Atom feed, one an item; an item without text is reported by its number."""
    import feedparser  # lazy: 0.1 s to import, and `cari search` loads this module (through index.records)

    feed = feedparser.parse(data)
    version = feed.get("version")
    if not version:
        reason = feed.get("bozo_exception")
        raise ArticleError("not an RSS or Atom feed" + (f" ({reason})" if reason else ""))
    if not feed.entries:
        raise ArticleError(f"a feed ({version}) with no items")
    if feed.get("bozo") and feed.get("bozo_exception") is not None:
        # Cut short or not well-formed: feedparser reads what it can, and the user hears of the rest.
        yield Problem(name, f"not a well-formed feed ({feed.bozo_exception}); the items before the fault were read",
                      skipped=False)
    info = feed.get("feed", {})
    source = _publisher(info.get("link") or "") or _publisher(info.get("title") or "") or _feed_title(info)
    for number, entry in enumerate(feed.entries, 1):
        origin = f"{name} item {number}"
        doc_id = (entry.get("id") or entry.get("link") or "").strip()
        if not doc_id:
            yield Problem(origin, "an item with neither a guid/id nor a link: no id to index it by")
            continue
        if not doc_id.isprintable():  # as for JSON ids: every article must open at /article/ID
            doc_id = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in doc_id)
            yield Problem(origin, f"its id holds control characters; indexed as {doc_id!r}", skipped=False)
        body, related = clean_text(_text(entry))
        if not body:
            yield Problem(origin, "an item with no text (neither content nor a summary)")
            continue
        title = html_to_text(entry.get("title") or "") or lead_title(body)
        link = entry.get("link")
        yield Article(
            id=doc_id, title=title, body=body, date=_date(entry), source=source,
            author=(entry.get("author") or "").strip() or None,
            url=link if isinstance(link, str) and link.startswith(("http://", "https://")) else None,
            related=related, origin=origin,
        )


def _feed_title(info: Any) -> str | None:
    """A feed's own name (``Antaranews.com - Berita Terkini``: its first part), as the items' source."""
    title = html_to_text(info.get("title") or "")
    return title.split(" - ")[0].split(" | ")[0].strip() or None
