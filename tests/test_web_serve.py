"""`cari serve` mistakes, through CliRunner (the running server is tested in test_e2e_browser.py)."""

import socket


def test_serve_without_index_or_seeds_says_what_to_do(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("serve", "--index", tmp_path / "ix")
    assert result.exit_code == 1
    assert "No index at" in result.output and "no ./seeds folder" in result.output


def test_serve_on_a_busy_port_says_so(run_cli, seed_index):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("serve", "--index", seed_index, "--port", port)
    assert result.exit_code == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in result.output


def test_serve_help_documents_the_command(run_cli):
    output = run_cli("serve", "--help").output
    assert "waitress" in output and "--port" in output and "./seeds" in output
