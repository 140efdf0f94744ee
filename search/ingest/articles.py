"""Articles in: parse scraped news pages and JSON Lines into clean :class:`Article` s.

A scraped page is mostly furniture: subscription banners, ``Baca juga:``
links, share buttons and a ``Terkini Lainnya`` list of other headlines. Only
the article itself may reach the index, or a query for ``Rafah`` would find a
story about Kazakhstan because of a headline in its sidebar. The rules below
are data (patterns), so a new publisher's furniture is one line to add.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

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
]
# Everything from one of these lines on is the page's sidebar and footer.
END_MARKERS = [r"Terkini Lainnya", r"Berita Terkait", r"Artikel Terkait"]
RELATED_LINE = re.compile(r"^Baca juga\s*:\s*(.+)$", re.IGNORECASE)

_FURNITURE = re.compile(r"^(?:%s)$" % "|".join(FURNITURE_LINES), re.IGNORECASE)
_END = re.compile(r"^(?:%s)$" % "|".join(END_MARKERS), re.IGNORECASE)

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "pebruari": 2, "maret": 3, "mar": 3,
    "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "agustus": 8, "agu": 8, "agt": 8, "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "november": 11, "nov": 11, "nopember": 11,
    "desember": 12, "des": 12,
}
ZONES = {"WIB": 7, "WITA": 8, "WIT": 9}
_TIME = r"(?:,?\s*(?:\|\s*)?(?:pukul\s+)?(?P<hh>\d{1,2})[:.](?P<mi>\d{2})\s*(?P<tz>WIB|WITA|WIT)?)?"
# "Kompas.com - 06/10/2022, 21:01 WIB"
NUMERIC_DATE = re.compile(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})" + _TIME)
# "Sabtu, 08 Januari 2022 | 09:20 WIB"
NAMED_DATE = re.compile(
    r"(?P<d>\d{1,2})\s+(?P<mon>[A-Za-z]+)\s+(?P<y>\d{4})" + _TIME, re.IGNORECASE
)
WEEKDAYS = r"(?:Senin|Selasa|Rabu|Kamis|Jumat|Jum'at|Sabtu|Minggu|Ahad)"
# A page's own date line: "Kompas.com - 06/10/2022, 21:01 WIB" or
# "Sabtu, 08 Januari 2022 | 09:20 WIB" (not a date inside a sentence).
DATE_LINE = re.compile(
    r"^(?:[\w.]+\.(?:com|co|id)\s*[-–—]\s*|%s,?\s*)?\d{1,2}(?:/\d{1,2}/|\s+[A-Za-z]+\s+)\d{4}\b.{0,30}$" % WEEKDAYS,
    re.IGNORECASE,
)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")

# Where a page's dateline names its publisher: "ASTANA, KOMPAS.com –",
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
DATELINE = re.compile(
    r"^(?:[A-Z][\w .'-]*,\s*)?(?P<pub>[\w+-]+\.(?:com|co\.id|co|id|net))(?:,\s*[\w .'-]+)?\s*[-–—]\s+\S",
    re.IGNORECASE,
)
# "REUTERS | NESA AQILA": the wire, then the writer, on the page's last line.
WIRE_BYLINE = re.compile(r"^(?P<wire>[A-Z][A-Z .&]+)\s*\|\s*(?P<name>[A-Z][A-Z .'-]+)$")
LAPORAN = re.compile(r"^(?:Laporan|Penulis|Reporter)\s*:\s*(?P<name>.+)$", re.IGNORECASE)
# A site's signature glued to the last word: "kepada wartawan.sinpo"
SIGNATURE = re.compile(r"\.(sinpo|kompas|tempo)\s*$", re.IGNORECASE)


class ArticleError(ValueError):
    """An input that cannot become an article; the message says why."""


@dataclass
class Article:
    """One news article, clean: what the index stores and searches."""

    id: str
    title: str
    body: str
    date: str | None = None  # ISO 8601
    source: str | None = None
    author: str | None = None
    url: str | None = None
    related: list[str] = field(default_factory=list)
    origin: str = ""  # file (and line) it came from

    @property
    def content_hash(self) -> str:
        """A digest of everything indexed, to notice a changed article."""
        data = json.dumps(
            [self.title, self.body, self.date, self.source, self.author, self.url],
            ensure_ascii=False,
        )
        return hashlib.sha1(data.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Problem:
    """An input the indexer skipped (or read with a caveat), and why."""

    origin: str  # "path" or "path:line"
    reason: str
    skipped: bool = True

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


def parse_date(text: str) -> str | None:
    """The first date (and time) in ``text`` as ISO 8601, or None.

    Understands the forms Indonesian news pages use, with WIB/WITA/WIT turned
    into UTC offsets, and ISO 8601 itself.
    """
    text = text.strip()
    if ISO_DATE.match(text):
        return text.replace(" ", "T", 1)
    for pattern in (NUMERIC_DATE, NAMED_DATE):
        for m in pattern.finditer(text):
            month = int(m["m"]) if "m" in m.groupdict() else MONTHS.get(m["mon"].lower())
            try:
                day = datetime(int(m["y"]), month or 0, int(m["d"]))
            except (TypeError, ValueError):
                continue
            if m["hh"] is None:
                return day.date().isoformat()
            try:
                moment = day.replace(hour=int(m["hh"]), minute=int(m["mi"]))
            except ValueError:
                return day.date().isoformat()
            if m["tz"]:
                moment = moment.replace(tzinfo=timezone(timedelta(hours=ZONES[m["tz"].upper()])))
            return moment.isoformat()
    return None


def _publisher(text: str) -> str | None:
    m = _PUBLISHER.search(text)
    return PUBLISHERS[m.group(1).lower()] if m else None


def _title_from_lead(lead: str, limit: int = 90) -> str:
    """A headline-sized title from a lead paragraph, for pages without one."""
    lead = re.sub(r"^.{0,60}?\s[-–—]\s+", "", lead, count=1)  # the dateline
    sentence = re.split(r"(?<=[.!?])\s", lead, maxsplit=1)[0]
    for cut in (" lantaran ", " karena ", " setelah ", " pada ", ", "):
        head = sentence.split(cut, 1)[0]
        if 25 <= len(head) <= limit:
            return head.rstrip(" ,.;:")
    if len(sentence) <= limit:
        return sentence.rstrip(" .")
    return sentence[:limit].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


def lead_title(body: str) -> str:
    """The title :func:`parse_page` and JSONL input make up for a body without one."""
    return _title_from_lead(body.split("\n", 1)[0])


def parse_page(text: str, doc_id: str, origin: str = "") -> Article:
    """Extract title, date, source, author and the clean body from a scraped page."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
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

    if kept and (m := WIRE_BYLINE.match(kept[-1])):
        kept.pop()
        author = author or m["name"].title()

    # The body starts at the dateline ("ASTANA, KOMPAS.com – ..."); what comes
    # before it is the headline and the picture caption.
    start = next((i for i, line in enumerate(kept) if DATELINE.match(line)), None)
    if start is None:
        start = next((i for i, line in enumerate(kept) if len(line) > 120), 0)
    header, paragraphs = kept[:start], kept[start:]
    # Drop captions that were printed twice (the duplicate was removed above,
    # so a caption is a header line following the title).
    if not paragraphs:
        raise ArticleError("no article body found")
    if source is None and (m := DATELINE.match(paragraphs[0])):
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


OPTIONAL_FIELDS = ("title", "date", "source", "author", "url")


def article_from_json(obj: object, origin: str) -> tuple[Article, list[str]]:
    """An article from one decoded JSONL object; also returns caveats to report."""
    if not isinstance(obj, dict):
        raise ArticleError(f"expected a JSON object, got {type(obj).__name__}")
    doc_id = obj.get("id")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise ArticleError('missing or empty "id"')
    text = obj.get("text")
    if not isinstance(text, str):
        raise ArticleError('missing "text"' if text is None else '"text" is not a string')
    body, related = clean_text(text)
    if not body:
        raise ArticleError('empty "text"')
    caveats = []
    values = {}
    for name in OPTIONAL_FIELDS:
        value = obj.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            caveats.append(f'"{name}" is not a string; ignored')
            continue
        values[name] = value.strip()
    if "date" in values:
        iso = parse_date(values["date"])
        if iso is None:
            caveats.append(f'unknown date format {values["date"]!r}; date left empty')
        values["date"] = iso  # type: ignore[assignment]  # None: no date
    title = values.pop("title", None) or lead_title(body)
    return Article(id=doc_id.strip(), title=title, body=body, related=related, origin=origin, **values), caveats


def decode(data: bytes) -> tuple[str, str | None]:
    """Text of a file's bytes, and a caveat when it was not UTF-8."""
    if b"\x00" in data[:8192]:
        raise ArticleError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as e:
        # Old scrapers save Windows-1252; reading it as such keeps the words.
        return data.decode("cp1252", errors="replace"), f"not UTF-8 ({e.reason} at byte {e.start}); read as Windows-1252"


def read_page_file(path: Path) -> Iterator[Article | Problem]:
    """The article in one ``.txt`` page (its id is the file name)."""
    try:
        text, caveat = decode(path.read_bytes())
        if caveat:
            yield Problem(str(path), caveat, skipped=False)
        if not text.strip():
            raise ArticleError("empty file")
        yield parse_page(text, path.stem, origin=str(path))
    except (OSError, ArticleError) as e:
        yield Problem(str(path), _reason(e))


def read_jsonl_file(path: Path) -> Iterator[Article | Problem]:
    """The articles of a JSON Lines file, one per line; bad lines are reported."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the `with` below; opening errors are reported
    except OSError as e:
        yield Problem(str(path), _reason(e))
        return
    with handle:
        for number, raw in enumerate(handle, 1):
            origin = f"{path}:{number}"
            if not raw.strip():
                continue
            try:
                text, caveat = decode(raw)
                if caveat:
                    yield Problem(origin, caveat, skipped=False)
                article, caveats = article_from_json(json.loads(text), origin)
            except json.JSONDecodeError as e:
                yield Problem(origin, f"invalid JSON ({e.msg} at column {e.colno})")
                continue
            except ArticleError as e:
                yield Problem(origin, str(e))
                continue
            for caveat in caveats:
                yield Problem(origin, caveat, skipped=False)
            yield article


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return f"cannot read ({error.strerror or error})"
    return str(error)


def source_files(sources: Iterable[str | os.PathLike]) -> Iterator[Path | Problem]:
    """The ``.txt`` and ``.jsonl`` files named or found (recursively) in ``sources``."""
    for source in sources:
        path = Path(source)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".txt", ".jsonl") and p.is_file())
            yield from found
        elif path.is_file():
            yield path
        else:
            yield Problem(str(path), "no such file or folder")


def read_articles(sources: Iterable[str | os.PathLike]) -> Iterator[Article | Problem]:
    """Every article in the given files and folders, with a Problem for each bad input."""
    for item in source_files(sources):
        if isinstance(item, Problem):
            yield item
        elif item.suffix.lower() == ".jsonl":
            yield from read_jsonl_file(item)
        else:
            yield from read_page_file(item)
