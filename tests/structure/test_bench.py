"""bench/ is a package of scripts run from the repository root as ``python -m bench.NAME``: each imports as
such (no path hacks), writes to no fixed /tmp path, and bench/README.md says what it is for."""

import importlib
import re
import warnings

import pytest

from tests.conftest import ROOT

BENCH = ROOT / "bench"
HELPERS = {"__init__", "serving", "peers"}
SCRIPTS = sorted(p.stem for p in BENCH.glob("*.py") if p.stem not in HELPERS)


@pytest.mark.parametrize("name", SCRIPTS)
def test_each_script_imports_as_a_module_of_bench_and_has_a_main(name):
    with warnings.catch_warnings():  # a script may silence warnings for its own run
        module = importlib.import_module(f"bench.{name}")
    assert callable(getattr(module, "main", None)), f"bench/{name}.py has no main()"
    assert f"python -m bench.{name}" in (module.__doc__ or ""), f"bench/{name}.py's docstring does not say how to run it"


def test_no_script_changes_the_import_path_or_writes_to_a_fixed_tmp_path():
    for path in sorted(BENCH.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert "sys.path" not in source, f"{path.name} changes sys.path"
        assert not re.search(r"['\"]/tmp\b", source), f"{path.name} names a fixed /tmp path"


def test_the_readme_says_what_each_script_is_for():
    readme = (BENCH / "README.md").read_text(encoding="utf-8")
    missing = [name for name in SCRIPTS if f"| `{name}` |" not in readme]
    assert not missing, f"bench/README.md does not describe: {', '.join(missing)}"
