"""Search results to take away: every match as a row, written as CSV or JSON Lines, a line at a time.

``cari search QUERY --format csv|jsonl --all`` and the results page's
download (``/export.csv``, ``/export.jsonl``) write the same rows: the
fields of a result in ``cari search --json`` (``snippet`` as plain text) and
its story: ``story``, the id that names the story (its first article by
id; empty for an article in no group), and ``same_story``, the other
articles of it that matched (in JSON Lines ``[{id, source, title, date}]``,
in CSV their ids separated by spaces).

CSV is written for spreadsheets, the way researchers open it:

- UTF-8 with a byte order mark first: Excel reads a CSV without one in the
  machine's legacy code page (Windows-1252), turning every "é", "—" or
  curly quote of Indonesian news into mojibake; with it, Excel, LibreOffice
  and Python's ``encoding="utf-8-sig"`` all read UTF-8 (Python's plain
  ``"utf-8"`` keeps it as a character on the first header name).
- A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return gets a ``'`` in front (OWASP's advice on CSV injection): a title
  such as ``=HYPERLINK("http://…")`` is shown as text instead of run as a
  formula when the file is opened. Numbers (the score) are left as numbers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from search.analysis.stemmer import shared_stemmer
from search.highlight.spans import snippet
from search.query.parsed import TermMatcher
from search.ranking.stories import STORY_FIELDS, StoryMap

FIELDS = ("id", "title", "source", "date", "author", "url", "score", "snippet", "story", "same_story")
BOM = "\ufeff"
FORMATS = ("csv", "jsonl")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Words an export's snippets may add to the shared stem cache before it is cut back to its size at the start:
# stemming the snippets of 60,000 articles of 100,000 grew a process by 130 MB every 8,000 rows.
STEMS_KEPT = 20_000


@dataclass
class AllMatches:
    """Every match of a search, to be read once as rows (``rows()``), one article at a time.

    ``total`` and ``stories`` are the search's counts. The rows read the
    generation the search ranked, through a reader of their own that
    ``close()`` (or reading every row) closes, and the hold that keeps the
    generation on disk meanwhile.
    """

    total: int
    stories: int
    ranked: list[tuple[int, Any]]  # (document number, score or None) in the search's order
    matched: Any  # bool per document: what matched
    matcher: TermMatcher
    story_map: StoryMap
    reader: Any  # a Whoosh reader of the generation, of its own
    held: Any  # search.index.generations.HeldGeneration
    _closed: bool = field(default=False, repr=False)

    def rows(self, start: int = 0, stop: int | None = None) -> Iterator[dict]:
        """One dict of FIELDS per match, in order (those ranked ``start`` to ``stop``); the reader is closed at
        the end (or on ``close()``)."""
        stemmer = shared_stemmer()
        kept = len(stemmer.known_roots())
        try:
            for at, (docnum, score) in enumerate(self.ranked[start:stop], 1):
                yield self._row(self.reader.stored_fields(docnum), score)
                if not at % 1000 and len(stemmer.known_roots()) > kept + STEMS_KEPT:
                    stemmer.forget_since(kept)  # the snippets stemmed every new word they met: memory back
        finally:
            self.close()

    def _row(self, fields: dict, score: object) -> dict:
        doc_id = fields.get("id", "")
        others = [self.reader.stored_fields(docnum) for docnum in self.story_map.others(doc_id, self.matched)]
        return {
            "id": doc_id, "title": fields.get("title", ""),
            **{name: fields.get(name) for name in ("source", "date", "author", "url")},
            "score": round(float(score), 4) if isinstance(score, (int, float)) else None,
            "snippet": snippet(fields.get("body", ""), self.matcher).text,
            "story": self.story_map.label(doc_id),
            "same_story": sorted(({name: other.get(name) for name in STORY_FIELDS} for other in others),
                                 key=lambda other: (other.get("date") or "", other.get("id") or "")),
        }

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.reader.close()
            self.held.release()


def safe_cell(value: object) -> str | int | float:
    """A CSV cell: numbers as they are, text that a spreadsheet would run as a formula with ``'`` in front."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    """The CSV of ``rows`` (dicts of FIELDS): the byte order mark and header, then one line a row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: Iterable[object]) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield BOM + line(FIELDS)
    for row in rows:
        same = " ".join(other["id"] for other in row.get("same_story") or [])
        yield line([safe_cell(same if name == "same_story" else row.get(name)) for name in FIELDS])


def jsonl_lines(rows: Iterable[dict]) -> Iterator[str]:
    """One JSON object a line, the FIELDS of each row."""
    for row in rows:
        yield json.dumps({name: row.get(name) for name in FIELDS}, ensure_ascii=False) + "\n"


def result_lines(rows: Iterable[dict], form: str) -> Iterator[str]:
    """``rows`` written as ``form`` (``csv`` or ``jsonl``)."""
    if form not in FORMATS:
        raise ValueError(f"unknown format {form!r}: use csv or jsonl")
    return csv_lines(rows) if form == "csv" else jsonl_lines(rows)
