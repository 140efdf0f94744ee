"""Renderings of a :class:`Highlighted` text: escaped HTML with ``<mark>``, or a terminal line."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from search.highlight.spans import Highlighted


def _render(highlighted: Highlighted, plain: Callable[[str], str], marked: Callable[[str], str]) -> str:
    text, out, pos = highlighted.text, [], 0
    for start, end in highlighted.spans:
        out.append(plain(text[pos:start]))
        out.append(marked(text[start:end]))
        pos = end
    out.append(plain(text[pos:]))
    return "".join(out)


def to_html(highlighted: Highlighted) -> str:
    """Everything escaped; the only markup added is ``<mark>`` around each match."""
    return _render(highlighted, html.escape, lambda word: "<mark>" + html.escape(word) + "</mark>")


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


def to_terminal(highlighted: Highlighted, color: bool) -> str:
    """Matches in bold yellow, or in [brackets] when the output is not a terminal (the text's own
    brackets then escaped with a backslash); control characters left out."""
    import click

    if color:
        return _render(highlighted, terminal_text, lambda word: click.style(terminal_text(word), fg="yellow", bold=True))
    return _render(highlighted, piped_text, lambda word: f"[{piped_text(word)}]")
