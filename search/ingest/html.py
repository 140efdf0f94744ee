"""Saved HTML pages in: the article text by trafilatura, the rest from the page's metadata, then Cari's rules.

Hand-written rules for each site's markup would break with every redesign;
trafilatura (with htmldate for dates) is the field's well-kept extractor of
the article itself, leaving out navigation, comments, related-article lists
and scripts. The page's own metadata says what the text does not:
``og:*`` and ``article:*`` tags, the JSON-LD ``NewsArticle``, the canonical
link. A page's title names its site (``... - Kompas.com``,
``KapanLagi.com: ...``): the site is the publisher, and the title is the
headline alone. Cari's furniture rules (``Baca juga``, date lines, share
lines: ``pages``) then run on the text, as on a copy-pasted page.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import NamedTuple
from urllib.parse import urlsplit

import lxml.html

from search.ingest.article import Article, ArticleError, lead_title
from search.ingest.dates import parse_date
from search.ingest.decoding import decode
from search.ingest.pages import PUBLISHERS, _page_lines, _publisher

ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
                 "opinionnewsarticle", "backgroundnewsarticle", "report"}
DATE_META = ("article:published_time", "og:article:published_time", "datepublished", "pubdate", "publishdate",
             "content_publisheddate", "dc.date", "dc.date.issued", "date")
AUTHOR_META = ("article:author", "author", "content_author", "dc.creator")
# Separators between a headline and its site's name: "Judul - Kompas.com", "Judul | Republika Online".
_SITE_AFTER = re.compile(r"^(?P<head>.+?)\s*(?:\s[-–—|•]|\|)\s*(?P<site>[^-–—|•]{2,50})$")
_SITE_BEFORE = re.compile(r"^(?P<site>[^:|–—]{2,40}?)\s*(?::|\s[-–—|]\s)\s*(?P<head>.+)$")
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)+$")
# trafilatura writes a table's cells as "| cell |": Detik puts its "Baca juga" links in one.
_TABLE_CELL = re.compile(r"^\|\s*|\s*\|$")
PARAGRAPH_WORDS = 10  # an article has at least one paragraph this long; a front page's links do not
_PAGE_SUFFIX = re.compile(r"\s+Halaman\s+(?:all|\d+)$", re.IGNORECASE)  # Kompas: "... Halaman all"


class PageMeta(NamedTuple):
    """What a page's metadata says of its article (each may be None)."""

    headline: str | None
    page_title: str | None
    date: str | None
    author: str | None
    site: str | None
    url: str | None


def read_html_bytes(data: bytes, doc_id: str, origin: str) -> Article:
    """The article of a saved HTML page's bytes (UTF-8, else the charset it declares, else Windows-1252)."""
    if not data.strip():
        raise ArticleError("empty file")
    return parse_html(_html_text(data), doc_id, origin)


def _html_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = re.search(rb"""<meta[^>]+charset=["']?([\w-]+)""", data[:4096], re.IGNORECASE)
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return decode(data)[0]


def parse_html(html: str, doc_id: str, origin: str = "") -> Article:
    """Title, date, author, publisher, URL and the clean text of one saved news page."""
    meta = page_meta(html)
    found = _extract(html)
    keys = site_keys(meta)
    title, site = headline_and_site(meta.headline or meta.page_title or found.title or "", keys)
    if site is None and meta.page_title:  # the <title> names the site the og:title leaves out
        site = headline_and_site(meta.page_title, keys)[1]
    lines = [_TABLE_CELL.sub("", line.strip()) for line in found.text.split("\n")]
    while lines and title and _same(lines[0], title):  # trafilatura keeps the <h1>
        lines.pop(0)
    kept, related, text_date, text_author, text_source = _page_lines(lines)
    if not any(len(line.split()) >= PARAGRAPH_WORDS for line in kept):
        raise ArticleError("no article text found in the HTML page (only links and headings: a front or index page?)")
    body = "\n\n".join(kept)
    source = _canonical(meta.site) or _canonical(site) or text_source or _host_publisher(meta.url) \
        or _canonical(found.sitename)
    return Article(
        id=doc_id,
        title=title or lead_title(body),
        body=body,
        date=meta.date or text_date or (parse_date(found.date) if found.date else None),
        source=source,
        author=meta.author or text_author or _clean(found.author),
        url=meta.url,
        related=related,
        origin=origin,
    )


class _Extracted(NamedTuple):
    """What trafilatura found: the article's text, and its own reading of the metadata (the fallback)."""

    text: str
    title: str | None
    date: str | None  # by htmldate, the publication date rather than the last change
    author: str | None
    sitename: str | None


def _extract(html: str) -> _Extracted:
    try:
        import trafilatura  # lazy: 0.25 s to import, only HTML pages need it
    except ImportError as e:  # trafilatura 2.3 needs lxml_html_clean beside it
        raise ArticleError(f"cannot read HTML: trafilatura does not import ({e}); reinstall Cari") from None
    for name in ("trafilatura", "htmldate"):  # their doubts are ours to report, once
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        # No deduplicate=True: its cache spans documents, and would cut a wire story's paragraphs from the second
        # page that carries them.
        doc = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_images=False, include_links=False,
            date_extraction_params={"original_date": True, "extensive_search": True},
        )
    except Exception as e:  # noqa: BLE001 - lxml and trafilatura raise many kinds on broken markup
        raise ArticleError(f"HTML that cannot be read ({type(e).__name__})") from None
    def found(name: str) -> str | None:
        value = getattr(doc, name, None)
        return value if isinstance(value, str) else None

    text = found("text")
    if not text or not text.strip():
        raise ArticleError("no article text found in the HTML page")
    return _Extracted(text, found("title"), found("date"), found("author"), found("sitename"))


def page_meta(html: str) -> PageMeta:
    """The ``og:*``/``article:*`` tags, the JSON-LD article, the canonical link and the ``<title>`` of a page."""
    try:
        tree = lxml.html.document_fromstring(html)
    except Exception:  # noqa: BLE001 - an empty or broken document: no metadata, the text may still be read
        return PageMeta(None, None, None, None, None, None)
    tags: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").strip().lower()
        value = (element.get("content") or "").strip()
        if key and value and key not in tags:
            tags[key] = value
    ld = _json_ld_article(tree)
    canonical = next((link.get("href") for link in tree.iter("link")
                      if "canonical" in (link.get("rel") or "").lower().split() and link.get("href")), None)
    title_element = tree.find(".//title")
    dates = [ld.get("datePublished"), *(tags.get(name) for name in DATE_META)]
    return PageMeta(
        headline=_clean(ld.get("headline")) or _clean(tags.get("og:title")) or _clean(tags.get("twitter:title")),
        page_title=_clean(title_element.text_content()) if title_element is not None else None,
        date=next((iso for iso in (parse_date(d) for d in dates if isinstance(d, str)) if iso), None),
        author=_name(ld.get("author")) or next((_clean(tags[n]) for n in AUTHOR_META
                                                if tags.get(n) and not tags[n].startswith("http")), None),
        site=_clean(tags.get("og:site_name")) or _name(ld.get("publisher")),
        url=_web_url(canonical) or _web_url(tags.get("og:url")) or _web_url(_ld_url(ld)),
    )


def _json_ld_article(tree: lxml.html.HtmlElement) -> dict:
    """The first JSON-LD object of an article type on the page (``@graph`` and lists searched), or {}."""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text_content())
        except (ValueError, RecursionError):
            continue  # a broken block: the other metadata remains
        for obj in _ld_objects(data):
            kinds = obj.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(k, str) and k.lower() in ARTICLE_TYPES for k in kinds):
                return obj
    return {}


def _ld_objects(data: object, depth: int = 0) -> Iterator[dict]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _ld_objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        yield from _ld_objects(data.get("@graph"), depth + 1)


def _ld_url(ld: dict) -> str | None:
    page = ld.get("mainEntityOfPage")
    if isinstance(page, dict):
        page = page.get("@id") or page.get("url")
    return page if isinstance(page, str) else ld.get("url") if isinstance(ld.get("url"), str) else None


def _name(value: object) -> str | None:
    """A JSON-LD person or organisation (or a list of them, or a plain string) as names."""
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value[:5]) if n]
        return ", ".join(dict.fromkeys(names)) or None
    if isinstance(value, dict):
        value = value.get("name")
    return _clean(value) if isinstance(value, str) and not value.startswith("http") else None


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def _web_url(url: str | None) -> str | None:
    return url.strip() if url and url.strip().lower().startswith(("http://", "https://")) else None


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def site_keys(meta: PageMeta) -> tuple[set[str], set[str]]:
    """Words that name the page's site: (its own: og:site_name, host ``kompas``; those of known publishers)."""
    own = set()
    if meta.site:
        own |= {_key(meta.site), _key(meta.site.split(".")[0])}
    host = urlsplit(meta.url or "").hostname or ""
    parts = [p for p in host.split(".") if p not in ("www", "m", "com", "co", "id", "net", "org", "or", "go")]
    if parts:
        own.add(_key(parts[-1]))
    known = {_key(name.split(".")[0]) for name in PUBLISHERS}
    return {k for k in own if len(k) >= 4}, {k for k in known if len(k) >= 4}


def _is_site(segment: str, keys: set[str]) -> bool:
    segment = segment.strip()
    if not segment or len(segment.split()) > 5:
        return False
    if _DOMAIN.match(segment) and "." in segment:
        return True
    key = _key(segment)
    return any(k in key for k in keys)


def headline_and_site(title: str, keys: tuple[set[str], set[str]]) -> tuple[str, str | None]:
    """A page title as (headline, site name): ``Banjir di Bekasi - Kompas.com`` -> (``Banjir di Bekasi``, ``Kompas.com``).

    A name after the headline is taken off when it names the page's site or a
    known publisher; a name before it (``KapanLagi.com: ...``) only when it is
    a domain or the page's own site, since ``Jokowi: ...`` starts many headlines.
    """
    own, known = keys
    title = _PAGE_SUFFIX.sub("", " ".join(title.split()))
    site = None
    for _ in range(3):  # "Judul | Nasional | Tempo.co": only site names are taken off, one at a time
        after = _SITE_AFTER.match(title)
        if after and _is_site(after["site"], own | known):
            title, site = _PAGE_SUFFIX.sub("", after["head"].strip()), site or after["site"].strip()
            continue
        before = _SITE_BEFORE.match(title)
        if before and _is_site(before["site"], own):
            title, site = before["head"].strip(), site or before["site"].strip()
            continue
        break
    return title, site


def _canonical(name: str | None) -> str | None:
    """A site's name as Cari's publisher filter knows it (``KOMPAS.com`` -> ``Kompas.com``), else as given."""
    if not name:
        return None
    for key, canonical in PUBLISHERS.items():
        if _key(name) in (_key(key), _key(canonical), _key(key.split(".")[0]) + "news"):
            return canonical
    return name


def _host_publisher(url: str | None) -> str | None:
    host = urlsplit(url or "").hostname
    return _publisher(host) if host else None


def _same(line: str, title: str) -> bool:
    return _key(line) == _key(title) or _key(_PAGE_SUFFIX.sub("", line)) == _key(title)
