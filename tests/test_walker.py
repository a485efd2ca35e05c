"""The input walker and article identity: nothing on disk is passed over unseen, one file is one input.

Symlinks, FIFOs, sockets and unreadable folders cannot live in git, so these bad-input cases are
built at run time (:data:`RUNTIME_CASES`); ``test_every_ingest_reason_has_a_bad_input_case`` in
``test_ingest.py`` counts the reasons of the cases here that always run. Permission errors are
simulated (a listing or a read that raises :class:`PermissionError`), because the tests run as
root in CI and root reads mode-000 files; the one case with a real mode-000 folder is skipped as
root.
"""

from __future__ import annotations

import errno
import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsspan.dataset.build import ingest_to_folder
from newsspan.dataset.cli import cli
from newsspan.dataset.config import IngestOptions
from newsspan.dataset.errors import InputError
from newsspan.dataset.ingest import walker

STORY = (
    "Harbour quay opens in May\nThe harbour authority said on Tuesday that the new quay would open in May "
    "after two years of work. Officials expect the berth to handle larger container ships and to cut waiting "
    "times for freight, the authority's director told reporters at a briefing in the port city.\n"
)
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _story(path: Path, text: str = STORY) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _link(path: Path, target: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


def _denied(monkeypatch: pytest.MonkeyPatch, locked: Path) -> None:
    """Listing ``locked`` raises PermissionError, as a mode-000 folder does for anyone but root."""
    real = walker._scandir

    def scandir(path: Path) -> list[os.DirEntry[str]]:
        if Path(path) == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real(path)

    monkeypatch.setattr(walker, "_scandir", scandir)


def _unreadable_file(monkeypatch: pytest.MonkeyPatch, secret: Path) -> None:
    """Reading or opening ``secret`` raises PermissionError, as a mode-000 file does for anyone but root."""
    read_bytes, open_ = Path.read_bytes, Path.open

    def denied(path: Path) -> None:
        if path == secret:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    monkeypatch.setattr(Path, "read_bytes", lambda self: denied(self) or read_bytes(self))
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: denied(self) or open_(self, *a, **k))


# --- the cases: each builds its input under the current folder and returns the paths to ingest


def _symlinked_folder(_: pytest.MonkeyPatch) -> list[Path]:
    _story(Path("elsewhere/story.txt"))
    _link(Path("input/linked"), "../elsewhere")
    return [Path("input")]


def _dangling_link(_: pytest.MonkeyPatch) -> list[Path]:
    _story(Path("input/story.txt"))
    _link(Path("input/gone.txt"), "missing.txt")
    return [Path("input")]


def _loop_to_ancestor(_: pytest.MonkeyPatch) -> list[Path]:
    _story(Path("input/story.txt"))
    _link(Path("input/sub/back"), "..")
    return [Path("input")]


def _link_to_itself(_: pytest.MonkeyPatch) -> list[Path]:
    _story(Path("input/story.txt"))
    _link(Path("input/self.txt"), "self.txt")
    return [Path("input")]


def _fifo(_: pytest.MonkeyPatch) -> list[Path]:
    _story(Path("input/story.txt"))
    os.mkfifo("input/pipe.txt")
    return [Path("input")]


def _socket(_: pytest.MonkeyPatch) -> list[Path]:
    _story(Path("input/story.txt"))
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("input/sock.txt")
    return [Path("input")]


def _folder_linked_twice(_: pytest.MonkeyPatch) -> list[Path]:
    _story(Path("input/a/story.txt"))
    _link(Path("input/b"), "a")
    return [Path("input")]


def _unreadable_folder(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    _story(Path("input/story.txt"))
    _story(Path("input/locked/hidden-away.txt"))
    _denied(monkeypatch, Path("input/locked"))
    return [Path("input")]


def _mode_000_folder(_: pytest.MonkeyPatch) -> list[Path]:
    _story(Path("input/story.txt"))
    _story(Path("input/locked/hidden-away.txt"))
    Path("input/locked").chmod(0)
    return [Path("input")]


def _unreadable_files(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    _story(Path("input/story.txt"))
    _story(Path("input/secret.txt"))
    _story(Path("input/secret.jsonl"), json.dumps({"text": STORY}) + "\n")
    _unreadable_file(monkeypatch, Path("input/secret.txt"))
    _unreadable_file(monkeypatch, Path("input/secret.jsonl"))
    return [Path("input")]


def _same_file_twice(_: pytest.MonkeyPatch) -> list[Path]:
    return [_story(Path("input/story.txt")), Path("input/story.txt")]


def _folder_and_file_in_it(_: pytest.MonkeyPatch) -> list[Path]:
    return [Path("input"), _story(Path("input/story.txt"))]


def _file_then_its_folder(_: pytest.MonkeyPatch) -> list[Path]:
    return [_story(Path("input/story.txt")), Path("input")]


def _folder_twice(_: pytest.MonkeyPatch) -> list[Path]:
    _story(Path("input/story.txt"))
    return [Path("input"), Path("input")]


def _same_name_same_bytes(_: pytest.MonkeyPatch) -> list[Path]:
    return [_story(Path("one/story.txt")), _story(Path("two/story.txt"))]


def _same_name_other_text(_: pytest.MonkeyPatch) -> list[Path]:
    return [_story(Path("a/one/story.txt")), _story(Path("b/one/story.txt"), STORY.replace("May", "June"))]


@dataclass(frozen=True)
class RuntimeCase:
    name: str
    build: Callable[[pytest.MonkeyPatch], list[Path]]
    quarantine: list[tuple[str, str, list[str]]]  # (source, reason, detail fragments)
    sources: list[str] = field(default_factory=lambda: ["input/story.txt"])  # the documents'
    skip: str | None = None  # why the case cannot run here (None: it always runs)


RUNTIME_CASES = [
    RuntimeCase("walk_symlinked_folder", _symlinked_folder, [], ["input/linked/story.txt"]),
    RuntimeCase(
        "walk_dangling_link",
        _dangling_link,
        [("input/gone.txt", "dangling_link", ["a link to missing.txt", "does not exist", "fix or remove the link"])],
    ),
    RuntimeCase(
        "walk_link_loop_to_a_parent",
        _loop_to_ancestor,
        [("input/sub/back", "link_loop", ["a link to ..", "a folder that contains it", "not followed"])],
    ),
    RuntimeCase(
        "walk_link_to_itself",
        _link_to_itself,
        [("input/self.txt", "link_loop", ["a link to self.txt", "leads back to itself", "fix or remove"])],
    ),
    RuntimeCase(
        "walk_fifo", _fifo, [("input/pipe.txt", "not_regular_file", ["a FIFO (named pipe)", "not a regular file"])]
    ),
    RuntimeCase("walk_socket", _socket, [("input/sock.txt", "not_regular_file", ["a socket, not a regular file"])]),
    RuntimeCase(
        "walk_folder_linked_twice",
        _folder_linked_twice,
        [("input/a", "duplicate", ["the same folder is named twice", "input/a (in folder input)", "input/b"])],
        ["input/a/story.txt"],
    ),
    RuntimeCase(
        "walk_unreadable_folder",
        _unreadable_folder,
        [("input/locked", "unreadable", ["the folder cannot be listed (Permission denied)", "fix its permissions"])],
    ),
    RuntimeCase(
        "walk_mode_000_folder",
        _mode_000_folder,
        [("input/locked", "unreadable", ["the folder cannot be listed (Permission denied)"])],
        skip="root lists a mode-000 folder; walk_unreadable_folder covers this reason" if AS_ROOT else None,
    ),
    RuntimeCase(
        "walk_unreadable_files",
        _unreadable_files,
        [
            ("input/secret.jsonl", "unreadable", ["cannot be read (Permission denied)", "fix its permissions"]),
            ("input/secret.txt", "unreadable", ["cannot be read (Permission denied)", "fix its permissions"]),
        ],
    ),
    RuntimeCase(
        "identity_same_file_twice",
        _same_file_twice,
        [("story.txt", "duplicate", ["named twice", "input/story.txt (given) and as input/story.txt (given)"])],
        ["story.txt"],
    ),
    RuntimeCase(
        "identity_folder_and_a_file_in_it",
        _folder_and_file_in_it,
        [("input/story.txt", "duplicate", ["input/story.txt (in folder input) and as input/story.txt (given)"])],
    ),
    RuntimeCase(
        "identity_file_then_its_folder",
        _file_then_its_folder,
        [("story.txt", "duplicate", ["as input/story.txt (given) and as input/story.txt (in folder input)"])],
        ["story.txt"],
    ),
    RuntimeCase(
        "identity_folder_twice",
        _folder_twice,
        [("input", "duplicate", ["the same folder is named twice", "input (given) and as input (given)"])],
    ),
    RuntimeCase(
        "identity_same_name_same_bytes",
        _same_name_same_bytes,
        [("two/story.txt", "duplicate", ["same normalized text as document", "(one/story.txt)", "byte for byte"])],
        ["one/story.txt"],
    ),
    RuntimeCase("identity_same_name_other_text", _same_name_other_text, [], ["a/one/story.txt", "b/one/story.txt"]),
]
# the reasons that the runtime cases show on every run (test_ingest's catalogue check counts them)
RUNTIME_REASONS = {reason for case in RUNTIME_CASES if case.skip is None for _, reason, _ in case.quarantine}


def _ingest(paths: list[Path], out: Path) -> tuple[list[dict], list[dict], dict]:
    summary = ingest_to_folder(paths, out, options=IngestOptions())
    documents = pq.read_table(out / "documents.parquet").to_pylist()
    quarantine = pq.read_table(out / "quarantine.parquet").to_pylist()
    return documents, quarantine, summary.as_dict()


@pytest.mark.parametrize("case", RUNTIME_CASES, ids=lambda case: case.name)
def test_runtime_bad_input_case(case: RuntimeCase, tmp_path, monkeypatch):
    if case.skip is not None:
        pytest.skip(case.skip)
    monkeypatch.chdir(tmp_path)
    paths = case.build(monkeypatch)
    try:
        documents, quarantine, summary = _ingest(paths, tmp_path / "out")
    finally:
        for locked in tmp_path.rglob("locked"):
            locked.chmod(0o755)
    assert sorted(d["source"] for d in documents) == case.sources
    assert len({d["doc_id"] for d in documents}) == len(documents)
    got = sorted((r["source"], r["reason"], r["detail"]) for r in quarantine)
    want = sorted(case.quarantine)
    assert [(s, r) for s, r, _ in got] == [(s, r) for s, r, _ in want]
    for (source, _, detail), (_, _, fragments) in zip(got, want, strict=True):
        assert detail.startswith(f"{source}: "), detail
        for fragment in fragments:
            assert fragment in detail, (fragment, detail)
    assert summary["inputs"] == summary["documents"] + summary["quarantined"] == len(documents) + len(quarantine)


def test_every_entry_on_disk_is_a_document_a_quarantine_row_or_a_hidden_skip(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _story(Path("input/a/story.txt"))
    _story(Path("input/a/notes.csv"), "x")
    _link(Path("input/b"), "a")  # the same folder again: one row
    _link(Path("input/c/loop"), "..")  # back to input: a loop
    _link(Path("input/c/gone.txt"), "nowhere.txt")
    os.mkfifo("input/c/pipe.txt")
    _story(Path("input/.git/HEAD.txt"), "ref: main")
    _link(Path("input/.git/loop"), "..")  # a hidden loop is counted, never followed
    documents, quarantine, summary = _ingest([Path("input")], tmp_path / "out")
    on_disk = ["a/story.txt", "a/notes.csv", "b", "c/loop", "c/gone.txt", "c/pipe.txt"]
    assert summary["inputs"] == len(on_disk) == len(documents) + len(quarantine)
    assert summary["hidden_files_skipped"] == 2
    assert sorted(r["reason"] for r in quarantine) == [
        "dangling_link",
        "duplicate",
        "link_loop",
        "not_regular_file",
        "unsupported_extension",
    ]


def test_folders_are_walked_in_sorted_order_through_links(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("b.txt", "a/z.txt", "a.txt"):
        _story(Path("in", name), STORY + name)
    _link(Path("in/0"), "../out-of-tree")
    _story(Path("out-of-tree/x.txt"), STORY + "x")
    found = walker.discover_inputs([Path("in")])
    assert [f.name for f in found.files] == ["in/0/x.txt", "in/a/z.txt", "in/a.txt", "in/b.txt"]
    assert found.refused == []


def test_a_given_dangling_link_or_fifo_stops_the_run_naming_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _link(Path("gone.txt"), "missing.txt")
    os.mkfifo("pipe.txt")
    with pytest.raises(InputError, match=r"input gone.txt is a link to missing.txt, which does not exist"):
        walker.discover_inputs([Path("gone.txt")])
    with pytest.raises(InputError, match=r"input pipe.txt is neither a file nor a folder"):
        walker.discover_inputs([Path("pipe.txt")])


def test_a_given_folder_that_cannot_be_listed_stops_the_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("in").mkdir()
    _denied(monkeypatch, Path("in"))
    with pytest.raises(InputError, match=r"input folder in cannot be read: Permission denied; fix its permissions"):
        walker.discover_inputs([Path("in")])


def test_ingest_of_one_file_twice_on_the_command_line(runner, tmp_path):
    story = _story(tmp_path / "a.txt")
    result = runner.invoke(cli, ["ingest", str(story), str(story), "--out", str(tmp_path / "o"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["inputs"], summary["documents"], summary["quarantine_reasons"]) == (2, 1, {"duplicate": 1})
    assert pq.read_table(tmp_path / "o" / "documents.parquet").column("source").to_pylist() == ["a.txt"]
