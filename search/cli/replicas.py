"""``cari publish``: ship the serving generation to read replicas."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from search.cli.common import INDEX_OPTION, _fail_on_cari_errors, cli, plural

if TYPE_CHECKING:
    from search import Published, PublishFailed


@cli.command()
@click.argument("destinations", nargs=-1, required=True, metavar="DEST...")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per destination (for scripts).")
@_fail_on_cari_errors
def publish(destinations: tuple[str, ...], index_dir: Path, as_json: bool) -> None:
    """Ship the serving index to read replicas: each DEST is a folder, host:path (ssh) or rsync://host/module/path.

    Only the files a replica lacks are sent (rsync, hard-linking the ones
    it already has); its CURRENT is swapped, atomically, only once every
    file has arrived and matches ours byte for byte. A `cari serve` on the
    replica serves the new index from its next request, without a restart.
    A failed or interrupted publish leaves the replica serving its previous
    index; publish again to finish. Replicas are published one after the
    other; the exit status is 1 if any failed.

    \b
    Examples:
      cari publish /srv/replica/index
      cari publish reader1:/srv/cari/index rsync://reader2/cari/index
    """
    # lazy: `cari --help` starts without loading the engine
    from search import Index

    try:
        failed = _publish_each(Index(index_dir).publish(list(destinations)), as_json)
    except KeyboardInterrupt:  # Ctrl-C: click said only "Aborted!"
        click.echo("Stopped: a replica whose publishing was under way, and every one after it, still serves its "
                   "previous index; publish again to finish.", err=True)
        sys.exit(130)
    if failed:
        sys.exit(1)


def _publish_each(results: Iterable[Published | PublishFailed], as_json: bool) -> int:
    """Say what became of each destination as it is done; how many failed."""
    # lazy: `cari --help` starts without loading the engine
    from search import PublishFailed

    failed = 0
    for result in results:
        if isinstance(result, PublishFailed):
            failed += 1
            if as_json:
                click.echo(json.dumps({"error": str(result)}, ensure_ascii=False))
            else:
                click.echo(f"Error: {result}", err=True)
            continue
        if as_json:
            click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            kept = result.files_total - result.files_sent
            click.echo(f"Published {result.generation} to {result.destination} in {result.seconds:.1f} s: "
                       f"{plural(result.files_sent, 'file')} sent ({result.bytes_sent / 1e6:.1f} MB), "
                       f"{kept} already there; it serves the new index from its next request.")
        sys.stdout.flush()
    return failed
