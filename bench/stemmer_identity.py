#!/usr/bin/env python3
"""Proof that search/sastrawi_fast.py stems every word exactly as PySastrawi does.

Usage: python -m bench.stemmer_identity --big BIG.jsonl [--max-docs N] [--sample 20000] [--show N]

Collects every distinct lowercase word of the corpora (the 100k-article
synthetic corpus, FacQA and IndoSum documents and queries, the UD lemma
pairs, the seed articles) tokenized three ways: Cari's exact-field analyzer
(``body_exact``: tokens, lowercase, hyphen split), its tokenizer alone
(hyphenated words whole, so the plural path runs on ``covid-19``), and a
plain ``\\w+`` regex; plus made-up words: reduplications, every 1-2 letter
and many 3-letter strings, digits mixed with affixes, and dictionary roots
under stacks of affixes. Each word goes through both stemmers'
``stem()``; prints the differences (must be 0) and µs per word for each,
on all the words and on a random sample of the big corpus's words.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import random
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from search.analysis.sastrawi_fast import FastSastrawi
from search.analysis.tokens import TOKEN_PATTERN
from search.index.schema import build_schema

SHARED = Path(__file__).resolve().parents[2] / "shared"
EVAL = SHARED / "eval"
_TOKEN = re.compile(TOKEN_PATTERN)
_WORD = re.compile(r"\w+")


def _listed(text: str) -> list[str]:
    """The whitespace-separated words of ``text`` (keeps long word lists readable)."""
    return text.split()


# Affixes to stack on dictionary roots ("" = none).
PREFIXES = [""] + _listed("me mem men meng meny ber be ter te pe pem pen peng peny per di ke se ku kau memper diper mempe")
SUFFIXES = [""] + _listed("i an kan is isme isasi nya ku mu lah kah tah pun kannya annya inya kanlah -nya -lah -ku kankan")
REDUPLICATIONS = _listed(
    """anak-anak bolak-balik sayur-mayur berlari-lari besar-besaran orang-orangnya meniru-nirukan
    malaikat-malaikat-nya nikmat-ku nikmat-ku-lah kata-kata-mu berbalas-balasan tiba-tiba lauk-pauk
    gerak-gerik kerja-kerja bersama-sama sebaik-baiknya mobil-mobilan kemerah-merahan - -- a- -a a-b
    anak- -anak anak--anak se-indonesia ke-2 covid-19 nur-sultan pasca-perang"""
)


def corpus_texts(path: Path, max_docs: int | None) -> Iterable[str]:
    """Titles and texts of a JSON-lines article file."""
    with open(path, encoding="utf-8") as f:
        for line in itertools.islice(f, max_docs):
            doc = json.loads(line)
            yield doc.get("title") or ""
            yield doc.get("text") or ""


def query_texts(path: Path) -> Iterable[str]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield line.partition("\t")[2]


def ud_forms(path: Path) -> Iterable[str]:
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            yield row["form"]


def words_of(texts: Iterable[str]) -> set[str]:
    """Distinct lowercase words of the texts, by Cari's analyzer, its tokenizer and ``\\w+``."""
    raw: set[str] = set()
    words: set[str] = set()
    for text in texts:
        raw.update(_TOKEN.findall(text))
        words.update(w.lower() for w in _WORD.findall(text))
    words.update(t.lower() for t in raw)
    # The analyzer is token-local, so running it on the distinct tokens
    # gives the same words as running it on every text (and is much faster).
    analyzer = build_schema()["body_exact"].analyzer
    words.update(t.text for t in analyzer(" ".join(raw)))
    return words


def made_up_words(roots: list[str], seed: int = 7) -> set[str]:
    """Short strings, digit mixes, reduplications and affix stacks on roots."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = set(REDUPLICATIONS) | {""}
    words.update("".join(p) for n in (1, 2) for p in itertools.product(letters, repeat=n))
    three = ["".join(p) for p in itertools.product(letters, repeat=3)]
    words.update(random.Random(seed).sample(three, 3000))
    words.update(p + "3" + s for p in PREFIXES for s in ("", "an", "kan", "nya"))
    words.update(p + "2" + r for p in ("me", "ber", "di", "pe") for r in ("ajar", "lari", "a", "e"))
    sample = random.Random(seed).sample(roots, 2000)
    words.update(
        p + r + s
        for r in sample
        for p in random.Random(r).sample(PREFIXES, 5)
        for s in random.Random(r + "s").sample(SUFFIXES, 4)
    )
    words.update(f"{r}-{r}" for r in sample[:500])
    words.update(f"{p}{r}-{r}{s}" for r in sample[:500] for p, s in (("ber", "an"), ("me", "kan"), ("", "nya")))
    return words


def collect(args: argparse.Namespace) -> dict[str, set[str]]:
    """Source name -> its distinct words."""
    sources = {
        "big corpus": words_of(corpus_texts(args.big, args.max_docs)),
        "facqa": words_of(
            itertools.chain(corpus_texts(EVAL / "facqa/docs.jsonl", None), query_texts(EVAL / "facqa/queries.tsv"))
        ),
        "indosum": words_of(
            itertools.chain(corpus_texts(EVAL / "indosum/docs.jsonl", None), query_texts(EVAL / "indosum/queries.tsv"))
        ),
        "ud pairs": words_of(ud_forms(EVAL / "stemming/ud_lemma_pairs.tsv")),
        "seeds": words_of(p.read_text(encoding="utf-8") for p in sorted((SHARED / "seeds").glob("*.txt"))),
    }
    return sources


def timed(stem: Callable[[str], str], words: list[str]) -> tuple[list[str], float]:
    """The stems and the CPU seconds they took."""
    start = time.process_time()
    stems = [stem(w) for w in words]
    return stems, time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--big", type=Path, required=True,
                        help="the synthetic corpus: python ../shared/peers/make_corpus.py 100000 FILE")
    parser.add_argument("--max-docs", type=int, default=None, help="read only this many articles of --big")
    parser.add_argument("--sample", type=int, default=20000, help="also time this many random words of --big (0: no)")
    parser.add_argument("--show", type=int, default=20, help="print this many differences")
    args = parser.parse_args()
    fast = FastSastrawi()
    sources = collect(args)
    sources["made up"] = made_up_words(sorted(fast.dictionary.words))
    for name, distinct in sources.items():
        print(f"{name:12} {len(distinct):8} distinct words")
    words = sorted(set().union(*sources.values()))
    print(f"{'all':12} {len(words):8} distinct words")
    ours, fast_cpu = timed(fast.stem, words)
    theirs, ref_cpu = timed(fast.reference.stem, words)
    differences = [(w, a, b) for w, a, b in zip(words, ours, theirs, strict=True) if a != b]
    for word, a, b in differences[: args.show]:
        print(f"  {word!r}: fast {a!r}, PySastrawi {b!r}")
    print(f"differences: {len(differences)}")
    print(f"PySastrawi  {ref_cpu / len(words) * 1e6:7.1f} µs/word")
    print(f"fast        {fast_cpu / len(words) * 1e6:7.1f} µs/word  ({ref_cpu / fast_cpu:.1f}x)")
    if args.sample:
        big = sorted(sources["big corpus"])  # fewer words than --sample with a small --max-docs: all of them
        sample = random.Random(3).sample(big, min(args.sample, len(big)))
        _, fast_cpu = timed(fast.stem, sample)
        _, ref_cpu = timed(fast.reference.stem, sample)
        print(f"random {len(sample)} words of the big corpus:")
        print(f"PySastrawi  {ref_cpu / len(sample) * 1e6:7.1f} µs/word")
        print(f"fast        {fast_cpu / len(sample) * 1e6:7.1f} µs/word  ({ref_cpu / fast_cpu:.1f}x)")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
