#!/usr/bin/env python3
"""What story groups and the names learning cost a build: CPU time with and without each, interleaved.

Usage:
    python -m bench.build_cost ../shared/eval/indosum/docs.jsonl
    python -m bench.build_cost c20k.jsonl --runs 3 --variants all,no-stories,no-names --procs 2
    python -m bench.build_cost DOCS --variants all --code /tmp/before,/tmp/after   # two commits' builds

Each build runs in a process of its own (``--one``, a full build into a
temporary folder) and is measured by the CPU time (user + system) of its
whole process tree: the build's process and its indexing workers, read with
``getrusage(RUSAGE_CHILDREN)`` around it. CPU time, not wall time: on a
machine shared with other work the wall time of one build varies by tens of
percent, its CPU time by a few. The variants run in turn (all, no-stories,
no-names, all, ...) ``--runs`` times, so that a change of load over the
minutes falls on each alike; printed: each variant's median and spread
(least, most), and each switched-off variant's cost as the full build's
extra over it (median of the runs' ratios, each run's variants measured
back to back).

``--code`` compares versions instead: each folder a checkout of a commit
(``git archive COMMIT | tar -x -C DIR``), whose ``search`` the builds
import (``PYTHONPATH``); each variant is built by each version in turn.

A variant switches off one part through the internal switches that exist
for this measurement only: ``search.index.stories.SIGNATURES`` (no story
signatures made, no record written) and ``search.index.names.LEARN`` (no
``names`` field indexed, nothing learned).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VARIANTS = {"all": (), "no-stories": ("stories",), "no-names": ("names",), "neither": ("stories", "names")}


def build_once(docs: list[str], index_dir: str, off: list[str], procs: int) -> dict:
    """One full build with the parts ``off`` switched off (in this process: it is the child)."""
    from search.index import names, stories
    from search.index.build import build_index

    stories.SIGNATURES = "stories" not in off
    names.LEARN = "names" not in off
    started = time.perf_counter()
    report = build_index(docs, Path(index_dir), full=True, procs=procs)
    return {"indexed": report.indexed, "wall": time.perf_counter() - started}


def _cpu_of_children() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def measure(docs: list[str], variant: str, procs: int, code: str | None = None) -> dict:
    """One build of ``variant`` in a child process (with the Cari checked out at ``code``, if given): its
    tree's CPU seconds and its wall time."""
    environment = dict(os.environ)
    if code is not None:
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [code, environment.get("PYTHONPATH")]))
    docs = [str(Path(doc).resolve()) for doc in docs]
    with tempfile.TemporaryDirectory(prefix="build-cost-") as folder:
        command = [sys.executable, "-m", "bench.build_cost", "--one", ",".join(VARIANTS[variant]) or "-",
                   "--procs", str(procs), "--index", str(Path(folder) / "index"), *docs]
        before = _cpu_of_children()
        done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=code, env=environment)
        cpu = _cpu_of_children() - before
    found = json.loads(done.stdout.strip().splitlines()[-1])
    label = variant if code is None else f"{Path(code).name}:{variant}"
    return {"variant": label, "cpu": round(cpu, 2), "wall": round(found["wall"], 2), "indexed": found["indexed"]}


def summary(runs: list[dict], variants: list[str]) -> dict:
    """Median and spread of each variant's CPU seconds; the first variant's extra over each other one."""
    result: dict = {}
    for variant in variants:
        cpu = [run["cpu"] for run in runs if run["variant"] == variant]
        result[variant] = {"cpu_median": round(statistics.median(cpu), 2), "cpu_min": min(cpu), "cpu_max": max(cpu),
                           "runs": cpu}
    full = [run["cpu"] for run in runs if run["variant"] == variants[0]]
    for variant in variants[1:]:
        other = [run["cpu"] for run in runs if run["variant"] == variant]
        ratios = [a / b - 1 for a, b in zip(full, other, strict=False)]
        result[variant]["all_costs_more"] = {
            "of_medians": f"{statistics.median(full) / statistics.median(other) - 1:+.1%}",
            "median_of_runs": f"{statistics.median(ratios):+.1%}",
            "runs": [f"{r:+.1%}" for r in ratios]}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("docs", nargs="+", help="the sources to build from (files or folders)")
    parser.add_argument("--runs", type=int, default=3, help="builds of each variant (interleaved)")
    parser.add_argument("--variants", default="all,no-stories,no-names", help=f"of {', '.join(VARIANTS)}")
    parser.add_argument("--procs", type=int, default=2, help="indexing workers of each build")
    parser.add_argument("--code", help="checkouts of other commits to compare, separated by commas")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # the child: the parts switched off ('-': none)
    parser.add_argument("--index", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        off = [] if args.one == "-" else args.one.split(",")
        print(json.dumps(build_once(args.docs, args.index, off, args.procs)))
        return 0
    variants = args.variants.split(",")
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s): {', '.join(unknown)}")
    codes = args.code.split(",") if args.code else [None]
    runs = []
    for number in range(args.runs):
        for variant in variants:
            for code in codes:
                found = measure(args.docs, variant, args.procs, code)
                runs.append(found)
                print(f"run {number + 1} {found['variant']}: {found['cpu']} CPU-s, {found['wall']} s wall, "
                      f"{found['indexed']} articles", file=sys.stderr, flush=True)
    labels = [variant if code is None else f"{Path(code).name}:{variant}" for variant in variants for code in codes]
    print(json.dumps({"docs": args.docs, "procs": args.procs, "summary": summary(runs, labels)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
