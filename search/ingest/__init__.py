"""Ingest: news pages and JSON Lines in, clean :class:`Article` s out (furniture, dates, encodings)."""
