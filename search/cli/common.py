"""The ``cari`` command group and what its commands share: the --index option, CariErrors as one line.

Every command is a thin layer over the library (``build_index``,
``Searcher``: see ``search/__init__.py``); what the user sees is formatted
here and only here. Imports of
the engine happen inside the commands so that ``cari --help`` starts at once.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import click

# Whoosh 2.7.4 predates Python 3.12's stricter escape-sequence checks; its
# SyntaxWarnings are noise to a user of Cari.
warnings.filterwarnings("ignore", category=SyntaxWarning)
warnings.filterwarnings("ignore", category=DeprecationWarning, module="whoosh")

INDEX_OPTION = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="CARI_INDEX",
    default="index",
    show_default=True,
    show_envvar=True,
    help="Index folder.",
)


def _fail_on_cari_errors(func):
    """Turn the engine's CariErrors into one clear line and exit code 1."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from search.errors import CariError

        try:
            return func(*args, **kwargs)
        except CariError as e:
            raise click.ClickException(str(e)) from None

    return wrapper


def plural(n: int, noun: str) -> str:
    """``1 result``, ``2 results``."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


@click.group()
@click.version_option(package_name="cari")
def cli():
    """Cari: full-text search for Indonesian news.

    Build an index from saved news pages (.html, .txt), feeds and exports
    (.jsonl, .json, .csv, gzipped or not), then search it in
    any inflected form of an Indonesian word: mengusir, diusir, pengusiran
    all find usir.
    """
