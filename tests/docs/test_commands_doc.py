"""docs/commands.md, the command reference, is every command's --help as it is now (tools/commands_doc.py makes it)."""

import re

import click

from search.cli import cli
from tests.conftest import ROOT
from tools import commands_doc

REFERENCE = ROOT / "docs" / "commands.md"


def cli_spellings() -> list[str]:
    """``cari NAME`` for every command, and every spelling of every option (and its env var)."""

    def options(command: click.Command) -> list[str]:
        spelled = []
        for param in command.params:
            if isinstance(param, click.Option):
                spelled += param.opts + param.secondary_opts + ([param.envvar] if isinstance(param.envvar, str) else [])
        return [s for s in spelled if s != "--help"]

    def walk(group: click.Group, prefix: str) -> list[str]:
        found = []
        for name, command in sorted(group.commands.items()):
            found += [f"{prefix} {name}"] + options(command)
            if isinstance(command, click.Group):  # cari synonyms add, list, remove
                found += walk(command, f"{prefix} {name}")
        return found

    return list(dict.fromkeys(options(cli) + walk(cli, "cari")))


def mentions(text: str, spelling: str) -> bool:
    """``spelling`` as a whole token: ``-n`` must not be found inside ``--no-n`` or ``x-n``."""
    return re.search(r"(?<![\w-])" + re.escape(spelling) + r"(?![\w-])", text) is not None


def test_the_reference_is_what_help_prints_now():
    assert REFERENCE.read_text(encoding="utf-8") == commands_doc.render(), (
        f"docs/commands.md is stale: run `{commands_doc.COMMAND}` from the repository root and commit the result")


def test_the_reference_names_every_command_and_option():
    text = REFERENCE.read_text(encoding="utf-8")
    missing = [s for s in cli_spellings() if not mentions(text, s)]
    assert not missing, f"docs/commands.md does not mention: {', '.join(missing)}"


def test_the_reference_gives_each_command_its_own_heading_and_usage_line():
    text = REFERENCE.read_text(encoding="utf-8")
    headings = re.findall(r"^## (cari(?: [\w-]+)*)$", text, flags=re.M)
    assert [h for h in headings if h.count(" ") == 1] == [f"cari {name}" for name in sorted(cli.commands)]
    for heading in headings:
        section = text.split(f"\n## {heading}\n", 1)[1]
        assert section.lstrip().startswith("```text\nUsage: " + heading), heading


def test_the_check_names_the_command_that_remakes_a_stale_reference(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "commands.md"
    stale.write_text("# Command reference\n", encoding="utf-8")
    monkeypatch.setattr(commands_doc, "REFERENCE", stale)
    monkeypatch.setattr(commands_doc, "ROOT", tmp_path)
    assert commands_doc.main(["--check"]) == 1
    assert "python -m tools.commands_doc" in capsys.readouterr().err
    assert stale.read_text(encoding="utf-8") == "# Command reference\n"  # --check changes nothing
    assert commands_doc.main([]) == 0 and stale.read_text(encoding="utf-8") == commands_doc.render()
    assert commands_doc.main(["--check"]) == 0
