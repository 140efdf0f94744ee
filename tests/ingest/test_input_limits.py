"""No input fills memory: size limits for a line, a page and a file read whole; repeated problems summed up."""

from __future__ import annotations

import json
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from search.index.build import build_index
from search.ingest.formats import MB, ReadOptions, SizeLimits
from tests.conftest import write_jsonl

GOOD = {"id": "baik", "title": "Banjir di Bekasi", "text": "Banjir melanda Bekasi sejak subuh tadi."}


def gzip_of_parts(path: Path, parts) -> Path:
    """A .gz of ``parts`` (bytes, or (byte, count) for a run of one byte), compressed a piece at a time."""
    pack = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    with open(path, "wb") as f:
        for part in parts:
            if isinstance(part, tuple):
                byte, count = part
                for _ in range(count // MB):
                    f.write(pack.compress(byte * MB))
            else:
                f.write(pack.compress(part))
        f.write(pack.flush())
    return path


def build(tmp_path: Path, source: Path, **limits):
    return build_index([source], tmp_path / "index", options=ReadOptions(limits=SizeLimits(**limits)))


def test_a_line_past_the_limit_is_skipped_with_a_message_and_the_others_read(tmp_path):
    source = tmp_path / "spasi.jsonl"
    with open(source, "wb") as f:
        f.write(json.dumps(GOOD).encode() + b"\n" + b" " * (3 * MB) + b"\n" + json.dumps({**GOOD, "id": "dua"}).encode())
    report = build(tmp_path, source, line=MB)
    assert report.indexed == 2 and report.skipped == 1
    assert [str(p) for p in report.problems] == [f"{source}:2: longer than 1 MB, the limit of one JSON Lines line: "
                                                 "--max-size line=MB; skipped"]


def test_binary_zeros_in_a_jsonl_gz_end_the_file_without_holding_the_line(tmp_path):
    source = gzip_of_parts(tmp_path / "nol.jsonl.gz", [json.dumps(GOOD).encode() + b"\n", (b"\0", 40 * MB)])
    report = build(tmp_path, source, line=MB)
    assert report.indexed == 1 and report.unread == 1
    assert "binary data (NUL bytes) in a line longer than 1 MB" in str(report.problems[0])


def test_an_html_gz_bomb_is_given_up_at_the_page_limit(tmp_path):
    (tmp_path / "src").mkdir()
    write_jsonl(tmp_path / "src" / "baik.jsonl", [GOOD])
    gzip_of_parts(tmp_path / "src" / "bom.html.gz", [b"<html><body><p>", (b"a", 20 * MB), b"</p></body></html>"])
    report = build(tmp_path, tmp_path / "src", page=2 * MB)
    assert report.indexed == 1 and report.unread == 1
    assert str(report.problems[0]).endswith("bom.html.gz: uncompresses to more than 2 MB, the limit of one page "
                                            "(.txt, .html): --max-size page=MB; skipped")


def test_a_json_export_past_the_file_limit_is_skipped_whole(tmp_path):
    (tmp_path / "src").mkdir()
    source = tmp_path / "src" / "ekspor.json"
    source.write_text(json.dumps([{**GOOD, "id": f"a{n}", "text": "kata " * 1000} for n in range(300)]))
    write_jsonl(tmp_path / "src" / "baik.jsonl", [GOOD])
    report = build(tmp_path, tmp_path / "src", file=MB)
    assert report.indexed == 1 and "larger than 1 MB, the limit of a file read whole" in str(report.problems[0])


def test_one_problem_repeated_a_thousand_times_is_shown_five_times_and_summed_up(tmp_path, run_cli):
    source = tmp_path / "ulang.jsonl"
    source.write_text((json.dumps(GOOD) + "\n") * 1000 + "bukan json\n" * 7)
    result = run_cli("rebuild-index", "--index", tmp_path / "index", source)
    lines = result.output.splitlines()
    assert sum(line.startswith("skipped") and "duplicate id 'baik'" in line for line in lines) == 5
    assert f"warning {source}: 994 more like {source}:2 (duplicate id), skipped without a line each" in lines
    assert sum(line.startswith("skipped") and "invalid JSON" in line for line in lines) == 5
    assert f"warning {source}: 2 more like {source}:1001 (invalid JSON), skipped without a line each" in lines
    assert "Indexed 1 document, skipped 1006" in result.output


def test_max_size_is_checked(run_cli, tmp_path):
    for bad in ("baris=4", "line", "line=0", "line=abc"):
        result = run_cli("rebuild-index", "--index", tmp_path / "index", "--max-size", bad, "seeds")
        assert result.exit_code == 2 and "--max-size" in result.output


def peak_memory_of_a_rebuild(index: Path, source: Path) -> tuple[int, subprocess.CompletedProcess]:
    """The peak RSS (MB) of ``cari rebuild-index -q`` of ``source``, run in a fresh interpreter."""
    code = ("import resource, sys; from search.cli import main; sys.argv = ['cari', 'rebuild-index', '-q', '--index', "
            f"{str(index)!r}, {str(source)!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('peak', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    return int(done.stdout.split("peak")[-1]), done


@pytest.mark.server
def test_a_gzip_bomb_of_zeros_stays_far_under_500_mb(tmp_path):
    """200 MB of zeros without a newline in a .jsonl.gz (200 KB): the line is never held whole.

    The bound is on what the bomb adds to the same rebuild of one good article: the interpreter with
    Cari's imports weighs ~200 MB by itself, and holding the line would add 200 MB or more."""
    plain = write_jsonl(tmp_path / "baik.jsonl", [GOOD])
    source = gzip_of_parts(tmp_path / "bom.jsonl.gz", [json.dumps(GOOD).encode() + b"\n", (b"\0", 200 * MB)])
    baseline, _ = peak_memory_of_a_rebuild(tmp_path / "baseline", plain)
    peak, done = peak_memory_of_a_rebuild(tmp_path / "index", source)
    assert "Indexed 1 document" in done.stdout and "binary data" in done.stderr
    assert peak - baseline < 100, f"peak {peak} MB against {baseline} MB without the bomb"
