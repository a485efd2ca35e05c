"""The local server's guard rails, without starting one (the integration test starts a real one)."""

from __future__ import annotations

import json
import os
import re
import stat

import pytest

from newsspan.dataset.config import LabelStudioOptions
from newsspan.dataset.errors import ConfigError
from newsspan.labeling.server import configured_port, load_credentials, running_server, start_server, stop_server


def test_serve_refuses_a_non_loopback_url(tmp_path):
    options = LabelStudioOptions(url="http://0.0.0.0:8089", data_dir=str(tmp_path))
    with pytest.raises(
        ConfigError, match=re.escape("listens on 127.0.0.1 only, but label_studio.url is http://0.0.0.0:8089")
    ):
        start_server(options, data_dir=tmp_path, venv=tmp_path / "venv")


@pytest.mark.parametrize(
    ("url", "port"),
    [("http://127.0.0.1:8089", 8089), ("http://127.0.0.1", 8080), ("http://localhost:9001/ls/", 9001)],
)
def test_the_port_of_a_url_without_one_is_label_studios_default(url, port):
    # `label serve --port` compares its port with the configured url's: a url with no port or
    # with a path must not crash it after the server has started
    assert configured_port(url) == port


def test_generated_credentials_are_private_and_stable(tmp_path, monkeypatch):
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_PASSWORD", raising=False)
    options = LabelStudioOptions(data_dir=str(tmp_path))
    first = load_credentials(options, data_dir=tmp_path, create=True)
    second = load_credentials(options, data_dir=tmp_path, create=True)
    assert first == second
    assert len(first.token) == 40 and first.password
    assert stat.S_IMODE((tmp_path / "credentials.json").stat().st_mode) == 0o600
    assert first.token not in repr(first) and first.password not in repr(first)
    assert load_credentials(options, data_dir=tmp_path).token == first.token  # what push and pull use


def test_environment_token_wins_and_is_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "env-token-123456")
    options = LabelStudioOptions(data_dir=str(tmp_path))
    assert load_credentials(options, data_dir=tmp_path, create=True).token == "env-token-123456"
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "x" * 41)
    with pytest.raises(ConfigError, match="6 to 40 characters"):
        load_credentials(options, data_dir=tmp_path, create=True)


def test_stop_without_a_server_says_so(tmp_path, runner):
    from newsspan.dataset.cli import cli

    config = tmp_path / "newsspan.toml"
    config.write_text(f"[label_studio]\ndata_dir = '{tmp_path / 'ls'}'\n")
    result = runner.invoke(cli, ["--config", str(config), "label", "stop"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "no server was running"


def test_a_stale_pid_file_is_not_a_running_server_and_is_never_killed(tmp_path):
    # a pid that is alive but is not Label Studio (this test process) must never be signalled
    (tmp_path / "server.json").write_text(
        json.dumps(
            {"pid": os.getpid(), "url": "http://127.0.0.1:1", "port": 1, "version": "1.23.2", "data_dir": str(tmp_path)}
        )
    )
    assert running_server(tmp_path) is None
    assert stop_server(tmp_path) is not None  # the pid file is cleared ...
    assert not (tmp_path / "server.json").exists()  # ... and this process is still here to assert it


def test_push_without_a_token_explains_where_to_get_one(tmp_path, runner, monkeypatch):
    from newsspan.dataset.cli import cli
    from newsspan.dataset.schema import DOCUMENTS

    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    import pyarrow.parquet as pq

    pq.write_table(DOCUMENTS.arrow_schema.empty_table(), tmp_path / "documents.parquet")
    result = runner.invoke(cli, ["label", "push", "documents.parquet"])
    assert result.exit_code == 1
    assert "no Label Studio API token: set LABEL_STUDIO_API_KEY" in result.stderr
    assert "newsspan label serve" in result.stderr


def test_the_data_folder_ignores_itself_so_git_add_all_commits_no_credentials(tmp_path, monkeypatch):
    import subprocess

    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_PASSWORD", raising=False)
    project = tmp_path / "project"
    project.mkdir()
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    data_dir = project / ".newsspan" / "label-studio"  # the default data_dir, in a project folder
    credentials = load_credentials(LabelStudioOptions(data_dir=str(data_dir)), data_dir=data_dir, create=True)
    (data_dir / "label_studio.sqlite3").write_bytes(b"database")
    (project / "article.txt").write_text("an article", encoding="utf-8")
    subprocess.run(["git", "-C", str(project), "add", "-A"], check=True)
    staged = subprocess.run(
        ["git", "-C", str(project), "diff", "--cached", "--name-only"], check=True, capture_output=True, text=True
    ).stdout.split()
    assert staged == ["article.txt"], "nothing of the data folder is staged"
    assert credentials.token in (data_dir / "credentials.json").read_text()  # ... though it is there
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
