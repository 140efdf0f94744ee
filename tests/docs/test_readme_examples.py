"""Every example in README.md and docs/guide.md is what the command prints today: each `$ command` block is
run and compared, the README's first, then the guide's.

A block runs in a fresh folder holding the repository's ``seeds/`` and ``broken/`` and, unless it
starts by building one, an index of the seeds. What changes from run to run (timings, dates, process
ids, the folder's path) is compared as a placeholder; a line ``…`` stands for the rest of the output.
Blocks that need what a test cannot have (a scraper, a running server, a remote replica, files of the
reader's own) are listed in ILLUSTRATIVE, each for its reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

# The docs whose examples are run, in this order (a file an example writes stays for the next ones).
EXAMPLES = [ROOT / "README.md", ROOT / "docs" / "guide.md"]
# The commands (the first of a block: the whole block) that are not run, and why.
ILLUSTRATIVE = {
    "cari evaluate eval/splits/keywords/tuning.tsv eval/keywords/qrels.txt --run new.run --compare old.run "
    "--metric nDCG@10 --show 2": "run files of two versions of Cari",
    "cari add today.jsonl.gz": "the reader's own files (today.jsonl.gz, saved-pages/, a CMS export)",
    "cari serve --port 8080 --workers 2": "a server that runs until stopped (tests/web/test_web_serve.py starts it)",
    "cari publish reader1:/srv/cari/index rsync://reader2/cari/index": "remote replicas",
    "openssl rand -hex 32 > key && cari serve --api-key-file key": "a server that runs until stopped",
}
VARYING = [
    (re.compile(r"\(\d+(\.\d+)? ms\)"), "(N ms)"),
    (re.compile(r"\bin \d+(\.\d+)? s\b"), "in N s"),
    (re.compile(r'"took_ms": \d+(\.\d+)?'), '"took_ms": N'),
    (re.compile(r"\d+(\.\d+)? ms each, p50 \d+(\.\d+)? ms"), "N ms each, p50 N ms"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"), "DATE"),
    (re.compile(r"gen-\d{8}T\d{6}-[\w-]+"), "gen-NAME"),
    (re.compile(r"worker \d+: \d+ MB"), "worker N: N MB"),
    (re.compile(r"\(\d+ files\)"), "(N files)"),  # what records a generation holds is the index format's
    (re.compile(r"^size( +)\d+\.\d+ MB$", re.M), r"size\1N MB"),
]


def blocks() -> list[list[tuple[str, list[str]]]]:
    """Each indented block of ``$ command`` lines: its commands, each with the lines it prints."""
    found = []
    text = "".join(doc.read_text(encoding="utf-8") for doc in EXAMPLES)
    for block in re.findall(r"(?:^    .*\n|^\n)+", text, flags=re.M):
        lines = [line[4:] for line in block.strip("\n").split("\n")]
        if not lines or not lines[0].startswith("$ "):
            continue
        steps: list[tuple[str, list[str]]] = []
        for line in lines:
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps and line.strip():
                steps[-1][1].append(line)
        found.append(steps)
    return found


def _normal(text: str, folder: Path) -> list[str]:
    text = text.replace(str(folder), "~/cari")  # the docs show the reader's folder as ~/cari
    for pattern, placeholder in VARYING:
        text = pattern.sub(placeholder, text)
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def _matches(expected: list[str], printed: list[str]) -> bool:
    if "…" in expected:
        cut = expected.index("…")
        return printed[:cut] == expected[:cut] and len(printed) > cut
    return printed == expected


RUNNABLE = [b for b in blocks() if b[0][0] not in ILLUSTRATIVE]


def test_the_readme_has_examples_and_every_one_is_run_or_said_why_not():
    firsts = {command for b in blocks() for command, _ in b}
    assert set(ILLUSTRATIVE) <= firsts, f"ILLUSTRATIVE names blocks the docs no longer have: {set(ILLUSTRATIVE) - firsts}"
    assert len(RUNNABLE) >= 12


def run_examples(folder: Path, on_step) -> None:
    """Run every runnable block in order in ``folder`` (files a block writes, queries.tsv, stay for the next);
    ``on_step(command, expected, printed, raw)`` hears each command."""
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    shutil.copytree(ROOT / "broken", folder / "broken")
    # Unbuffered, as on a terminal: what goes to standard error and output comes in the order it is written.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "TERM": "dumb", "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}
    env.pop("CARI_INDEX", None)
    env.pop("CARI_CONFIG", None)

    def run(command: str) -> str:
        done = subprocess.run(["bash", "-c", command], cwd=folder, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=300)
        return done.stdout

    for steps in RUNNABLE:
        shutil.rmtree(folder / "index", ignore_errors=True)  # each block starts from the seeds
        if not steps[0][0].startswith("cari rebuild-index"):
            run("cari rebuild-index seeds/ -q")
        for command, expected in steps:
            if command in ILLUSTRATIVE:
                continue
            raw = run(command)
            on_step(command, _normal("\n".join(expected), folder), _normal(raw, folder), raw)


@pytest.mark.server
@pytest.mark.slow
def test_every_readme_example_prints_what_the_readme_shows(tmp_path):
    wrong = []

    def check(command, expected, printed, raw):
        if not _matches(expected, printed):
            wrong.append(f"$ {command}\ndocs:\n" + "\n".join(expected) + "\nprinted:\n" + "\n".join(printed))

    run_examples(tmp_path, check)
    assert not wrong, (f"{len(wrong)} example(s) of README.md or docs/guide.md print something else today:\n\n"
                       + "\n\n".join(wrong))
