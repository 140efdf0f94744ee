#!/usr/bin/env python3
"""The memory of a command and every process under it, summed: resident (RSS) and proportional (PSS).

Usage:
    python -m bench.tree_memory [--interval 1] [--samples OUT.jsonl] -- cari rebuild-index CORPUS --index IX -q

It runs the command and, every ``--interval`` seconds until it ends, reads
``/proc/PID/smaps_rollup`` of the command's process and of every process
under it (a build's workers, the processes placing the articles in the
topics). RSS counts every page a process maps, so pages shared by processes
forked from one parent are counted in each; PSS divides each shared page
among the processes mapping it, so the processes' PSS sum to what they take
together. It prints, for each stretch of samples with the same processes (a
phase of the build), its length and the peak of the summed RSS and PSS, then
the peaks over the whole run and the command's exit status. ``--samples``
keeps every sample (JSON Lines: seconds, load, and each process's RSS, PSS and
anonymous MB).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.worker_memory import process_tree, rollup


def sample(root: int) -> dict[int, dict[str, int]]:
    """Each living process of the tree under ``root``: its RSS, PSS and anonymous MB."""
    found = {}
    for pid in process_tree(root):
        try:
            found[pid] = rollup(pid)
        except OSError:
            continue
    return found


def phases(samples: list[dict]) -> list[dict]:
    """Consecutive samples with the same processes, each with its length and peak sums."""
    found: list[dict] = []
    for one in samples:
        pids = sorted(one["processes"])
        if not found or found[-1]["pids"] != pids:
            found.append({"pids": pids, "from_s": one["s"], "to_s": one["s"], "rss_mb": 0, "pss_mb": 0})
        phase = found[-1]
        phase["to_s"] = one["s"]
        phase["rss_mb"] = max(phase["rss_mb"], one["rss_mb"])
        phase["pss_mb"] = max(phase["pss_mb"], one["pss_mb"])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--samples", type=Path, help="write every sample here (JSON Lines)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    started = time.perf_counter()
    process = subprocess.Popen(command)
    samples: list[dict[str, Any]] = []
    while process.poll() is None:
        processes = sample(process.pid)
        samples.append({"s": round(time.perf_counter() - started, 1), "load": round(os.getloadavg()[0], 1),
                        "rss_mb": sum(p.get("rss", 0) for p in processes.values()),
                        "pss_mb": sum(p.get("pss", 0) for p in processes.values()), "processes": processes})
        time.sleep(args.interval)
    if args.samples:
        args.samples.write_text("".join(json.dumps(one) + "\n" for one in samples), encoding="utf-8")
    for phase in phases(samples):
        print(f"{phase['from_s']:8.1f}-{phase['to_s']:8.1f} s  {len(phase['pids'])} processes  "
              f"summed RSS {phase['rss_mb']:6} MB  PSS {phase['pss_mb']:6} MB", file=sys.stderr)
    peak = max(samples, key=lambda one: one["pss_mb"], default=None)
    print(json.dumps({"seconds": round(time.perf_counter() - started, 1), "exit_status": process.returncode,
                      "peak_rss_mb": max((one["rss_mb"] for one in samples), default=0),
                      "peak_pss_mb": peak["pss_mb"] if peak else 0,
                      "at_peak_pss": peak["processes"] if peak else {},
                      "largest_process_rss_mb": max((p.get("rss", 0) for one in samples
                                                     for p in one["processes"].values()), default=0)}, indent=2))


if __name__ == "__main__":
    main()
