"""Read replicas: ship the serving generation to other index folders with rsync, then swap their ``CURRENT``.

Generations are immutable and a reader follows ``CURRENT``
(:mod:`search.index.generations`), so a replica is an index folder that
receives whole generations and one atomic pointer swap. For each
destination (a folder, ``host:path`` over ssh, or ``rsync://host/module/path``
of an rsync daemon) :func:`publish_to`:

1. checks the generation against the checksums in its manifest (a damaged
   index is never shipped);
2. asks the replica which generations it holds and which one it serves;
3. sends the generation into a folder of the same name there, with
   ``--link-dest`` to the replica's own generations: a file the replica
   already has (every unchanged segment after an update) is hard-linked
   there, not sent;
4. compares every file there with ours by content (``rsync --checksum
   --dry-run``, the checksums computed on each side); a difference is sent
   again once, then it is a failure;
5. only then replaces the replica's ``CURRENT`` (rsync writes a temporary
   file and renames it: atomic), and removes the replica's generations
   other than the new one and the one it served until now (a worker may
   still be reading it).

A failure or an interruption before step 5 leaves the replica's
``CURRENT`` and the generation it names untouched: it goes on serving its
previous generation, and the next publish resumes where this one stopped.
A ``cari serve`` on the replica notices the new ``CURRENT`` at its next
request, as it notices a local rebuild.
"""

from __future__ import annotations

import fcntl
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from search.errors import CariError, IndexBusy
from search.index import generations
from search.index.format import check_format

PUBLISH_LOCK = ".publish-lock"
# rsync accepts at most 20 --link-dest folders; a replica keeps two generations, more after failures.
MAX_LINK_DESTS = 20
# rsync's I/O timeout (seconds without a byte) and its daemon connection timeout.
IO_TIMEOUT = 120
CONNECT_TIMEOUT = 20
# rsync's exit codes for "that file or folder is not there" (on a first publish: no index yet).
_MISSING = (23,)


class PublishFailed(CariError):
    """A publish to one replica failed; that replica still serves its previous generation."""


@dataclass
class Published:
    """What one publish did at one destination."""

    destination: str
    generation: str
    previous: str | None  # the generation the replica served before, if any
    files_sent: int
    bytes_sent: int
    files_total: int
    seconds: float

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def publish(index_dir: Path, destinations: list[str]) -> Iterator[Published | PublishFailed]:
    """Publish the live generation of ``index_dir`` to each destination in turn: a result or the failure of each."""
    rsync = shutil.which("rsync")
    if rsync is None:
        raise CariError("rsync is not installed; install it (Debian: apt-get install rsync) to publish.")
    for destination in destinations:
        check_destination(destination)
    with publish_lock(index_dir):
        generation = generations.live_generation(index_dir)
        check_format(index_dir, generation)  # IndexDamaged: nothing damaged is shipped
        for destination in destinations:
            try:
                yield publish_to(rsync, index_dir, generation, destination)
            except PublishFailed as e:
                yield e


def check_destination(destination: str) -> None:
    """A ClickException-worthy CariError for a destination rsync would read as an option, or an empty one."""
    if not destination.strip() or destination.startswith("-"):
        raise CariError(f"Invalid destination {destination!r}: give a folder, host:path or rsync://host/module/path.")


def publish_to(rsync: str, index_dir: Path, generation: Path, destination: str) -> Published:
    """Ship ``generation`` to ``destination`` and swap its ``CURRENT`` (see the module doc)."""
    started = time.monotonic()
    base = destination.rstrip("/") or "/"
    remote = _Remote(rsync, base)
    entries = remote.names()
    previous = remote.pointer() if "CURRENT" in entries else None
    olds = sorted((n for n in entries if n.startswith(generations.GENERATION_PREFIX) and n != generation.name), reverse=True)
    links = [f"--link-dest=../{name}" for name in olds[:MAX_LINK_DESTS]]
    target = f"{base}/{generation.name}/"
    sent = remote.run(["-a", "--mkpath", "--delete", "--stats", *links, f"{generation}/", target], "send the generation")
    stats = _transfer_stats(sent)
    if remote.differing(generation, target):
        # A file there with our size and time but other bytes (damaged in place): send by content.
        again = _transfer_stats(remote.run(["-a", "--checksum", "--stats", f"{generation}/", target], "repair"))
        stats = (stats[0] + again[0], stats[1] + again[1])
        changed = remote.differing(generation, target)
        if changed:
            raise PublishFailed(f"{destination}: {changed[0]} did not arrive intact; the replica still serves "
                                f"{previous or 'nothing'}.")
    synonyms = index_dir / generations.SYNONYMS
    if synonyms.is_file():  # the index's synonyms live beside its generations
        remote.run(["--checksum", str(synonyms), f"{base}/{generations.SYNONYMS}"], "send the synonyms")
    remote.swap_pointer(generation.name)
    remote.remove_generations(keep={generation.name, previous})
    files = sum(1 for path in generation.iterdir() if path.is_file())
    return Published(destination, generation.name, previous, stats[0], stats[1], files,
                     round(time.monotonic() - started, 2))


class _Remote:
    """rsync calls against one destination folder."""

    def __init__(self, rsync: str, base: str):
        self.rsync, self.base = rsync, base
        self.options = [f"--timeout={IO_TIMEOUT}"]
        if base.startswith("rsync://") or "::" in base:
            self.options.append(f"--contimeout={CONNECT_TIMEOUT}")

    def run(self, args: list[str], doing: str, allowed: tuple[int, ...] = ()) -> str:
        command = [self.rsync, *self.options, *args]
        try:
            done = subprocess.run(command, capture_output=True, text=True, errors="replace", check=False)
        except OSError as e:
            raise PublishFailed(f"{self.base}: cannot run rsync ({e.strerror}).") from None
        if done.returncode and done.returncode not in allowed:
            detail = _first_line(done.stderr) or f"rsync exited with {done.returncode}"
            raise PublishFailed(f"{self.base}: could not {doing}: {detail}. The replica still serves its "
                                "previous generation.")
        return done.stdout if not done.returncode else ""

    def names(self) -> set[str]:
        """The names in the destination folder (none if it does not exist yet)."""
        out = self.run(["--list-only", f"{self.base}/"], "list the replica", allowed=_MISSING)
        names = set()
        for line in out.splitlines():
            parts = line.split(None, 4)
            if len(parts) == 5 and parts[4] not in (".", ".."):
                names.add(parts[4])
        return names

    def pointer(self) -> str | None:
        """The generation the replica's ``CURRENT`` names, or None."""
        with tempfile.TemporaryDirectory(prefix="cari-publish-") as folder:
            self.run([f"{self.base}/CURRENT", f"{folder}/CURRENT"], "read the replica's CURRENT", allowed=_MISSING)
            try:
                name = Path(folder, "CURRENT").read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError):
                return None
        return name if re.fullmatch(r"gen-[\w.-]+", name) else None

    def differing(self, generation: Path, target: str) -> list[str]:
        """The files of ``generation`` whose bytes differ at ``target`` (missing ones included)."""
        out = self.run(["-a", "--checksum", "--dry-run", "--out-format=%n", f"{generation}/", target],
                       "compare the replica's files")
        return [line for line in out.splitlines() if line and not line.endswith("/")]

    def swap_pointer(self, name: str) -> None:
        """Replace the replica's ``CURRENT`` with one naming ``name``: rsync renames a temporary file over it."""
        with tempfile.TemporaryDirectory(prefix="cari-publish-") as folder:
            pointer = Path(folder, "CURRENT")
            pointer.write_text(name, encoding="utf-8")
            # --ignore-times: the old pointer has the same size, and maybe the same second.
            self.run(["--ignore-times", "--chmod=F644", str(pointer), f"{self.base}/CURRENT"], "swap CURRENT")

    def remove_generations(self, keep: set[str | None]) -> None:
        """Delete the replica's generation folders but ``keep``; the rest of the folder is left alone."""
        rules = [f"--filter=protect /{name}/" for name in sorted(n for n in keep if n)]
        rules += [f"--filter=include /{generations.GENERATION_PREFIX}*/***", "--filter=exclude *"]
        # A failure here is left alone: the new generation is live; old ones go at the next publish.
        with tempfile.TemporaryDirectory(prefix="cari-publish-") as empty, suppress(PublishFailed):
            self.run(["-r", "--delete", *rules, f"{empty}/", f"{self.base}/"], "remove old generations")


def _transfer_stats(out: str) -> tuple[int, int]:
    """(files sent, bytes sent) from rsync's ``--stats``."""

    def number(label: str) -> int:
        found = re.search(rf"^{label}: ([\d,.]+)", out, re.M)
        return int(re.sub(r"[,.]", "", found.group(1))) if found else 0

    return number("Number of regular files transferred"), number("Total transferred file size")


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else ""


@contextmanager
def publish_lock(index_dir: Path) -> Iterator[None]:
    """One publish of ``index_dir`` at a time (an flock, released by the kernel if the process dies)."""
    if not index_dir.is_dir():
        generations.live_generation(index_dir)  # IndexMissing, with its message
    with open(index_dir / PUBLISH_LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise IndexBusy(f"Another `cari publish` of {index_dir} is running; try again when it has finished.") from None
        yield
