"""A reader's first hour with a real archive (IndoSum's 3,463 articles): what they type, sorted as they ask.

Each test reads the articles themselves (``indosum_docs``) to judge Cari's answers.
"""

import json

from search.analysis.tokens import analyse


def holds(doc: dict, *roots: str) -> bool:
    """Whether the article holds any form of one of ``roots`` (its analysed words, as the index has them)."""
    return any(token.stem in roots or token.word in roots for token in analyse(doc["title"] + "\n" + doc["text"]))


def cli_json(run_cli, index, *args) -> dict:
    result = run_cli("search", "--index", index, "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# -- 1. words as people type them ------------------------------------------------


def test_words_are_arguments_and_a_dash_word_is_an_exclusion(run_cli, indosum_index, indosum_docs):
    joined = cli_json(run_cli, indosum_index, "banjir", "jakarta", "-n", "5")
    quoted = cli_json(run_cli, indosum_index, "banjir jakarta", "-n", "5")
    assert joined["query"] == "banjir jakarta"
    assert [r["id"] for r in joined["results"]] == [r["id"] for r in quoted["results"]]

    without = cli_json(run_cli, indosum_index, "rusia", "-ukraina", "-n", "100")
    assert without["query"] == "rusia -ukraina" and without["total"] > 10
    for result in without["results"]:
        doc = indosum_docs[result["id"]]
        assert holds(doc, "rusia", "russia") and not holds(doc, "ukraina"), result["title"]


def test_the_first_article_is_excluded_too(run_cli, indosum_index, indosum_docs):
    # Whoosh's AndNot matcher let its first document through unchecked.
    found = cli_json(run_cli, indosum_index, "ukraina", "-rusia", "-n", "100")
    assert found["total"] >= 3
    assert not any(holds(indosum_docs[r["id"]], "rusia", "russia") for r in found["results"])


def test_options_keep_working_among_the_words(run_cli, indosum_index):
    found = cli_json(run_cli, indosum_index, "-n2", "gempa", "--sort=newest", "aceh", "-p", "2")
    assert found["query"] == "gempa aceh" and found["page"] == 2 and len(found["results"]) == 2
    after_dashes = cli_json(run_cli, indosum_index, "-n", "3", "--", "-ukraina", "rusia")
    assert after_dashes["query"] == "-ukraina rusia"
    bad = run_cli("search", "--index", indosum_index, "gempa", "--bogus")
    assert bad.exit_code == 2 and "No such option '--bogus'" in bad.output


def test_help_says_how_words_and_exclusions_are_typed(run_cli):
    shown = run_cli("search", "--help").output
    assert "[WORDS]..." in shown and "cari search rusia -ukraina" in shown
