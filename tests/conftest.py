"""Shared fixtures: the acceptance corpus, test data folders, the CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

# No per-example deadline: speed is shown by benchmarks, never by timed tests, and the first
# example of a run pays one-off imports (pyarrow loads pandas lazily) on a busy 2-core machine.
settings.register_profile("newsspan", deadline=None)
settings.load_profile("newsspan")

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
# The acceptance corpus lives beside the repository (../shared/seeds) and is never copied in.
SEEDS = Path(os.environ.get("NEWSSPAN_SEEDS", REPO.parent / "shared" / "seeds"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no hub on this network; tests must never try one
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        message = f"the acceptance corpus is missing: expected {SEEDS} (set NEWSSPAN_SEEDS to its folder)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SEEDS


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory):
    """A real Label Studio server on a free loopback port, stopped by pid at the end.

    Label Studio lives in its own cached virtualenv, installed on first use the way
    `newsspan label serve` does it (under CI) or by running `serve` once; NEWSSPAN_LS_VENV
    points elsewhere.
    """
    from newsspan.dataset.config import LabelStudioOptions
    from newsspan.labeling.server import default_venv, ensure_installed, start_server, stop_server

    venv = Path(os.environ.get("NEWSSPAN_LS_VENV") or default_venv())
    if not (venv / ".newsspan-installed").is_file():
        if not os.environ.get("CI"):
            pytest.skip(f"Label Studio is not installed in {venv}: run `newsspan label serve` once (or set CI=1)")
        ensure_installed(venv)  # CI installs it the way `newsspan label serve` does, into its cache
    data_dir = tmp_path_factory.mktemp("label-studio")
    options = LabelStudioOptions(url=f"http://127.0.0.1:{_free_port()}", data_dir=str(data_dir))
    saved = {
        k: os.environ.pop(k)
        for k in ("LABEL_STUDIO_API_KEY", "LABEL_STUDIO_PASSWORD", "LABEL_STUDIO_URL")
        if k in os.environ
    }
    try:
        info, credentials = start_server(options, data_dir=data_dir, venv=venv)
        try:
            yield options, info, credentials
        finally:
            stop_server(data_dir)
    finally:
        os.environ.update(saved)


# Debian's Chromium as the probe of this machine starts it: headless, no sandbox (CI runs as
# root), and none of the background connections this closed network refuses.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium (Debian's package, driven by Playwright; Playwright's own browser
    download cannot work here). `.ci/run` installs it; locally the browser tests skip without it."""
    chromium = Path(os.environ.get("NEWSSPAN_CHROMIUM", "/usr/bin/chromium"))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not chromium.is_file():
        message = f"browser tests need Playwright (the dev extra) and Chromium at {chromium} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=list(CHROMIUM_ARGS))
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def spark():
    """One real local[2] Spark session for every Spark test (its start takes 10-30 s). Skips
    without the spark extra or Java 17/21, except when NEWSSPAN_SPARK_TESTS=1 (CI sets it)."""
    from newsspan.dataset.config import EngineOptions
    from newsspan.dataset.errors import NewsspanError
    from newsspan.dataset.spark.session import require_spark, spark_session

    try:
        require_spark()
    except NewsspanError as exc:
        if os.environ.get("NEWSSPAN_SPARK_TESTS"):
            pytest.fail(f"the spark extra or Java is missing: {exc}")
        pytest.skip(str(exc))
    session = spark_session(EngineOptions(name="spark", master="local[2]"))
    yield session
    session.stop()
