"""A local Label Studio server for a team on one machine: install, start, wait, stop.

Label Studio runs from its own virtualenv (it pins pyarrow, Django and pytz versions that must
not meet newsspan's dependencies), installed on first use into a cache folder shared by
projects. Its data (SQLite database, media, log, pid file, generated credentials) lives under
the project's ``data_dir``. It listens on 127.0.0.1 only, and ``stop`` ends exactly the process
``serve`` started, by the pid it recorded.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from newsspan.dataset.config import LabelStudioOptions
from newsspan.dataset.errors import ConfigError, NewsspanError

__all__ = [
    "LABEL_STUDIO_VERSION",
    "Credentials",
    "ServerInfo",
    "configured_port",
    "default_venv",
    "ensure_installed",
    "load_credentials",
    "private_folder",
    "running_server",
    "start_server",
    "stop_server",
]

# Pinned: the version whose export shape and offsets shared/notes/label-studio.md verified.
LABEL_STUDIO_VERSION = "1.23.2"
PID_FILE = "server.json"
CREDENTIALS_FILE = "credentials.json"
LOG_FILE = "server.log"
_LOOPBACK = ("127.0.0.1", "localhost")


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str
    password: str
    token: str

    def __repr__(self) -> str:  # never show secrets in tracebacks or logs
        return f"Credentials(username={self.username!r}, password=***, token=***)"


@dataclass(frozen=True, slots=True)
class ServerInfo:
    pid: int
    url: str
    port: int
    version: str
    data_dir: str


def default_venv() -> Path:
    """``$XDG_CACHE_HOME/newsspan/label-studio-<version>`` (``~/.cache`` by default)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "newsspan" / f"label-studio-{LABEL_STUDIO_VERSION}"


def ensure_installed(venv: Path) -> Path:
    """Install Label Studio into ``venv`` unless it is there; return its ``label-studio`` program."""
    program = venv / "bin" / "label-studio"
    marker = venv / ".newsspan-installed"
    if program.is_file() and marker.is_file() and marker.read_text().strip() == LABEL_STUDIO_VERSION:
        return program
    venv.parent.mkdir(parents=True, exist_ok=True)
    log = venv.parent / f"{venv.name}-install.log"
    commands = [
        [sys.executable, "-m", "venv", str(venv)],
        [str(venv / "bin" / "pip"), "install", "--disable-pip-version-check", f"label-studio=={LABEL_STUDIO_VERSION}"],
    ]
    with log.open("w") as out:
        for command in commands:
            if subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False).returncode != 0:
                raise NewsspanError(
                    f"installing Label Studio {LABEL_STUDIO_VERSION} into {venv} failed; the last lines of "
                    f"{log}:\n{_tail(log)}\nfix the cause and run `newsspan label serve` again",
                    path=log,
                )
    marker.write_text(LABEL_STUDIO_VERSION + "\n")
    return program


def load_credentials(options: LabelStudioOptions, *, data_dir: Path, create: bool = False) -> Credentials | None:
    """The admin credentials: environment first, then ``newsspan.toml``, then ``data_dir``.

    With ``create=True`` missing values are generated and stored (mode 0600) in ``data_dir``.
    """
    stored: dict[str, str] = {}
    path = data_dir / CREDENTIALS_FILE
    if path.is_file():
        stored = json.loads(path.read_text(encoding="utf-8"))
    token = os.environ.get("LABEL_STUDIO_API_KEY") or options.api_key or stored.get("token")
    password = os.environ.get("LABEL_STUDIO_PASSWORD") or options.password or stored.get("password")
    if not create:
        return None if token is None else Credentials(options.username, password or "", token)
    if token is not None and not 6 <= len(token) <= 40:
        raise ConfigError("the Label Studio API token must be 6 to 40 characters long (a legacy token)")
    credentials = Credentials(
        stored.get("username", options.username),
        password or secrets.token_urlsafe(12),
        token or secrets.token_hex(20),
    )
    private_folder(data_dir)
    path.touch(mode=0o600)
    path.write_text(json.dumps(asdict(credentials), indent=2) + "\n", encoding="utf-8")
    return credentials


# A folder that holds a database, logs and an admin password must never be committed by
# accident (`git add -A` in a project folder): like a virtualenv, it ignores itself.
_SELF_IGNORE = "# newsspan label serve: Label Studio's data and credentials; never commit them\n*\n"


def private_folder(data_dir: Path) -> Path:
    """Create ``data_dir`` (owner-only) with a ``.gitignore`` that ignores everything in it."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    ignore = data_dir / ".gitignore"
    if not ignore.is_file():
        ignore.write_text(_SELF_IGNORE, encoding="utf-8")
    return data_dir


def running_server(data_dir: Path) -> ServerInfo | None:
    """The server ``serve`` started for ``data_dir``, if its process is still alive."""
    path = data_dir / PID_FILE
    if not path.is_file():
        return None
    info = ServerInfo(**json.loads(path.read_text(encoding="utf-8")))
    return info if _is_label_studio(info.pid) else None


def start_server(
    options: LabelStudioOptions,
    *,
    data_dir: Path,
    venv: Path,
    port: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[ServerInfo, Credentials]:
    """Start Label Studio on 127.0.0.1 and wait until its API answers; ``progress`` is told each
    step (installing, starting, still waiting every ten seconds)."""
    say = progress or (lambda message: None)
    host, url_port = _loopback(options.url)
    port = port or url_port
    url = f"http://{host}:{port}"
    running = running_server(data_dir)
    if running is not None:
        raise NewsspanError(
            f"Label Studio already runs for {data_dir} at {running.url} (pid {running.pid}); "
            "use it, or stop it first with `newsspan label stop`"
        )
    credentials = load_credentials(options, data_dir=data_dir, create=True)
    assert credentials is not None
    if not (venv / ".newsspan-installed").is_file():
        say(f"installing Label Studio {LABEL_STUDIO_VERSION} into {venv} (once; a few minutes)")
    program = ensure_installed(venv)
    say(f"starting Label Studio at {url} (its first start creates the database: about a minute)")
    log = (data_dir / LOG_FILE).open("ab")
    process = subprocess.Popen(
        [str(program), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=_server_env(data_dir, credentials),
        cwd=data_dir,
        start_new_session=True,  # a Ctrl-C in the shell that ran `serve` does not kill it
    )
    log.close()
    info = ServerInfo(process.pid, url, port, LABEL_STUDIO_VERSION, str(data_dir))
    (data_dir / PID_FILE).write_text(json.dumps(asdict(info), indent=2) + "\n", encoding="utf-8")
    try:
        _wait_ready(url, process, timeout=options.start_timeout, log=data_dir / LOG_FILE, say=say)
    except BaseException:
        _terminate(process.pid)
        (data_dir / PID_FILE).unlink(missing_ok=True)
        raise
    return info, credentials


def stop_server(data_dir: Path, *, timeout: float = 30.0) -> ServerInfo | None:
    """Stop the server ``serve`` started for ``data_dir``; None when none was running."""
    path = data_dir / PID_FILE
    if not path.is_file():
        return None
    info = ServerInfo(**json.loads(path.read_text(encoding="utf-8")))
    if _is_label_studio(info.pid):
        _terminate(info.pid, timeout=timeout)
    path.unlink(missing_ok=True)
    return info


def _loopback(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.hostname not in _LOOPBACK:
        raise ConfigError(
            f"`newsspan label serve` listens on 127.0.0.1 only, but label_studio.url is {url}; "
            "use http://127.0.0.1:PORT, or point the url at a server someone else runs"
        )
    return "127.0.0.1", configured_port(url)


def configured_port(url: str) -> int:
    """The port of a Label Studio url (8080, Label Studio's own default, when it names none)."""
    return urlsplit(url).port or 8080


def _server_env(data_dir: Path, credentials: Credentials) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "HEARTEX_"))}
    env.update(
        {
            "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir.resolve()),
            "LABEL_STUDIO_USERNAME": credentials.username,
            "LABEL_STUDIO_PASSWORD": credentials.password,
            "LABEL_STUDIO_USER_TOKEN": credentials.token,  # applied when the user is first created
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",  # else that token gets 401
            "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
            "LABEL_STUDIO_SENTRY_DSN": "",
            "LABEL_STUDIO_FRONTEND_SENTRY_DSN": "",
            "LABEL_STUDIO_COLLECT_ANALYTICS": "false",
            "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
        }
    )
    return env


def _wait_ready(
    url: str, process: subprocess.Popen[bytes], *, timeout: float, log: Path, say: Callable[[str], None]
) -> None:
    began = time.monotonic()
    deadline, told = began + timeout, began
    while time.monotonic() < deadline:
        if time.monotonic() - told >= 10:
            told = time.monotonic()
            say(f"  still starting ({told - began:.0f} s of at most {timeout:.0f}; log: {log})")
        if process.poll() is not None:
            raise NewsspanError(
                f"Label Studio exited with code {process.returncode} while starting; the last lines of "
                f"{log}:\n{_tail(log)}",
                path=log,
            )
        if _answers(url):
            return
        time.sleep(0.5)
    raise NewsspanError(
        f"Label Studio did not answer at {url} within {timeout:.0f} s; see {log}, or raise "
        "label_studio.start_timeout in newsspan.toml",
        path=log,
    )


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/version", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _is_label_studio(pid: int) -> bool:
    """True when ``pid`` is alive and is a Label Studio process (not a reused pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True  # no /proc (macOS): alive is the best we can tell
    return b"label-studio" in cmdline or b"label_studio" in cmdline


def _terminate(pid: int, *, timeout: float = 30.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # not our child (started by an earlier `serve`)
            finished = 0 if _is_label_studio(pid) else pid
        if finished:
            return
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
