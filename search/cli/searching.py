"""``cari search`` and ``cari stats``: what comes out of the index, for a reader or a script."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from search.cli.common import INDEX_OPTION, _fail_on_cari_errors, cli, plural

if TYPE_CHECKING:
    from search import Filters, Hit, Index, SearchResults


class WordsCommand(click.Command):
    """A command whose arguments are the words of a query, as grep and every search CLI takes them.

    ``cari search rusia -ukraina`` must not read ``-ukraina`` as options
    ``-u -k ...``: an argument that starts with ``-`` and is none of the
    command's options (``-n 5``, ``-n5``, ``--limit=5``) is a word of the
    query, an exclusion. The words keep their order; ``--`` still ends the options.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, query_words_last(self, list(args)))


def query_words_last(command: click.Command, args: list[str]) -> list[str]:
    """``args`` as options first, then ``--`` and the query's words in the order typed."""
    takes_value: set[str] = set()
    flags: set[str] = set()
    for param in command.params:
        if isinstance(param, click.Option):
            (flags if param.is_flag else takes_value).update(param.opts + param.secondary_opts)
    flags.add("--help")
    options: list[str] = []
    words: list[str] = []
    rest = iter(args)
    for arg in rest:
        if arg == "--":
            words.extend(rest)
            break
        name = arg.split("=", 1)[0]
        if arg in flags or ("=" in arg and name in takes_value):
            options.append(arg)
        elif arg in takes_value:
            options += [arg, *[value for value in [next(rest, None)] if value is not None]]
        elif arg[:2] in takes_value and len(arg) > 2 and arg[1] != "-" and arg[2:].isdigit():
            options.append(arg)  # -n5, -p2
        elif arg.startswith("--") and len(arg) > 2:
            options.append(arg)  # an unknown long option: click says so
        else:
            words.append(arg)
    return [*options, "--", *words] if words else options


@cli.command(cls=WordsCommand)
@click.argument("words", nargs=-1)
@INDEX_OPTION
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 100), help="Results per page.")
@click.option("--page", "-p", default=1, show_default=True, type=click.IntRange(1), help="Page of results.")
@click.option("--source", multiple=True,
              help="Only articles from this publisher (e.g. Kompas.com); repeat it for several (any of them).")
@click.option("--from", "date_from", metavar="DATE",
              help="Only articles published on or after DATE: a day (2022-10-06), a month (2022-10) or a year (2022).")
@click.option("--to", "date_to", metavar="DATE",
              help="Only articles published on or before DATE (a month or a year: up to its end).")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest", "date"]), default="relevance",
              show_default=True, help="Order of the results (date: newest).")
@click.option("--person", "people", metavar="NAME", multiple=True,
              help="Only articles naming this person (any name the archive gives them); repeatable.")
@click.option("--org", "organisations", metavar="NAME", multiple=True,
              help="Only articles naming this organisation (KPK, Komisi Pemberantasan Korupsi); repeatable.")
@click.option("--related", metavar="ID", help="List the articles most like article ID instead of searching.")
@click.option("--as-typed", is_flag=True, help="Search the words exactly as typed: no typo corrections.")
@click.option("--explain", is_flag=True, help="Show why each result ranks where it does: the parts of its score.")
@click.option("--facets", "show_facets", is_flag=True,
              help="Also print the people and organisations the matches name most, and the counts by source.")
@click.option("--timeline", "show_timeline", is_flag=True,
              help="Also print every match over time: a bar a day, week, month or year, as the span asks.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (for scripts), with facets.")
@click.option("--no-group", is_flag=True,
              help="List every article: do not fold the copies of one story (syndicated wire text) into one result.")
@click.option("--format", "form", type=click.Choice(["text", "json", "csv", "jsonl"]), default="text",
              show_default=True, help="text for reading; json as --json; csv or jsonl: one row per article.")
@click.option("--all", "every", is_flag=True,
              help="With --format csv or jsonl: every match, not one page (streamed, any number).")
@_fail_on_cari_errors
def search(words: tuple[str, ...], index_dir: Path, limit: int, page: int, source: tuple[str, ...],  # noqa: PLR0913
           date_from: str | None, date_to: str | None, sort: str, people: tuple[str, ...],
           organisations: tuple[str, ...], related: str | None, as_typed: bool, explain: bool, show_facets: bool,
           show_timeline: bool, as_json: bool, no_group: bool, form: str, every: bool) -> None:
    """Search the index for WORDS; ranked results with highlighted snippets.

    The words need no quotes (cari search banjir jakarta); a -word that is
    not an option excludes that word (cari search rusia -ukraina); after --
    everything is a word of the query.

    \b
    Query language:
      mengusir               any form of the word (usir, diusir, pengusiran)
      rusia ukraina          both words (few articles with both: most of the words)
      rusia AND ukraina      both words;  rusia -ukraina, rusia NOT ukraina  without the second
      "diusir"               the word as written (not mengusir);  "duta besar"  the phrase
      title:kazakhstan       in a field: title, body, source, author
      kazak*                 words starting with kazak (2 letters at least before a *;
                             each wildcard searches its 200 most common words)
      *                      every article, newest first (so do no WORDS with a filter)
      person:"Setya Novanto"  articles naming that person (any name the archive gives
                             them: Setnov, Novanto); org:KPK an organisation

    \b
    An abbreviation and its full form find each other's articles (mendagri,
    Menteri Dalam Negeri; KPK). Spellings of names (Moskwa, Moskow),
    your synonyms (cari synonyms) and the index's spelling of a mistyped word
    (novnto: novanto) are searched too, below the words typed; --as-typed
    turns the corrections off. A query that finds little suggests a
    respelling ("Did you mean").
    --related ID lists the articles most like one article (no WORDS).
    \b
    Results are stories: an article whose text other publishers carry too
    (wire copy under their titles, datelines and furniture) is one result,
    with an indented line naming the others that matched; the count says how
    many articles and how many stories. --no-group lists every article.

    \b
    --format csv or jsonl writes rows to take away, one per article (every
    article, grouped or not): the fields of --json's results (the snippet as
    plain text) plus story (the id naming its story) and same_story (the
    others of it that matched: ids in CSV, objects in JSON Lines). With --all
    every match is written, streamed, in the search's order; without it, the
    page asked for. CSV is UTF-8 with a byte order mark (Excel reads it as
    UTF-8), and a cell starting with = + - or @ gets a ' in front so that no
    spreadsheet runs it as a formula.
      cari search banjir --source Kompas.com --format csv --all > banjir.csv

    --explain shows, under each result, the parts of its score: each field's
    BM25F score and the words that made it (as typed, or a correction,
    variant, abbreviation or synonym), how many of the words it holds
    (keywords rank all words first), the bonus for the words close together
    or for holding the kind of answer a question asks, and a question's re-rank.
    """
    # lazy: `cari --help` starts without loading the engine
    from search import Index

    query = " ".join(words)
    if related:
        return _print_related(Index(index_dir), related, limit, as_json)
    filters = _search_filters(query, source, date_from, date_to, people, organisations)
    as_json = as_json or form == "json"
    if every and form not in ("csv", "jsonl"):
        raise click.UsageError("--all writes every match as rows: give --format csv or --format jsonl.")
    if form in ("csv", "jsonl"):
        return _write_rows(Index(index_dir), query, filters, sort, not as_typed, form,
                           None if every else ((page - 1) * limit, page * limit))
    results = Index(index_dir).search(
        query, page=page, limit=limit, filters=filters, sort=sort, facets=as_json or show_facets or show_timeline,
        corrections=not as_typed,
        explain=explain, group=not no_group,
    )
    if as_json:
        # lazy: `cari --help` starts without loading the engine
        from search import results_json  # the JSON API's shape, snippets as HTML

        click.echo(json_text(results_json(results)))
        return
    _print_results(results, query, page, limit, sort, show_facets, show_timeline, filtered=bool(filters))


def _search_filters(query: str, source: tuple[str, ...], date_from: str | None, date_to: str | None,
                    people: tuple[str, ...], organisations: tuple[str, ...]) -> Filters:
    """``cari search``'s filters; a UsageError when there is nothing to search: no words and no filter."""
    # lazy: `cari --help` starts without loading the engine
    from search import Filters

    if not query and not (source or date_from or date_to or people or organisations):
        raise click.UsageError("Give WORDS to search for (or a filter to list, or --related ID).")
    return Filters(source=list(source) or None, date_from=date_from, date_to=date_to, people=tuple(people),
                   organisations=tuple(organisations))


def _print_results(results: SearchResults, query: str, page: int, limit: int, sort: str, show_facets: bool,
                   show_timeline: bool, filtered: bool = False) -> None:
    """The results for a reader: the page of hits, then (if asked, and anything matched) the facets and the timeline."""
    _print_page(results, query, page, limit, sort, filtered)
    if not results.total:
        return
    if show_facets:
        _print_facets(results.facets or {})
    if show_timeline:
        click.echo()
        for line in timeline_lines(results.timeline or []):
            click.echo(line)


def _print_page(results: SearchResults, query: str, page: int, limit: int, sort: str, filtered: bool = False) -> None:
    """A page of results for a reader: what was searched besides the words, the count, then the hits."""
    if results.note:
        click.echo(results.note)
    if results.corrections:
        searched = ", ".join(f"{used} (for {typed!r})" for typed, used in results.corrections)
        click.echo(f"Also searched: {searched}; --as-typed searches the words as typed.")
    if results.suggestion:
        click.echo(f"Did you mean: {results.suggestion}")
    if not results.total:
        _print_nothing(results, query, filtered)
        return
    if results.matched == "most":
        click.echo("Not every result holds every word: few articles or none do, or the query is a question "
                   "or a sentence.")
    first = (page - 1) * limit + 1
    last = first + len(results.hits) - 1
    found = (f"{plural(results.total, 'article')}, {'oldest' if sort == 'oldest' else 'newest'} first"
             if results.browsed else f"{plural(results.total, 'result')} for {query!r}")
    if results.stories is not None and results.stories != results.total:
        found += f" in {results.stories} {'story' if results.stories == 1 else 'stories'}"
    click.echo(f"{found} ({results.took_ms:.1f} ms)" +
               (f", showing {first}-{last}" if results.hits else f"; page {page} is past the last ({results.pages})"))
    _print_hits(results.hits, first, sys.stdout.isatty())


def _print_nothing(results: SearchResults, query: str, filtered: bool) -> None:
    """What found nothing: the words (and the filters, when there are some), or the filters alone when
    only they were given (``--person X`` said "No results for ''")."""
    from search.query.filters import take_name_filters  # lazy: `cari --help` starts without loading the engine

    if results.browsed:
        named = any(take_name_filters(query)[1:])  # person:"..." or org:... typed among the words
        click.echo("No articles match the filters." if filtered or named else "The index holds no articles.")
    else:
        click.echo(f"No results for {query!r}" + (" with these filters." if filtered else "."))


def _print_facets(facets: dict) -> None:
    """``--facets``: who the matches name most, and where they come from, a line each."""
    from search.cli.render import terminal_text  # lazy: `cari --help` starts without loading the engine

    click.echo()
    for key, label in (("people", "People"), ("organisations", "Organisations"), ("source", "Sources")):
        shown = ", ".join(f"{terminal_text(name)} ({count})" for name, count in (facets.get(key) or {}).items())
        click.echo(f"{label}: {shown or 'none'}")


BAR_WIDTH = 40  # characters of the longest bar of --timeline


def timeline_lines(periods: list[dict], width: int = BAR_WIDTH) -> list[str]:
    """The matches over time as text, a line a period: ``2017-08  ████████▍  12`` (eighths of a block)."""
    if not periods:
        return ["No dated matches: no timeline."]
    top = max(p["count"] for p in periods) or 1
    label = max(len(p["period"]) for p in periods)
    digits = len(str(top))
    lines = []
    for p in periods:
        eighths = round(p["count"] * width * 8 / top)
        bar = "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]
        lines.append(f"{p['period']:<{label}}  {(bar or ('▏' if p['count'] else '')):<{width}}  {p['count']:>{digits}}")
    return lines


# Characters that drive a terminal or reorder what it shows, kept readable-as-escaped in JSON:
# C1 controls (U+009B is a one-byte CSI), bidirectional overrides and isolates (U+202E), line separators.
_UNSAFE_IN_JSON = {ch: f"\\u{ch:04x}" for ch in [*range(0x80, 0xA0), 0x200E, 0x200F, *range(0x2028, 0x202F),
                                                  *range(0x2066, 0x206A)]}


def json_text(data: object) -> str:
    """``data`` as indented JSON, Indonesian text readable, every character that could drive a terminal escaped."""
    return json.dumps(data, ensure_ascii=False, indent=2).translate(_UNSAFE_IN_JSON)


def _print_hits(hits: list[Hit], first: int, color: bool) -> None:
    # lazy: `cari --help` starts without loading the engine
    from search.cli.render import marked_terminal, short_date, terminal_text  # text must not drive the terminal

    for rank, hit in enumerate(hits, first):
        click.echo()
        title = terminal_text(hit.title)
        click.echo(f"{rank}. " + click.style(title, bold=True) if color else f"{rank}. {title}")
        meta = " · ".join(x for x in (hit.source, short_date(hit.date), hit.author, hit.id) if x)
        meta = terminal_text(meta)
        click.echo("   " + (click.style(meta, dim=True) if color else meta))
        click.echo("   " + marked_terminal(hit.snippet, color))
        if hit.same_story:
            line = terminal_text("same story: " + same_story_line(hit.same_story))
            click.echo("     " + (click.style(line, dim=True) if color else line))
        if hit.explanation is not None:
            for line in explanation_lines(hit.explanation):
                click.echo("   " + terminal_text(line))


def same_story_line(others: list[dict]) -> str:
    """The other publishers of a story, each once, in order: ``Suara, Merdeka (2), Okezone``."""
    counts: dict[str, int] = {}
    for other in others:
        name = other.get("source") or "?"
        counts[name] = counts.get(name, 0) + 1
    return ", ".join(name if n == 1 else f"{name} ({n})" for name, n in counts.items())


def _write_rows(index: Index, query: str, filters: Filters, sort: str, corrections: bool, form: str,
                window: tuple[int, int] | None) -> None:
    """``--format csv|jsonl``: one row per matching article (``window``: only those ranked in it), streamed."""
    # lazy: `cari --help` starts without loading the engine
    from search import result_lines

    matches = index.search_all(query, filters=filters, sort=sort, corrections=corrections)
    try:
        for line in result_lines(matches.rows(*(window or ())), form):
            click.echo(line, nl=False)
    finally:
        matches.close()


def explanation_lines(explained: dict) -> list[str]:
    """``--explain`` for a reader: one line per part of a hit's score (``search.ranking.explain``)."""
    if explained.get("ranker") != "bm25f":
        return [f"why: {explained.get('note') or 'ranked by Whoosh (a query with NOT): one BM25F score'}"]
    lines = ["why: " + " + ".join(f"{field} {value:.2f}" for field, value in explained["fields"].items())]
    words: dict[tuple, float] = {}
    for term in explained["terms"]:
        key = (term["word"] or term["term"], "" if term["reason"] == "as typed" else term["term"], term["reason"])
        words[key] = words.get(key, 0.0) + term["score"]
    lines.append("  words: " + ", ".join(
        f"{word} {score:.2f}" + ("" if reason == "as typed" else f" ({reason}: {term})")
        for (word, term, reason), score in sorted(words.items(), key=lambda item: -item[1])))
    if "coverage" in explained:
        lines.append(f"  holds {explained['coverage']['held']} of {explained['coverage']['of']} words "
                     "(all words first)")
    for name, label in (("nearness", "words close together"), ("answer_kind", "holds the kind of answer asked")):
        if name in explained:
            lines.append(f"  + {explained[name]['score']:.2f} {label}")
    if "rerank" in explained:
        rerank = explained["rerank"]
        if rerank["applied"]:
            lines.append(f"  question re-rank: {rerank['bm25']:.2f} is {rerank['bm25_share']:.3f} of the best; "
                         f"coverage {rerank['coverage']:.2f}, window {rerank['window']:.2f}, answer near "
                         f"{'yes' if rerank['answer_near'] else 'no'} -> {rerank['score']:.2f}")
        else:
            lines.append(f"  question re-rank: {rerank['note']} (BM25 {rerank['bm25']:.2f})")
    else:
        lines.append(f"  = {explained['sum']:.2f}")
    if explained.get("excluded"):
        lines.append(f"  without: {', '.join(explained['excluded'])}")
    for correction in explained.get("corrections", []):
        lines.append(f"  corrected: {correction['typed']} -> {correction['searched']}")
    return lines


def _print_related(index: Index, doc_id: str, limit: int, as_json: bool) -> None:
    """``cari search --related ID``: the articles most like one article."""
    hits = index.related(doc_id, limit=limit)
    if as_json:
        # lazy: `cari --help` starts without loading the engine
        from search import hit_json  # the JSON API's shape, snippets as HTML

        data = {"related_to": doc_id, "results": [hit_json(hit) for hit in hits]}
        click.echo(json_text(data))
        return
    if not hits:
        click.echo(f"No articles like {doc_id!r}.")
        return
    click.echo(f"{plural(len(hits), 'article')} like {doc_id!r}")
    _print_hits(hits, 1, sys.stdout.isatty())


@cli.command()
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@_fail_on_cari_errors
def stats(index_dir: Path, as_json: bool) -> None:
    """What the index holds: documents, terms, size on disk, when and from what it was built."""
    # lazy: `cari --help` starts without loading the engine
    from search import Index

    info = Index(index_dir).stats()
    if as_json:
        click.echo(json_text(info))
        return
    click.echo(f"index       {info['index']}")
    click.echo(f"documents   {info['documents']}")
    click.echo(f"terms       {info['terms']}")
    click.echo(f"size        {info['size_bytes'] / 1e6:.2f} MB")
    click.echo(f"built       {info['built_at']}")
    for source in info["sources"]:
        click.echo(f"source      {source}")
