"""What a write starts from: the live generation, if an update can start from it, and what it holds.

``build.build_index`` asks here whether it can update the live generation
(:func:`updatable_generation`: of this format and schema, its list of articles
readable, its files checked) or must build anew, which articles the live index
holds (:func:`live_contents`), its own articles as the source of a rebuild from
itself (:func:`own_sources`), which of the ids a removal names it holds
(:func:`removable`), and why it cannot be added to (:func:`not_updatable`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from search.errors import BuildFailed, CariError
from search.index import generations
from search.index import kept as records
from search.index.batch import BuildReport
from search.index.checksums import Verification, first_mismatch
from search.index.format import CONTENTS, INDEX_FORMAT, check_format, opens, schema_fingerprint
from search.index.records import READABLE_FORMATS, OwnArticles


def removable(index_dir: Path, ids: Iterable[str], report: BuildReport) -> BuildReport:
    """Sort the ids a removal asks for into ``report.deleted`` (the index holds them) and ``report.unknown``.

    IndexMissing, IndexOutdated or IndexDamaged when there is no sound index;
    BuildFailed when it has no readable record of the articles it holds.
    """
    live = generations.live_generation(index_dir)
    check_format(index_dir, live, background=True)  # the large files: checked by the write, before its swap
    contents = kept_contents(live)
    records.keep(live / CONTENTS, CONTENTS, contents)  # the removal takes it again (updatable_generation)
    if not isinstance(contents, dict):
        raise BuildFailed(f"The index at {index_dir} has no readable list of its articles: "
                          "run `cari rebuild-index --full` with its sources.")
    report.deleted, report.unknown = [], []
    for doc_id in dict.fromkeys(ids):  # each once, in the order given
        (report.deleted if doc_id in contents else report.unknown).append(doc_id)
    report.removed = len(report.deleted)
    return report


def own_sources(index_dir: Path) -> list:
    """The index's own articles as the one source of a rebuild; BuildFailed when they cannot be read back."""
    live = generations.live_generation(index_dir)
    record = generations.read_manifest(live)
    found = record.get("index_format")
    expected = record.get("checksums")
    damage = first_mismatch(live, expected) if isinstance(expected, dict) else "it records no checksums"
    if damage and found in READABLE_FORMATS:
        raise BuildFailed(f"The index at {index_dir} is damaged ({damage}), so its articles cannot be read back: "
                          "run `cari rebuild-index --full SOURCES` with its sources, or restore a backup. "
                          "Nothing was changed.")
    if found not in READABLE_FORMATS:
        raise BuildFailed(f"The articles of the index at {index_dir} (index format {found or 'unknown'}) cannot be "
                          "read back by this version of Cari: run `cari rebuild-index --full SOURCES` with its "
                          "sources. Nothing was changed.")
    return [OwnArticles(live, index_dir)]


def not_updatable(index_dir: Path, damage: str | None = None) -> str:
    """Why an index cannot be added to (``damage``: what its check found), and what works: a rebuild from its own
    articles, or from its sources."""
    said = f"The index at {index_dir} cannot be added to"
    if damage:
        return f"{said} (it is damaged: {damage}). Run `cari rebuild-index --full SOURCES` with all its sources; " \
               "nothing was changed."
    try:
        record = generations.read_manifest(generations.live_generation(index_dir))
    except CariError:
        record = {}
    found = record.get("index_format")
    if found in READABLE_FORMATS and found != INDEX_FORMAT:
        return (f"{said}: it was built by another version of Cari (index format {found}). Run "
                "`cari rebuild-index --full` (no sources needed: it rebuilds from its own articles), then add "
                "again; nothing was changed.")
    if found == INDEX_FORMAT and record.get("fingerprint") != schema_fingerprint():
        # Sound files of this format, written by a Cari whose fields or word lists differ: not damage.
        return (f"{said}: it was built by another version of Cari (its fields or word lists differ). Run "
                "`cari rebuild-index --full` (no sources needed: it rebuilds from its own articles), then add "
                "again; nothing was changed.")
    return f"{said} (it is damaged). Run `cari rebuild-index --full SOURCES` with all its sources; nothing was changed."


def has_index(index_dir: Path) -> bool:
    return (index_dir / generations.POINTER).exists()


def live_contents(index_dir: Path) -> dict[str, str]:
    """``id -> content hash`` of the live index, whatever its version; empty if there is none or it is unreadable."""
    try:
        live = generations.live_generation(index_dir)
    except CariError:
        return {}
    contents = generations.read_record(live, CONTENTS)
    return contents if isinstance(contents, dict) else {}


def updatable_generation(index_dir: Path, background: bool = False
                         ) -> tuple[Path | None, dict[str, str], Verification | None]:
    """The live generation, its ``id -> content hash`` and the check of its large files (``background``: going on
    in a thread, else done: None) if an update can start from it, else ``(None, {}, None)`` (full rebuild)."""
    try:
        live = generations.live_generation(index_dir)
    except CariError:
        return None, {}, None
    record = generations.read_manifest(live)
    if record.get("index_format") != INDEX_FORMAT or record.get("fingerprint") != schema_fingerprint():
        return None, {}, None
    # Without a readable record of what the index holds, an update would add
    # every article again beside its old copy: rebuild instead.
    contents = kept_contents(live, take=True)
    check = opens(index_dir, live, background) if isinstance(contents, dict) else None
    if check is None:
        return None, {}, None
    return live, contents, (check if background else None)


def kept_contents(live: Path, take: bool = False) -> Any:
    """The list of articles of the generation ``live``: kept by this process's last write (``take``: its own from
    now on), else read."""
    found = (records.take if take else records.peek)(live / CONTENTS, CONTENTS)
    return found if found is not None else generations.read_record(live, CONTENTS)
