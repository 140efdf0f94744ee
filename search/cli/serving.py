"""``cari serve``: the web app."""

from __future__ import annotations

from pathlib import Path

import click

from search.cli.common import INDEX_OPTION, _fail_on_cari_errors, cli
from search.cli.indexing import build_with_progress


@cli.command()
@INDEX_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535), help="Port (0 picks a free one).")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Requests served at once.")
@_fail_on_cari_errors
def serve(index_dir, host, port, threads):
    """Serve the search web app (waitress) and print its address.

    Builds the index from ./seeds first when there is none. Readers search
    from the browser; /api/search gives the results of `cari search --json`.
    A rebuild while serving is picked up without a restart.

    \b
    Example:
      cari serve --port 8080
    """
    from waitress.server import create_server

    from search.errors import IndexMissing
    from search.index import generations as store
    from web.app import create_app

    try:
        store.live_generation(index_dir)
    except IndexMissing:
        seeds = Path("seeds")
        if not seeds.is_dir():
            raise click.ClickException(
                f"No index at {index_dir} and no ./seeds folder to build one from. "
                "Run `cari rebuild-index SOURCES` first."
            ) from None
        click.echo(f"No index at {index_dir}: building it from {seeds}/")
        build_with_progress([seeds], index_dir, quiet=True)
    try:
        server = create_server(create_app({"INDEX_DIR": str(index_dir)}), host=host, port=port, threads=threads)
    except OSError as e:
        raise click.ClickException(f"Cannot listen on {host}:{port}: {e.strerror or e}.") from None
    address = f"http://{_url_host(server.effective_host)}:{server.effective_port}/"
    click.echo(f"Cari is serving {index_dir} at {address} (Ctrl-C to stop)")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
