"""Issue 26 in the CLI: the timeline as a text chart, people and organisations as facets and filters."""

from __future__ import annotations

import json

import pytest

from tests.conftest import make_index

ARTICLES = [
    *({"id": f"b{i}", "title": f"Banjir {i}", "source": "Kompas.com", "date": f"2023-05-{i + 1:02d}T08:00:00+07:00",
       "text": f"Banjir melanda kota nomor {i}. \"Kami siaga,\" kata Budi Gunawan di kantor Badan Narkotika "
               f"Nasional (BNN). Budi Gunawan meminta warga waspada."} for i in range(4)),
    *({"id": f"o{i}", "title": f"Banjir lama {i}", "source": "Tempo.co", "date": f"2023-05-0{i + 1}",
       "text": "Banjir lama melanda desa."} for i in range(2)),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return make_index(tmp_path_factory.mktemp("cli-newsroom"), ARTICLES)


def test_timeline_prints_every_period_as_a_bar(run_cli, index):
    result = run_cli("search", "banjir", "--index", index, "--timeline", "-n", "1")
    assert result.exit_code == 0, result.output
    chart = [line for line in result.output.splitlines() if line.startswith("2023-05-")]
    assert [line.split()[0] for line in chart] == ["2023-05-01", "2023-05-02", "2023-05-03", "2023-05-04"]
    assert chart[0].split()[-1] == "2" and chart[2].split()[-1] == "1"
    assert chart[0].count("█") == 40 and chart[2].count("█") == 20  # the longest bar is 40 characters


def test_people_and_organisations_are_printed_and_filter(run_cli, index):
    result = run_cli("search", "banjir", "--index", index, "--facets")
    assert "People: Budi Gunawan (4)" in result.output
    assert "Organisations: Badan Narkotika Nasional (BNN) (4)" in result.output
    only = run_cli("search", "banjir", "--index", index, "--person", "Budi Gunawan", "--json")
    assert json.loads(only.output)["total"] == 4
    same = run_cli("search", 'banjir person:"budi gunawan"', "--index", index, "--json")
    assert json.loads(same.output)["total"] == 4
    assert json.loads(run_cli("search", "--org", "BNN", "--index", index, "--json").output)["total"] == 4


def test_json_has_the_timeline(run_cli, index):
    data = json.loads(run_cli("search", "banjir", "--index", index, "--json").output)
    assert data["timeline"][0] == {"period": "2023-05-01", "count": 2, "from": "2023-05-01", "to": "2023-05-01"}
    assert data["facets"]["people"] == {"Budi Gunawan": 4}


def test_rows_to_take_away_take_the_name_filters_too(run_cli, index):
    rows = run_cli("search", 'person:"Budi Gunawan"', "--index", index, "--format", "jsonl", "--all")
    assert rows.exit_code == 0, rows.output
    assert len(rows.output.strip().splitlines()) == 4
