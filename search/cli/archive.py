"""``cari export``, ``cari backup`` and ``cari check``: the archive out of the index, as articles or as a copy of
the index, and whether every byte of it is still what was written."""

from __future__ import annotations

from pathlib import Path

import click

from search.cli.common import INDEX_OPTION, _fail_on_cari_errors, cli, plural


@cli.command("export")
@INDEX_OPTION
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]),
              help="jsonl (one JSON object a line) or csv  [default: from FILE's name, else jsonl]")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (.gz: compressed) instead of standard output.")
@_fail_on_cari_errors
def export(index_dir: Path, fmt: str | None, output: str | None) -> None:
    """Write every article of the index, as it was given: the archive, to keep or to rebuild from.

    Each article has its id, title, text (as it was given, before Cari took
    its page furniture off), date, source, author and url, those it was
    given. JSON Lines or CSV, both sources `cari rebuild-index` reads back
    into an index that answers every query as this one does. Articles are
    written one at a time (any number, in little memory); an index of an
    older format can be exported too. FILE is written whole or not at all.

    \b
    Examples:
      cari export > archive.jsonl
      cari export --output archive.jsonl.gz
      cari export --format csv --output archive.csv
    """
    # lazy: `cari --help` starts without loading the engine
    from search import Index, export_format, output_file

    kind = export_format(output, fmt)
    with output_file(output) as out:
        count = Index(index_dir).export(out, kind)
    if output not in (None, "-"):
        click.echo(f"Exported {plural(count, 'article')} -> {output}", err=True)


@cli.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
@INDEX_OPTION
@_fail_on_cari_errors
def backup(dest: Path, index_dir: Path) -> None:
    """Copy the index as it is serving into DEST, a new folder that opens as an index.

    The copy is consistent while `cari serve` runs and takes writes, and
    stops neither: the live generation is copied, then checked against the
    checksums recorded when it was published. Files are hard links where
    DEST is on the same file system (instant, no space), copies elsewhere.
    DEST must not exist or be empty.

    \b
    Examples:
      cari backup /var/backups/cari/$(date +%F)
      cari search banjir --index /var/backups/cari/2024-01-02
    """
    # lazy: `cari --help` starts without loading the engine
    from search import Index

    generation, files = Index(index_dir).backup(dest)
    click.echo(f"Backed up {generation.name} ({plural(files, 'file')}) of {index_dir} -> {dest}")


@cli.command("check")
@INDEX_OPTION
@_fail_on_cari_errors
def check(index_dir: Path) -> None:
    """Read every file of the index against its checksums: whether each byte is still what was written.

    A search process checks the small files before it opens the index and
    the large ones (the segments) in the background while it serves, and
    stops serving at the first mismatch; a file another process of the
    machine found sound in the last 24 hours, and which has not changed
    since, it does not read again. This reads them all before it answers,
    whatever was found before, for a cron job or after a disk error. Exits
    with 1 and names the first damaged file (rebuild with `cari
    rebuild-index`), else 0.

    \b
    Examples:
      cari check
      cari check --index news || mail -s "cari: the index is damaged" root < /dev/null
    """
    # lazy: `cari --help` starts without loading the engine
    from search import Index

    generation, files, size = Index(index_dir).check()
    click.echo(f"Checked {generation.name} of {index_dir}: {plural(files, 'file')}, {size / 1e6:,.1f} MB, "
               "every byte as written.")
