"""``cari publish``: ship the serving generation to read replicas."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from search.cli.common import INDEX_OPTION, _fail_on_cari_errors, cli, plural


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
    from search import Index, PublishFailed

    failed = 0
    for result in Index(index_dir).publish(list(destinations)):
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
    if failed:
        sys.exit(1)
