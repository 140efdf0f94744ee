#!/usr/bin/env python3
"""Choose the words of tests/data/sastrawi_sample.txt: a few per path through Sastrawi.

Usage: python -m bench.stemmer_sample --big BIG.jsonl [--max-docs N] [--per-event 30]
                                      [--per-pair 1] [--out tests/data/sastrawi_sample.txt]

Stems every word that ``bench/stemmer_identity.py`` collects with a traced
``FastSastrawi`` that notes what happened to it: which prefix rule (and
variant) removed a prefix, which suffixes came off, whether the
prefix-first confixes, the short-word stop, the loop that puts suffixes back
(and its ``-kan -> -k`` retry) or the plural path ran, and whether a root
was found. Keeps ``--per-event`` words for each event and ``--per-pair``
for each pair of events seen in one word (a rule after a suffix, a rule
in the loop ...), so that the test, which compares the sample with
PySastrawi, walks the paths the corpora walk. The words are taken in a
fixed random order; the events are printed with the rare ones.
"""

from __future__ import annotations

import argparse
import itertools
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.stemmer_identity import collect, made_up_words
from search.analysis.sastrawi_fast import FastSastrawi, PrefixRule

OUT = Path(__file__).resolve().parent.parent / "tests/data/sastrawi_sample.txt"


@dataclass(frozen=True)
class TracedRule(PrefixRule):
    """A prefix rule that notes which of its disambiguators gave the answer."""

    events: set[str] = field(default_factory=set, compare=False)

    @classmethod
    def of(cls, rule: PrefixRule, events: set[str]) -> TracedRule:
        return cls(rule.number, rule.start, rule.disambiguators, rule.infix, events)

    def disambiguate(self, word: str, roots: dict) -> str | None:
        result = super().disambiguate(word, roots)
        if result is not None:
            names = [d.name for d in self.disambiguators if d.disambiguate(word) == result]
            self.events.add(f"rule {names[0]}" + (" root" if result in roots else ""))
        return result


class TracedSastrawi(FastSastrawi):
    """``FastSastrawi`` noting the events of the word being stemmed in ``events``."""

    def __init__(self) -> None:
        super().__init__()
        self.events: set[str] = set()

    def _rules_for(self, first_letters: str) -> tuple[PrefixRule, ...]:
        return tuple(TracedRule.of(rule, self.events) for rule in super()._rules_for(first_letters))

    def _prefix_pass(self, word: str, short: bool) -> str | None:
        result = super()._prefix_pass(word, short)
        if result is not None and word[:2] in ("di", "ke", "se"):
            self.events.add(f"plain {word[:2]}")
        return result

    def _remove_suffixes(self, word: str, removals: list, short: bool) -> str:
        before = len(removals)
        result = super()._remove_suffixes(word, removals, short)
        self.events.update(f"suffix {removed}" for _, _, removed in removals[before:])
        return result

    def stem_singular(self, word: str) -> str:
        if len(word) <= 3:
            self.events.add("short")
        root = super().stem_singular(word)
        self.events.add("root found" if root != word or word in self._roots else "no root")
        return root

    def _loop_pengembalian_akhiran(self, word: str, removals: list, short: bool) -> str:
        root = super()._loop_pengembalian_akhiran(word, removals, short)
        if removals:
            self.events.add("loop " + ("root" if root != word else "no root"))
        return root

    def _stem_plural(self, plural: str) -> str:
        root = super()._stem_plural(plural)
        self.events.add("plural " + ("one root" if root != plural else "kept"))
        return root

    def events_of(self, word: str) -> frozenset[str]:
        self.events.clear()
        self.stem(word)
        return frozenset(self.events)


def choose(words: list[str], per_event: int, per_pair: int) -> list[str]:
    """``per_event`` words for each event and ``per_pair`` for each pair of events met together."""
    traced = TracedSastrawi()
    by_event: dict[str, list[str]] = defaultdict(list)
    by_pair: dict[tuple[str, str], list[str]] = defaultdict(list)
    for word in words:
        events = sorted(traced.events_of(word))
        for event in events:
            if len(by_event[event]) < per_event:
                by_event[event].append(word)
        for pair in itertools.combinations(events, 2):
            if len(by_pair[pair]) < per_pair:
                by_pair[pair].append(word)
    print(f"{len(by_event)} events, {len(by_pair)} pairs of events")
    for event in sorted(by_event, key=lambda e: len(by_event[e])):
        if len(by_event[event]) < per_event:
            print(f"  rare: {event} ({len(by_event[event])} words)")
    chosen = {w for ws in by_event.values() for w in ws} | {w for ws in by_pair.values() for w in ws}
    return sorted(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--big", type=Path, required=True,
                        help="the synthetic corpus: python ../shared/peers/make_corpus.py 100000 FILE")
    parser.add_argument("--max-docs", type=int, default=None)
    parser.add_argument("--per-event", type=int, default=30)
    parser.add_argument("--per-pair", type=int, default=1)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    sources = collect(args)
    sources["made up"] = made_up_words(sorted(FastSastrawi().dictionary.words))
    words = sorted(set().union(*sources.values()))
    random.Random(11).shuffle(words)  # a spread of words per path, not the alphabet's first
    chosen = choose(words, args.per_event, args.per_pair)
    args.out.parent.mkdir(exist_ok=True)
    header = "# Words covering PySastrawi's paths (bench/stemmer_sample.py); tests/analysis/test_sastrawi_fast.py\n"
    args.out.write_text(header + "".join(w + "\n" for w in chosen), encoding="utf-8")
    print(f"{len(chosen)} words -> {args.out}")


if __name__ == "__main__":
    main()
