"""The ``cari`` command group and what its commands share: the --index option, CariErrors as one line.

Every command is a thin layer over the library (``search.Index`` and the
names ``search`` exports, nothing deeper); what the user sees is formatted
here and only here. Imports of the engine happen inside the commands so that
``cari --help`` starts at once.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

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


P = ParamSpec("P")
R = TypeVar("R")


def _fail_on_cari_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the engine's CariErrors into one clear line and exit code 1."""
    # lazy: `cari --help` starts without loading the engine
    import functools

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        # lazy: `cari --help` starts without loading the engine
        from search import CariError

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
@click.option("--config", "config_file", metavar="FILE", envvar="CARI_CONFIG", show_envvar=True,
              help="Read options from this TOML file  [default: ./cari.toml when present]")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None) -> None:
    """Cari: full-text search for Indonesian news.

    Build an index from saved news pages (.html, .txt), feeds and exports
    (.jsonl, .json, .csv, gzipped or not), then search it in
    any inflected form of an Indonesian word: mengusir, diusir, pengusiran
    all find usir.

    A configuration file (--config, $CARI_CONFIG, or ./cari.toml) gives
    `index = "..."` at the top and a table per command with its options by
    their long names ([serve] port = 8080); the command line wins.
    """
    # lazy: `cari --help` starts without loading the engine
    from search.cli.config import config_path, default_map

    path = config_path(config_file)
    if path is not None:
        ctx.default_map = default_map(cli, path)
