"""Exports in: a JSON file (an array of articles, or one) and a CSV with a header; bad items reported by number.

Each article is checked as a JSON Lines one is (``article_from_json``): an
``id`` and a ``text``, and optionally ``title``, ``date``, ``source``,
``author``, ``url``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from search.ingest.article import Article, ArticleError, Problem
from search.ingest.decoding import decoded_text
from search.ingest.formats import CSV_FIELDS
from search.ingest.jsonl import checked_article, json_problem, read_jsonl_lines

# A whole article is one CSV field: far more than the csv module's 128 KB default.
csv.field_size_limit(64 * 1024 * 1024)
DELIMITERS = ",;\t|"  # Excel in an Indonesian locale writes ";"


def read_json(data: bytes, name: str) -> Iterator[Article | Problem]:
    """The articles of a ``.json`` file: an array of article objects, or one object."""
    text = yield from decoded_text(data, name)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        if e.msg == "Extra data" and text.lstrip().startswith("{") and e.lineno > 1:
            # One object a line, named .json: JSON Lines, as many exporters write them.
            yield Problem(name, "holds JSON Lines (one object a line), not one JSON value; read as JSON Lines",
                          skipped=False)
            yield from read_jsonl_lines(text.encode("utf-8").splitlines(), name)
            return
        raise ArticleError(f"invalid JSON ({json_problem(e, line=True)})") from None
    except RecursionError:
        raise ArticleError("JSON nested too deeply to read") from None
    if isinstance(value, dict):
        yield from checked_article(value, name)
    elif isinstance(value, list):
        if not value:
            raise ArticleError("an empty JSON array: no article")
        for number, item in enumerate(value, 1):
            yield from checked_article(item, f"{name} item {number}")
    else:
        raise ArticleError(f"expected a JSON array of articles or one article object, got {type(value).__name__}")


def column_map(header: list[str], columns: dict[str, str]) -> dict[str, int]:
    """Cari's field -> its column number in ``header``: the column of that name, or the one ``columns`` names."""
    names = [column.strip().lower() for column in header]
    found = {}
    for fieldname in CSV_FIELDS:
        wanted = columns.get(fieldname, fieldname).strip().lower()
        if wanted in names:
            found[fieldname] = names.index(wanted)
        elif fieldname in columns:
            raise ArticleError(f"--csv-columns {fieldname}={columns[fieldname]}: the header has no column "
                               f"{columns[fieldname]!r} (it has: {', '.join(header)})")
    for fieldname in ("id", "text"):
        if fieldname not in found:
            raise ArticleError(f"no {fieldname!r} column (the header has: {', '.join(header)}); name the column "
                               f"that holds it with --csv-columns {fieldname}=COLUMN")
    return found


def _delimiter(first_line: str, tab: bool) -> str:
    if tab:
        return "\t"
    return max(DELIMITERS, key=first_line.count)


def read_csv(data: bytes, name: str, columns: dict[str, str], tab: bool = False) -> Iterator[Article | Problem]:
    """The articles of a CSV file: one a row, its header naming the columns (``columns`` maps other names).

    A row that is not CSV, or has more or fewer fields than the header, is
    reported by its line number and skipped.
    """
    text = yield from decoded_text(data, name)
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines, delimiter=_delimiter(lines[0], tab), strict=True)
    try:
        header = next(reader)
    except csv.Error as e:
        raise ArticleError(f"the header is not CSV ({e})") from None
    fields = column_map(header, columns)
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            # An unclosed quote runs on into the next lines: say which lines were lost with the row.
            through = f"; lines {line}-{reader.line_num} read as one row" if reader.line_num > line else ""
            yield Problem(f"{name}:{line}", f"broken CSV row ({e}{through})")
            line = reader.line_num + 1
            continue
        origin, line = f"{name}:{line}", reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield Problem(origin, f"{len(row)} fields, the header has {len(header)} (a stray delimiter or quote?)")
            continue
        yield from checked_article({fieldname: row[column] for fieldname, column in fields.items()}, origin)
