"""The terminal's rendering of text from the index: matches in bold yellow (or [brackets]), nothing it would obey."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from search import Highlighted

# Control characters (escape sequences can set a terminal's title, write its
# clipboard or clear it) and the marks that reorder text on screen: an
# article's text must not drive the reader's terminal.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    """``text`` without the characters a terminal would obey rather than show."""
    return _CONTROLS.sub("", text)


def piped_text(text: str) -> str:
    """``text`` for piped output: its own brackets written ``\\[`` and ``\\]`` (and ``\\`` as ``\\\\``),
    so that a bare ``[...]`` is always a match."""
    return terminal_text(text).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def marked_terminal(highlighted: Highlighted, color: bool) -> str:
    """Matches in bold yellow, or in [brackets] when the output is not a terminal (the text's own
    brackets then escaped with a backslash); control characters left out."""
    if color:
        return "".join(click.style(terminal_text(piece), fg="yellow", bold=True) if matched else terminal_text(piece)
                       for piece, matched in highlighted.pieces())
    return "".join(f"[{piped_text(piece)}]" if matched else piped_text(piece)
                   for piece, matched in highlighted.pieces())


def short_date(iso: str | None) -> str | None:
    """``2022-10-06 21:01 WIB`` (a UTC time in WIB), ``2022-10-06`` for a day; an unknown form as given."""
    # lazy: `cari --help` starts without loading the engine
    from search import shown_time

    shown = shown_time(iso)
    if shown is None:
        return iso
    if not shown.has_time:
        return shown.moment.date().isoformat()
    return f"{shown.moment:%Y-%m-%d %H:%M}" + (f" {shown.zone}" if shown.zone else "")
