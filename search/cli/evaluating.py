"""``cari batch-search`` and ``cari evaluate``: the index's rankings of a set of queries, and their relevance."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from search.cli.common import INDEX_OPTION, _fail_on_cari_errors, cli

if TYPE_CHECKING:
    from search import Comparison


@cli.command("batch-search")
@click.argument("queries", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path), help="TREC run file to write.")
@click.option("--hits", default=100, show_default=True, type=click.IntRange(1, 1000), help="Results per query.")
@INDEX_OPTION
@_fail_on_cari_errors
def batch_search(queries: Path, output: Path, hits: int, index_dir: Path) -> None:
    """Run every query of QUERIES (qid<TAB>query lines); write a TREC run file.

    Each output line is ``qid Q0 docid rank score cari``. A query that is not
    valid query syntax is searched as plain words.
    """
    # lazy: `cari --help` starts without loading the engine
    from search import Index, read_queries, run_lines

    index = Index(index_dir)
    topics = read_queries(queries)
    latencies = []
    started = time.perf_counter()
    with (
        open(output, "w", encoding="utf-8") as out,
        click.progressbar(topics, label="Searching", file=sys.stderr, hidden=len(topics) < 200) as bar,
    ):
        for qid, text in bar:
            began = time.perf_counter()
            ranked = index.ranked_ids(text, hits)
            latencies.append(time.perf_counter() - began)
            for line in run_lines(qid, ranked):
                out.write(line + "\n")
    seconds = time.perf_counter() - started
    p50 = 1000 * sorted(latencies)[len(latencies) // 2] if latencies else 0.0
    click.echo(f"{len(topics)} queries in {seconds:.1f} s ({1000 * seconds / max(1, len(topics)):.1f} ms each, "
               f"p50 {p50:.1f} ms) -> {output}")


@cli.command()
@click.argument("queries", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("qrels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--run", "run_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Score this TREC run file instead of searching.")
@click.option("--compare", "base_file", metavar="RUN", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Compare with this TREC run file, query by query, with a 95% interval of the change.")
@click.option("--metric", type=click.Choice(["MRR@10", "nDCG@10", "Recall@100"]), default="MRR@10",
              show_default=True, help="With --compare: the metric the better and worse queries are listed by.")
@click.option("--show", default=10, show_default=True, type=click.IntRange(0),
              help="With --compare: how many better and worse queries to list (all with --json).")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@_fail_on_cari_errors
def evaluate(queries: Path, qrels: Path, run_file: Path | None, base_file: Path | None, metric: str,  # noqa: PLR0913
             show: int, index_dir: Path, as_json: bool) -> None:
    """Measure relevance: MRR@10, nDCG@10 and Recall@100 for QUERIES against QRELS.

    QRELS is a TREC qrels file (``qid 0 docid relevance``); only the queries
    of QUERIES that it judges count. The queries are searched in the index
    (top 100) unless --run gives a run file.

    --compare RUN compares that run (the base) with this one (the index's
    results, or --run's): each metric before and after, the mean change
    with a paired bootstrap 95% interval (10,000 resamples of the queries,
    fixed seed), and the queries that got better and worse. An interval
    that holds 0 is a change within noise.

    \b
    Example:
      cari evaluate ../shared/eval/facqa/queries.tsv ../shared/eval/facqa/qrels.txt
      cari evaluate eval/splits/facqa/test.tsv ../shared/eval/facqa/qrels.txt --run new.run --compare old.run
    """
    # lazy: `cari --help` starts without loading the engine
    from search import compare_runs as compare
    from search import evaluate_run as score
    from search import read_qrels, read_queries, read_run

    judged = read_qrels(qrels)
    topics = [(qid, text) for qid, text in read_queries(queries) if qid in judged]
    wanted = {qid: judged[qid] for qid, _ in topics}
    run = read_run(run_file) if run_file else _searched(topics, index_dir)
    if base_file:
        comparison = compare(run, read_run(base_file), wanted, metric)
        if as_json:
            click.echo(json.dumps(comparison.to_dict()))
        else:
            _print_comparison(comparison, dict(topics), show)
        return
    metrics = score(run, wanted)
    if as_json:
        click.echo(json.dumps(metrics))
    else:
        click.echo(f"queries     {metrics['queries']}")
        for name in ("MRR@10", "nDCG@10", "Recall@100"):
            click.echo(f"{name:<11} {metrics[name]:.4f}")


def _searched(topics: list[tuple[str, str]], index_dir: Path) -> dict[str, list[str]]:
    """The index's top 100 for each query, as ``cari batch-search`` ranks them."""
    # lazy: `cari --help` starts without loading the engine
    from search import Index

    index = Index(index_dir)
    run: dict[str, list[str]] = {}
    with click.progressbar(topics, label="Searching", file=sys.stderr, hidden=len(topics) < 200) as bar:
        for qid, text in bar:
            run[qid] = [doc_id for doc_id, _ in index.ranked_ids(text, 100)]
    return run


def _print_comparison(comparison: Comparison, texts: dict[str, str], show: int) -> None:
    """``evaluate --compare`` for a reader: the metrics' changes, then the queries that moved most."""
    # lazy: `cari --help` starts without loading the engine
    from search.cli.render import terminal_text  # a query file must not drive the terminal

    click.echo(f"queries     {comparison.queries}")
    click.echo(f"{'':<11} {'base':>7} {'this':>7} {'change':>8}  95% interval")
    for name, change in comparison.metrics.items():
        click.echo(f"{name:<11} {change.base:7.4f} {change.new:7.4f} {change.change:+8.4f}  "
                   f"{change.low:+.4f} .. {change.high:+.4f}")
    unchanged = comparison.queries - len(comparison.better) - len(comparison.worse)
    click.echo(f"{comparison.metric}: {len(comparison.better)} queries better, {len(comparison.worse)} worse, "
               f"{unchanged} unchanged")
    for label, rows in (("better", comparison.better), ("worse", comparison.worse)):
        if rows and show:
            click.echo(f"{label}:")
        for qid, base, new in rows[:show]:
            click.echo(f"  {qid:<12} {base:.3f} -> {new:.3f}  {terminal_text(texts.get(qid, ''))[:60]}")
