"""The names Cari's objects have inside an index's files: this module and :func:`restore` only.

Whoosh pickles the schema (its analyzers) and each segment's codec into the
index's table of contents, and a pickle names the class of every object in
it. Had those been Cari's classes, moving a module would make every index
unreadable. Cari's objects pickle as ``restore(name)`` instead; this module
and the names below are part of the index format (``INDEX_FORMAT``) and are
never moved or renamed (``tests/test_whoosh_contract.py`` checks the pickles).
"""

from __future__ import annotations


def restore(name: str, *args):
    """The object an index's pickle names ``name`` (made with ``args``)."""
    if name == "stemmed_analyzer":
        from search.index.analyzers import indonesian_analyzer

        return indonesian_analyzer()
    if name == "exact_analyzer":
        from search.index.analyzers import exact_analyzer

        return exact_analyzer()
    if name == "codec":
        from search._whoosh.codec import CariCodec

        return CariCodec(*args)
    raise ValueError(f"This index names an object Cari does not know ({name!r}): rebuild it.")
