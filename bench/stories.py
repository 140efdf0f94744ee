#!/usr/bin/env python3
"""Story groups measured: IndoSum with syndicated copies made of its articles.

Usage:
    python -m bench.stories                    # IndoSum plus 300 made copies
    python -m bench.stories --copies 1000 --closest 20

Each made copy is an IndoSum article as another publisher would carry it:
another title, another dateline ("JAKARTA, KOMPAS.com -"), "Baca juga"
lines and an editor's credit around the same text, sometimes its last
paragraph cut. The articles are read as Cari reads them (ingest: furniture
and datelines off) and grouped as a build groups them
(``search.index.stories``). Printed: how many made copies are grouped with
their original, how many grouped pairs there are and how many of them are
the same story (a made copy with its original or another copy of it: the
same story by construction; any other pair is looked up in the judged pairs
of eval/stories/judged-pairs.tsv, and counted unjudged if it is not there),
and with --closest the IndoSum pairs nearest to grouping, for judging by
reading them.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotations: the modules are imported where they are used
    from search.index.signatures import Sketches
    from search.index.stories import Stories

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
JUDGED = ROOT / "eval" / "stories" / "judged-pairs.tsv"

DATELINES = ("JAKARTA, KOMPAS.com - ", "Jakarta, CNN Indonesia -- ", "Suara.com - ", "Jakarta (ANTARA News) - ",
             "TEMPO.CO, Jakarta - ", "Merdeka.com - ", "BANDUNG, KOMPAS.com - ")
PUBLISHERS = ("Kompas.com", "Suara", "Merdeka", "Tempo.co", "Antara", "Okezone", "Republika")
TITLE_FORMS = ("{title}", "Terkini: {title}", "{title}, Ini Kata Mereka", "Kabar Hari Ini - {title}")
CREDITS = ("(Sumber: Antara)", "Editor: Rizki Pratama", "(ant/dil)", "Penulis: Tim Redaksi")


def syndicated_copy(article: dict, number: int, rng: random.Random, other_titles: list[str]) -> dict:
    """``article`` (a JSON Lines record) as another publisher carries it: its text, new furniture around it."""
    from search.ingest.datelines import strip_dateline

    paragraphs = [p for p in strip_dateline(article["text"]).split("\n") if p.strip()]
    if len(paragraphs) >= 5 and rng.random() < 0.3:
        paragraphs = paragraphs[:-1]  # an outlet that cut the last paragraph
    paragraphs[0] = rng.choice(DATELINES) + paragraphs[0]
    related = rng.sample(other_titles, 2)
    at = rng.randrange(1, max(2, len(paragraphs)))
    paragraphs[at:at] = [f"Baca juga: {related[0]}"]
    paragraphs.append(f"Baca juga: {related[1]}")
    paragraphs.append(rng.choice(CREDITS))
    title = rng.choice(TITLE_FORMS).format(title=article["title"].title())
    return {"id": f"copy-{number}-of-{article['id']}", "title": title, "text": "\n\n".join(paragraphs),
            "date": article.get("date"), "source": rng.choice(PUBLISHERS), "url": f"https://example.id/copy/{number}"}


def with_copies(docs: list[dict], copies: int, seed: int = 26) -> tuple[list[dict], dict[str, str]]:
    """``docs`` and ``copies`` made copies of articles picked at random; ``copy id -> original id``."""
    rng = random.Random(seed)
    titles = [d["title"] for d in docs]
    made, original = [], {}
    for number, article in enumerate(rng.sample(docs, copies)):
        copy = syndicated_copy(article, number, rng, titles)
        made.append(copy)
        original[copy["id"]] = article["id"]
    return docs + made, original


def grouped_stories(docs: list[dict]) -> tuple[Stories, Sketches]:
    """The stories of ``docs`` as a build finds them: read through ingest, signatures, groups."""
    from search.index import signatures, stories
    from search.ingest.article import Article
    from search.ingest.sources import read_articles

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "docs.jsonl"
        source.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
        sketches = signatures.Sketches()
        for item in read_articles([source]):
            if isinstance(item, Article):
                sketches.add(item.id, item.body)
    return stories.group(sketches.signatures), sketches


def judged_pairs(path: Path = JUDGED) -> dict[frozenset, str]:
    """``{id, id} -> "same" | "different"`` from the judged pairs file."""
    judged: dict[frozenset, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            first, second, _, verdict, *_ = line.split("\t")
            judged[frozenset((first, second))] = verdict
    return judged


def measure(docs: list[dict], copies: int) -> dict:
    everything, original = with_copies(docs, copies)
    found, sketches = grouped_stories(everything)
    from search.index.signatures import similarity

    agreement = sorted(similarity(sketches.signatures[copy], sketches.signatures[source])
                       for copy, source in original.items())
    story_of = dict(zip(found.ids, found.story.tolist(), strict=True))
    story_root = {doc_id: original.get(doc_id, doc_id) for doc_id in found.ids}
    judged = judged_pairs()
    pairs = same = unjudged = 0
    for group in found.groups():
        for first, second in itertools.combinations(group, 2):
            pairs += 1
            if story_root[first] == story_root[second]:
                same += 1
            else:
                verdict = judged.get(frozenset((first, second)))
                same += verdict == "same"
                unjudged += verdict is None
    copied = sum(1 for copy, source in original.items() if story_of[copy] >= 0 and story_of[copy] == story_of[source])
    return {"articles": len(everything), "copies": len(original), "copies_grouped": copied, "stories": len(found.groups()),
            "grouped_pairs": pairs, "same_story_pairs": same, "unjudged_pairs": unjudged,
            "same_story_share": round(same / pairs, 4) if pairs else None,
            "copy_similarity_min": agreement[0] if agreement else None,
            "copy_similarity_median": agreement[len(agreement) // 2] if agreement else None}


def closest(docs: list[dict], count: int) -> list[tuple[float, str, str]]:
    """The ``count`` most similar pairs of ``docs`` by signature, grouped or not (what to judge by reading)."""
    import numpy as np

    found, sketches = grouped_stories(docs)
    ids = [doc_id for doc_id in found.ids if sketches.signatures[doc_id] is not None]
    values = np.array([sketches.signatures[doc_id] for doc_id in ids])
    best: list[tuple[float, str, str]] = []
    for row in range(len(ids) - 1):
        agree = (values[row + 1 :] == values[row]).mean(axis=1)
        for other in np.argsort(-agree)[:count]:
            best.append((float(agree[other]), ids[row], ids[row + 1 + int(other)]))
        best = sorted(best, reverse=True)[:count]
    return best


def scale(corpus: Path) -> dict:
    """What story groups cost on ``corpus`` (JSON Lines): signatures per article, grouping, the record's size."""
    import time

    from search.index import signatures, stories
    from search.ingest.article import Article
    from search.ingest.sources import read_articles

    sketches = signatures.Sketches()
    cpu = 0.0
    for item in read_articles([corpus]):
        if isinstance(item, Article):
            started = time.process_time()
            sketches.add(item.id, item.body)
            cpu += time.process_time() - started
    started = time.process_time()
    found = stories.group(sketches.signatures)
    grouping = time.process_time() - started
    with tempfile.TemporaryDirectory() as folder:
        stories.write(Path(folder), found)
        size = (Path(folder) / stories.RECORD).stat().st_size
        started = time.perf_counter()
        stories.read(Path(folder), with_values=False)
        reading = time.perf_counter() - started
    groups = found.groups()
    return {"articles": len(sketches), "signature_cpu_ms_per_article": round(cpu / max(1, len(sketches)) * 1000, 3),
            "grouping_cpu_s": round(grouping, 2), "groups": len(groups),
            "grouped_articles": sum(len(group) for group in groups), "record_mb": round(size / 1e6, 1),
            "record_read_ids_s": round(reading, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, default=SHARED / "eval" / "indosum" / "docs.jsonl")
    parser.add_argument("--copies", type=int, default=300, help="syndicated copies to make")
    parser.add_argument("--closest", type=int, default=0, help="also print the N most similar pairs of --docs")
    parser.add_argument("--scale", type=Path, metavar="CORPUS",
                        help="only measure the cost on CORPUS (JSON Lines, e.g. make_corpus.py's 100,000 articles)")
    args = parser.parse_args()
    if args.scale:
        json.dump(scale(args.scale), sys.stdout, indent=2)
        print()
        return
    with args.docs.open(encoding="utf-8") as lines:
        docs = [json.loads(line) for line in lines if line.strip()]
    json.dump(measure(docs, args.copies), sys.stdout, indent=2)
    print()
    for share, first, second in closest(docs, args.closest) if args.closest else []:
        print(f"{share:.3f}\t{first}\t{second}")


if __name__ == "__main__":
    main()
