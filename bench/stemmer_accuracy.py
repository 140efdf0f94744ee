#!/usr/bin/env python3
"""How often Cari's stemmer agrees with the root-word lemmas of the UD Indonesian treebanks.

Usage: python -m bench.stemmer_accuracy [../shared/eval/stemming/ud_lemma_pairs.tsv] [--errors N]

Prints the share of (form, lemma) pairs where the stem equals the lemma, for
Sastrawi alone and for Cari's ``Stemmer`` (Sastrawi + corrections + clitics),
and the pairs where the two differ. A check, not training data: corrections
go in search/data/stem_exceptions.tsv only as general rules or names.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from search.analysis.stemmer import Stemmer

DEFAULT = Path(__file__).resolve().parents[2] / "shared/eval/stemming/ud_lemma_pairs.tsv"


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """Lowercased (form, lemma) pairs, one per line of the TSV."""
    with open(path, encoding="utf-8") as f:
        return [(row["form"].lower(), row["lemma"].lower()) for row in csv.DictReader(f, delimiter="\t")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pairs", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--errors", type=int, default=0, help="print this many pairs Cari gets wrong")
    args = parser.parse_args()
    pairs = read_pairs(args.pairs)
    cari = Stemmer()
    sastrawi = cari.sastrawi
    plain = sum((sastrawi.stem(form) or form) == lemma for form, lemma in pairs)
    ours = [(form, lemma, cari.stem(form)) for form, lemma in pairs]
    right = sum(stem == lemma for _, lemma, stem in ours)
    n = len(pairs)
    print(f"{n} pairs")
    print(f"Sastrawi alone  {plain / n:.2%}")
    print(f"Cari Stemmer    {right / n:.2%}")
    changed = [(form, lemma, stem) for form, lemma, stem in ours if stem != (sastrawi.stem(form) or form)]
    fixed = sum(stem == lemma for _, lemma, stem in changed)
    print(f"differs from Sastrawi on {len(changed)} pairs: {fixed} now right, {len(changed) - fixed} now wrong")
    for form, lemma, stem in [p for p in ours if p[2] != p[1]][: args.errors]:
        print(f"  {form} -> {stem} (lemma {lemma})")


if __name__ == "__main__":
    main()
