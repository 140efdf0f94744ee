"""Question re-rank: reorder a question's best passages by how they answer it.

BM25 counts the question's words wherever they are. For a factoid question
the passage holding the answer often loses to a neighbour from the same
article that repeats more of the question's words (the lead names the
event, the next paragraph gives the figure). This re-rank reads the text of
a question's best candidates and adds to their BM25 score three features:

* ``coverage``: the idf share of the question's content stems the passage holds;
* ``window``: how tightly the matched stems sit (their number over the
  length of the shortest stretch of words holding them all);
* ``answer``: whether a word of the kind the question asks for (a number,
  a date, a place) stands within a few words of a matched stem,
  not merely somewhere in the passage.

The score is the candidate's share of the best BM25 score plus the weighted
features: a linear model whose three weights were fitted on the
even-numbered facqa questions by coordinate ascent on MRR@10 (measured in
``docs/relevance.md``, odd half reported beside). Weights are not negative,
so a re-ranked candidate never scores below one left out of the re-rank.
Only questions are re-ranked; statements and keyword queries keep BM25's
order and cost nothing more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from whoosh import query as q

from search.analysis.answers import ALIAS, ORDINAL, PLACE, is_roman_ordinal, word_is
from search.analysis.tokens import RunPart as Word
from search.analysis.tokens import run_parts, text_runs, written_words
from search.query.parsed import QUESTION_DEPTH, ParsedQuery, positive_terms

# How many of the best results a question re-ranks; the rest keep their order below.
DEPTH = QUESTION_DEPTH
# A word of the asked kind counts when it is at most this many words from a matched stem.
NEAR = 6

# Words that put a place after them: "di Jayapura", "Kabupaten Kutai Barat".
_BEFORE_PLACE = frozenset({"di", "ke", "dari", "kota", "kabupaten", "provinsi", "desa", "kecamatan", "pulau", "negara",
                           "asal", "kelahiran", "propinsi", "wilayah", "daerah", "kawasan", "kelurahan", "kampung",
                           "kepulauan", "negeri", "benua", "menuju", "dekat"})


@dataclass(frozen=True)
class Weights:
    """The linear model's weights, in units of the best candidate's BM25 score."""

    coverage: float = 0.1
    window: float = 0.03
    answer: float = 0.3


WEIGHTS = Weights()


def is_answer(passage: list[Word], i: int, kind: str, asked: frozenset[str]) -> bool:
    """Whether word ``i`` of ``passage`` could answer a question of ``kind``.

    A word the question itself contains (``asked``, lowercased) is no answer.
    """
    text = passage[i].text
    lower = text.lower()
    if lower in asked:
        return False
    if kind == ORDINAL and i > 0 and is_roman_ordinal(text, passage[i - 1].text):
        return True
    if kind != PLACE:
        return word_is(kind, text)
    # A place is a capitalised word after "di", "ke", "Kabupaten" ... but not
    # "Kabupaten" itself: in "di Kabupaten Tanah Laut" the place is the name
    # after it, and when the question already holds that name nothing is answered.
    return (
        i > 0
        and text[:1].isupper()
        and lower not in _BEFORE_PLACE
        and passage[i - 1].text.lower() in _BEFORE_PLACE
    )


def passage_features(body: str, idf: dict[str, float], kind: str | None, asked: frozenset[str]) -> tuple:
    """``(coverage, window, answer)`` of a passage's text (:func:`features` of its words)."""
    opens = bracket_openings(body) if kind == ALIAS else frozenset()
    return features(written_words(body), idf, kind, asked, opens)


def bracket_openings(text: str) -> frozenset[int]:
    """The places (as :func:`written_words` counts them) of the words right after an opening bracket."""
    found, at = set(), 0
    for run in text_runs(text):
        for part in run_parts(run):
            if part.start and run[part.start - 1] in "([":
                found.add(at)
            at += 1
    return frozenset(found)


def names_another(passage: list[Word], matched_at: list[int], idf: dict[str, float], opens: frozenset[int]) -> bool:
    """Whether the passage gives another name of what the question names, beside the matched words.

    In brackets after them (``beruang madu (Helarctos malayanus)``: the last
    two words before the bracket matched when the question has two, so
    ``harimau sumatera (Panthera ...)`` does not answer ``orangutan
    sumatera``), them in brackets after a name (``Gerakan Aceh Merdeka
    (GAM)``), or an abbreviation with ``atau`` (``... Research Institute atau IRRI``).
    """
    before = min(2, len(idf))
    for i in matched_at:
        if (i + 1 in opens and passage[i + 1].stem not in idf and i + 1 >= before
                and all(passage[j].stem in idf for j in range(i + 1 - before, i + 1))):
            return True
        if i in opens and i > 0 and passage[i - 1].stem not in idf:
            return True
        text = passage[i].text
        if len(text) > 1 and text.isupper() and any(0 <= j < len(passage) and passage[j].word == "atau" for j in (i - 1, i + 1)):
            return True
    return False


def features(passage: list[Word], idf: dict[str, float], kind: str | None, asked: frozenset[str],
             opens: frozenset[int] = frozenset()) -> tuple:
    """``(coverage, window, answer)`` of one passage for the question's stems ``idf``.

    ``opens``: the words right after an opening bracket (:func:`bracket_openings`), read for :data:`ALIAS`.
    """
    matched_at = [i for i, w in enumerate(passage) if w.stem in idf]
    matched = {stem for i in matched_at if (stem := passage[i].stem) is not None}
    coverage = sum(idf[stem] for stem in matched) / (sum(idf.values()) or 1.0)
    answer = 0.0
    if kind == ALIAS:
        answer = float(names_another(passage, matched_at, idf, opens))
    elif kind is not None:
        near = {j for i in matched_at for j in range(max(0, i - NEAR), min(len(passage), i + NEAR + 1))}
        answer = float(any(is_answer(passage, j, kind, asked) for j in near))
    return coverage, tightness(passage, matched_at, len(matched)), answer


def tightness(passage: list[Word], matched_at: list[int], distinct: int) -> float:
    """Distinct matched stems over the length of the shortest stretch holding them all (0-1)."""
    if distinct < 2:
        return 0.0
    counts: dict[str | None, int] = {}  # matched words only: their stems are never None
    shortest, start = len(passage), 0
    for end in matched_at:
        counts[passage[end].stem] = counts.get(passage[end].stem, 0) + 1
        while len(counts) == distinct:  # shrink from the left while all stems are in
            first = matched_at[start]
            shortest = min(shortest, end - first + 1)
            counts[passage[first].stem] -= 1
            if not counts[passage[first].stem]:
                del counts[passage[first].stem]
            start += 1
    return distinct / shortest


def question_idf(query: q.Query, postings: Any, fieldname: str = "body") -> dict[str, float]:
    """BM25's idf of each stem the query asks for in ``fieldname`` (stems in no article left out)."""
    n = postings.doc_count_all()
    idf = {}
    for field, stem in positive_terms(query):
        df = postings.doc_frequency(field, stem) if field == fieldname else 0
        if df:
            idf[stem] = math.log(1 + (n - df + 0.5) / (df + 0.5))
    return idf


def combine(scores: list[float], feats: list[tuple], weights: Weights = WEIGHTS) -> list[float]:
    """Each candidate's re-rank score: its share of the best BM25 score plus the weighted features."""
    best = max(scores, default=0.0) or 1.0
    w = (weights.coverage, weights.window, weights.answer)
    return [s / best + sum(a * b for a, b in zip(w, f, strict=True)) for s, f in zip(scores, feats, strict=True)]


def answers_first(parsed: ParsedQuery, query: q.Query, found: list, postings: Any, weights: Weights = WEIGHTS) -> list:
    """``found`` ((stored fields, score) pairs, best first) re-ranked if ``parsed`` is a question.

    ``query`` is the Whoosh query that ranked them (``parsed.query`` as
    ranking pruned it). The first ``DEPTH`` are reordered and given their
    re-rank score in BM25 units (the share times the best score), so scores
    still fall down the list; the others follow unchanged. Anything else is
    returned as it is.
    """
    if not parsed.question:
        return found
    top, rest = found[:DEPTH], found[DEPTH:]
    if not top:
        return found
    idf = question_idf(query, postings)
    feats = [passage_features(fields.get("body", ""), idf, parsed.asked, parsed.question_words) for fields, _ in top]
    scores = [float(score) for _, score in top]
    best = max(scores) or 1.0
    combined = combine(scores, feats, weights)
    reranked = [(fields, share * best) for (fields, _), share in zip(top, combined, strict=True)]
    return sorted(reranked, key=lambda pair: -pair[1]) + rest
