"""Renderings of a :class:`Highlighted` text: escaped HTML with ``<mark>``, or a terminal line."""

from __future__ import annotations

import html
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


def to_terminal(highlighted: Highlighted, color: bool) -> str:
    """Matches in bold yellow, or in [brackets] when the output is not a terminal."""
    import click

    if color:
        return _render(highlighted, str, lambda word: click.style(word, fg="yellow", bold=True))
    return _render(highlighted, str, lambda word: f"[{word}]")
