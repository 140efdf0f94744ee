"""Scraped news pages in: drop the page furniture and find title, date, source, author and body."""

# A scraped page is mostly furniture: subscription banners, ``Baca juga:``
# links, share buttons and a ``Terkini Lainnya`` list of other headlines. Only
# the article itself may reach the index, or a query for ``Rafah`` would find a
# story about Kazakhstan because of a headline in its sidebar. The rules below
# are data (patterns), so a new publisher's furniture is one line to add.

from __future__ import annotations

import re
from typing import NamedTuple

from search.ingest.article import Article, ArticleError, _title_from_lead
from search.ingest.datelines import DOMAIN_DATELINE
from search.ingest.dates import DATE_LINE, parse_date

# Lines dropped wherever they appear.
FURNITURE_LINES = [
    r"Baca berita (tanpa|dengan sedikit) iklan.*",
    r"Simak breaking news.*",
    r"Video (rekomendasi|lainnya)",
    r"Komentar:?",
    r"Close Ads",
    r"Bagikan artikel ini melalui",
    r"Oke",
    r"Login untuk .*",
    r"Halaman:?\s*(\d+\s*)*",
    r"Penulis",
    r"Editor",
    r"(Global|Internasional|Nasional|Regional|Megapolitan)",
    # Credit lines are short and are not sentences: "Sumber Reuters" is a
    # credit, "Sumber dana proyek itu berasal dari APBD." is news.
    r"Sumber:?\s+[^.,;:!?]{1,40}",
    r"(Laporan|Penulis|Editor|Reporter):\s*[^.;!?]{1,60}",
    # Left in saved HTML pages by ad slots and embeds (Detik, CNN Indonesia).
    r"ADVERTISEMENT",
    r"SCROLL TO (CONTINUE|RESUME) WITH CONTENT",
    r"\[Gambas:[^\]]*\]",
    r"Simak (juga )?Video\b.{0,120}",
    r"\([a-z]{2,4}(/[a-z]{2,4})+\)",  # editors' initials closing a Detik story: "(msl/imk)"
]
# Everything from one of these lines on is the page's sidebar and footer.
END_MARKERS = [r"Terkini Lainnya", r"Berita Terkait", r"Artikel Terkait"]
RELATED_LINE = re.compile(r"^(?:Baca juga|Baca pula|Lihat juga|Pilihan Editor)\s*:\s*(.+)$", re.IGNORECASE)

_FURNITURE = re.compile(r"^(?:%s)$" % "|".join(FURNITURE_LINES), re.IGNORECASE)
_END = re.compile(r"^(?:%s)$" % "|".join(END_MARKERS), re.IGNORECASE)

# The publishers a page's dateline names (datelines.DOMAIN_DATELINE): "ASTANA, KOMPAS.com –",
# "TEMPO.CO, Jakarta -", "SinPo.id -".
PUBLISHERS = {
    "kompas.com": "Kompas.com",
    "tempo.co": "Tempo.co",
    "sinpo.id": "SinPo.id",
    "detik.com": "Detik.com",
    "antaranews.com": "Antara",
    "antara": "Antara",
    "cnnindonesia.com": "CNN Indonesia",
    "suara.com": "Suara.com",
    "okezone.com": "Okezone",
    "republika.co.id": "Republika",
    "liputan6.com": "Liputan6.com",
    "tribunnews.com": "Tribunnews.com",
}
_PUBLISHER = re.compile(
    r"\b(%s)\b" % "|".join(re.escape(p) for p in sorted(PUBLISHERS, key=len, reverse=True)),
    re.IGNORECASE,
)
# "REUTERS | NESA AQILA": the wire, then the writer, on the page's last line.
WIRE_BYLINE = re.compile(r"^(?P<wire>[A-Z][A-Z .&]+)\s*\|\s*(?P<name>[A-Z][A-Z .'-]+)$")
LAPORAN = re.compile(r"^(?:Laporan|Penulis|Reporter)\s*:\s*(?P<name>.+)$", re.IGNORECASE)
# A site's signature glued to the last word: "kepada wartawan.sinpo"
SIGNATURE = re.compile(r"\.(sinpo|kompas|tempo)\s*$", re.IGNORECASE)


def _publisher(text: str) -> str | None:
    m = _PUBLISHER.search(text)
    return PUBLISHERS[m.group(1).lower()] if m else None


class _PageLines(NamedTuple):
    """A page's lines with the furniture gone, and what the furniture said."""

    kept: list[str]
    related: list[str]
    date: str | None
    author: str | None
    source: str | None


def _page_lines(lines: list[str]) -> _PageLines:
    """Keep a page's article lines up to its sidebar; note its related links, date line, publisher and author."""
    kept: list[str] = []
    related: list[str] = []
    date = author = source = None
    for line in lines:
        if _END.match(line):
            break
        if not line:
            continue
        m = RELATED_LINE.match(line)
        if m:
            related.append(m.group(1).strip())
            continue
        m = LAPORAN.match(line)
        if m and author is None:
            author = m["name"].strip()
        if line.lower() == "penulis" and kept and author is None:
            author = kept.pop()  # Kompas puts the name on the line above
            continue
        if _FURNITURE.match(line):
            continue
        if date is None and DATE_LINE.match(line):
            date = parse_date(line)
            source = source or _publisher(line)
            continue
        if kept and line == kept[-1]:
            continue  # an image caption repeated under the picture
        kept.append(line)
    return _PageLines(kept, related, date, author, source)


def _body_start(kept: list[str]) -> int:
    """Where the body starts among a page's kept lines: its dateline, else its first long line, else the top."""
    start = next((i for i, line in enumerate(kept) if DOMAIN_DATELINE.match(line)), None)
    if start is None:
        start = next((i for i, line in enumerate(kept) if len(line) > 120), 0)
    return start


def parse_page(text: str, doc_id: str, origin: str = "") -> Article:
    """Extract title, date, source, author and the clean body from a scraped page."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    kept, related, date, author, source = _page_lines(lines)

    if kept and (m := WIRE_BYLINE.match(kept[-1])):
        kept.pop()
        author = author or m["name"].title()

    # The body starts at the dateline ("ASTANA, KOMPAS.com – ..."); what comes
    # before it is the headline and the picture caption.
    start = _body_start(kept)
    header, paragraphs = kept[:start], kept[start:]
    # Drop captions that were printed twice (the duplicate was removed above,
    # so a caption is a header line following the title).
    if not paragraphs:
        raise ArticleError("no article body found")
    if source is None and (m := DOMAIN_DATELINE.match(paragraphs[0])):
        source = _publisher(m["pub"])
    paragraphs[-1] = SIGNATURE.sub(".", paragraphs[-1])
    title = header[0] if header else _title_from_lead(paragraphs[0])
    return Article(
        id=doc_id,
        title=title,
        body="\n\n".join(paragraphs),
        date=date,
        source=source,
        author=author,
        related=related,
        origin=origin,
    )


def clean_text(text: str) -> tuple[str, list[str]]:
    """Drop furniture lines from an already extracted text (JSONL input)."""
    paragraphs, related = [], []
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if _END.match(stripped):
            break
        m = RELATED_LINE.match(stripped)
        if m:
            related.append(m.group(1).strip())
        elif not (stripped and _FURNITURE.match(stripped) and len(stripped) > 20):
            # Short furniture words ("Oke", "Global") are left in free text:
            # there they are more likely to be words of the article.
            paragraphs.append(line)
    return "\n".join(paragraphs).strip(), related
