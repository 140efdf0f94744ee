"""Highlight: snippets and whole texts as plain text and the spans of the matches (rendered by the front ends)."""
