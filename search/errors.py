"""The errors Cari reports to users: each carries one clear message."""

from __future__ import annotations

import os
import stat


class CariError(Exception):
    """Base class: a problem the user can act on (message says how)."""


class IndexMissing(CariError):
    """There is no index where one was expected."""


class IndexDamaged(CariError):
    """The index exists but cannot be read."""


class IndexBusy(CariError):
    """Another rebuild holds the index lock."""


class WriteUnconfirmed(IndexBusy):
    """The writer process stopped before it answered: the write may or may not be in the index; send it again."""


class QueryError(CariError):
    """The query cannot be understood.

    The message is English (the CLI, the API). ``reason`` names the problem
    and ``details`` hold its particulars (``reason="too_long"``, ``length``,
    ``limit``), so that a front end can say it in its own words: the web's
    pages say it in Indonesian (``web.messages``). No reason: a query that
    makes no sense in some other way.
    """

    def __init__(self, message: str, reason: str = "", **details: object):
        super().__init__(message)
        self.reason = reason
        self.details = details


class UnbalancedQuery(QueryError):
    """A quote or a parenthesis without its pair: a search reads the text as plain words instead, with a note."""


class BuildFailed(CariError):
    """A rebuild could not complete; the previous index is still live."""


class IndexOutdated(IndexDamaged):
    """The index was written by a version of Cari that stored it differently."""


class IndexNotPermitted(IndexDamaged):
    """A file of the index exists but this user may not read it: a matter of permissions, not damage."""


def not_permitted(path: str | os.PathLike[str], index_dir: str | os.PathLike[str]) -> IndexNotPermitted:
    """The one message for an index file this process may not read: the file, its owner and mode, and this user."""
    def user(uid: int) -> str:
        try:
            import pwd  # lazy: no pwd module on Windows

            return pwd.getpwuid(uid).pw_name
        except (ImportError, KeyError):
            return f"uid {uid}"

    try:
        st = os.stat(path)
        owner = f" (it belongs to {user(st.st_uid)}, mode {stat.filemode(st.st_mode)})"
    except OSError:
        owner = ""
    return IndexNotPermitted(
        f"Cari, running as {user(os.geteuid())}, may not read {path}{owner}: a permission problem, not damage. "
        f"Give this user read access to the index (e.g. `chmod -R a+rX {index_dir}`), or run Cari as a user "
        "who may read it."
    )


def damaged(index_dir: str | os.PathLike[str], detail: str) -> IndexDamaged:
    """The one message for an index that cannot be read: what is wrong, and the command that repairs it."""
    return IndexDamaged(f"The index at {index_dir} is damaged ({detail}). Run `cari rebuild-index` to rebuild it.")


class QueryTooSlow(CariError):
    """A search ran past its time budget and was stopped, so that it holds up no other search."""


class SearchBusy(QueryTooSlow):
    """Searches queued ahead kept this one from starting within its budget: try again shortly."""
