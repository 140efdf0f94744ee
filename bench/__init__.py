"""Cari's benchmarks, data builders and proofs: run each from the repository root as ``python -m bench.NAME``.

What each one measures or makes, and how long it takes: bench/README.md.
"""
