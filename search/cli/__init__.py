"""``cari``: build and search the Indonesian news index from the terminal.

Every command is a thin layer over the library (``search.Index`` and the
names ``search`` exports: see ``search/__init__.py``); what the user sees is
formatted here and only here. Imports of the engine happen inside the commands so
that ``cari --help`` starts at once.
"""

from search.cli import (  # noqa: F401 - registers the commands
    archive,
    evaluating,
    indexing,
    replicas,
    searching,
    serving,
    synonyms,
)
from search.cli.common import cli

__all__ = ["cli", "main"]


def main() -> None:  # pragma: no cover - console-script entry point
    cli()
