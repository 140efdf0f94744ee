"""Highlight: snippets as plain text and match spans, and their renderings as HTML and for the terminal."""
