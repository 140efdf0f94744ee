"""The topics' step of a build says how far it has gone (issue 21 point 7: every step over 2 s has its line or bar).

On IndoSum the rebuild's "Learning the archive's topics" line stood alone for 6-9 s (the sample read and
analysed, then the SVD's products): a reader could not tell a slow step from a hung one.
"""

import json
import re

import pytest

from search import Index, Phase
from search.cli import indexing

TOPICS = "Learning the archive's topics (for related articles)"


@pytest.fixture(scope="module")
def source(tmp_path_factory, indosum_docs):
    docs = list(indosum_docs.values())[:1200]
    path = tmp_path_factory.mktemp("topics-progress") / "docs.jsonl"
    path.write_text("".join(json.dumps(doc) + "\n" for doc in docs), encoding="utf-8")
    return path


def test_the_topics_step_tells_its_share_done_as_it_reads_and_fits(source, tmp_path):
    heard = []
    Index(tmp_path / "index").rebuild([source], on_item=lambda item: heard.append(item))
    steps = [item for item in heard if isinstance(item, Phase)]
    topics = [step.share for step in steps if step == TOPICS]
    assert topics[0] is None  # the step's own line as it starts
    shares = topics[1:]
    # The sample's articles (1,200: a report every 100) and the fit's products, in order, short of the end.
    assert len(shares) >= 12 and shares == sorted(shares) and 0 < shares[0] < 0.1 and 0.85 <= shares[-1] < 1
    assert sum(share <= 0.4 for share in shares) >= 10 and sum(share > 0.4 for share in shares) >= 2
    # No other step repeats: each is one line.
    others = [str(step) for step in steps if step != TOPICS]
    assert len(others) == len(set(others)) and all(step.share is None for step in steps if step != TOPICS)


def test_on_a_terminal_the_step_line_ends_as_a_pipe_shows_it(source, tmp_path, run_cli, monkeypatch):
    # The share done rewrites the step's line in place; the line left is the step's, as a pipe or a log gets it.
    monkeypatch.setattr(indexing.ProgressLine, "on_a_terminal", staticmethod(lambda: True))
    monkeypatch.setattr(indexing.ProgressLine, "EVERY_SECONDS", 0.0)  # every report shown, on a machine of any speed
    result = run_cli("rebuild-index", source, "--index", tmp_path / "index", "-j", "1")
    assert result.exit_code == 0, result.output
    shown = re.findall(re.escape(TOPICS) + r": (\d+)% \(", result.output)
    assert len(shown) >= 12 and [int(share) for share in shown] == sorted(int(share) for share in shown)
    final = [line.split("\r")[-1].rstrip() for line in result.output.split("\n")]
    assert any(re.fullmatch(re.escape(TOPICS) + r" \(\d+\.\d s\)", line) for line in final), final
    assert not any("%" in line for line in final)
