"""The layers of the code, read off its source: no import cycles, no import up the stages, imports at the top.

The stages, in order (each may import the ones before it, never one after):

    ingest -> analysis -> _whoosh -> index -> query -> ranking -> highlight -> the library -> cli | web

``_whoosh`` is the wall around Whoosh's private names (only it touches them:
``test_whoosh_contract.py``); it serves the index and later stages and uses
only the analysis pass. "The library" is the modules directly in ``search/``
(``library``, ``results``, ``suggest``, ...) and the package itself.
``search/errors.py`` is the one shared leaf: any stage may raise its errors,
and it imports no module of Cari.

An import inside a function is allowed only where start-up time needs it
(``cari --help`` must not import Whoosh, numpy or Flask; a module that only a
few inputs need): each says so in a comment holding ``lazy:`` on its line or
on the line above it (one comment above a run of such imports covers them).
Imports under ``if TYPE_CHECKING:`` count as the module's own.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("search", "web")
STAGES = ("ingest", "analysis", "_whoosh", "index", "query", "ranking", "highlight", "library", "front end")
SHARED = {"search.errors"}
LAZY = re.compile(r"#.*\blazy:", re.IGNORECASE)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def stage(module: str) -> str | None:
    """The stage a module of Cari belongs to (None: the shared leaf)."""
    parts = module.split(".")
    if module in SHARED:
        return None
    if parts[0] == "web" or parts[1:2] == ["cli"]:
        return "front end"
    if len(parts) > 1 and parts[1] in STAGES:
        return parts[1]
    return "library"


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules of Cari an import statement imports (a name imported from a package counts as its module)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
            base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
        names = [f"{base}.{alias.name}" for alias in node.names]
    found = []
    for name in names:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name and name != module:
            found.append(name)
    return list(dict.fromkeys(found))


class _Imports(ast.NodeVisitor):
    """Every import of a module: (line, imported modules, inside a function or class)."""

    def __init__(self, module: str):
        self.module, self.depth, self.found = module, 0, []

    def _nested(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _nested

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        self.found.append((node, _targets(self.module, node), self.depth > 0))

    visit_ImportFrom = visit_Import


def _imports(module: str) -> list[tuple[ast.Import | ast.ImportFrom, list[str], bool]]:
    visitor = _Imports(module)
    visitor.visit(ast.parse(MODULES[module].read_text(encoding="utf-8")))
    return visitor.found


IMPORTS = {module: _imports(module) for module in MODULES}
GRAPH = {module: {t for _, targets, _ in found for t in targets} for module, found in IMPORTS.items()}


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(component)
    return cycles


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [{"a", "b", "c"}]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_there_is_no_import_cycle():
    cycles = [sorted(c) for c in _cycles(GRAPH)]
    assert not cycles, f"modules that import each other (directly or round a loop): {cycles}"


def test_no_module_imports_a_later_stage():
    upward = [
        f"{MODULES[module].relative_to(ROOT)}:{node.lineno} ({stage(module)}) imports {target} ({stage(target)})"
        for module, found in IMPORTS.items() if stage(module) is not None
        for node, targets, _ in found for target in targets
        if stage(target) is not None and STAGES.index(stage(target)) > STAGES.index(stage(module))
    ]
    assert not upward, "imports from a later stage:\n" + "\n".join(upward)


# The one import of the web by the library's package: ``cari serve`` starts the web app's server.
CLI_STARTS_THE_WEB = {("search.cli.serving", "web.server")}


def test_the_two_front_ends_share_no_code_but_the_library():
    """``search/cli`` imports nothing of ``web`` (what both print, such as the JSON of results, is the library's:
    ``search.json_shape``), and ``web`` nothing of ``search/cli``, beyond ``cari serve`` starting the server."""
    sideways = [
        f"{MODULES[module].relative_to(ROOT)}:{node.lineno} imports {target}"
        for module, found in IMPORTS.items() if module.startswith(("search.", "web"))
        for node, targets, _ in found for target in targets
        if (module.startswith("search.") and target.split(".")[0] == "web"
            or module.split(".")[0] == "web" and target.startswith("search.cli"))
        and (module, target) not in CLI_STARTS_THE_WEB
    ]
    assert not sideways, "imports between the front ends (share through search/ instead):\n" + "\n".join(sideways)


def test_the_shared_leaf_imports_no_module_of_cari():
    assert {module: sorted(GRAPH[module]) for module in SHARED if GRAPH[module]} == {}


def test_every_stage_package_is_known():
    """A new sub-package of ``search`` must be placed in the stage order above, not fall into "the library"."""
    packages = {p.parent.name for p in (ROOT / "search").glob("*/__init__.py")}
    assert packages - set(STAGES) - {"cli", "data"} == set()


def test_imports_inside_functions_say_why_they_are_lazy():
    unexplained = []
    for module, found in IMPORTS.items():
        path = MODULES[module]
        lines = path.read_text(encoding="utf-8").splitlines()
        for node, _, nested in found:
            if nested and not _says_lazy(lines, node):
                unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    assert not unexplained, "move to the module's top, or say why lazy (# lazy: ...):\n" + "\n".join(unexplained)


def _says_lazy(lines: list[str], node: ast.Import | ast.ImportFrom) -> bool:
    """Whether the import's lines, or the comment above the run of imports it is in, say ``lazy:``."""
    if any(LAZY.search(line) for line in lines[node.lineno - 1 : node.end_lineno]):
        return True
    above = node.lineno - 2
    while above >= 0 and re.match(r"\s*(from|import)\s", lines[above]) and not LAZY.search(lines[above]):
        above -= 1  # a run of imports: one comment above the first covers them
    return above >= 0 and bool(LAZY.search(lines[above]))


def test_the_lazy_rule_reads_comments():
    source = ["def f():", "    # lazy: slow to import", "    import a", "    import b", "    import c  # lazy: rare",
              "    x = 1", "    import d"]
    nodes = [n for n in ast.walk(ast.parse("\n".join(source))) if isinstance(n, ast.Import)]
    assert [_says_lazy(source, n) for n in nodes] == [True, True, True, False]
