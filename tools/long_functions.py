"""List the functions of search/, web/, bench/ and tools/ longer than the team's ~50 lines (docs/architecture.md).

Run from the repository root:

    python -m tools.long_functions              # every function over 50 lines, longest first
    python -m tools.long_functions --limit 40   # another limit
    python -m tools.long_functions --check      # exit 1 if a function has over 50 lines of code

A function's length is counted from its ``def`` to its last line (decorators aside), and again without
its docstring: a command's docstring is its ``--help`` (docs/commands.md), so ``--check`` counts the
code alone (signature and body), while the listing shows both.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("search", "web", "bench", "tools")  # the product, and the scripts that measure it
LIMIT = 50


class Length(NamedTuple):
    lines: int  # from the def to the last line
    code: int  # the same without the docstring
    where: str  # path:line name


def function_lengths(root: Path = ROOT) -> Iterator[Length]:
    """Every function and method of the packages, with its length."""
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    lines = (node.end_lineno or node.lineno) - node.lineno + 1
                    yield Length(lines, lines - _docstring_lines(node), f"{path.relative_to(root)}:{node.lineno} {node.name}")


def _docstring_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return (first.end_lineno or first.lineno) - first.lineno + 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=LIMIT, help="lines a function may have (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a function has more lines of code than the limit")
    args = parser.parse_args(argv)
    longer = sorted((f for f in function_lengths() if max(f.lines, f.code) > args.limit), reverse=True)
    for found in longer:
        print(f"{found.lines:4d} lines ({found.code:3d} without its docstring)  {found.where}")
    over = [f for f in longer if f.code > args.limit]
    print(f"{len(longer)} function(s) over {args.limit} lines, {len(over)} of them without the docstring")
    return 1 if args.check and over else 0


if __name__ == "__main__":
    sys.exit(main())
