"""The query builder's shortcut for plain words builds exactly what Whoosh's parser builds."""

import re

import pytest

from search.index.schema import build_schema
from search.query.builder import QueryBuilder
from search.query.rewrite import Rewritten, rewrite
from tests.conftest import SEEDS

TRICKY = (
    "anak-anak bermain di Bekasi",
    "harga naik 1.000 persen, kata menteri",
    "Jum'at O'Neil 10,5% 24/7",
    "yang di dan",
    "dia, ia; dan!",
    "Kyiv Kiev Kazakhstan Kazakstan",
    "pasukan pasukan pasukannya",
    "kata-kata Indonesia-Malaysia",
)


@pytest.fixture(scope="module")
def builder():
    return QueryBuilder(build_schema())


def seed_sentences() -> list[str]:
    text = " ".join(page.read_text(encoding="utf-8") for page in sorted(SEEDS.glob("*.txt")))
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def test_plain_words_give_the_parsers_query(builder):
    checked = 0
    for text in (*TRICKY, *seed_sentences()):
        words = " ".join(re.findall(r"[\w.,;!%&/'-]+", text))
        shortcut = builder.words_query(Rewritten((words,)))
        if shortcut is not None:
            checked += 1
            assert shortcut == builder.parser.parse(words), words
    assert checked > 50


@pytest.mark.parametrize(
    "text", ['"duta besar"', "rusia AND ukraina", "title:kazakhstan", "kazak*", "(rusia OR ukraina)", "rusia^2",
             "a:b", "(a (OR b))"]
)
def test_query_syntax_goes_to_the_parser(builder, text):
    assert builder.words_query(Rewritten((text,))) is None


@pytest.mark.parametrize(
    "text",
    ["Pelatihan jet tempur (Senin, 29 / 8).", "menjadi “ candu ” bagi masyarakat", "(rusia ukraina) perang",
     "rusia (rusia (ukraina)) perang", "Kamis (1 / 9) pagi ‘ kata ’", "()"],
)
def test_grouped_words_and_curly_quotes_give_the_parsers_query(builder, text):
    """Parentheses around plain words make an OR inside the OR, which the parser flattens."""
    shortcut = builder.words_query(Rewritten((text,)))
    if text == "()":
        assert shortcut is None  # no words: left to the parser
    else:
        assert shortcut is not None and shortcut == builder.parser.parse(text)


@pytest.mark.parametrize(
    "text", ["Kemlu AS bertemu KPK di Jakarta", "Siapa ketua Komisi Pemberantasan Korupsi (Komisi)?",
             "PBB dan Amerika Serikat, lalu Kemlu lagi", "Kemlu"]
)
def test_abbreviation_expansions_give_the_parsers_query(builder, text):
    """An expansion group's branches, parsed once, sit in the OR where the parser's normalize() puts them."""
    rewritten = rewrite(text.replace("?", " "))
    assert rewritten.expansions  # an expansion is there
    shortcut = builder.words_query(rewritten)
    # An alternative's phrase is any form of its words (its stemmed phrase too), as the shortcut parses it.
    expected = builder.expansion_parser.parse(rewritten.text())
    assert shortcut is not None and shortcut == expected
    assert builder.words_query(rewritten) == shortcut  # again, from the remembered branches


def test_search_with_and_without_syntax_agree(builder):
    assert builder.parse("Rusia Ukraina").query == builder.parser.parse("Rusia Ukraina")
    assert builder.parse_words("rusia, ukraina!").query == builder.parser.parse("rusia, ukraina!")
