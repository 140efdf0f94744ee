"""The user's synonyms: one file per index, ``synonyms.tsv`` in the index folder, kept across rebuilds.

Each line is one group of words or phrases that mean the same (``Jokowi``,
``Joko Widodo``), tab-separated. A query for one also searches the others
(below the form typed). The file sits beside the index's generations, not
in one, so a rebuild keeps it and no rebuild is needed to use it: a
searcher reads it again whenever it changes. ``cari synonyms`` edits it;
a text editor does too.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from search.errors import CariError
from search.index.generations import SYNONYMS as FILE_NAME
from search.query.alternatives import Table, key

HEADER = "# Synonyms of this index (cari synonyms): one group a line, its words or phrases tab-separated.\n"


class SynonymsFile:
    """Reads and edits ``synonyms.tsv`` of one index folder."""

    def __init__(self, index_dir: str | Path):
        self.path = Path(index_dir) / FILE_NAME
        self._seen: tuple | None = None
        self._table = Table("synonym")

    def groups(self) -> list[list[str]]:
        """The groups as written, in file order; none if there is no file."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        except OSError as e:
            raise CariError(f"Could not read the synonyms file {self.path}: {e.strerror or e}.") from None
        groups = []
        for line in text.splitlines():
            line = line.split("#", 1)[0]
            forms = [" ".join(f.split()) for f in line.split("\t") if f.strip()]
            if len(forms) > 1:
                groups.append(forms)
        return groups

    def table(self) -> Table:
        """The groups as a lookup table, read again only when the file changed."""
        try:
            stat = self.path.stat()
            seen: tuple | None = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except OSError:
            seen = None
        if seen != self._seen:
            try:
                self._table = Table.of_groups(self.groups(), "synonym")
            except CariError:
                self._table = Table("synonym")  # unreadable: searches go on without it (the CLI says why)
            self._seen = seen
        return self._table

    def add(self, forms: list[str]) -> list[str]:
        """Make ``forms`` one group, merged with any group holding one of them; returns the group."""
        forms = [" ".join(f.split()) for f in forms if f.strip()]
        if len(forms) < 2:
            raise CariError("A synonym needs at least two words or phrases, e.g. Jokowi \"Joko Widodo\".")
        if any("\t" in f or "\n" in f for f in forms):
            raise CariError("A synonym cannot hold a tab or a line break.")
        wanted = {key(f) for f in forms}
        groups, joined = [], []
        for group in self.groups():
            if wanted & {key(f) for f in group}:
                joined += group  # the group's own spellings first, as they were written
            else:
                groups.append(group)
        merged, seen = [], set()
        for form in [*joined, *forms]:  # each once, in its first spelling
            if key(form) not in seen:
                seen.add(key(form))
                merged.append(form)
        self._write([*groups, merged])
        return merged

    def remove(self, form: str) -> list[str] | None:
        """Take ``form`` out of its group (a group left with one member goes); the group it was in, or None."""
        groups, found = [], None
        for group in self.groups():
            if key(form) in {key(f) for f in group}:
                found = group
                rest = [f for f in group if key(f) != key(form)]
                if len(rest) > 1:
                    groups.append(rest)
            else:
                groups.append(group)
        if found is not None:
            self._write(groups)
        return found

    def _write(self, groups: list[list[str]]) -> None:
        """Replace the file atomically: a searcher never reads half of it."""
        if not self.path.parent.is_dir():
            raise CariError(f"There is no index folder {self.path.parent}. Run `cari rebuild-index` first.")
        text = HEADER + "".join("\t".join(group) + "\n" for group in groups)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".synonyms-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
