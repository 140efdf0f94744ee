"""``cari synonyms``: the words and phrases this index treats as the same (``synonyms.tsv`` in the index folder)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from search.cli.common import INDEX_OPTION, _fail_on_cari_errors, cli


@cli.group()
def synonyms() -> None:
    """Keep this index's synonyms: words or phrases a search for one also finds (Jokowi, "Joko Widodo").

    They live in synonyms.tsv in the index folder (one group a line,
    tab-separated), are kept across rebuilds and take effect at the next
    search, in the CLI and in a running `cari serve`, without a rebuild.
    """


@synonyms.command("add")
@click.argument("forms", nargs=-1, required=True)
@INDEX_OPTION
@_fail_on_cari_errors
def add(forms: tuple[str, ...], index_dir: Path) -> None:
    """Make FORMS synonyms of each other (merged with any group holding one of them).

    \b
    Example:
      cari synonyms add Jokowi "Joko Widodo"
    """
    # lazy: `cari --help` starts without loading the engine
    from search import Index

    group = Index(index_dir).synonyms.add(list(forms))
    click.echo("Synonyms: " + " = ".join(group))


@synonyms.command("list")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the groups as a JSON list of lists.")
@_fail_on_cari_errors
def list_groups(index_dir: Path, as_json: bool) -> None:
    """List the synonym groups, one a line."""
    # lazy: `cari --help` starts without loading the engine
    from search import Index
    from search.cli.render import terminal_text  # the file may hold anything: never drive the terminal

    groups = Index(index_dir).synonyms.groups()
    if as_json:
        click.echo(json.dumps(groups, ensure_ascii=False))
    elif not groups:
        click.echo("No synonyms yet: add some with `cari synonyms add WORD OTHER...`.")
    for group in groups if not as_json else []:
        click.echo(terminal_text(" = ".join(group)))


@synonyms.command("remove")
@click.argument("form")
@INDEX_OPTION
@_fail_on_cari_errors
def remove(form: str, index_dir: Path) -> None:
    """Take FORM out of its synonym group (a group left with one member is removed)."""
    # lazy: `cari --help` starts without loading the engine
    from search import Index

    if Index(index_dir).synonyms.remove(form) is None:
        raise click.ClickException(f"{form!r} is not in any synonym group.")
    click.echo(f"Removed {form!r} from the synonyms.")
