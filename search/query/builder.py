"""The query builder: user text -> one :class:`ParsedQuery`, or a clear QueryError.

The text is checked (``syntax``), rewritten (``rewrite``: question words
out, abbreviations expanded) and made a Whoosh query: plain words directly,
anything with query syntax by Whoosh's parser. Whether it is a question and
what kind of answer it asks for are read here too, once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from whoosh import qparser
from whoosh import query as q

from search.analysis.answers import asked_kind, asked_type, framing_words
from search.analysis.tokens import TOKEN, analyse
from search.analysis.wordlists import question_words, stopwords
from search.errors import QueryError
from search.query.alternatives import Alternatives
from search.query.parsed import Compound, Concept, ParsedQuery
from search.query.phrase_queries import ExpansionParser, PhraseFactory, exact_phrases
from search.query.rewrite import Expansion, Rewritten, rewrite
from search.query.syntax import OPERATORS, asks_every_word, check_query, lower_field_names
from search.query.weights import ANSWER_BOOST, DEFAULT_FIELDS
from search.query.wildcards import check_wildcards

WORDS_REMEMBERED = 100_000
# A "?" ends an Indonesian question; Whoosh would read it as a wildcard.
_QUESTION_MARK = re.compile(r"\?")
# Text made only of these characters holds no query syntax but parentheses: a
# list of words, perhaps grouped. News sentences carry "(Senin, 29/8)" and
# curly quotes; the parser would make an OR of the group's words inside the
# OR of the others, which its normalize() flattens into one.
_PLAIN_TEXT = re.compile(r"[\w\s.,;!%&/'’‘“”()-]*")
_GROUPING = re.compile(r"[()]")
_WORDS = re.compile(r"\w+(?:[-.,]\w+)*")
_TRIMMED = re.compile(r"^\W+|\W+$")  # punctuation around a word typed
# A question has at least this many words: shorter queries are keyword searches.
MIN_QUESTION_WORDS = 4


def is_question(text: str) -> bool:
    """True for a question: four or more words, one a question word (``siapakah``) or the last ending in ``?``."""
    found = [word.lower() for word in TOKEN.findall(text)]
    return len(found) >= MIN_QUESTION_WORDS and (text.rstrip().endswith("?") or not question_words().isdisjoint(found))


@dataclass
class QueryBuilder:
    """Parses checked query text against a schema, the same way for CLI and web."""

    schema: Any  # a whoosh.fields.Schema
    alternatives: Alternatives = field(default_factory=Alternatives)  # variants, synonyms, typos (per index)

    def __post_init__(self) -> None:
        # An index built before a field existed is still searched, without it.
        self._boosts = {name: w for name, w in DEFAULT_FIELDS.items() if name in self.schema}
        self.parser = self._new_parser(PhraseFactory(self.schema))
        # Words beside a field (``title:banjir jakarta``) are each asked for, as plain keywords are; the
        # default parser's OR flattens them, so which branch was which word is lost after parsing.
        self.every_word_parser = self._new_parser(PhraseFactory(self.schema), group=qparser.AndGroup)
        # An alternative's phrase ("Amerika Serikat") is any form of its words,
        # as the article may inflect it; only the reader's quotes mean the
        # words as written.
        self.expansion_parser = ExpansionParser(self._new_parser(PhraseFactory(self.schema, as_written=False)))
        self._words: dict[str, tuple | None] = {}  # word -> its terms (queries repeat words)
        self._expansions: dict[str, tuple] = {}  # "(AS OR ...)" -> its branches

    def _new_parser(self, phrases: PhraseFactory, group: type = qparser.OrGroup) -> qparser.MultifieldParser:
        parser = qparser.MultifieldParser(
            list(self._boosts),
            self.schema,
            fieldboosts=self._boosts,
            # Any word may match. No coordination scale: it ranked worse
            # (docs/relevance.md), and Whoosh can only apply it word by word.
            group=group,
            phraseclass=phrases,
        )
        # Apostrophes occur in names (Jum'at, O'Neil); ranges and single
        # quoted terms are not part of our query language.
        parser.remove_plugin_class(qparser.SingleQuotePlugin)
        parser.remove_plugin_class(qparser.RangePlugin)
        return parser

    def parse(self, text: str, corrections: bool = True) -> ParsedQuery:
        """The parsed query for the user's text; QueryError if it makes no sense.

        ``corrections=False`` searches the words as typed, without correcting typos.
        """
        text = check_query(text)
        unasked = _QUESTION_MARK.sub(" ", text)
        alternatives = self.alternatives if corrections else replace(self.alternatives, corrections=False)
        framing = framing_words(text) if is_question(text) else frozenset()
        rewritten = rewrite(unasked, alternatives, framing)
        try:
            parser = self.every_word_parser if asks_every_word(text) and not is_question(text) else self.parser
            parsed, concepts = self._words_and_concepts(rewritten) or (
                parser.parse(exact_phrases(lower_field_names(rewritten.text()))), Concepts())
        except Exception:  # Whoosh's parser has corner cases that raise
            raise QueryError(
                "Could not understand the query; check its operators, quotes and parentheses."
            ) from None
        query = self._prefer_answer_kind(exclude_negated(parsed), unasked)
        check_wildcards(query, text)
        return self._parsed(text, query, rewritten.expansions, concepts)

    def _parsed(
        self, text: str, query: q.Query, expansions: tuple[Expansion, ...] = (), concepts: Concepts | None = None
    ) -> ParsedQuery:
        question = is_question(text)
        concepts = concepts or Concepts()
        return ParsedQuery(
            text=text,
            query=query,
            concepts=concepts.concepts,
            words=concepts.words,
            compounds=concepts.compounds,
            question=question,
            asked=asked_type(text) if question else None,
            question_words=frozenset(token.word for token in analyse(text)) if question else frozenset(),
            expansions=expansions,
        )

    def _prefer_answer_kind(self, query: q.Query, text: str) -> q.Query:
        """Rank articles holding the kind of answer the question asks for higher.

        ``Kapan ...`` wants a date, ``Berapa ...`` a number (see answers.py); the
        kind only adds to the score of articles that match anyway.
        """
        kind = asked_kind(text)
        if kind is None or "answers" not in self.schema:
            return query
        return q.AndMaybe(query, q.Term("answers", kind, boost=ANSWER_BOOST))

    def parse_words(self, text: str) -> ParsedQuery:
        """The parsed query of just the words of ``text``, ignoring any syntax in it."""
        words = _WORDS.findall(text)
        if not words:
            raise QueryError("Empty query: type one or more words to search for.")
        plain = " ".join(w.lower() for w in words)
        query = self.words_query(Rewritten((plain,), verbatim=True)) or self.parser.parse(plain)
        return self._parsed(text, query)

    def words_query(self, rewritten: Rewritten) -> q.Query | None:
        """The query Whoosh's parser makes of plain words, built directly; None for anything else."""
        found = self._words_and_concepts(rewritten)
        return found[0] if found else None

    def _words_and_concepts(self, rewritten: Rewritten) -> tuple[Any, Concepts] | None:
        """(the query Whoosh's parser makes of plain words, built directly, its concepts); None for anything else.

        A concept is one thing the reader asked for: a word, or a word and its
        alternatives; it is the set of the query's branches that stand for it
        (``concept_key`` of each), so ranking can count how many an article has.
        A word typed in pieces (``covid19``, ``covid-19``, ``covid 19``:
        ``Rewritten.compounds``) is one :class:`Compound` concept, its joined
        form searched too (``_compound``).

        The parser costs 1-2 ms a sentence (a dozen plugins, copies of every
        node), as much as ranking it. Text without query syntax is just, for
        each word, an OR of its term in every default field, normalised the
        parser's way. An abbreviation's :class:`Expansion` is parsed by the
        parser once (``(AS OR "Amerika Serikat"^0.3)``) and its branches put
        in the same OR, as its normalize() flattens them. A word
        that analyses into several terms, or text with any other syntax, is
        left to the parser (``tests/query/test_query.py`` checks that both give the
        same query).
        """
        branches = {}  # the parser's OR of ORs, flattened without duplicates as its normalize() does
        concepts: dict[str, set] = {}  # the word (or expansion) -> keys of its branches
        for chunk in _chunks(rewritten):
            if isinstance(chunk, Expansion):
                found = self._expansion_branches(chunk.text())
                branches.update(dict.fromkeys(found))
                self._expansion_concepts(chunk, found, concepts)
                continue
            if not _PLAIN_TEXT.fullmatch(chunk):
                return None
            words = _GROUPING.sub(" ", chunk).split()
            if any(word in OPERATORS for word in words):
                return None
            for word in words:
                terms = self._word_terms(word)
                if terms is None:
                    return None
                branches.update(dict.fromkeys(terms))
                concepts.setdefault(word.lower(), set()).update(map(concept_key, terms))
        if not branches:
            return None
        kept = {word: frozenset(keys) for word, keys in concepts.items() if keys}
        grouped, compounds = self._grouped(kept, rewritten.compounds, branches)
        flat = [q.Term(*branch[:2], boost=branch[2]) if type(branch) is tuple else branch for branch in branches]
        return (flat[0] if len(flat) == 1 else q.Or(flat)), Concepts(tuple(kept), grouped, compounds)

    def _grouped(self, words: dict[str, frozenset], compounds: tuple[tuple[str, ...], ...],
                 branches: dict) -> tuple[tuple[Concept, ...], tuple[tuple[str, ...], ...]]:
        """(each word's concept in the order typed, the pieces of one word typed as one :class:`Compound`;
        the words of each compound).

        A compound's joined form (``covid19``) is searched too (added to
        ``branches``), and holding it holds every piece: an article holds the
        compound when it holds every piece (any form of each), or the joined form.
        """
        typed = {_TRIMMED.sub("", word): word for word in words}  # "19," typed is the piece "19"
        pieces_of: dict[str, tuple[str, ...]] = {}
        for pieces in compounds:
            asked = tuple(typed[piece] for piece in pieces if piece in typed)
            if len(asked) >= 2 and not any(word in pieces_of for word in asked):
                pieces_of.update(dict.fromkeys(asked, asked))
        grouped: list[Concept] = []
        for word, keys in words.items():
            if word not in pieces_of:
                grouped.append(keys)
            elif word == (pieces := pieces_of[word])[0]:
                joined: tuple = self._word_terms("".join(_TRIMMED.sub("", piece) for piece in pieces)) or ()
                branches.update(dict.fromkeys(joined))
                joined_keys = frozenset(map(concept_key, joined))
                grouped.append(Compound(words[piece] | joined_keys for piece in pieces))
        return tuple(grouped), tuple(dict.fromkeys(pieces_of.values()))

    def _expansion_concepts(self, expansion: Expansion, branches: tuple, concepts: dict[str, set]) -> None:
        """Add an expansion's concepts: each of its words, every alternative standing for all of them.

        ``kementerian luar negeri`` (or ``Kemenlu``) is three concepts: an
        article with ``Kemenlu`` holds all three, one with ``kementerian``
        alone holds one.
        """
        keys = set(map(concept_key, branches))
        words = {}
        for word in expansion.word.split():
            terms = self._word_terms(word)
            words[word.lower()] = set(map(concept_key, terms)) if terms else set()
        standing_for_all = keys.difference(*words.values())
        # A stopword inside a long form the archive defines (``pemuda dan olahraga``) is no concept: most articles
        # hold it, so it is pruned, and what was left of it (the abbreviation, not indexed where the long form stands)
        # would ask the long form's articles for the abbreviation. A long form of the table keeps it: its
        # abbreviation, indexed where it stands, asks for the phrase (``dalam`` in ``kementerian dalam negeri``).
        learned = len(words) > 1 and all(form.reason == "defined abbreviation" for form in expansion.forms)
        common = stopwords() if learned else frozenset()
        for word, own in words.items():
            if word not in common:
                concepts.setdefault(word, set()).update((own & keys) | standing_for_all)

    def _expansion_branches(self, group: str) -> tuple:
        """The branches of an expansion group as the parser makes them (its terms as (field, term, boost))."""
        found = self._expansions.get(group)
        if found is None:
            parsed = self.expansion_parser.parse(group)
            branches = parsed.subqueries if isinstance(parsed, q.Or) else [parsed]
            found = tuple(
                (b.fieldname, b.text, b.boost) if type(b) is q.Term else b
                for b in branches if b is not q.NullQuery
            )
            if len(self._expansions) > WORDS_REMEMBERED:
                self._expansions.clear()
            self._expansions[group] = found
        return found

    def _word_terms(self, word: str) -> tuple | None:
        """(field, term, boost) of one word in each default field; None if it makes several terms."""
        if word in self._words:
            return self._words[word]
        terms: list[tuple] | None = []
        for fieldname, boost in self._boosts.items():
            analysed = list(self.schema[fieldname].process_text(word, mode="query", removestops=True))
            if len(analysed) > 1:
                terms = None
                break
            terms.extend((fieldname, term, boost) for term in analysed)  # type: ignore[union-attr]
        if len(self._words) > WORDS_REMEMBERED:
            self._words.clear()
        found = self._words[word] = None if terms is None else tuple(terms)
        return found


@dataclass(frozen=True)
class Concepts:
    """The words of a plain query, lowercased in the order typed, and the concepts they ask for."""

    words: tuple[str, ...] = ()
    concepts: tuple[Concept, ...] = ()
    compounds: tuple[tuple[str, ...], ...] = ()  # the words of each Compound


def concept_key(branch: Any) -> Any:
    """What identifies a branch of the query's OR across copies: (field, text) for a term, else the query itself."""
    if type(branch) is tuple:
        return branch[:2]
    if type(branch) is q.Term:
        return branch.fieldname, branch.text
    return branch


def _chunks(rewritten: Rewritten) -> list[str | Expansion]:
    """The text between expansions joined back (the parser reads words split at spaces), and the expansions."""
    chunks: list[str | Expansion] = []
    for piece in rewritten.pieces:
        if isinstance(piece, str) and chunks and isinstance(chunks[-1], str):
            chunks[-1] += piece
        else:
            chunks.append(piece)
    return chunks


def exclude_negated(query: q.Query) -> q.Query:
    """Make ``a NOT b`` mean "a, without b" inside an OR group.

    Whoosh parses ``a NOT b`` with an OR default as ``a OR (NOT b)``, which
    matches nearly every article. A user means: results for ``a`` that do not
    mention ``b``.
    """
    def rewrite(node: q.Query) -> q.Query:
        if node.is_leaf():
            return node
        if not isinstance(node, q.Or):
            return node.apply(rewrite)
        children = [rewrite(c) for c in node.subqueries]
        negated = [c.query for c in children if isinstance(c, q.Not)]
        wanted = [c for c in children if not isinstance(c, q.Not)]
        if not (negated and wanted):
            # What node.apply(rewrite) gives, without walking the children a
            # second time (a sentence is an OR of ~40 terms).
            return node.__class__(children, boost=node.boost)
        positive = node.copy()
        positive.subqueries = wanted  # keeps the group's boost and scale
        excluded = negated[0] if len(negated) == 1 else q.Or(negated)
        return q.AndNot(positive if len(wanted) > 1 else wanted[0], excluded)

    return rewrite(query)
