"""People and organisations among the matches: the facets learned names make (``search.index.names``).

Counted over every match, like the publisher and year facets. Each learned
name's articles are read once per open index, from the posting lists of its
forms in the ``names`` field, into two flat arrays of (article, name) pairs;
a query's counts are then one ``bincount`` over the pairs its matches hold.
"""

from __future__ import annotations

import numpy as np

from search._whoosh.postings import PostingArrays
from search.index.names import NAMES_FIELD, ORGANISATION, PERSON, Name, name_terms

FACET_OF_KIND = {PERSON: "people", ORGANISATION: "organisations"}
SHOWN = 10  # names a facet lists


class NameFacets:
    """The learned names of one open index and which articles name each."""

    def __init__(self, names: list[Name], postings: PostingArrays) -> None:
        self.names = names
        docs, ids = [], []
        for number, name in enumerate(names):
            lists = [postings.get(NAMES_FIELD, term)[0] for term in name_terms(name.forms)]
            found = np.unique(np.concatenate(lists)) if lists else np.zeros(0, dtype=np.int32)
            docs.append(found)
            ids.append(np.full(len(found), number, dtype=np.int32))
        self._docs = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int32)
        self._ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int32)

    def counts(self, matched: np.ndarray, shown: int = SHOWN) -> dict[str, dict[str, int]]:
        """``{"people": {display: articles}, "organisations": {...}}``, most articles first, of ``matched``."""
        per_name = np.bincount(self._ids[matched[self._docs]], minlength=len(self.names))
        facets: dict[str, dict[str, int]] = {facet: {} for facet in FACET_OF_KIND.values()}
        for number in np.argsort(-per_name.astype(np.int64), kind="stable"):
            n = int(per_name[number])
            if n == 0:
                break
            shown_here = facets[FACET_OF_KIND[self.names[number].kind]]
            if len(shown_here) < shown:
                shown_here[self.names[number].display] = n
        return facets
