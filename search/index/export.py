"""``cari export`` and ``cari backup``: the archive out of the index, as records or as a copy of the index itself."""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from search.errors import BuildFailed, CariError, IndexDamaged
from search.index import generations, write_lock
from search.index.checksums import first_mismatch
from search.index.records import FIELDS, READABLE_FORMATS, records

FORMATS = ("jsonl", "csv")


def readable_generation(index_dir: Path, live: Path | None = None) -> Path:
    """The live generation (or ``live``), if this version can read its articles (its format or an older one)."""
    live = live or generations.live_generation(index_dir)
    found = generations.read_manifest(live).get("index_format")
    if found not in READABLE_FORMATS:
        raise IndexDamaged(f"The articles of the index at {index_dir} (index format {found or 'unknown'}) cannot be "
                           "read by this version of Cari.")
    return live


def format_for(output: str | None, given: str | None) -> str:
    """The format asked for, else the one the output file's name says (``.csv``, ``.csv.gz``), else JSON Lines."""
    if given:
        return given
    name = (output or "").lower().removesuffix(".gz")
    return "csv" if name.endswith(".csv") else "jsonl"


def export_articles(index_dir: Path, out: IO[str], fmt: str = "jsonl") -> int:
    """Write every article of the index at ``index_dir`` to ``out``, one at a time; returns how many.

    JSON Lines: one object a line with the fields each article was given
    (``id``, ``text`` and whichever of ``title``, ``date``, ``source``,
    ``author``, ``url`` it has); CSV: a header and those columns (empty when
    absent). Either is a source ``cari rebuild-index`` reads back into the same index.
    """
    held = generations.hold_live(index_dir)  # no writer deletes it while it is read
    generation = readable_generation(index_dir, held.path)
    count = 0
    try:
        if fmt == "csv":
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(FIELDS)
            for record in records(generation):
                writer.writerow([record.get(name, "") for name in FIELDS])
                count += 1
        else:
            for record in records(generation):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
    except (CariError, OSError):
        raise
    except Exception as e:  # noqa: BLE001 - Whoosh raises many kinds on a damaged index
        raise IndexDamaged(f"The index at {index_dir} could not be read whole ({type(e).__name__}: {e}); "
                           f"{count} articles were written before the fault.") from None
    finally:
        held.release()
    return count


@contextmanager
def output_file(output: str | None) -> Iterator[IO[str]]:
    """Standard output (None or ``-``), or FILE written under another name and renamed once complete.

    A ``.gz`` name is gzip-compressed. An export that fails leaves no file
    that looks whole.
    """
    if output in (None, "-"):
        yield sys.stdout
        sys.stdout.flush()
        return
    assert output is not None
    path = Path(output)
    partial = path.with_name(f".{path.name}.partial")
    try:
        handle: IO[str] = (gzip.open(partial, "wt", compresslevel=6, encoding="utf-8", newline="")  # noqa: SIM115
                           if path.suffix == ".gz" else open(partial, "w", encoding="utf-8", newline=""))  # noqa: SIM115
        with handle:
            yield handle
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def backup(index_dir: Path, dest: Path, attempts: int = 5) -> tuple[Path, int]:
    """Copy the live generation of ``index_dir`` into the new index folder ``dest``; returns it and the files copied.

    Consistent while the index serves and takes writes, without stopping
    either: a generation never changes once live, its files are linked (or
    copied) into ``dest`` and then checked against the checksums its
    manifest recorded when it was published. A generation a rebuild removed
    meanwhile (only the one before the previous is ever removed) fails the
    check, and the then live one is copied instead. Files are hard-linked
    where ``dest`` is on the same file system (instant, no space: they are
    never written again), copied otherwise. ``dest`` must not exist or be
    empty; it opens as an index.
    """
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BuildFailed(f"{dest} already exists and is not an empty folder; nothing was copied.")
    problem = None
    with write_lock.writable(dest):
        dest.mkdir(parents=True, exist_ok=True)
        for _ in range(attempts):
            live = readable_generation(index_dir)
            partial = dest / f".{live.name}.partial"
            try:
                count = _link_or_copy(live, partial)
                expected = generations.read_manifest(partial).get("checksums")
                problem = first_mismatch(partial, expected) if isinstance(expected, dict) else "no checksums"
                if problem is None:
                    os.replace(partial, dest / live.name)
                    _write_pointer(dest, live.name)
                    if (index_dir / "synonyms.tsv").is_file():  # the index's own setting beside its generations
                        shutil.copy2(index_dir / "synonyms.tsv", dest / "synonyms.tsv")
                    return dest / live.name, count
            except FileNotFoundError as e:
                problem = f"{e.filename} was removed during the copy"
            finally:
                shutil.rmtree(partial, ignore_errors=True)
    raise BuildFailed(f"The index at {index_dir} changed throughout {attempts} attempts to copy it ({problem}); "
                      "nothing was copied.")


def _link_or_copy(generation: Path, target: Path) -> int:
    target.mkdir()
    count = 0
    for path in sorted(generation.iterdir()):
        if not path.is_file() or path.name.endswith("LOCK"):
            continue
        try:
            os.link(path, target / path.name)
        except FileNotFoundError:
            raise
        except OSError:  # another file system, or no hard links there
            shutil.copy2(path, target / path.name)
        count += 1
    (target / generations.READERS_LOCK).touch()  # the copy is read as any generation is
    return count


def _write_pointer(index_dir: Path, name: str) -> None:
    tmp = index_dir / f"{generations.POINTER}.tmp"
    tmp.write_text(name, encoding="utf-8")
    os.replace(tmp, index_dir / generations.POINTER)
