"""The library's query errors carry a reason and its details; the web's pages say each in Indonesian."""

import re
from pathlib import Path

import pytest

from search import Index, QueryError
from web.messages import GENERIC, SAID, indonesian

ROOT = Path(__file__).resolve().parents[2]
# QueryError("English message", "reason", ...): the message may be several literals, in either quotes.
RAISED_REASON = re.compile(r'(?:QueryError|UnbalancedQuery)\((?:\s*f?(?:"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'))+\s*,\s*"(\w+)"',
                           re.S)


def test_every_reason_the_code_gives_has_an_indonesian_sentence():
    sources = [p.read_text(encoding="utf-8") for p in [*(ROOT / "search").rglob("*.py"), *(ROOT / "web").glob("*.py")]]
    given = {reason for text in sources for reason in RAISED_REASON.findall(text)}
    assert len(given) >= 10, given  # the pattern still finds them
    assert given <= set(SAID), f"no Indonesian sentence for {sorted(given - set(SAID))}"


@pytest.mark.parametrize(("query", "said"), [
    ("a" * 1001, "Kata pencarian terlalu panjang (1001 karakter; paling banyak 1000)."),
    ("rusia AND", "Operator AND perlu kata di kedua sisinya (misalnya rusia AND ukraina)."),
    ("a*", "Tanda bintang 'a*' terlalu luas"),
])
def test_the_library_says_what_went_wrong_as_data_and_the_page_says_it_in_indonesian(seed_index, query, said):
    with pytest.raises(QueryError) as raised:
        Index(seed_index).search(query)
    assert raised.value.reason and indonesian(raised.value).startswith(said)
    assert not any(word in str(raised.value) for word in ("Kata", "perlu", "Tanda"))  # the message stays English


def test_a_query_error_without_a_reason_is_said_generically():
    assert indonesian(QueryError("Could not understand the query.")) == GENERIC
