"""README.md is the way in: these tests keep it true to the code.

It names every command of ``cari`` and links the command reference (docs/commands.md, checked by
test_commands_doc.py), its library example runs as printed, and its test command is what CI runs.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest

from search.cli import cli
from tests.conftest import ROOT, SEEDS

README = (ROOT / "README.md").read_text(encoding="utf-8")
# What the example prints for a hit: "id title score snippet"; the score is the first decimal number after the id.
HIT_LINE = re.compile(r"(?P<id>\S+) (?P<title>.*?) (?P<score>\d+\.\d+(?:e[-+]?\d+)?) (?P<snippet>.*)")


def test_readme_names_every_command_and_links_the_reference():
    missing = [name for name in sorted(cli.commands) if f"`cari {name}" not in README]
    assert not missing, f"README.md does not name: {', '.join('cari ' + name for name in missing)}"
    assert "(docs/commands.md)" in README, "README.md does not link the command reference, docs/commands.md"


def test_readme_and_docs_name_no_command_that_does_not_exist():
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        named = set(re.findall(r"`cari ([a-z][\w-]*)", path.read_text(encoding="utf-8")))
        assert named <= set(cli.commands), f"unknown commands in {path.name}: {named - set(cli.commands)}"


@pytest.mark.server
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
