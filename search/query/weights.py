"""Ranking weights: how much each field counts, BM25F's parameters, the answer-kind boost.

Measured choices (docs/relevance.md), kept apart from the schema: changing
one re-ranks the same index, it does not need a rebuild. They live in the
query stage because the query builder puts the field weights and the boost
into the query it makes; the ranking stage, which comes later, reads them here.
"""

# Fields searched when a query term names no field, with their weights. Whoosh
# scores each field on its own (its own saturation and idf) and adds them up, so
# a headline word already counts twice: once in the title, once in the body.
# A title weighted above the body let a short headline outrank the article the
# query describes (IndoSum MRR 0.973 -> 0.991 at half weight; docs/relevance.md).
DEFAULT_FIELDS = {"title": 0.5, "body": 1.0, "title_exact": 0.5, "body_exact": 1.0}
# BM25F: a low K1 saturates repeated words early, so an article matching more
# of the query's words beats one repeating a few (measured: docs/relevance.md).
BM25_PARAMS = {"B": 0.75, "K1": 0.5}
# Weight of holding the kind of answer a question asks for (search.analysis.answers).
ANSWER_BOOST = 20.0
