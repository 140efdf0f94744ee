"""Why an article ranks where it does: the parts of its score, for ``cari search --explain`` and ``explain=1``.

A result's score is what the ranking stage added up (``scoring.ArrayScorer``):
each branch of the query's OR (a word in a field, a correction, a variant,
an abbreviation's phrase) adds its BM25F score, and a bonus (a keyword
query's nearness phrase, a question's answer kind) adds to that. Keyword
queries rank all words first (``coverage``); a question's best passages are
re-ranked (``rerank``). :class:`Explainer` works each part out again for the
articles of one page, with the same scorer and the same query, so the parts
add up to the score shown. It costs a little for each result and is only
run when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from whoosh import query as q

from search.query.budget import NO_DEADLINE, Deadline
from search.query.builder import concept_key
from search.query.parsed import ParsedQuery, concept_pieces, positive_terms
from search.ranking import rerank
from search.ranking.flat import exclusions_only, flat_query

# Digits kept in an explanation's numbers: enough to add them up, few enough to read.
DIGITS = 4


def _rounded(value: float) -> float:
    return round(float(value), DIGITS)


@dataclass
class Explainer:
    """Explains the scores of one ranked query's results (made by ``RankingPolicy.explainer``)."""

    parsed: ParsedQuery
    query: Any  # the Whoosh query as ranked: wildcards expanded, keyword titles weighted, nearness added
    concepts: tuple | None  # the concepts counted for all-words-first, or None
    scorer: Any  # the index's ArrayScorer
    searcher: Any  # the Whoosh searcher the results come from
    schema: Any
    sort: str = "relevance"

    def explain(self, found: list, page: list, deadline: Deadline = NO_DEADLINE) -> list[dict]:
        """One explanation per ``(stored fields, score)`` of ``page``; ``found`` is every result ranked (best first).

        Part of the search's time: past ``deadline`` it stops with QueryTooSlow like the search.
        """
        parts = flat_query(self.query)
        if self.sort != "relevance":
            return [{"ranker": "date", "score": None, "note": f"sorted {self.sort} first: no score"} for _ in page]
        if exclusions_only(self.query) is not None:  # nothing to score by: the newest holding none of them
            return [{"ranker": "date", "score": None, "note": "exclusions alone: newest first"} for _ in page]
        if parts is None:  # a NOT: Whoosh ranked it with the same BM25F, as one sum
            return [{"ranker": "whoosh", "score": _rounded(score)} for _, score in page]
        wanted, bonus = parts
        wanted, excluded = _without_exclusions(wanted)
        origins = self._origins()
        rerank_context = self._rerank_context(found, wanted, bonus) if self.parsed.question else None
        explained = []
        for fields, score in deadline.checked(page, every=1):
            docnum = self.searcher.document_number(id=fields["id"])
            explained.append(self._one(docnum, fields, score, wanted, bonus, origins, rerank_context))
            if excluded:
                explained[-1]["excluded"] = excluded
        return explained

    def _one(self, docnum: int, fields: dict, score: float, wanted: list[tuple[q.Query, float]],
             bonus: list[tuple[q.Query, float]], origins: dict, rerank_context: tuple[float, dict, frozenset] | None) -> dict:  # noqa: PLR0913
        terms: list[dict] = []
        by_field: dict[str, float] = {}
        matched_keys = set()
        for node, boost in wanted:
            value = self.scorer.score_of_document(node, boost, docnum)
            if not value:
                continue
            field, text = _describe(node)
            word, reason = origins.get((field, text), (None, "as typed"))
            terms.append({"field": field, "term": text, "word": word, "reason": reason, "score": _rounded(value)})
            by_field[field] = by_field.get(field, 0.0) + value
            matched_keys.add(concept_key(node))
        bm25 = sum(by_field.values())
        explanation: dict = {
            "ranker": "bm25f",
            "score": _rounded(score),
            "fields": {field: _rounded(value) for field, value in sorted(by_field.items())},
            "terms": sorted(terms, key=lambda t: -t["score"]),
        }
        if bonus:
            # A question's answer kind (a term), or a keyword query's words close together (a phrase per field).
            added: dict[str, float] = {}
            for node, boost in bonus:  # a field's phrases: the words typed, and with a typo corrected
                field = _describe(node)[0]
                added[field] = added.get(field, 0.0) + self.scorer.score_of_document(node, boost, docnum)
            about = {"kind": self.parsed.asked} if self.parsed.question else {"words": " ".join(self.parsed.words)}
            explanation["answer_kind" if self.parsed.question else "nearness"] = {
                "score": _rounded(sum(added.values())), "fields": {f: _rounded(v) for f, v in added.items()}, **about}
            bm25 += sum(added.values())
        if self.concepts:
            held = sum(all(keys & matched_keys for keys in concept_pieces(concept)) for concept in self.concepts)
            explanation["coverage"] = {"held": held, "of": len(self.concepts),
                                       "note": "articles holding more of the words rank first"}
        corrections = [{"typed": typed, "searched": used} for typed, used in self.parsed.corrections]
        if corrections:
            explanation["corrections"] = corrections
        if rerank_context is not None:
            explanation["rerank"] = self._reranked(fields, bm25, *rerank_context)
        else:
            explanation["sum"] = _rounded(bm25)
        return explanation

    def _rerank_context(self, found: list[tuple[dict, Any]], wanted: list[tuple[q.Query, float]],
                        bonus: list[tuple[q.Query, float]]) -> tuple[float, dict, frozenset]:
        """(the best BM25 among the re-ranked, the question's idf, the ids re-ranked) for a question."""
        top = found[: rerank.DEPTH]
        best = 0.0
        for fields, _ in top:
            docnum = self.searcher.document_number(id=fields["id"])
            total = sum(self.scorer.score_of_document(node, boost, docnum) for node, boost in wanted + bonus)
            best = max(best, total)
        idf = rerank.question_idf(self.parsed.query, self.scorer.postings)  # as answers_first reads it
        return best or 1.0, idf, frozenset(fields["id"] for fields, _ in top)

    def _reranked(self, fields: dict, bm25: float, best: float, idf: dict, reranked_ids: frozenset) -> dict:
        """The question re-rank's features and score for one passage (``rerank.combine``)."""
        if fields["id"] not in reranked_ids:
            return {"applied": False, "bm25": _rounded(bm25), "note": f"below the {rerank.DEPTH} re-ranked"}
        coverage, window, answer = rerank.passage_features(fields.get("body", ""), idf, self.parsed.asked,
                                                           self.parsed.question_words)
        weights = rerank.WEIGHTS
        share = bm25 / best
        total = share + weights.coverage * coverage + weights.window * window + weights.answer * answer
        return {"applied": True, "bm25": _rounded(bm25), "bm25_share": _rounded(share),
                "coverage": _rounded(coverage), "window": _rounded(window), "answer_near": answer > 0,
                "weights": {"coverage": weights.coverage, "window": weights.window, "answer": weights.answer},
                "score": _rounded(total * best)}

    def _origins(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(field, term) -> (the word typed, why it is searched) for every alternative of an expanded word."""
        origins: dict[tuple[str, str], tuple[str, str]] = {}
        typed = [(word, word, "as typed") for word in self.parsed.words]
        alternatives = [(form.text, expansion.word, form.reason)
                        for expansion in self.parsed.expansions for form in expansion.forms]
        for text, word, reason in typed + alternatives:  # a word typed wins over the same word as an alternative
            for field in ("title", "body", "title_exact", "body_exact"):
                if field in self.schema:
                    terms = list(self.schema[field].process_text(text, mode="query"))
                    for term in terms:
                        origins.setdefault((field, term), (word, reason))
                    if len(terms) > 1:  # a phrase: its words together (_describe)
                        origins.setdefault((field, " ".join(terms)), (word, reason))
        return origins


def _without_exclusions(wanted: list) -> tuple[list, list[str]]:
    """A lone ``words AND NOT other`` branch as the branches of its words (its score is theirs), and what it excludes."""
    if len(wanted) == 1 and type(wanted[0][0]) is q.AndNot:
        node, boost = wanted[0]
        inner = flat_query(node.a)
        if inner is not None and not inner[1]:
            excluded = list(dict.fromkeys(text for _, text in positive_terms(node.b)))
            return [(branch, boost * inner_boost) for branch, inner_boost in inner[0]], excluded
    return wanted, []


def _describe(node: q.Query) -> tuple[str, str]:
    """(field, text) of a branch: a term's own, a phrase's words, or the query written out."""
    fieldname = getattr(node, "fieldname", None)
    if hasattr(node, "text") and fieldname:
        return fieldname, node.text
    if hasattr(node, "words") and fieldname:
        return fieldname, " ".join(node.words)
    # A phrase asked with its words as written (an alternative's: ``menhub``'s Menteri Perhubungan): the phrase's.
    phrases = [child for child in node.children() if hasattr(child, "words") and getattr(child, "fieldname", None)]
    if len(phrases) == 1:
        return _describe(phrases[0])
    terms = list(node.terms()) if node.has_terms() else []
    fields = {field for field, _ in terms}
    return (fields.pop() if len(fields) == 1 else "several"), " ".join(dict.fromkeys(t for _, t in terms))

