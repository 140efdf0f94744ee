"""The other engines Cari is measured against: ``../shared/peers/peers.py``, loaded by file, never copied."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"  # ../shared beside the repository
PEERS = SHARED / "peers" / "peers.py"


def load_peers(path: Path = PEERS) -> ModuleType:
    """peers.py as the module ``peers`` (Whoosh pickles the schema, and with it peers.Sastrawi's stem function,
    so the module must be found by that name)."""
    spec = importlib.util.spec_from_file_location("peers", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path}: cannot load peers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["peers"] = module
    spec.loader.exec_module(module)
    return module
