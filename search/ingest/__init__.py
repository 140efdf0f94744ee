"""Ingest: saved HTML and text pages, feeds and exports in, clean :class:`Article` s out (furniture, dates, encodings)."""

from search.ingest.article import Article, ArticleError, Problem, lead_title
from search.ingest.dates import lead_date, parse_date, read_date, shown_time, utc_moment
from search.ingest.decoding import decode
from search.ingest.formats import FORMATS, ReadOptions, format_of
from search.ingest.jsonl import article_from_json, read_jsonl_file
from search.ingest.pages import clean_text, parse_page
from search.ingest.sources import read_articles, read_file, read_page_file, source_files

__all__ = [
    "FORMATS",
    "Article",
    "ArticleError",
    "Problem",
    "ReadOptions",
    "article_from_json",
    "clean_text",
    "decode",
    "format_of",
    "lead_date",
    "lead_title",
    "parse_date",
    "parse_page",
    "read_articles",
    "read_date",
    "read_file",
    "read_jsonl_file",
    "read_page_file",
    "shown_time",
    "source_files",
    "utc_moment",
]
