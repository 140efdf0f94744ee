"""``cari add`` and ``rebuild-index`` read each input once: the build reports its progress as it reads."""

import json

from search.ingest import formats, jsonl


def test_a_json_lines_export_is_opened_once_by_an_add(tmp_path, run_cli, monkeypatch):
    source = tmp_path / "today.jsonl"
    source.write_text("".join(json.dumps({"id": f"a-{n}", "text": f"Kabar banjir nomor {n}."}) + "\n"
                              for n in range(50)), encoding="utf-8")
    first = tmp_path / "yesterday.jsonl"
    first.write_text(json.dumps({"id": "b-1", "text": "Kabar gempa kemarin."}) + "\n", encoding="utf-8")
    assert run_cli("rebuild-index", first, "--index", tmp_path / "index", "--jobs", "1").exit_code == 0
    opened = []
    real = formats.open_lines

    def counted(path, compressed):
        opened.append(path)
        return real(path, compressed)

    monkeypatch.setattr(formats, "open_lines", counted)  # where the CLI sized its progress bar from
    monkeypatch.setattr(jsonl, "open_lines", counted)  # where the build reads it
    result = run_cli("add", source, "--index", tmp_path / "index", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "Indexed 50 documents" in result.output
    # Read once, by the build (an update keeps the index's furniture: nothing to learn from the sources
    # first), not also counted line by line beforehand for a progress bar.
    assert opened == [source]
