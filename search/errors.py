"""The errors Cari reports to users: each carries one clear message."""


class CariError(Exception):
    """Base class: a problem the user can act on (message says how)."""


class IndexMissing(CariError):
    """There is no index where one was expected."""


class IndexDamaged(CariError):
    """The index exists but cannot be read."""


class IndexBusy(CariError):
    """Another rebuild holds the index lock."""


class QueryError(CariError):
    """The query cannot be understood."""


class BuildFailed(CariError):
    """A rebuild could not complete; the previous index is still live."""
