"""Shared fixtures: the seed corpus and indexes built from it in temp folders."""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def run_cli(runner):
    """Run the real ``cari`` command line; returns the click Result."""

    def run(*args, **kwargs):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False, **kwargs)

    return run


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory):
    """An index of the five seed articles, built once through the CLI."""
    index_dir = tmp_path_factory.mktemp("seed-index")
    result = CliRunner().invoke(cli, ["rebuild-index", str(SEEDS), "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    return index_dir


@pytest.fixture
def seeds_copy(tmp_path):
    """A writable copy of the seed folder, for tests that add bad files."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target
