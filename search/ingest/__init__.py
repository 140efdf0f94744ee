"""Ingest: news pages and JSON Lines in, clean :class:`Article` s out (furniture, dates, encodings)."""

from search.ingest.article import Article, ArticleError, Problem, lead_title
from search.ingest.dates import parse_date
from search.ingest.decoding import decode
from search.ingest.jsonl import article_from_json, read_jsonl_file
from search.ingest.pages import clean_text, parse_page
from search.ingest.sources import read_articles, read_page_file, source_files

__all__ = [
    "Article",
    "ArticleError",
    "Problem",
    "article_from_json",
    "clean_text",
    "decode",
    "lead_title",
    "parse_date",
    "parse_page",
    "read_articles",
    "read_jsonl_file",
    "read_page_file",
    "source_files",
]
