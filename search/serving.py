"""One generation of an index opened for searching: its Whoosh searcher and all a search reads of it.

``search.Index`` holds one :class:`OpenGeneration` at a time and opens a new
one when a write swapped in a new generation (``search.index.generations``).
What a search needs of the open generation is made once here: the array
scorer (posting arrays, lengths, dates), the wildcard expander, the ranking
policy, the lexicon that finds variants and typos, the query builder; the
completions and story groups are read when first asked for. Nothing here
takes the index's lock: ``Index`` calls it under its own.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from search._whoosh.live import LiveBM25F, count_live_only
from search._whoosh.mapped import for_random_reads
from search.analysis.stemmer import shared_stemmer
from search.completions import CompletionTable
from search.errors import CariError, damaged
from search.index import generations
from search.index.format import ABBREVIATIONS_INDEXED, open_for_searching
from search.index.names import NAMES, Name, names_of_record
from search.index.topic_points import StoredPoints
from search.index.topics import Topics
from search.query.alternatives import Alternatives
from search.query.budget import NO_DEADLINE, Deadline
from search.query.builder import QueryBuilder
from search.query.learned_abbreviations import LearnedAbbreviations
from search.query.parsed import ParsedQuery
from search.query.synonyms import SynonymsFile
from search.query.typos import IndexLexicon
from search.query.weights import BM25_PARAMS, DEFAULT_FIELDS
from search.ranking.allocation import keep_freed_memory
from search.ranking.expansion import WildcardExpander
from search.ranking.fallback import read_errors_as_damage
from search.ranking.people import segments_read
from search.ranking.policy import RankingPolicy
from search.ranking.scoring import ArrayScorer
from search.ranking.stories import StoryMap


class OpenGeneration:
    """The live generation of ``index_dir`` as it was at ``stamp``, open and held until :meth:`close`.

    Held: no writer deletes the generation while this reads it, however many
    writes are published meanwhile. IndexDamaged when it cannot be opened;
    its large files are checked by a thread meanwhile (``damage``).
    """

    def __init__(self, index_dir: Path, stamp: tuple, synonyms: SynonymsFile):
        self.index_dir, self.stamp, self.synonyms = index_dir, stamp, synonyms
        keep_freed_memory()  # a search's large arrays reused by the next, not faulted in again
        self.held = generations.hold_live(index_dir)
        try:
            index, self.verification, index_format = open_for_searching(index_dir, self.held.path)
            self.searcher: Any = index.searcher(weighting=LiveBM25F(**BM25_PARAMS))
            count_live_only(self.searcher.reader())  # corrected articles out of every statistic, as in a fresh build
            for_random_reads(self.searcher.reader())  # a fault reads its page, not the disk's read-ahead
            self.scorer = ArrayScorer(self.searcher)  # reads which documents are deleted, and their dates
            self.scorer.load_lengths(DEFAULT_FIELDS)
            _open_stored_fields(self.searcher)
        except CariError:
            self._abandon()
            raise
        except Exception as e:  # Whoosh raises many kinds on a damaged index
            self._abandon()
            raise damaged(index_dir, f"{type(e).__name__}: {e}") from None
        reader = self.searcher.reader()
        self.expander = WildcardExpander(reader)
        self.policy = RankingPolicy(self.searcher, self.scorer, self.expander,
                                    functools.partial(_learned_names, self.held.path))
        self._learned = LearnedAbbreviations(reader)  # read when first asked (0.2 CPU-s at 1,000,000 articles)
        self.lexicon = IndexLexicon(reader, shared_stemmer().is_name_like, counts=self.scorer.postings)
        # The searcher's schema, not index.schema: that reads the generation's TOC from disk again.
        self.builder = QueryBuilder(self.searcher.schema, Alternatives(
            lexicon=self.lexicon, abbreviations_indexed=index_format >= ABBREVIATIONS_INDEXED,
            learned=self._learned, joined_names=lambda: self.policy.name_book.joined()))
        self._completions: CompletionTable | None = None
        self._stories: StoryMap | None = None
        self._topics: Topics | None | bool = False  # False: not read yet
        self.outline: dict | None = None  # search.lookups.outline's, read when first asked for (every page asks)

    def warm(self) -> None:
        """Read now what the first search reads of a generation once: the stories, and the names' facets where this
        process read some before (a generation that follows one whose facets were read: its new segment's; else
        the first search asking for them reads them, ~0.9 CPU-s at 1,000,000 articles, not every opening)."""
        if segments_read():
            _ = self.policy.name_facets
        self.story_map()

    def _abandon(self) -> None:
        if hasattr(self, "verification"):
            self.verification.stop()
        self.held.release()

    @property
    def damage(self) -> str | None:
        """What the check of the large files found wrong so far (``search.index.checksums``), or None."""
        return self.verification.problem

    @property
    def generation(self) -> Path:
        """The generation's folder."""
        return self.held.path

    @property
    def alternatives(self) -> Alternatives:
        """The other forms the query builder searches a word as (variants, synonyms, corrections, completions)."""
        return self.builder.alternatives

    def parse(self, text: str, words_only: bool = False, corrections: bool = True,
              deadline: Deadline = NO_DEADLINE) -> ParsedQuery:
        """``text`` parsed against this generation (QueryError if it makes no sense)."""
        self.builder.alternatives.synonyms = self.synonyms.table()  # edited at any time
        self.lexicon.deadline = deadline  # looking for variants and typos is part of the search's time
        if words_only:
            return self.builder.parse_words(text)
        return self.builder.parse(text, corrections=corrections)

    def story_map(self) -> StoryMap:
        """The generation's stories, read from its record when first asked for."""
        if self._stories is None:
            self._stories = StoryMap.load(self.generation, self.scorer.postings)
        return self._stories

    def topics(self) -> Topics | None:
        """The generation's topics (``search.index.topics``), read from its record when first asked for."""
        if self._topics is False:
            self._topics = Topics.load(self.generation)
            if self._topics is not None:
                self._topics.stored = StoredPoints(self.generation, self.searcher.reader(),
                                                   self._topics.vectors.shape[1])
        return self._topics  # type: ignore[return-value]

    def completion_table(self) -> CompletionTable:
        """The generation's completions, made from its words, publishers and titles when first asked for."""
        if self._completions is None:
            with read_errors_as_damage(self.index_dir):
                self._completions = CompletionTable(self.searcher, self.scorer.postings, self.scorer.dates)
        return self._completions

    def source_names(self) -> list[str]:
        """Every publisher of the generation, by name."""
        return [term.decode("utf-8") for term in self.searcher.reader().lexicon("source_id")]

    def close(self) -> None:
        """Close the searcher's files and let writers delete the generation."""
        self.verification.stop()
        self.searcher.close()
        self.held.release()


def _learned_names(generation: Path) -> list[Name] | None:
    """The people and organisations a generation's record holds (None: an index written before it)."""
    return names_of_record(generations.read_record(generation, NAMES))


def _open_stored_fields(searcher: Any) -> None:
    """Open each segment's stored-fields column now rather than at the first query.

    Whoosh copies the column out of the compound segment file into memory
    when it is first read: ~0.2 s a segment of 50,000 articles.
    """
    for reader, _ in searcher.reader().leaf_readers():
        if reader.doc_count_all():
            reader.stored_fields(0)
