"""The names Cari's objects have inside an index's files: this module and :func:`restore` only.

Whoosh pickles the schema (its analyzers) and each segment's codec into the
index's table of contents, and a pickle names the class of every object in
it. Had those been Cari's classes, moving a module would make every index
unreadable. Cari's objects pickle as ``restore(name)`` instead; this module
and the names below are part of the index format (``INDEX_FORMAT``) and are
never moved or renamed (``tests/structure/test_whoosh_contract.py`` checks the pickles).
Where each name's object is made may move: only :data:`FACTORIES` changes.
"""

from __future__ import annotations

import importlib
from typing import Any

# name in an index's pickles -> (module, callable) that makes its object. Looked up by name, not imported:
# the classes import this module for their ``__reduce__``, and the names must not tie the modules in a cycle.
FACTORIES = {
    "stemmed_analyzer": ("search._whoosh.analyzers", "indonesian_analyzer"),
    "exact_analyzer": ("search._whoosh.analyzers", "exact_analyzer"),
    "names_analyzer": ("search._whoosh.analyzers", "names_analyzer"),
    "codec": ("search._whoosh.codec", "CariCodec"),
}


def restore(name: str, *args: Any) -> Any:
    """The object an index's pickle names ``name`` (made with ``args``)."""
    try:
        module, factory = FACTORIES[name]
    except KeyError:
        raise ValueError(f"This index names an object Cari does not know ({name!r}): rebuild it.") from None
    return getattr(importlib.import_module(module), factory)(*args)
