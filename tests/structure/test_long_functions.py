"""tools/long_functions.py counts a function's lines with and without its docstring (a command's --help)."""

from tools.long_functions import function_lengths, main

SOURCE = '''
def short():
    return 1


class Thing:
    @property
    def documented(self):
        """One line.

        More.
        """
        x = 1
        return x
'''


def test_lengths_count_from_the_def_with_and_without_the_docstring(tmp_path):
    (tmp_path / "search").mkdir()
    (tmp_path / "web").mkdir()
    (tmp_path / "search" / "module.py").write_text(SOURCE, encoding="utf-8")
    found = {length.where: (length.lines, length.code) for length in function_lengths(tmp_path)}
    assert found == {"search/module.py:2 short": (2, 2), "search/module.py:8 documented": (7, 3)}


def test_check_fails_only_past_the_limit(capsys):
    assert main(["--check", "--limit", "1000"]) == 0
    assert main(["--check", "--limit", "5"]) == 1
    assert "without its docstring" in capsys.readouterr().out
