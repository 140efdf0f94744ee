"""``cari serve``: the web app."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from search.cli.common import INDEX_OPTION, _fail_on_cari_errors, cli
from search.cli.indexing import build_with_progress

if TYPE_CHECKING:
    import socket
    from collections.abc import Callable


@cli.command()
@INDEX_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535), help="Port (0 picks a free one).")
@click.option("--workers", "-w", type=click.IntRange(1, 64), help="Processes searching at once  [default: one per core]")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads of a worker where gevent is missing (gthread, or waitress); gevent's workers hold "
              "up to 1,000 connections each.")
@click.option("--budget", type=click.FloatRange(0.05, 600),
              help="Seconds a search may take before it is stopped (HTTP 503)  [default: $CARI_SEARCH_BUDGET, "
              "else 2]")
@click.option("--public-url", metavar="URL", help="The site's address as readers reach it, for absolute links "
              "(OpenSearch); without it links are relative and the Host header is never trusted.")
@click.option("--api-key-file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Turn on the write API (POST /api/documents, DELETE /api/documents/ID) with the key in FILE; "
              "without it the key is $CARI_API_KEY, and with neither there is no write API.")
@click.option("--access-log", default="-", show_default=True, metavar="FILE|-|off",
              help="Log each request (the Combined Log Format) to FILE, - for standard error, or off.")
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error", "critical"]),
              help="The least severe message of the error log (standard error) to write.")
@_fail_on_cari_errors
def serve(index_dir: Path, host: str, port: int, workers: int | None, threads: int, budget: float | None,  # noqa: PLR0913
          public_url: str | None, api_key_file: Path | None, access_log: str, log_level: str) -> None:
    """Serve the search web app and print its address.

    Runs WORKERS processes (gunicorn), each with its own searcher, so that
    every core searches; each prints its memory once it has opened the index.
    Builds the index from ./seeds first when there is none. Readers search
    from the browser; the JSON API (/api/search, /api/article/ID, ...) is
    described at /api/openapi.json. A rebuild while serving is picked up by
    every worker without a restart. With a key (--api-key-file or
    $CARI_API_KEY) a CMS can add, replace and remove articles; each write is
    searchable when its request returns. One writer process applies the
    writes of every worker, keeping the archive's records in memory between
    writes. Each request is logged to
    standard error in the Combined Log Format (--access-log), and /metrics
    answers in the Prometheus text format.

    \b
    Example:
      cari serve --port 8080 --workers 2
      cari serve --access-log /var/log/cari/access.log --log-level info
    """
    # lazy: `cari --help` starts without loading the engine
    from search import default_budget_seconds, default_jobs
    from web.server import serve as run_server

    api_key = _api_key(api_key_file)
    budget_seconds = default_budget_seconds() if budget is None else budget  # None: $CARI_SEARCH_BUDGET=none
    _build_from_seeds_if_missing(index_dir)
    count = workers or default_jobs()
    sock = _listening_socket(host, port)
    if public_url and not public_url.lower().startswith(("http://", "https://")):
        raise click.BadParameter("give an http:// or https:// address", param_hint="--public-url")
    config = {"INDEX_DIR": str(index_dir), "SEARCH_BUDGET_SECONDS": budget_seconds, "PUBLIC_URL": public_url,
              "API_KEY": api_key}
    access = None if access_log == "off" else access_log
    ready = _ready_message(index_dir, count, bool(api_key))
    run_server(config, sock, count, threads, ready, access, log_level)  # the server closes the socket


def _build_from_seeds_if_missing(index_dir: Path) -> None:
    """A first ``cari serve`` serves the seeds: with no index, build one from ./seeds (a ClickException without them)."""
    # lazy: `cari --help` starts without loading the engine
    from search import Index

    if Index(index_dir).exists():
        return
    seeds = Path("seeds")
    if not seeds.is_dir():
        raise click.ClickException(
            f"No index at {index_dir} and no ./seeds folder to build one from. "
            "Run `cari rebuild-index SOURCES` first."
        ) from None
    click.echo(f"No index at {index_dir}: building it from {seeds}/")
    build_with_progress([seeds], index_dir, quiet=True)


def _listening_socket(host: str, port: int) -> socket.socket:
    """The socket the server takes over, bound before it starts (port 0: a free one); a ClickException if it cannot be."""
    # lazy: `cari --help` starts without loading the engine
    from web.server import listen

    try:
        return listen(host, port)
    except OSError as e:
        raise click.ClickException(f"Cannot listen on {host}:{port}: {e.strerror or e}.") from None


def _ready_message(index_dir: Path, count: int, write_api: bool) -> Callable[[str, int], None]:
    """What the server calls once it listens: print the address readers open (the port bound, if 0 was asked)."""

    def ready(bound_host: str, bound_port: int) -> None:
        address = f"http://{_url_host(bound_host)}:{bound_port}/"
        noun = "worker" if count == 1 else "workers"
        click.echo(f"Cari is serving {index_dir} at {address} with {count} {noun} (Ctrl-C to stop)")
        if write_api:
            click.echo("The write API is on: POST /api/documents and DELETE /api/documents/ID take the key.")
        sys.stdout.flush()

    return ready


MIN_KEY_CHARS = 16


def _api_key(key_file: Path | None) -> str | None:
    """The write API's key: what ``key_file`` holds (spaces around it ignored), else $CARI_API_KEY, else None."""
    if key_file is not None:
        try:
            key = key_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as e:
            reason = getattr(e, "strerror", None) or "not UTF-8 text"
            raise click.BadParameter(f"cannot read {key_file}: {reason}", param_hint="--api-key-file") from None
        where = str(key_file)
    else:
        key = os.environ.get("CARI_API_KEY", "").strip()
        where = "CARI_API_KEY"
        if not key:
            return None
    if len(key) < MIN_KEY_CHARS or any(ch.isspace() for ch in key):
        raise click.ClickException(f"The API key in {where} must be at least {MIN_KEY_CHARS} characters "
                                   "without spaces (e.g. `openssl rand -hex 32`).")
    return key


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
