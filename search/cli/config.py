"""The configuration file: ``cari --config FILE``, else ``$CARI_CONFIG``, else ``./cari.toml`` when present.

TOML, read with the standard library (``tomllib``; the ``tomli`` backport on
Python 3.10). ``index = "..."`` at the top is every command's ``--index``; a
table per command holds its options by their long names (``[serve]`` with
``host``, ``port``, ``workers``, ``budget``, ``api_key_file``, ...; ``-`` or
``_`` alike), a nested table a sub-command's (``[synonyms.list]``). They
become click's ``default_map``: an option given on the command line (or by
its environment variable) wins. A key that names no option is an error
naming it, so a typo never passes in silence.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

DEFAULT_FILE = "cari.toml"


def _load_toml(path: Path) -> dict:
    if sys.version_info >= (3, 11):
        # lazy: `cari --help` starts without loading the engine
        import tomllib
    else:  # pragma: no cover - Python 3.10
        # lazy: `cari --help` starts without loading the engine
        import tomli as tomllib
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise click.ClickException(f"Cannot read the configuration file {path}: {e.strerror}.") from None
    except tomllib.TOMLDecodeError as e:
        raise click.ClickException(f"The configuration file {path} is not valid TOML: {e}.") from None


def config_path(given: str | None) -> Path | None:
    """The file to read: the one given (--config, $CARI_CONFIG), else ./cari.toml if there is one."""
    if given:
        return Path(given)
    default = Path(DEFAULT_FILE)
    return default if default.is_file() else None


def _options(command: click.Command) -> dict[str, str]:
    """A command's options by long name (``api_key_file``) -> its parameter's name."""
    names = {}
    for param in command.params:
        if isinstance(param, click.Option):
            for opt in param.opts + param.secondary_opts:
                if opt.startswith("--") and param.name:
                    names[opt[2:].replace("-", "_")] = param.name
    return names


def _table(command: click.Command, table: dict, where: str, index: object, path: Path) -> dict:
    """The default_map of ``command`` from its table (and the top-level ``index``), every key checked."""
    defaults: dict = {}
    options = _options(command)
    if index is not None and "index" in options:
        defaults[options["index"]] = index
    for key, value in table.items():
        name = key.replace("-", "_")
        if isinstance(command, click.Group) and key in command.commands and isinstance(value, dict):
            defaults[key] = _table(command.commands[key], value, f"{where}.{key}", index, path)
        elif name in options:
            defaults[options[name]] = value
        else:
            known = sorted(options) + (sorted(command.commands) if isinstance(command, click.Group) else [])
            raise click.ClickException(f"Unknown key {key!r} in [{where}] of {path}: the options "
                                       f"of `cari {where.replace('.', ' ')}` are {', '.join(known) or 'none'}.")
    if isinstance(command, click.Group) and index is not None:
        for name, sub in command.commands.items():
            defaults.setdefault(name, _table(sub, {}, f"{where}.{name}", index, path))
    return defaults


def default_map(group: click.Group, path: Path) -> dict:
    """click's ``default_map`` for every command of ``group`` from the configuration file at ``path``."""
    data = _load_toml(path)
    index = data.pop("index", None)
    if index is not None and not isinstance(index, str):
        raise click.ClickException(f"`index` in {path} must be a string (a folder), not {type(index).__name__}.")
    defaults: dict = {}
    for key, value in data.items():
        command = group.commands.get(key)
        if command is None or not isinstance(value, dict):
            raise click.ClickException(
                f"Unknown key {key!r} in the configuration file {path}: at the top only `index`, and a table "
                f"for each command ({', '.join(sorted(group.commands))}).")
        defaults[key] = _table(command, value, key, index, path)
    if index is not None:
        for name, command in group.commands.items():
            if name not in defaults:
                defaults[name] = _table(command, {}, name, index, path)
    return defaults
