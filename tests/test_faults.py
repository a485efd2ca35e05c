"""Faults: a full disk, two runs into one output, the leftovers of killed runs, staged outputs."""

from __future__ import annotations

import json
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from newsspan.dataset.cli import cli
from newsspan.dataset.errors import OutputError
from newsspan.dataset.io import output_lock, staged_files

DATA = Path(__file__).parent / "data"
NEWSSPAN = [sys.executable, "-c", "from newsspan.dataset.cli import main; main()"]


def _limited(max_bytes: int):
    """A child process that may not write a file past ``max_bytes`` (as a full disk refuses):
    writes past it fail with EFBIG instead of the default SIGXFSZ kill."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    return limit


@pytest.mark.parametrize("command", ["build", "ingest"])
def test_a_full_disk_is_an_error_naming_the_file_and_leaves_nothing_complete(tmp_path, command):
    out = tmp_path / "out"
    args = ["build", "--out", str(out)] if command == "build" else ["ingest", str(DATA / "invented_articles")]
    if command == "ingest":
        args += ["--out", str(out)]
    done = subprocess.run(
        [*NEWSSPAN, "-q", *args], capture_output=True, text=True, preexec_fn=_limited(4096), check=False
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "Error: cannot write " in done.stderr and "file-size limit" in done.stderr, done.stderr
    assert not out.exists() or not any(out.iterdir()), "no half-written output under the final name"
    assert not [p.name for p in tmp_path.iterdir() if p.name != "out"], "no staging folder or lock left"


def test_a_second_run_into_the_same_output_refuses_while_the_first_holds_it(runner, tmp_path):
    out = tmp_path / "corpus"
    with output_lock(out):
        for args in (
            ["build", "--out", str(out)],
            ["ingest", str(DATA / "invented_articles"), "--out", str(out)],
            ["label", "convert", str(DATA / "exports" / "two_annotators" / "export.json"), "--out", str(out)],
        ):
            result = runner.invoke(cli, args)
            assert result.exit_code == 1, (args, result.output)
            assert f"another newsspan run is writing {out} (pid " in result.stderr
            assert "wait for it to finish, or choose another --out" in result.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [], "the lock file goes with the run"


def test_two_concurrent_builds_one_writes_the_other_refuses(tmp_path):
    out = tmp_path / "corpus"
    command = [*NEWSSPAN, "-q", "build", "--out", str(out)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(run.wait(timeout=300), run.stderr.read() if run.stderr else "") for run in runs]
    codes = sorted(code for code, _ in results)
    assert codes[0] == 0, results
    for code, stderr in results:
        assert code == 0 or (code == 1 and "another newsspan run is writing" in stderr), stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["documents"] == 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"], "no staging folder, lock or old copy left"


def test_the_next_run_removes_what_killed_runs_of_the_same_output_left_behind(runner, tmp_path):
    out = tmp_path / "corpus"
    for stale in (".corpus.tmp-abc123", ".corpus.old-def456"):
        (tmp_path / stale / "corpus").mkdir(parents=True)
        (tmp_path / stale / "corpus" / "documents.parquet").write_bytes(b"half")
    (tmp_path / ".corpus.tmp-x.json").write_text("{}")  # a temporary file of a killed writer
    (tmp_path / ".other.tmp-1").mkdir()  # another output's: not ours to remove
    (tmp_path / "corpus.tmp-visible").mkdir()  # not a staging name
    assert runner.invoke(cli, ["-q", "build", "--out", str(out)]).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.tmp-1", "corpus", "corpus.tmp-visible"]


def test_staged_files_move_in_only_when_complete_and_leave_other_files_alone(tmp_path):
    out = tmp_path / "t"
    out.mkdir()
    (out / "label-studio-export.json").write_text("[]")  # another command's file in the same folder
    (out / "ingest.json").write_text('{"old": true}')
    with pytest.raises(RuntimeError), staged_files(out) as staging:
        (staging / "documents.parquet").write_bytes(b"new")
        (staging / "ingest.json").write_text('{"new": true}')
        raise RuntimeError("killed halfway")
    assert sorted(p.name for p in out.iterdir()) == ["ingest.json", "label-studio-export.json"]
    assert json.loads((out / "ingest.json").read_text()) == {"old": True}, "a failed run changes nothing"
    with staged_files(out) as staging:
        (staging / "documents.parquet").write_bytes(b"new")
        (staging / "ingest.json").write_text('{"new": true}')
    assert sorted(p.name for p in out.iterdir()) == ["documents.parquet", "ingest.json", "label-studio-export.json"]
    assert json.loads((out / "ingest.json").read_text()) == {"new": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t"]


def test_an_output_that_is_a_file_is_refused_before_the_lock(tmp_path):
    (tmp_path / "corpus").write_text("x")
    with pytest.raises(OutputError, match="exists and is not a folder"), staged_files(tmp_path / "corpus"):
        pass


def test_builds_killed_at_random_moments_never_leave_a_complete_looking_or_broken_output(tmp_path):
    """kill -9 at seeded random moments of a rebuild: the output is always the previous,
    complete build (its manifest's file hashes all hold), and the next build cleans up."""
    import hashlib
    import os
    import random
    import time

    out = tmp_path / "corpus"
    command = [*NEWSSPAN, "-q", "build", "--out", str(out)]
    started = time.monotonic()
    assert subprocess.run(command, check=False, capture_output=True).returncode == 0
    duration = time.monotonic() - started
    rng = random.Random(17)
    for delay in sorted(rng.uniform(0.3, duration) for _ in range(5)):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        manifest = json.loads((out / "manifest.json").read_text())
        for name, digest in manifest["outputs"].items():  # every file the manifest lists is intact
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, (delay, name)
        hidden = [p.name for p in tmp_path.iterdir() if p.name != "corpus"]
        assert all(n.startswith(".corpus.") for n in hidden), hidden  # only hidden leftovers, never a copy
    assert subprocess.run(command, check=False, capture_output=True).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]
