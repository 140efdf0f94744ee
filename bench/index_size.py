"""Where an index's bytes are: each kind of Whoosh segment sub-file, and the files beside them.

Usage:
    python -m bench.index_size INDEX_DIR [--raw DOCS.jsonl]

INDEX_DIR is an index folder (its live generation is read) or a generation
folder. The segments are compound files; their parts are summed by kind
(``trm`` term dictionary, ``pst`` postings, ``cpa`` posting arrays, ``col`` stored fields and
lengths), and each segment's layout is shown.
With ``--raw``, the total is also compared with the title + text characters of
the articles, as ``bench/baseline.py`` does.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage


def generation_folder(path: Path) -> Path:
    """The live generation of an index folder, or ``path`` itself if it holds segments."""
    if any(path.glob("*.seg")):
        return path
    from search.index import generations

    return generations.live_generation(path)


def sizes(generation: Path) -> Counter:
    """Bytes by kind: segment sub-file extensions, and the other files by name."""
    found: Counter = Counter()
    storage = FileStorage(str(generation))
    for item in generation.iterdir():
        if item.suffix == ".seg":
            compound = CompoundStorage(storage.open_file(item.name), use_mmap=False)
            for name in compound.list():
                found[name.rsplit(".", 1)[-1]] += compound.file_length(name)
        elif item.is_file():
            found[item.name] += item.stat().st_size
    return found


def segment_layouts(generation: Path) -> list[int]:
    """Each segment's layout, as its codec records it (``search/_whoosh/codec.py``: 1 before layout 2)."""
    from whoosh.index import TOC

    from search.index.schema import build_schema

    toc = TOC.read(FileStorage(str(generation), readonly=True), "MAIN", schema=build_schema())
    return [getattr(segment.codec(), "layout", 1) for segment in toc.segments]


def raw_chars(docs: Path) -> int:
    with docs.open(encoding="utf-8") as lines:
        return sum(len(d.get("text", "")) + len(d.get("title", "")) for d in map(json.loads, lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index", type=Path)
    parser.add_argument("--raw", type=Path, help="the JSONL the index was built from")
    args = parser.parse_args()
    generation = generation_folder(args.index)
    found = sizes(generation)
    total = sum(found.values())
    print(f"{'segment layouts':16} {', '.join(map(str, segment_layouts(generation)))}")
    for kind, size in found.most_common():
        print(f"{kind:16} {size / 1e6:9.2f} MB {size / total:6.1%}")
    print(f"{'total':16} {total / 1e6:9.2f} MB")
    if args.raw:
        print(f"{'x raw text':16} {total / raw_chars(args.raw):9.2f}")


if __name__ == "__main__":
    main()
