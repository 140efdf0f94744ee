"""The default time budget, one setting for every search given none: 2 s, or $CARI_SEARCH_BUDGET."""

import pytest

from search import DEFAULT_BUDGET_SECONDS, Index, default_budget_seconds
from search.errors import CariError
from search.options import BUDGET_VARIABLE
from web.app import create_app

pytestmark = pytest.mark.budget  # these tests set the variable themselves; none of them is given "none"


def test_without_the_variable_a_search_has_two_seconds(seed_index):
    assert BUDGET_VARIABLE == "CARI_SEARCH_BUDGET"
    assert default_budget_seconds() == DEFAULT_BUDGET_SECONDS == 2.0
    assert Index(seed_index).budget_seconds == 2.0
    assert create_app({"INDEX_DIR": str(seed_index)}).extensions["cari.index"].budget_seconds == 2.0


@pytest.mark.parametrize(("value", "seconds"), [("0.5", 0.5), (" 30 ", 30.0), ("none", None), ("None", None)])
def test_the_variable_sets_the_budget_of_the_library_and_the_web_app(seed_index, monkeypatch, value, seconds):
    monkeypatch.setenv(BUDGET_VARIABLE, value)
    assert Index(seed_index).budget_seconds == seconds
    assert create_app({"INDEX_DIR": str(seed_index)}).extensions["cari.index"].budget_seconds == seconds
    # A budget given wins over the variable.
    assert Index(seed_index, budget_seconds=1.5).budget_seconds == 1.5
    assert Index(seed_index, budget_seconds=None).budget_seconds is None
    app = create_app({"INDEX_DIR": str(seed_index), "SEARCH_BUDGET_SECONDS": 0.25})
    assert app.extensions["cari.index"].budget_seconds == 0.25


@pytest.mark.parametrize("value", ["abc", "0", "-1", "inf", "nan", "2s"])
def test_a_bad_value_is_an_error_naming_the_variable(seed_index, monkeypatch, run_cli, value):
    monkeypatch.setenv(BUDGET_VARIABLE, value)
    with pytest.raises(CariError, match=r"\$CARI_SEARCH_BUDGET is .*none for no limit"):
        Index(seed_index)
    result = run_cli("search", "rusia", "--index", seed_index)
    assert result.exit_code == 1 and "$CARI_SEARCH_BUDGET is" in result.output and "Traceback" not in result.output


def test_the_commands_search_within_the_variable(seed_index, monkeypatch, run_cli):
    monkeypatch.setenv(BUDGET_VARIABLE, "1e-9")
    result = run_cli("search", "rusia", "--index", seed_index)
    assert result.exit_code == 1 and "took longer than its limit of 1e-09 s" in result.output
    monkeypatch.setenv(BUDGET_VARIABLE, "none")
    result = run_cli("search", "rusia", "--index", seed_index)
    assert result.exit_code == 0 and "Kazakhstan" in result.output


@pytest.mark.parametrize(("value", "option", "seconds"), [
    (None, [], 2.0), ("0.5", [], 0.5), ("none", [], None), ("none", ["--budget", "3"], 3.0), (None, ["--budget", "7"], 7.0),
])
def test_serve_takes_its_budget_from_the_option_else_the_variable(seed_index, monkeypatch, run_cli, value, option, seconds):
    import web.server

    served = []
    monkeypatch.setattr(web.server, "serve", lambda config, sock, *rest: (served.append(config), sock.close()))
    if value is not None:
        monkeypatch.setenv(BUDGET_VARIABLE, value)
    result = run_cli("serve", "--index", seed_index, "--port", "0", *option)
    assert result.exit_code == 0, result.output
    assert served[0]["SEARCH_BUDGET_SECONDS"] == seconds
