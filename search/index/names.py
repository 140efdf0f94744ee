"""People and organisations the index names: the record each generation keeps of them, and finding one by name.

Each article's ``names`` terms (``search.analysis.names``: the runs of
capitalised words in its body, and their evidence) say what one article
shows; which runs are names, and whose, is learned from the whole archive at
every write (``search.index.name_learning``, from the term counts each write
keeps: ``search.index.name_counts``). The result is a generation record
(:data:`NAMES`): ``[key, kind, display, forms]`` for each name, ``forms`` the
runs that stand for it. Searching reads it as :class:`Name` objects and finds
them by what a reader types (:class:`NameBook`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from search.analysis.names import WORD, fold

NAMES = "names.json.gz"
# Off only in ``bench.build_cost``, which measures what a build without the names costs: no ``names`` field
# is indexed and nothing is learned (an index built so has no people or organisations facets).
LEARN = True
NAMES_FIELD = "names"
PERSON, ORGANISATION = "person", "organisation"


@dataclass
class Name:
    """One person or organisation: its key (folded long form), kind, display form and the runs that name it."""

    key: str
    kind: str
    display: str
    forms: list[str] = field(default_factory=list)

    def to_record(self) -> list:
        return [self.key, self.kind, self.display, self.forms]

    @classmethod
    def from_record(cls, item: list) -> Name:
        key, kind, display, forms = item
        return cls(str(key), str(kind), str(display), [str(f) for f in forms])


def name_terms(forms: list[str]) -> list[str]:
    """The ``names`` terms that say an article names one of ``forms``: a run by itself or at the end of a longer one."""
    return [f"{prefix}:{form}" for form in forms for prefix in ("n", "p")]


class NameBook:
    """The learned names of an index, found by what a reader types: a display form, a key or a form, any case."""

    def __init__(self, names: list[Name]) -> None:
        self.names = names
        self._joined: dict[str, str] | None = None
        self._by_form: dict[str, Name] = {}
        for name in sorted(names, key=lambda n: len(n.forms)):  # a form of a longer name loses to the name itself
            for form in (*name.forms, folded_name(name.display)):
                self._by_form.setdefault(form, name)
        for name in names:
            self._by_form[name.key] = name

    def joined(self) -> dict[str, str]:
        """``form written together -> form`` of each form of several words of a person's name (``srimulyani``:
        ``sri mulyani``), built when first asked."""
        if self._joined is None:
            self._joined = {form.replace(" ", ""): form for name in self.names if name.kind == PERSON
                            for form in name.forms if " " in form}
        return self._joined

    def lookup(self, text: str) -> Name | None:
        return self._by_form.get(folded_name(text))

    def forms(self, text: str) -> list[str]:
        """The runs that stand for the name ``text`` (its own folded words if it is not a learned name)."""
        name = self.lookup(text)
        if name is not None:
            return name.forms
        words = folded_name(text)
        return [words] if words else []


def folded_name(text: str) -> str:
    """'Komisi Pemberantasan Korupsi (KPK)' -> 'komisi pemberantasan korupsi kpk': words only, folded."""
    return " ".join(fold(word) for word in WORD.findall(text))


def names_record(names: list[Name]) -> list:
    return [name.to_record() for name in names]


def names_of_record(record: object) -> list[Name] | None:
    """The names a generation's record holds, or None when it holds none readable (an older index)."""
    if not isinstance(record, list):
        return None
    try:
        return [Name.from_record(item) for item in record]
    except (TypeError, ValueError):
        return None
