"""The bad-export corpus, refusal half: files that are no (complete) Label Studio export.

Each case is the file's bytes and the fragments the :class:`InputError` must say (what was found,
where: the byte offset, and the way out). The quarantine half (a bad task or annotation left out
alone, the rest converting) is golden cases under tests/data/exports/.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsspan.dataset.errors import InputError
from newsspan.labeling.export import count_tasks, pull_export
from newsspan.labeling.export_json import MAX_DEPTH
from newsspan.labeling.tables import convert_export

TEXT = "Brennick said the Panel met in Orvane."
TASK = {
    "id": 1,
    "data": {"text": TEXT, "doc_id": "d1"},
    "annotations": [
        {
            "id": 11,
            "completed_by": {"id": 1, "email": "a@x.org"},
            "result": [
                {
                    "id": "p",
                    "from_name": "entity",
                    "to_name": "text",
                    "type": "labels",
                    "value": {"start": 0, "end": 8, "text": "Brennick", "labels": ["PERSON"]},
                }
            ],
        }
    ],
}
ONE = json.dumps(TASK)
PRETTY = json.dumps([TASK], indent=1)
GET = "download the full JSON export again"


def _deep(levels: int) -> str:
    """A task whose first result item nests ``levels`` arrays deep in its meta."""
    task = json.loads(ONE)
    task["annotations"][0]["result"][0]["meta"] = "HERE"
    return json.dumps(task).replace('"HERE"', "[" * levels + "]" * levels)


def _at(data: str, marker: str) -> int:
    return len(data[: data.index(marker)].encode("utf-8"))


SECOND = ONE.replace('"id": 1,', '"id": 2,', 1)
DEEP_SECOND = f"[{ONE}, {_deep(MAX_DEPTH)}]"
EDITED = f"[{ONE.replace('Orvane', 'Orvané')} {SECOND}]"  # a missing comma after a non-ASCII character
CASES: dict[str, tuple[bytes, list[str]]] = {
    "empty": (b"", ["is empty (no JSON at all)", GET]),
    "white-space": (b" \n\t\n", ["is empty"]),
    "bom-only": (b"\xef\xbb\xbf\n", ["is empty"]),
    "wrapped-tasks": (
        json.dumps({"tasks": [TASK, TASK], "total": 2}).encode(),
        ["is a JSON object wrapping 2 task(s) under 'tasks', not a Label Studio export", "jq '.tasks' FILE", GET],
    ),
    "wrapped-pretty-bom": (
        b"\xef\xbb\xbf" + json.dumps({"count": 1, "results": [TASK]}, indent=2).encode(),
        ["wrapping 1 task(s) under 'results'"],
    ),
    "project-json": (
        json.dumps({"id": 3, "title": "News", "label_config": "<View/>"}).encode(),
        ["is a JSON object with no 'data' (keys: 'id', 'label_config', 'title'), not a Label Studio task"],
    ),
    "top-number": (b"42\n", ["is a JSON number ('42\\n' at byte 0), not a Label Studio export", "a list of tasks"]),
    "top-string": (b'  "tasks"', ["is a JSON string (", "at byte 2)"]),
    "top-null": (b"null", ["is a JSON null"]),
    "html-error-page": (b"<html><body>502 Bad Gateway</body></html>", ["is not valid JSON at byte 0", "'<html>"]),
    "cut-after-bracket": (
        b"[",
        ["ends at byte 1 inside the list of tasks (after 0 complete task(s)), so it is truncated"],
    ),
    "cut-mid-task": (PRETTY[:200].encode(), ["ends at byte 200 inside the list of tasks", "truncated", GET]),
    "cut-mid-second-task": (
        f"[{ONE}, {SECOND[:50]}".encode(),
        ["is not a complete Label Studio JSON export", "(after 1 complete task(s)), so it is truncated"],
    ),
    "no-closing-bracket": (
        f"[{ONE}]"[:-1].encode(),
        ["inside the list of tasks (after 1 complete task(s))", "truncated"],
    ),
    "cut-in-string": (f"[{ONE}".encode()[:40], ["ends at byte 40", "truncated"]),
    "cut-json-lines": (f"{ONE}\n{SECOND[:30]}".encode(), ["inside the task objects (JSON Lines)", "truncated"]),
    "trailing-comma": (
        f"[{ONE},\n]".encode(),
        [f"is not valid JSON at byte {len(ONE) + 3} (in task 2): Expecting value, found ']'"],
    ),
    "missing-comma-byte-offset": (
        EDITED.encode(),
        [f"at byte {_at(EDITED, ' {' + chr(34) + 'id' + chr(34) + ': 2') + 1}", "after task 1 of the list"],
    ),
    "garbage-after-list": (f"[{ONE}]\nx".encode(), ["has more after its list of tasks (after 1 task(s)): 'x' at byte"]),
    "two-lists": (f"[{ONE}][{SECOND}]".encode(), [f"at byte {len(ONE) + 2}", "a full JSON export is one list"]),
    "not-utf8": (
        f"[{ONE}]".replace("Orvane", "Orv\udcffne").encode("utf-8", "surrogateescape"),
        ["is not UTF-8 at byte"],
    ),
    "single-quotes": (b"[{'id': 1}]", ["is not valid JSON at byte 2 (in task 1): Expecting property name"]),
    "raw-control-character": (f"[{ONE}]".replace("Panel", "Pa\x01nel").encode(), ["Invalid control character"]),
    "deep-arrays-first-task": (b"[" * 5000, [f"nests deeper than {MAX_DEPTH} levels at byte {MAX_DEPTH + 1}"]),
    "deep-objects": (('[{"a":' * 3000).encode(), [f"nests deeper than {MAX_DEPTH} levels at byte", "(in task 1)"]),
    "deep-in-second-task": (
        DEEP_SECOND.encode(),
        [f"nests deeper than {MAX_DEPTH} levels at byte {_at(DEEP_SECOND, '[' * MAX_DEPTH) + MAX_DEPTH - 5}"],
    ),
    "deep-json-lines": ((ONE + "\n" + '{"a":' * 500 + "1" + "}" * 500).encode(), ["nests deeper than", "(in task 2)"]),
    "number-too-long": (f"[{ONE.replace('11', '1' * 5000, 1)}]".encode(), ["has a number too long to read in task 1"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_bad_export_is_refused_saying_what_and_where(name, tmp_path):
    data, fragments = CASES[name]
    export = tmp_path / "export.json"
    export.write_bytes(data)
    with pytest.raises(InputError) as raised:
        convert_export(export, tmp_path / "out")
    message = str(raised.value)
    assert message.startswith(str(export)), message
    assert raised.value.path == str(export)
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    if "truncated" not in " ".join(fragments):
        assert "truncated" not in message, message  # truncated is said only of a file that ends inside
    assert not (tmp_path / "out" / "convert.json").exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []  # nothing half-written left behind
    with pytest.raises(InputError):  # `label pull` counts the tasks with the same reader
        count_tasks(export)


def test_a_task_nested_to_the_bound_converts_and_one_level_more_is_refused(tmp_path):
    export = tmp_path / "export.json"
    export.write_text(f"[{_deep(MAX_DEPTH - 5)}]")  # the task, annotations, one, result, item: 5 levels
    assert convert_export(export, tmp_path / "ok").rows["spans"] == 1
    export.write_text(f"[{_deep(MAX_DEPTH - 4)}]")
    with pytest.raises(InputError, match=f"nests deeper than {MAX_DEPTH} levels"):
        convert_export(export, tmp_path / "deep")


@pytest.mark.parametrize("name", ["wrapped-tasks", "cut-mid-task", "deep-arrays-first-task", "not-utf8"])
def test_the_convert_command_refuses_with_an_error_line_and_no_traceback(name, tmp_path, runner):
    from newsspan.dataset.cli import cli

    data, fragments = CASES[name]
    export = tmp_path / "export.json"
    export.write_bytes(data)
    out = tmp_path / "out"
    result = runner.invoke(cli, ["label", "convert", str(export), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "Error: " in result.output and fragments[0] in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (out / "convert.json").exists()
    assert not list(out.glob("*.parquet")) if out.exists() else True


def test_a_hostile_nesting_is_refused_before_memory_grows(tmp_path):
    """A 200 KB export of nested arrays took 22 GB in the streaming parser; with 2 GB of address
    space the conversion (and the task count of `label pull`) must refuse it, with no traceback."""
    export = tmp_path / "nested.json"
    export.write_bytes(b"[" * 100_000 + b"[0]" + b"]" * 100_000)
    script = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
        "from newsspan.labeling.export import count_tasks\n"
        "from newsspan.dataset.errors import InputError\n"
        "try:\n"
        "    count_tasks(__import__('pathlib').Path(sys.argv[1]))\n"
        "except InputError as exc:\n"
        "    print('count:', exc)\n"
        "from newsspan.dataset.cli import main\n"
        "sys.argv = ['newsspan', 'label', 'convert', sys.argv[1], '--out', sys.argv[2]]\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(export), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert f"Error: {export} nests deeper than {MAX_DEPTH} levels at byte {MAX_DEPTH + 1}" in output
    assert f"count: {export} nests deeper than {MAX_DEPTH} levels" in output
    assert "Traceback" not in output and "MemoryError" not in output
    assert not (tmp_path / "out" / "convert.json").exists()


def test_json_lines_bom_and_pretty_exports_read_the_same(tmp_path):
    forms = {
        "array": f"[{ONE}, {SECOND}]".encode(),
        "pretty-bom": b"\xef\xbb\xbf" + json.dumps([TASK, json.loads(SECOND)], indent=2).encode(),
        "json-lines": f"{ONE}\n{SECOND}\n".encode(),
        "json-lines-crlf-bom": b"\xef\xbb\xbf" + f"{ONE}\r\n\r\n{SECOND}\r\n".encode(),
    }
    for name, data in forms.items():
        export = tmp_path / f"{name}.json"
        export.write_bytes(data)
        summary = convert_export(export, tmp_path / name)
        assert (summary.tasks, summary.rows["spans"], summary.tasks_quarantined) == (2, 2, 0), name
        assert count_tasks(export) == 2, name


def test_a_task_longer_than_the_read_chunk_is_read_whole(tmp_path, monkeypatch):
    from newsspan.labeling import export_json

    monkeypatch.setattr(export_json, "CHUNK", 64)  # every task spans many reads; numbers cut between reads
    tasks = [json.loads(ONE) | {"id": 10**12 + n, "meta": {"n": 12345678901234567890 + n}} for n in range(5)]
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks, indent=3).replace("Orvane", "Orvané ☃ \U0001f600"), encoding="utf-8")
    seen = []
    summary = convert_export(export, tmp_path / "out", progress=lambda done, size: seen.append((done, size)))
    assert (summary.tasks, summary.rows["spans"], summary.tasks_quarantined) == (5, 5, 0)
    assert seen[-1][0] == seen[-1][1] == export.stat().st_size


class _Backend:
    def __init__(self, url: str, export: bytes) -> None:
        self.url = url
        self.export = export

    def download_export(self, project: object, dest: Path) -> int:
        dest.write_bytes(self.export)
        return len(self.export)


def test_the_pulled_export_meta_never_holds_credentials_of_the_server_url(tmp_path):
    from newsspan.labeling.sync import Project

    backend = _Backend("http://user:s3cret-pass@127.0.0.1:8080/ls?token=abc#x", f"[{ONE}, {SECOND}]".encode())
    info = pull_export(backend, Project(3, "News", "<View/>", 2), tmp_path)
    meta = (tmp_path / "label-studio-export.meta.json").read_text(encoding="utf-8")
    assert json.loads(meta)["server"] == info.server == "http://127.0.0.1:8080/ls"
    assert "s3cret" not in meta and "user" not in meta and "token" not in meta
    assert info.tasks == 2


def test_a_pulled_export_that_is_no_export_leaves_nothing(tmp_path):
    from newsspan.labeling.sync import Project

    backend = _Backend("http://127.0.0.1:8080", json.dumps({"tasks": [TASK]}).encode())
    with pytest.raises(InputError, match="wrapping 1 task"):
        pull_export(backend, Project(3, "News", "<View/>", 2), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("chunk", [1 << 20, 7], ids=["one-read", "cut-between-reads"])
def test_the_byte_offsets_count_bytes_across_reads(tmp_path, monkeypatch, chunk):
    from newsspan.labeling import export_json

    monkeypatch.setattr(export_json, "CHUNK", chunk)
    first = ONE.replace("Orvane", "Orvan\u00e9 \u2603 \U0001f600")  # 2, 3 and 4 UTF-8 bytes
    text = f"[{first}, {SECOND}]"
    bad = text.encode().replace(b"Orvane", b"Orv\xffne")  # only SECOND still says Orvane
    export = tmp_path / "export.json"
    export.write_bytes(bad)
    with pytest.raises(InputError, match=f"is not UTF-8 at byte {bad.index(255)} "):
        convert_export(export, tmp_path / "out")
    broken = text.replace(', {"id": 2', ' {"id": 2')
    export.write_text(broken, encoding="utf-8")
    second = _at(broken, ' {"id": 2') + 1
    with pytest.raises(InputError, match=f"is not valid JSON at byte {second}: after task 1"):
        convert_export(export, tmp_path / "out")


EXPORTS = Path(__file__).resolve().parent / "data" / "exports"


@pytest.mark.parametrize("name", sorted(p.name for p in EXPORTS.iterdir() if p.is_dir()))
def test_reads_cut_anywhere_convert_every_golden_case_the_same(name, tmp_path, monkeypatch):
    from newsspan.labeling import export_json

    export = EXPORTS / name / "export.json"
    whole, tasks = convert_export(export, tmp_path / "whole").as_dict(), count_tasks(export)
    monkeypatch.setattr(export_json, "CHUNK", 5)  # reads end inside strings, numbers, escapes, characters
    assert convert_export(export, tmp_path / "cut").as_dict() == whole
    assert count_tasks(export) == tasks
