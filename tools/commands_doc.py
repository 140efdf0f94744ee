"""Write docs/commands.md, the command reference, from every ``cari`` command's ``--help``.

Run from the repository root after changing a command, an option or a docstring:

    python -m tools.commands_doc            # rewrite docs/commands.md
    python -m tools.commands_doc --check    # exit 1 if docs/commands.md is not what --help says

``tests/docs/test_commands_doc.py`` runs the check. The text is click's own ``--help`` at a fixed width
(80 columns), so it does not depend on the terminal it is made in.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from search.cli import cli

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "commands.md"
WIDTH = 80
COMMAND = "python -m tools.commands_doc"

HEADER = f"""# Command reference

<!-- Made by `{COMMAND}` from each command's --help: edit the docstrings and options in
search/cli/, then run it again (tests/docs/test_commands_doc.py fails while this file is stale). -->

Every command's `--help` prints the same text. An option's environment variable, where it has one, is
shown as `[env var: ...]`; a configuration file (`cari --config FILE`, `$CARI_CONFIG` or `./cari.toml`)
can give any option by its long name, in a table named after the command (see
[the user guide](guide.md#running-it-as-a-service)).
"""


def commands(group: click.Group = cli, path: tuple[str, ...] = ("cari",)) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """(path, command) for ``cari`` and every command under it, depth first, each group's commands by name."""
    yield path, group
    for name in sorted(group.commands):
        command = group.commands[name]
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name), command


def help_text(path: tuple[str, ...]) -> str:
    """What ``cari ... --help`` prints for the command at ``path``, at WIDTH columns."""
    context: click.Context | None = None
    command: click.Command = cli
    for depth, name in enumerate(path):
        if depth:
            assert isinstance(command, click.Group)
            command = command.commands[name]
        context = click.Context(command, info_name=name, parent=context, terminal_width=WIDTH, max_content_width=WIDTH)
    assert context is not None
    return context.get_help()


def anchor(path: tuple[str, ...]) -> str:
    """The heading's anchor as GitHub makes it: ``cari rebuild-index`` -> ``cari-rebuild-index``."""
    return "-".join(path)


def render() -> str:
    """The whole reference: a list of commands, then each command's --help under its own heading."""
    paths = [path for path, _ in commands()]
    contents = "".join(f"- [`{' '.join(path)}`](#{anchor(path)})\n" for path in paths)
    sections = "".join(f"\n## {' '.join(path)}\n\n```text\n{help_text(path).rstrip()}\n```\n" for path in paths)
    return f"{HEADER}\n{contents}{sections}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if the reference is stale")
    args = parser.parse_args(argv)
    text = render()
    current = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
    if args.check:
        if current != text:
            print(f"{REFERENCE.relative_to(ROOT)} is stale: run `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        REFERENCE.write_text(text, encoding="utf-8")
        print(f"wrote {REFERENCE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
