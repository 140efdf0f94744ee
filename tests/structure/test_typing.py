"""mypy, run by .ci/run, checks every package of the repository: the product's (search, web), and bench/ and
tools/, whose scripts produce the published figures and the reference docs."""

import ast
import re

from tests.conftest import ROOT


def test_mypy_checks_every_package_of_the_repository():
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = config.split("[tool.mypy]", 1)[1].split("\n[", 1)[0]
    found = re.search(r"^files = (\[.*?\])", section, re.M)
    assert found, "pyproject.toml's [tool.mypy] names no files"
    checked = set(ast.literal_eval(found.group(1)))
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    assert packages >= {"search", "web", "bench", "tools"}
    assert packages <= checked, f"mypy does not check: {', '.join(sorted(packages - checked))}"
