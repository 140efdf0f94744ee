#!/usr/bin/env python3
"""What serving workers cost the machine, and whether they hold inside a memory limit (a cgroup's).

Usage (as root, for the cgroup):
    python -m bench.worker_limit --index IX [--workers 1] [--limit-mb 1536] [--passes 2] [--clients 1]
                                 [--queries 300] [--evict] [--warm-up 30]

It makes a memory cgroup of its own (cgroup v2's ``memory.max`` where the
memory controller is on v2, else v1's ``memory.limit_in_bytes``; ``--limit-mb
0``: no limit, the group only counts), starts the real ``cari serve --workers
N`` over ``IX`` inside it, and sends ``bench.worker_memory``'s requests
(IndoSum's summary sentences, 1-3 words, the same newest first, completions)
``--passes`` times. For each pass: each kind's wall time p50/p99 at the client,
the workers' CPU and major page faults (pages read again from the index
files) and the bytes they read from the disk; with ``--clients 1`` each
request's CPU too (the workers' CPU time before and after it, from
``/proc/PID/task/*/schedstat``). At the end: the group's own accounting
(``memory.stat``: anonymous and file pages, its peak, how often it hit the
limit, OOM kills), each worker's ``smaps_rollup`` (anonymous, file-backed,
PSS), whether a worker was replaced (killed) and the machine's used memory
(MemTotal - MemAvailable) before the server started and after the requests.

Page cache is charged to the group that first reads a page: ``--evict`` drops
the index's files from the page cache first (``posix_fadvise`` DONTNEED), so
that the group is charged for every page of the index it reads. Use it on a
copy of the index that nothing else reads.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import signal
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.scale import SHARED, load_queries, percentile
from bench.serving import cari_serve
from bench.worker_memory import cpu_seconds, process_tree, requests_of, send

ROLLUP_KEYS = ("Rss", "Pss", "Anonymous", "Shared_Clean", "Private_Clean")


def memory_cgroup(name: str, limit_mb: int) -> tuple[Path, str]:
    """A new memory cgroup ``name`` (limited to ``limit_mb`` MB unless 0) and its version, "v2" or "v1"."""
    for root in (Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/unified")):
        controllers = root / "cgroup.controllers"
        if controllers.exists() and "memory" in controllers.read_text().split():
            (root / "cgroup.subtree_control").write_text("+memory")
            group = root / name
            group.mkdir()
            if limit_mb:
                (group / "memory.max").write_text(str(limit_mb << 20))
                (group / "memory.swap.max").write_text("0")
            return group, "v2"
    group = Path("/sys/fs/cgroup/memory") / name
    group.mkdir()
    if limit_mb:
        (group / "memory.limit_in_bytes").write_text(str(limit_mb << 20))
    return group, "v1"


def group_figures(group: Path, version: str) -> dict:
    """The group's memory now, its peak, the times it hit its limit and its OOM kills; its memory.stat, MB."""
    stat = dict(line.split() for line in (group / "memory.stat").read_text().splitlines())
    mb = {key: round(int(value) / 1048576) for key, value in stat.items()
          if key in ("anon", "file", "file_mapped", "rss", "cache", "mapped_file", "shmem", "kernel")}
    counts = {key: int(value) for key, value in stat.items()
              if key in ("pgmajfault", "workingset_refault_file", "workingset_refault", "pgfault")}
    if version == "v2":
        events = dict(line.split() for line in (group / "memory.events").read_text().splitlines())
        now, peak = "memory.current", "memory.peak"
        hits, kills = int(events.get("max", 0)), int(events.get("oom_kill", 0))
    else:
        oom = dict(line.split() for line in (group / "memory.oom_control").read_text().splitlines())
        now, peak = "memory.usage_in_bytes", "memory.max_usage_in_bytes"
        hits, kills = int((group / "memory.failcnt").read_text()), int(oom.get("oom_kill", 0))
    peak_mb = round(int((group / peak).read_text()) / 1048576) if (group / peak).exists() else None
    return {"now_mb": round(int((group / now).read_text()) / 1048576), "peak_mb": peak_mb,
            "limit_hits": hits, "oom_kills": kills, "stat_mb": mb, "stat_counts": counts}


def machine_used_mb() -> int:
    """MemTotal - MemAvailable: what the machine cannot hand to a new process without taking it from another."""
    info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    return round((int(info["MemTotal"].split()[0]) - int(info["MemAvailable"].split()[0])) / 1024)


def worker_memory(pid: int) -> dict[str, int]:
    """A process's ``smaps_rollup`` figures, MB; ``File`` is what it maps of files (Rss - Anonymous)."""
    found = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ROLLUP_KEYS:
            found[key] = round(int(value.split()[0]) / 1024)
    found["File"] = found["Rss"] - found["Anonymous"]
    return found


def counters(pid: int) -> dict[str, float]:
    """CPU seconds, major faults and bytes read from storage of one process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    io = dict(line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
    return {"cpu_s": cpu_seconds(pid), "major_faults": int(fields[9]), "read_mb": int(io["read_bytes"]) / 1048576}


def referenced_mb(pid: int) -> dict[str, int]:
    """MB of the process's pages read or written since its referenced bits were cleared (``clear_refs``):
    of mapped files (their pages not copied on write) and anonymous."""
    found = {"file": 0, "anonymous": 0}
    fields: dict[str, int] = {}
    for line in [*Path(f"/proc/{pid}/smaps").read_text().splitlines(), "0-0 ---p 0 0:0 0"]:
        key, _, value = line.partition(":")
        if " " not in key:  # a field of the mapping above
            if value.endswith(" kB"):
                fields[key] = int(value.split()[0])
            continue
        referenced, anonymous = fields.get("Referenced", 0), fields.get("Anonymous", 0)
        found["anonymous"] += min(referenced, anonymous)
        found["file"] += referenced - min(referenced, anonymous)
        fields = {}
    return {key: round(kb / 1024) for key, kb in found.items()}


def run_ns(pids: list[int]) -> int:
    """Nanoseconds the processes' threads have run on a CPU (``schedstat``): finer than ``stat``'s ticks."""
    total = 0
    for pid in pids:
        for task in os.listdir(f"/proc/{pid}/task"):
            total += int(Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()[0])
    return total


def one_pass(url: str, paths: list[tuple[str, str]], clients: int, workers: list[int], seconds: float) -> dict:
    """Send every request once (those of the first ``seconds``); wall (and with one client, CPU) p50/p99 by kind,
    the workers' counters' growth."""
    before = {pid: counters(pid) for pid in workers}
    deadline = time.perf_counter() + seconds
    times: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    errors: list[str] = []
    started = time.perf_counter()
    if clients == 1:
        for kind, path in itertools.takewhile(lambda _: time.perf_counter() < deadline, paths):
            ran = run_ns(workers)
            send(url, [(kind, path)], times, errors)
            cpu.setdefault(kind, []).append((run_ns(workers) - ran) / 1e9)
    else:
        import threading

        threads = [threading.Thread(target=send, args=(url, itertools.takewhile(lambda _: time.perf_counter() < deadline,
                                                                                 paths[i::clients]), times, errors))
                   for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    after = {pid: counters(pid) for pid in workers}
    grown = {key: round(sum(after[p][key] - before[p][key] for p in workers), 2) for key in before[workers[0]]}
    return {"seconds": round(time.perf_counter() - started, 1), "load": round(os.getloadavg()[0], 1),
            "errors": len(errors), "first_errors": errors[:3], **grown,
            "wall_ms": {kind: [percentile(v, 0.5), percentile(v, 0.99), len(v)] for kind, v in times.items()},
            "cpu_ms": {kind: [percentile(v, 0.5), percentile(v, 0.99)] for kind, v in cpu.items()}}


def evict(index: Path) -> None:
    """Drop the index's files from the page cache (their clean pages; pages mapped by a process stay)."""
    for path in index.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def measure(args: argparse.Namespace, group: Path, version: str, out: dict) -> None:
    """Fill ``out`` as the run goes (a run stopped by SIGTERM keeps the passes done)."""
    sentences, short = load_queries(args.indosum / "queries.tsv", args.queries)
    paths = requests_of(sentences, short)
    out |= {"workers": args.workers, "limit_mb": args.limit_mb, "cache_mb": args.cache_mb, "cgroup": version,
                 "clients": args.clients, "machine_used_before_mb": machine_used_mb()}
    before = set(process_tree(os.getpid()))
    with cari_serve(args.index, args.workers, warm_up=args.warm_up, cgroup=group) as url:
        arbiter = next(pid for pid in process_tree(os.getpid()) if pid not in before)
        workers = [pid for pid in process_tree(arbiter) if pid != arbiter]
        out["after_warm_up"] = {"group": group_figures(group, version),
                                "workers": [worker_memory(pid) for pid in workers]}
        out["passes"] = []
        for number in range(args.passes):
            last = number == args.passes - 1
            if last and not args.limit_mb:  # the last pass's working set: the pages it reads (not under a limit)
                for pid in workers:
                    Path(f"/proc/{pid}/clear_refs").write_text("1")
            done = one_pass(url, paths, args.clients, workers, args.pass_seconds)
            out["passes"].append({**done, "group": group_figures(group, version)})
            print(f"pass {number + 1}: {out['passes'][-1]['seconds']} s", file=sys.stderr, flush=True)
        if not args.limit_mb:
            out["last_pass_referenced"] = [referenced_mb(pid) for pid in workers]
        now = [pid for pid in process_tree(arbiter) if pid != arbiter]
        out["workers_replaced"] = len(set(workers) - set(now))
        out["machine_used_after_mb"] = machine_used_mb()
        out["group"] = group_figures(group, version)
        out["worker_memory"] = [worker_memory(pid) for pid in now]
        out["arbiter"] = worker_memory(arbiter)


def stopped(*_: object) -> None:
    raise KeyboardInterrupt("stopped (SIGTERM)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--limit-mb", type=int, default=0, help="the group's memory limit, MB (0: none)")
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--warm-up", type=float, default=30, metavar="SECONDS")
    parser.add_argument("--pass-seconds", type=float, default=math.inf,
                        help="stop sending a pass's requests after this long (in their order: sentences first)")
    parser.add_argument("--cache-mb", type=int, help="$CARI_CACHE_MB for the server (the searchers' cache)")
    parser.add_argument("--evict", action="store_true", help="drop the index's files from the page cache first")
    parser.add_argument("--indosum", type=Path, default=SHARED / "eval" / "indosum")
    args = parser.parse_args()
    if args.cache_mb is not None:
        os.environ["CARI_CACHE_MB"] = str(args.cache_mb)
    if args.evict:
        evict(args.index)
    group, version = memory_cgroup(f"cari-bench-{os.getpid()}", args.limit_mb)
    signal.signal(signal.SIGTERM, stopped)
    out: dict = {}
    try:
        measure(args, group, version, out)
    except (urllib.error.URLError, OSError, StopIteration, KeyboardInterrupt) as e:
        out |= {"failed": repr(e), "group": group_figures(group, version)}
    finally:
        time.sleep(1)
        group.rmdir()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
