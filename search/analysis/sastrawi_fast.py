"""PySastrawi 1.2.0's stemmer, re-written for speed with identical output.

PySastrawi spends ~190 µs on a new word: every prefix pass visits ~40
disambiguator objects, each running ``re.match`` on a pattern string (a
lookup in ``re``'s compile cache, sometimes a re-compile), and every step
builds ``Context``/``Removal`` objects. This module runs the same algorithm
(Nazief & Adriani, CS, ECS, Improved ECS, as ``Sastrawi.Stemmer.Context``
implements it) on plain strings:

* the disambiguators are a table (:data:`PREFIX_RULES`) of precompiled
  patterns named by Sastrawi's rule numbers, and a word only tries the rules
  whose literal start (``ber``, ``meng``, ``pe``, ``C-er-V`` ...) fits its
  first four letters;
* a removal is a string operation and the only removals remembered are the
  suffix ones that the "loop pengembalian akhiran" puts back.

PySastrawi stays the source of truth: the root dictionary is its own
(``StemmerFactory`` reads ``kata-dasar.txt``), words with characters beyond
``[a-z0-9-]`` (which its normalizer can let through, e.g. ``ſ``) are handed to
it, and ``bench/stemmer_identity.py`` / ``tests/analysis/test_sastrawi_fast.py`` compare
the two word by word.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

# Sastrawi's character classes (its consonant class includes 'r'; the
# rules that exclude it say so themselves).
V = "aiueo"
C = "bcdfghjklmnpqrstvwxyz"

_PLAIN_WORD = re.compile(r"[a-z0-9-]*")
# Sastrawi's TextNormalizer, compiled once (same patterns and flags).
_NOT_WORD_CHAR = re.compile(r"[^a-z0-9 -]", re.IGNORECASE | re.MULTILINE)
_SPACES = re.compile(r"( +)", re.IGNORECASE | re.MULTILINE)

# ConfixStripping.PrecedenceAdjustmentSpecification: for these confixes the
# prefix is removed before the suffix (be-lah, be-an, me-i, di-i, pe-i, ter-i).
_PREFIX_FIRST = re.compile(r"be.*lah|be.*an|me.*i|di.*i|pe.*i|ter.*i")

INFLECTIONAL_PARTICLES = ("lah", "kah", "tah", "pun")
POSSESSIVE_PRONOUNS = ("ku", "mu", "nya")
# RemoveDerivationalSuffix's ``(is|isme|isasi|i|kan|an)$`` as re.sub applies
# it: the leftmost match wins, i.e. the longest suffix.
DERIVATIONAL_SUFFIXES = ("isasi", "isme", "kan", "is", "an", "i")
PLAIN_PREFIXES = ("di", "ke", "se")


@dataclass(frozen=True)
class Disambiguator:
    """One of Sastrawi's ``DisambiguatorPrefixRuleNx``: pattern -> candidate root."""

    name: str
    pattern: re.Pattern
    build: Callable[[re.Match], str | None]

    def disambiguate(self, word: str) -> str | None:
        match = self.pattern.match(word)
        return self.build(match) if match else None


@dataclass(frozen=True)
class PrefixRule:
    """A ``PrefixDisambiguator`` visitor: its disambiguators, tried in order.

    ``start`` is the literal the word must begin with, or for the infix
    rules 37-40 the infix after a first consonant (``-er-`` ...); it only
    decides which rules a word tries, the patterns still decide the match.
    """

    number: str
    start: str
    disambiguators: tuple[Disambiguator, ...]
    infix: bool = False

    def may_apply(self, first_letters: str) -> bool:
        """False if no word beginning with ``first_letters`` can match."""
        if self.infix:
            first, rest = first_letters[:1], first_letters[1 : 1 + len(self.start)]
            return first in C and self.start.startswith(rest)
        return self.start.startswith(first_letters) or first_letters.startswith(self.start)

    def disambiguate(self, word: str, roots: dict) -> str | None:
        """Like ``AbstractDisambiguatePrefixRule.visit``: the first candidate
        that is a root, else the last disambiguator's answer (even None)."""
        result = None
        for disambiguator in self.disambiguators:
            result = disambiguator.disambiguate(word)
            if result in roots:
                break
        return result


def _d(name: str, pattern: str, build: Callable[[re.Match], str | None]) -> Disambiguator:
    return Disambiguator(name, re.compile(pattern % {"V": V, "C": C}), build)


def _joined(m: re.Match) -> str:
    """The groups of the match: the word without the prefix."""
    return "".join(m.groups())


def _unless_er(m: re.Match) -> str | None:
    """``xCP -> CP`` unless P starts with 'er' (rules 2, 23, 34)."""
    return None if m.groups()[-1].startswith("er") else _joined(m)


def _unless_r(build: Callable[[re.Match], str]) -> Callable[[re.Match], str | None]:
    """``build``, except no removal when the consonant C (group 1) is 'r' (rules 3, 7, 9, 24)."""
    return lambda m: None if m[1] == "r" else build(m)


def _prefixed(letters: str) -> Callable[[re.Match], str]:
    """The groups after ``letters``: a recoded root (meny-apu -> s-apu)."""
    return lambda m: letters + _joined(m)


def _rule8(m: re.Match) -> str | None:
    """terCP -> CP unless C is 'r' or P starts with 'er'."""
    return None if m[1] == "r" or m[2].startswith("er") else m[1] + m[2]


# Sastrawi's VisitorProvider order; the patterns are the rules' own.
PREFIX_RULES: tuple[PrefixRule, ...] = tuple(
    PrefixRule(number, start.lstrip("-"), tuple(ds), infix=start.startswith("-"))
    for number, start, ds in [
        # be- (rules 1-5)
        ("1", "ber", [_d("1a", r"^ber([%(V)s].*)$", _joined), _d("1b", r"^ber([%(V)s].*)$", _prefixed("r"))]),
        ("2", "ber", [_d("2", r"^ber([%(C)s])([a-z])(.*)", _unless_er)]),
        ("3", "ber", [_d("3", r"ber([%(C)s])([a-z])er([%(V)s])(.*)", _unless_r(lambda m: m[1] + m[2] + "er" + m[3] + m[4]))]),
        ("4", "belajar", [_d("4", r"^belajar$", lambda m: "ajar")]),
        ("5", "be", [_d("5", r"be([bcdfghjklmnpqstvwxyz])(er[%(C)s])(.*)$", _joined)]),
        # te- (rules 6-9)
        ("6", "ter", [_d("6a", r"^ter([%(V)s].*)$", _joined), _d("6b", r"^ter([%(V)s].*)$", _prefixed("r"))]),
        ("7", "ter", [_d("7", r"^ter([%(C)s])er([%(V)s].*)$", _unless_r(lambda m: m[1] + "er" + m[2]))]),
        ("8", "ter", [_d("8", r"^ter([%(C)s])(.*)$", _rule8)]),
        ("9", "te", [_d("9", r"^te([%(C)s])er([%(C)s])(.*)$", _unless_r(lambda m: m[1] + "er" + m[2] + m[3]))]),
        # me- (rules 10-19)
        ("10", "me", [_d("10", r"^me([lrwy])([%(V)s])(.*)$", _joined)]),
        ("11", "mem", [_d("11", r"^mem([bfv])(.*)$", _joined)]),
        ("12", "mempe", [_d("12", r"^mempe(.*)$", _prefixed("pe"))]),
        ("13", "mem", [_d("13a", r"^mem([%(V)s])(.*)$", _prefixed("m")), _d("13b", r"^mem([%(V)s])(.*)$", _prefixed("p"))]),
        ("14", "men", [_d("14", r"^men([cdjstz])(.*)$", _joined)]),
        ("15", "men", [_d("15a", r"^men([%(V)s])(.*)$", _prefixed("n")), _d("15b", r"^men([%(V)s])(.*)$", _prefixed("t"))]),
        ("16", "meng", [_d("16", r"^meng([ghqk])(.*)$", _joined)]),
        (
            "17",
            "meng",
            [
                _d("17a", r"^meng([%(V)s])(.*)$", _joined),
                _d("17b", r"^meng([%(V)s])(.*)$", _prefixed("k")),
                _d("17c", r"^menge(.*)$", _joined),
                _d("17d", r"^meng([%(V)s])(.*)$", _prefixed("ng")),
            ],
        ),
        ("18", "meny", [_d("18a", r"^meny([%(V)s])(.*)$", _prefixed("ny")), _d("18b", r"^meny([%(V)s])(.*)$", _prefixed("s"))]),
        ("19", "memp", [_d("19", r"^memp([abcdfghijklmopqrstuvwxyz])(.*)$", _prefixed("p"))]),
        # pe- (rules 20-34)
        ("20", "pe", [_d("20", r"^pe([wy])([%(V)s])(.*)$", _joined)]),
        ("21", "per", [_d("21a", r"^per([%(V)s])(.*)$", _joined), _d("21b", r"^pe(r[%(V)s])(.*)$", _joined)]),
        ("23", "per", [_d("23", r"^per([%(C)s])([a-z])(.*)$", _unless_er)]),
        ("24", "per", [_d("24", r"^per([%(C)s])([a-z])er([%(V)s])(.*)$", _unless_r(lambda m: m[1] + m[2] + "er" + m[3] + m[4]))]),
        ("25", "pem", [_d("25", r"^pem([bfv])(.*)$", _joined)]),
        ("26", "pem", [_d("26a", r"^pem([%(V)s])(.*)$", _prefixed("m")), _d("26b", r"^pem([%(V)s])(.*)$", _prefixed("p"))]),
        ("27", "pen", [_d("27", r"^pen([cdjstz])(.*)$", _joined)]),
        ("28", "pen", [_d("28a", r"^pen([%(V)s])(.*)$", _prefixed("n")), _d("28b", r"^pen([%(V)s])(.*)$", _prefixed("t"))]),
        ("29", "peng", [_d("29", r"^peng([%(C)s])(.*)$", _joined)]),
        # 30c is last: a pengV word that is not penge- gets no removal at all
        # unless 30a or 30b finds a root (Sastrawi keeps the last answer).
        (
            "30",
            "peng",
            [
                _d("30a", r"^peng([%(V)s])(.*)$", _joined),
                _d("30b", r"^peng([%(V)s])(.*)$", _prefixed("k")),
                _d("30c", r"^penge(.*)$", _joined),
            ],
        ),
        ("31", "peny", [_d("31a", r"^peny([%(V)s])(.*)$", _prefixed("ny")), _d("31b", r"^peny([%(V)s])(.*)$", _prefixed("s"))]),
        ("32", "pe", [_d("32", r"^pelajar$|^pe(l[%(V)s])(.*)$", lambda m: "ajar" if m[1] is None else m[1] + m[2])]),
        ("34", "pe", [_d("34", r"^pe([%(C)s])(.*)$", _unless_er)]),
        # CS additional rules
        ("35", "ter", [_d("35", r"^ter([bcdfghjkpqstvxz])(er[%(C)s])(.*)$", _joined)]),
        ("36", "pe", [_d("36", r"^pe([bcdfghjkpqstvxz])(er[%(C)s])(.*)$", _joined)]),
        # CS infix rules: CerV, CelV, CemV, CinV (the 'a' forms keep the word;
        # "-er": the infix after the first letter)
        ("37", "-er", [_d("37a", r"^([%(C)s])(er[%(V)s])(.*)$", _joined), _d("37b", r"^([%(C)s])er([%(V)s])(.*)$", _joined)]),
        ("38", "-el", [_d("38a", r"^([%(C)s])(el[%(V)s])(.*)$", _joined), _d("38b", r"^([%(C)s])el([%(V)s])(.*)$", _joined)]),
        ("39", "-em", [_d("39a", r"^([%(C)s])(em[%(V)s])(.*)$", _joined), _d("39b", r"^([%(C)s])em([%(V)s])(.*)$", _joined)]),
        ("40", "-in", [_d("40a", r"^([%(C)s])(in[%(V)s])(.*)$", _joined), _d("40b", r"^([%(C)s])in([%(V)s])(.*)$", _joined)]),
        # Sastrawi rules: ku-A, kau-A
        ("41", "ku", [_d("41", r"^ku(.*)$", _joined)]),
        ("42", "kau", [_d("42", r"^kau(.*)$", _joined)]),
    ]
)


def reference_stemmer() -> Any:
    """PySastrawi's own uncached stemmer (its ``CachedStemmer``'s delegate)."""
    return StemmerFactory().create_stemmer().delegatedStemmer


class FastSastrawi:
    """``Sastrawi.Stemmer.Stemmer`` on plain strings: same dictionary, same roots.

    A suffix removal is remembered as ``(word before, word after, removed part)``,
    all that ``Context.loop_pengembalian_akhiran`` reads back.
    """

    def __init__(self, reference: Any = None, rules: tuple[PrefixRule, ...] = PREFIX_RULES) -> None:
        self.reference = reference or reference_stemmer()
        self.dictionary = self.reference.get_dictionary()
        self.rules = rules
        self._roots: dict[str, str] = self.dictionary.words
        self._rules_by_start: dict[str, tuple[PrefixRule, ...]] = {}
        self._rule_lists: dict[tuple[PrefixRule, ...], tuple[PrefixRule, ...]] = {}

    def get_dictionary(self) -> Any:
        """PySastrawi's ``ArrayDictionary`` of root words."""
        return self.dictionary

    def stem(self, text: str) -> str:
        """``Stemmer.stem``: normalize, stem each space-separated word, join."""
        if _PLAIN_WORD.fullmatch(text):
            return self.stem_word(text)
        normalized = _SPACES.sub(" ", _NOT_WORD_CHAR.sub(" ", text.lower())).strip()
        return " ".join(self._stem_normalized(word) for word in normalized.split(" "))

    def _stem_normalized(self, word: str) -> str:
        # Case-insensitive [^a-z] keeps a few non-ASCII letters (ſ, K): rare
        # enough to leave to PySastrawi rather than reason about here.
        return self.stem_word(word) if _PLAIN_WORD.fullmatch(word) else self.reference.stem_word(word)

    def stem_word(self, word: str) -> str:
        """``Stemmer.stem_word`` for a word of ``[a-z0-9-]``."""
        return self._stem_plural(word) if _is_plural(word) else self.stem_singular(word)

    def _stem_plural(self, plural: str) -> str:
        """``Stemmer.stem_plural_word``: both halves must reach one root."""
        first, _, second = plural.rpartition("-")
        # malaikat-malaikat-nya -> malaikat, malaikat-nya
        if second in _CLITIC_AFTER_HYPHEN and "-" in first:
            first, _, middle = first.rpartition("-")
            second = middle + "-" + second
        root1 = self.stem_singular(first)
        root2 = self.stem_singular(second)
        # meniru-nirukan -> tiru
        if root2 == second and second not in self._roots:
            root2 = self.stem_singular("me" + second)
        return root1 if root1 == root2 else plural

    def stem_singular(self, word: str) -> str:
        """``Context.execute``: the root if the affix stripping reaches one, else the word."""
        roots = self._roots
        if word in roots:
            return word
        # DontStemShortWord: the visitor loops then stop after their first visitor.
        short = len(word) <= 3
        if _PREFIX_FIRST.fullmatch(word):
            # Confix first (be-lah, me-i ...); if no root, Sastrawi starts over.
            current = self._remove_prefixes(word, short)
            if current in roots:
                return current
            current = self._remove_suffixes(current, [], short)
            if current in roots:
                return current
        removals: list[tuple[str, str, str]] = []
        current = self._remove_suffixes(word, removals, short)
        if current in roots:
            return current
        current = self._remove_prefixes(current, short)
        if current in roots:
            return current
        return self._loop_pengembalian_akhiran(word, removals, short)

    def _remove_suffixes(self, word: str, removals: list, short: bool) -> str:
        """Particle, possessive pronoun, derivational suffix (stopping at a root)."""
        roots = self._roots
        for strip in (_strip_particle, _strip_possessive, _strip_derivational):
            result = strip(word)
            if result != word:
                removals.append((word, result, word[len(result) :]))
                word = result
            if word in roots or short:
                return word
        return word

    def _remove_prefixes(self, word: str, short: bool) -> str:
        """Up to three prefix passes, each removing at most one prefix."""
        for _ in range(3):
            result = self._prefix_pass(word, short)
            if result is None:
                return word  # the next passes would see the same word
            word = result
            if word in self._roots:
                return word
        return word

    def _prefix_pass(self, word: str, short: bool) -> str | None:
        """``Context.accept_prefix_visitors``: the word after the first removal, or None."""
        if word[:2] in PLAIN_PREFIXES:
            return word[2:]  # RemovePlainPrefix: di-, ke-, se-
        if short or word in self._roots:
            return None
        for rule in self._rules_for(word[:4]):
            result = rule.disambiguate(word, self._roots)
            if result is not None:
                return result
        return None

    def _rules_for(self, first_letters: str) -> tuple[PrefixRule, ...]:
        """The rules, in order, that a word starting with ``first_letters`` may match."""
        rules = self._rules_by_start.get(first_letters)
        if rules is None:
            rules = tuple(rule for rule in self.rules if rule.may_apply(first_letters))
            # Tens of thousands of starts share a few dozen rule lists: keep one of each.
            rules = self._rule_lists.setdefault(rules, rules)
            self._rules_by_start[first_letters] = rules
        return rules

    def _loop_pengembalian_akhiran(self, word: str, removals: list, short: bool) -> str:
        """ECS: put the removed suffixes back one by one (last first), each time
        retrying the prefixes; ``-kan`` is tried as ``-k`` + ``-an`` first.

        Sastrawi's ``restore_prefix`` goes back to the subject of the first
        removal, which is always the word itself here (a failed prefix-first
        try was undone), and forgets the prefix removals: so only the suffix
        removals matter, and a failure leaves the word (not a root) as result.
        """
        roots = self._roots
        for subject, result, removed in reversed(removals):
            if removed == "kan":
                current = self._remove_prefixes(result + "k", short)
                if current in roots:
                    return current
                subject = result + "kan"
            current = self._remove_prefixes(subject, short)
            if current in roots:
                return current
        return word


_CLITIC_AFTER_HYPHEN = frozenset(("ku", "mu", "nya", "lah", "kah", "tah", "pun"))


def _is_plural(word: str) -> bool:
    """``Stemmer.is_plural``: a hyphen, not counting one before a clitic (nikmat-ku)."""
    head, hyphen, tail = word.rpartition("-")
    if hyphen and tail in _CLITIC_AFTER_HYPHEN:
        return "-" in head
    return bool(hyphen)


def _strip_particle(word: str) -> str:
    """``-*(lah|kah|tah|pun)$`` removed, with every hyphen before it."""
    if word.endswith(INFLECTIONAL_PARTICLES):
        return word[:-3].rstrip("-")
    return word


def _strip_possessive(word: str) -> str:
    """``-*(ku|mu|nya)$`` removed, with every hyphen before it."""
    for pronoun in POSSESSIVE_PRONOUNS:
        if word.endswith(pronoun):
            return word[: -len(pronoun)].rstrip("-")
    return word


def _strip_derivational(word: str) -> str:
    """``(is|isme|isasi|i|kan|an)$`` removed (the longest that fits)."""
    for suffix in DERIVATIONAL_SUFFIXES:
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word
