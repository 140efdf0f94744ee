"""Bytes to text: a file's encoding (UTF-8, else Windows-1252) and why a file could not be read."""

from __future__ import annotations

from collections.abc import Generator

from search.ingest.article import ArticleError, Problem


def decode(data: bytes) -> tuple[str, str | None]:
    """Text of a file's bytes, and a caveat when it was not UTF-8."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its byte order mark (Windows' "Unicode")
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as e:
            raise ArticleError(f"UTF-16 text that does not decode ({e.reason} at byte {e.start})") from None
    if b"\x00" in data[:8192]:
        raise ArticleError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as e:
        # Old scrapers save Windows-1252; reading it as such keeps the words.
        return data.decode("cp1252", errors="replace"), f"not UTF-8 ({e.reason} at byte {e.start}); read as Windows-1252"


def decoded_text(data: bytes, name: str) -> Generator[Problem, None, str]:
    """A file's text, after a Problem for a caveat of its decoding: ``text = yield from decoded_text(data, name)``.

    ArticleError if it cannot be decoded, or holds nothing but white space.
    """
    text, caveat = decode(data)
    if caveat:
        yield Problem(name, caveat, skipped=False)
    if not text.strip():
        raise ArticleError("empty file")
    return text


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return f"cannot read ({error.strerror or error})"
    return str(error)
