"""README.md is the users' manual: these tests keep it true to the code.

Every command and option of ``cari`` must be documented there, and the library example must run as printed.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click

from search.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
README = (ROOT / "README.md").read_text(encoding="utf-8")
# What the example prints for a hit: "id title score snippet"; the score is the first decimal number after the id.
HIT_LINE = re.compile(r"(?P<id>\S+) (?P<title>.*?) (?P<score>\d+\.\d+(?:e[-+]?\d+)?) (?P<snippet>.*)")


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


def in_readme(spelling: str) -> bool:
    """``spelling`` as a whole token: ``-n`` must not be found inside ``--no-n`` or ``x-n``."""
    return re.search(r"(?<![\w-])" + re.escape(spelling) + r"(?![\w-])", README) is not None


def test_readme_documents_every_command_and_option():
    missing = [s for s in cli_spellings() if not in_readme(s)]
    assert not missing, f"README.md does not mention: {', '.join(missing)}"


def test_readme_documents_no_command_that_does_not_exist():
    headed = re.findall(r"^#+ `cari ([\w-]+)", README, flags=re.M)
    assert headed, "README.md has no `cari COMMAND` headings"
    assert set(headed) <= set(cli.commands), f"unknown commands in README.md: {set(headed) - set(cli.commands)}"


def test_readme_library_example_indexes_the_seeds_and_a_search_for_pengusiran_shows_usir(tmp_path):
    blocks = re.findall(r"^```python\n(.*?)^```", README, flags=re.S | re.M)
    code = next((b for b in blocks if "from search import Index" in b), None)
    assert code, "README.md has no ```python block with `from search import Index`"
    shutil.copytree(SEEDS, tmp_path / "seeds")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr

    seed_ids = {page.stem for page in SEEDS.iterdir() if page.suffix == ".txt"}
    lines = done.stdout.splitlines()
    assert lines[0].split()[:2] == [str(len(seed_ids)), "0"], done.stdout  # indexed, skipped
    hits = [m for m in map(HIT_LINE.fullmatch, lines[1:]) if m and m["id"] in seed_ids]
    assert hits, f"no hit line names a seed article:\n{done.stdout}"
    assert any("usir" in hit["snippet"].lower() for hit in hits), f"no snippet holds a form of usir:\n{done.stdout}"


def _two_commands() -> list[str]:
    section = README.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^    (\S.*)$", section, flags=re.M)


def test_ci_runs_exactly_the_readme_test_command():
    install, tests = _two_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci[-1] == tests
    # Both work as copied on a fresh Debian, as root (no sudo there) and as a user, in a virtual environment
    # they make (Debian's pip refuses to install outside one: externally-managed-environment).
    for command in (install, tests):
        assert command.startswith("$(command -v sudo) apt-get update && $(command -v sudo) apt-get install -y python3-venv")
        assert "python3 -m venv .venv && .venv/bin/pip install -e " in command and " sudo " not in command
    assert install.endswith(".venv/bin/cari serve") and " chromium " in tests
    # npm only where it is missing: Debian's npm conflicts with a Node.js from NodeSource, which brings its own.
    assert "$(command -v npm >/dev/null || echo npm)" in tests
