"""Tests use Cari's public interfaces: a read of one of Cari's private names (``obj._name``) is counted here.

A private name is one Cari's own code defines with a leading underscore (a
method, attribute, function, class or module variable of ``search`` or
``web``); one that the Whoosh wall (``search/_whoosh``) shares with Whoosh is
Whoosh's (the wall's tests read Whoosh's own on purpose:
``test_whoosh_contract.py``). A test reads one by an attribute, an
import, or a name given to ``setattr``/``getattr``/``monkeypatch.setattr``.
Where a test really checks an internal, the internal gets a public name; the
few reads left are listed below, each with why, and a new one fails.
"""

from __future__ import annotations

import ast
import warnings
from collections import Counter
from pathlib import Path

import whoosh

from tests.conftest import ROOT

# (test file, private name): how many reads, and why no public interface serves.
ALLOWED = {
    # holding the index's lock is how a test makes every search wait (SearchBusy)
    ("tests/query/test_bounded_queries.py", "_lock"): 1,
    # a wrapper round the opening step counts the threads inside the lock at once
    ("tests/web/test_web.py", "_current"): 2,
    # counting the scorer's scoring of a phrase branch: the kept scores are the behaviour checked
    ("tests/ranking/test_scoring.py", "_score_branch"): 2,
    # the sparse scorer against the dense one it replaced, branch by branch: the internals are what is compared
    ("tests/ranking/test_ranking_by_postings.py", "_scores_of"): 2,
    ("tests/ranking/test_ranking_by_postings.py", "_score_branch"): 1,
    # a nearness phrase's block found by the headers' counts, and Whoosh's walk when a count is wrong
    ("tests/ranking/test_phrase_branches.py", "_count"): 2,
    ("tests/ranking/test_phrase_branches.py", "_Blocks"): 2,
    # a word's close spellings looked up once: the look-up itself is counted
    ("tests/query/test_typo_lookups.py", "_close"): 2,
    # a write's relinking of the touched buckets against grouping the whole record (hypothesis), with the
    # buckets made once and with them kept write after write (cb65939)
    ("tests/index/test_incremental_stories.py", "_relinked"): 3,
    ("tests/index/test_incremental_stories.py", "_signatures"): 2,
}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _defined(folders: list[Path], leave_out: Path | None = None) -> set[str]:
    """The private names the code in ``folders`` (but ``leave_out``) defines."""
    found = set()
    for path in (p for folder in folders for p in folder.rglob("*.py")):
        if leave_out is not None and path.is_relative_to(leave_out):
            continue
        with warnings.catch_warnings():  # Whoosh's source has escapes Python now warns of
            warnings.simplefilter("ignore")
            tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                found.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                found.add(node.id)
    return {name for name in found if _private(name)}


# The Whoosh wall overrides Whoosh's classes: a private name it shares with Whoosh is Whoosh's.
WALL = ROOT / "search" / "_whoosh"
CARIS = _defined([ROOT / "search", ROOT / "web"], leave_out=WALL) | (
    _defined([WALL]) - _defined([Path(whoosh.__file__).parent]))
SETTERS = {"setattr", "getattr", "delattr", "hasattr"}


def private_reads(source: str) -> list[str]:
    """The private names of Cari's that a test module's ``source`` reads, once per read."""
    reads = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in CARIS and ast.unparse(node.value) not in ("self", "cls"):
            reads.append(node.attr)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("search", "web"):
            reads += [alias.name for alias in node.names if alias.name in CARIS]
        elif isinstance(node, ast.Call) and _called(node) in SETTERS:
            named = [a.value.rpartition(".")[2] for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            reads += [name for name in named if name in CARIS]
    return reads


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def test_the_counter_sees_each_way_of_reading_a_private_name():
    name = next(iter(sorted(CARIS)))
    source = (f"from search.library import {name}\nx.{name}\nself.{name}\n"
              f"monkeypatch.setattr(m, '{name}', 1)\nmonkeypatch.setattr('search.x.{name}', 1)\nx.public\n")
    assert private_reads(source) == [name] * 4
    assert "_lock" in CARIS and "_tindex" not in CARIS  # Cari's own, not Whoosh's


def test_tests_read_no_private_name_of_caris_beyond_the_few_allowed():
    found: Counter = Counter()
    for path in sorted((ROOT / "tests").rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        if where == "tests/structure/test_private_names.py":
            continue
        for name in private_reads(path.read_text(encoding="utf-8")):
            found[where, name] += 1
    beyond = {key: count for key, count in found.items() if count > ALLOWED.get(key, 0)}
    assert not beyond, ("tests reading Cari's private names (use a public interface, or give the internal a "
                        f"public name): {beyond}")
