"""The docs point at what exists: every file they name, every link and anchor, every function of the walks.

Code moves; these tests make a doc that still names the old place fail, saying which doc and which name.
"""

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md",
        *sorted((ROOT / "eval").glob("*/README.md")), ROOT / "tests" / "data" / "README.md"]
# A path of the repository: a top folder of it, then the rest (``search/index/build.py``, ``seeds/``).
REPO_PATH = re.compile(r"(?<![\w./-])((?:search|web|tests|bench|eval|deploy|docs|tools|seeds|broken|\.ci)/[\w./-]*[\w/])")
LINK = re.compile(r"\]\(([^)\s]+)\)")
# `name` (`search/x/y.py`) or (`name`, `search/x/y.py`): a function or class the file defines.
DEFINED_IN = re.compile(r"`(\w+)(?:\.(\w+))?`(?: \(|, )`((?:search|web)/[\w/]+\.py)`")


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lowercase, punctuation but hyphens dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = re.sub(r"(?ms)^```.*?^```", "", path.read_text(encoding="utf-8"))
    return {anchor(h) for h in re.findall(r"^#+ (.*)$", text, flags=re.M)}


@pytest.mark.parametrize("doc", DOCS, ids=_relative)
def test_every_repository_path_a_doc_names_exists(doc):
    missing = []
    for path in REPO_PATH.findall(doc.read_text(encoding="utf-8")):
        placeholder = any(part.isupper() for part in Path(path).parts) or path == "docs/s"  # DIR, NAME; 816 docs/s
        if not placeholder and not (ROOT / path).exists():
            missing.append(path)
    assert not missing, f"{_relative(doc)} names what is not in the repository: {', '.join(sorted(set(missing)))}"


@pytest.mark.parametrize("doc", DOCS, ids=_relative)
def test_every_link_of_a_doc_leads_somewhere(doc):
    broken = []
    for target in LINK.findall(doc.read_text(encoding="utf-8")):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        file, _, fragment = target.partition("#")
        linked = (doc.parent / file).resolve() if file else doc
        if not linked.exists() or fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            broken.append(target)
    assert not broken, f"{_relative(doc)} links to what is not there: {', '.join(broken)}"


def test_every_function_the_walks_name_is_where_they_say():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = DEFINED_IN.findall(text)
    assert len(named) >= 30
    wrong = []
    for name, method, file in named:
        source = (ROOT / file).read_text(encoding="utf-8") if (ROOT / file).exists() else ""
        defined = re.search(rf"^\s*(?:def|class) {name}\b|^{name}\b.*=", source, flags=re.M)
        if method and defined:
            defined = re.search(rf"^\s+def {method}\b", source, flags=re.M)
        if not defined:
            wrong.append(f"{name}{'.' + method if method else ''} ({file})")
    assert not wrong, f"docs/architecture.md names what its file does not define: {', '.join(wrong)}"


def test_the_architecture_names_every_sub_package():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    packages = sorted(str(p.parent.relative_to(ROOT)) for p in (ROOT / "search").glob("*/__init__.py"))
    missing = [p for p in [*packages, "web"] if f"`{p}/`" not in text]
    assert not missing, f"docs/architecture.md does not name: {', '.join(missing)}"


@pytest.mark.parametrize("doc", DOCS, ids=_relative)
def test_every_script_a_doc_runs_exists(doc):
    modules = set(re.findall(r"python -m ((?:bench|tools)\.[a-z_]+)\b", doc.read_text(encoding="utf-8")))  # not NAME
    missing = sorted(m for m in modules if not (ROOT / (m.replace(".", "/") + ".py")).exists())
    assert not missing, f"{_relative(doc)} runs scripts that do not exist: {', '.join(missing)}"
