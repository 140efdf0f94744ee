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

FIELDS = ("id", "title", "source", "date", "author", "url", "score", "snippet", "story", "same_story")
BOM = "\ufeff"
FORMATS = ("csv", "jsonl")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def lines(rows: Iterable[dict], form: str) -> Iterator[str]:
    """``rows`` written as ``form`` (``csv`` or ``jsonl``)."""
    if form not in FORMATS:
        raise ValueError(f"unknown format {form!r}: use csv or jsonl")
    return csv_lines(rows) if form == "csv" else jsonl_lines(rows)
