"""Contributors' tools run from the repository root as ``python -m tools.NAME`` (not installed with Cari)."""
