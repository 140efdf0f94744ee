#!/usr/bin/env python3
"""Build the public keyword set (eval/keywords) from IndoSum's articles: names as queries, judged by who
the articles are about.

Usage: python -m bench.keyword_set [DOCS.jsonl] [--out eval/keywords]

DOCS defaults to ../shared/eval/indosum/docs.jsonl beside the repository. Writes OUT/queries.tsv
(``qid<TAB>query``, lowercase, as a reader types a name) and OUT/qrels.txt (TREC ``qid 0 docid grade``).
Same input, same output, byte for byte. How names are found and judged: eval/keywords/README.md.

Every word is a ``\\w+`` run, case-folded with diacritics removed, the way every engine measured by
../shared/peers/peers.py splits text, so the judgements favour no engine's analysis: a name matches
where its words stand next to each other in that order, in any form of case.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from search.analysis.names import CONVENTIONAL_CAPITALS, WORD, Token, definitions, fold, tokens
from search.analysis.names import case_counts as count_cases
from search.analysis.names import name_words as capitalised_words

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DOCS = REPO.parent / "shared" / "eval" / "indosum" / "docs.jsonl"
DEFAULT_OUT = REPO / "eval" / "keywords"

# 'Jakarta, CNN Indonesia - -', 'JAKARTA (Pos Kota) –', 'Merdeka.com -', 'JUARA.NET, SEOUL -', 'Rimanews -':
# capitalised words, commas and brackets before the first dash. Only taken for a dateline when it also
# names a publisher (brackets, a comma, a domain) or is all capitals, so 'Go - Jek' stays body text.
DATELINE = re.compile(r"\s*((?:[A-Z][\w.]*|[(),]|\s)+?)\s*[-–—](?:\s*-)?\s+")
PUBLISHERS_WITHOUT_MARK = {"rimanews"}
SENTENCE_END = re.compile(r"[.!?](?=\s+[\"“]?[A-Z])|\n")
# Capitalised by convention (days, months, time zones: search.analysis.names), and words of the publishers' names.
NOT_NAMES = CONVENTIONAL_CAPITALS | {
    "cnn", "antara", "antaranews", "news", "merdeka", "com", "suara", "kumparan", "juara", "net", "rimanews", "poskota", "pos",
    "kota", "goal", "dailysocial",
}

WHOLE_SHARE = 0.5  # a name stands alone (not inside a longer name) in at least half its places
FRAGMENT_SHARE = 0.75  # ... and shares no neighbour in 75% of its places (Selandia [Baru], [Game of] Thrones)
MIN_STANDALONE = 3
MIN_ABOUT, MAX_ABOUT = 5, 60  # articles about the name (grade >= 1)
MIN_HEADLINES = 3  # articles naming it in their title (grade 2)
MENTIONS_FOR_ABOUT = 3


def strip_dateline(text: str) -> str:
    """The article without its dateline ('Jakarta, CNN Indonesia - -'), which is furniture, not content."""
    match = DATELINE.match(text[:80])
    if not match:
        return text
    head = match.group(1).strip()
    if head.upper() == head or any(c in head for c in "(,.") or head.lower() in PUBLISHERS_WITHOUT_MARK:
        return text[match.end():]
    return text


@dataclass
class Article:
    id: str
    title: list[str]  # folded words
    body: list[Token]
    lead: int  # number of body words in the first sentence
    definitions: set[tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=set)  # (short, long)


def read_articles(path: Path) -> list[Article]:
    articles = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            doc = json.loads(line)
            body = strip_dateline(doc.get("text", ""))
            first = SENTENCE_END.search(body)
            lead = len(WORD.findall(body[:first.start()] if first else body))
            articles.append(Article(doc["id"], [fold(w) for w in WORD.findall(doc.get("title", ""))], tokens(body), lead,
                                    set(definitions(body))))
    return articles


def name_words(articles: list[Article]) -> set[str]:
    """Words capitalised nearly everywhere a capital is not forced by the sentence: names and acronyms."""
    upper: Counter = Counter()
    lower: Counter = Counter()
    for article in articles:
        count_cases(article.body, upper, lower)
    return capitalised_words(upper, lower, exclude=frozenset(NOT_NAMES))


def runs(article: Article, names: set[str]) -> Iterator[tuple[int, int]]:
    """(start, end) of each maximal sequence of capitalised name words joined by spaces or hyphens."""
    start = None
    for i, token in enumerate(article.body):
        is_name = token.surface[0].isupper() and token.folded in names
        if start is not None and not (is_name and token.joined):
            yield start, i
            start = None
        if is_name and start is None:
            start = i
    if start is not None:
        yield start, len(article.body)


def ngrams(words: list[str], size: int) -> Iterator[tuple[int, tuple[str, ...]]]:
    for start in range(len(words) - size + 1):
        yield start, tuple(words[start:start + size])


@dataclass
class Name:
    words: tuple[str, ...]
    in_names: int = 0  # places inside a run of name words
    alone: int = 0  # places where it is the whole run
    places: int = 0  # every place, any case
    left: Counter | None = None
    right: Counter | None = None
    left_titles: Counter | None = None  # left neighbours written with a capital but not name words
    followers: Counter = field(default_factory=Counter)  # name words after it inside a run: Kim 'Jong' Un


def candidate_names(articles: list[Article], names: set[str]) -> dict[tuple[str, ...], Name]:
    """Every one to three words inside a run of name words that is often a whole run by itself."""
    found: dict[tuple[str, ...], Name] = {}
    for article in articles:
        for start, end in runs(article, names):
            words = [t.folded for t in article.body[start:end]]
            for size in range(1, min(3, len(words)) + 1):
                for at, gram in ngrams(words, size):
                    name = found.setdefault(gram, Name(gram))
                    name.in_names += 1
                    if at + size < len(words):
                        name.followers[words[at + size]] += 1
            if len(words) <= 3:
                found.setdefault(tuple(words), Name(tuple(words))).alone += 1
    return {g: n for g, n in found.items() if n.alone >= MIN_STANDALONE and n.alone >= WHOLE_SHARE * n.in_names}


def aliases(articles: list[Article]) -> dict[tuple[str, ...], set[tuple[str, ...]]]:
    """Each short form defined the same way in at least two articles, and its long forms, either way round."""
    defined = Counter(pair for article in articles for pair in article.definitions)
    found: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    for (short, long), count in sorted(defined.items()):
        if count >= 2:
            found[short].add(long)
            found[long].add(short)
    return found


def judge(articles: list[Article], names: dict[tuple[str, ...], Name], names_words: set[str],
          also: dict[tuple[str, ...], set[tuple[str, ...]]] | None = None) -> dict[tuple, dict[int, int]]:
    """Grade per article for each name: 2 in the title, 1 in the lead or 3 times in the text, 0 mentioned.

    A name's other form (``also``: 'Komisi Pemberantasan Korupsi' for 'KPK') counts as the name.
    """
    also = also or {}
    forms = {g: {g} | also.get(g, set()) for g in names}
    wanted = set().union(*forms.values()) if forms else set()
    sizes = sorted({len(f) for f in wanted})
    grades: dict[tuple, dict[int, int]] = defaultdict(dict)
    for number, article in enumerate(articles):
        words = [t.folded for t in article.body]
        counts: Counter = Counter()
        in_lead = set()
        for size in sizes:
            for start, gram in ngrams(words, size):
                if gram not in wanted:
                    continue
                counts[gram] += 1
                if start + size <= article.lead:
                    in_lead.add(gram)
                if gram in names:
                    _neighbours(names[gram], article.body, start, size, names_words)
        title = {gram for size in sizes for _, gram in ngrams(article.title, size)} & wanted
        for g in {g for form in set(counts) | title for g in [form, *also.get(form, ())] if g in names}:
            if forms[g] & title:
                grades[g][number] = 2
            else:
                grades[g][number] = int(bool(forms[g] & in_lead) or sum(counts[f] for f in forms[g]) >= MENTIONS_FOR_ABOUT)
    return grades


def _neighbours(name: Name, body: list[Token], start: int, size: int, names_words: set[str]) -> None:
    name.places += 1
    name.left = name.left or Counter()
    name.right = name.right or Counter()
    name.left_titles = name.left_titles or Counter()
    before = body[start - 1] if start else None
    after = body[start + size] if start + size < len(body) else None
    name.left[before.folded if before else ""] += 1
    name.right[after.folded if after else ""] += 1
    if before and before.surface[0].isupper() and before.folded not in names_words:
        name.left_titles[before.folded] += 1


def is_fragment(name: Name) -> bool:
    """Nearly always beside the same word: part of a longer name ('Selandia Baru', 'Game of Thrones').

    A capitalised word that is no name on the left is a title ('Presiden Joko Widodo'): the name stands.
    """
    if not name.places or name.left is None or name.right is None or name.left_titles is None:
        return False  # no place counted (the three counters come with the first)
    r, (left, n) = name.right.most_common(1)[0][1], name.left.most_common(1)[0]
    if r >= FRAGMENT_SHARE * name.places:
        return True
    return n >= FRAGMENT_SHARE * name.places and name.left_titles[left] < n / 2


def is_shared(name: Name) -> bool:
    """A given name of several people, none usual: 'Kim' (Jong Un, Kardashian, Woo Bin), 'Mario', 'Thomas'.

    Often followed by another name word, by at least three different ones, none in half of those places.
    Only what follows counts: what comes before is as often a unit of an institution ('Mabes Polri').
    """
    followers = [n for n in name.followers.values() if n >= 2]
    return len(followers) >= 3 and sum(followers) >= 0.25 * name.in_names and max(followers) < sum(followers) / 2


def telling(name: Name, grades: dict[int, int]) -> bool:
    words = name.words
    if len(words) == 1 and (len(words[0]) < 3 or not words[0].isalpha()) or min(map(len, words)) < 2:
        return False  # 'pp', 'm1', 'indonesia u' (of 'U-19'): codes and cut names, not what a reader types
    if is_shared(name) or is_fragment(name):
        return False
    about = sum(1 for g in grades.values() if g > 0)
    headlines = sum(1 for g in grades.values() if g == 2)
    return MIN_ABOUT <= about <= MAX_ABOUT and headlines >= MIN_HEADLINES


def build(articles: list[Article]) -> list[tuple[str, dict[str, int]]]:
    """(query, {docid: grade}) for every telling name, in a fixed order (most headlines first, then a-z)."""
    names_words = name_words(articles)
    names = candidate_names(articles, names_words)
    grades = judge(articles, names, names_words, aliases(articles))
    chosen = [g for g, name in names.items() if telling(name, grades[g])]
    chosen.sort(key=lambda g: (-sum(1 for v in grades[g].values() if v == 2), " ".join(g)))
    return [(" ".join(g), {articles[i].id: grade for i, grade in sorted(grades[g].items())}) for g in chosen]


def write(out: Path, topics: list[tuple[str, dict[str, int]]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    width = len(str(len(topics)))
    with (out / "queries.tsv").open("w", encoding="utf-8", newline="\n") as queries, \
            (out / "qrels.txt").open("w", encoding="utf-8", newline="\n") as qrels:
        for number, (query, judged) in enumerate(topics, 1):
            qid = f"kw{number:0{width}d}"
            queries.write(f"{qid}\t{query}\n")
            for doc_id, grade in sorted(judged.items(), key=lambda item: (-item[1], item[0])):
                qrels.write(f"{qid} 0 {doc_id} {grade}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("docs", type=Path, nargs="?", default=DEFAULT_DOCS, help="IndoSum docs.jsonl")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for queries.tsv and qrels.txt")
    args = parser.parse_args()
    if not args.docs.is_file():
        parser.error(f"{args.docs} not found: put the shared data at ../shared or name docs.jsonl")
    topics = build(read_articles(args.docs))
    write(args.out, topics)
    digest = hashlib.sha256(args.docs.read_bytes()).hexdigest()
    about = [sum(1 for g in judged.values() if g > 0) for _, judged in topics]
    print(f"{len(topics)} queries, {sum(about)} articles about them ({min(about)}-{max(about)} each)"
          f" from {args.docs.name} (sha256 {digest[:16]}) -> {args.out}")


if __name__ == "__main__":
    main()
