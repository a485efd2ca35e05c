"""The msgspec reader and the typed conversion give exactly what the standard-library path gives.

``convert_export`` reads with :class:`FastExportReader` (msgspec, typed Structs) and falls back
per task, or for an unreadable file wholly, to :class:`ExportReader`. Each case converts a file
both ways (the fast way, and with the reader forced to ExportReader, which is the old path) and
asserts the same tables, summary, and refusal message; small read blocks make every task cross
a block boundary, so the buffer handling is exercised too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsspan.dataset.errors import InputError
from newsspan.labeling import export_fast, tables
from newsspan.labeling.export_fast import FastExportReader, TypedTask, UnreadableError
from newsspan.labeling.export_json import MAX_DEPTH, ExportReader

EXPORTS = Path(__file__).parent / "data" / "exports"
GOLDEN = sorted(p for p in EXPORTS.iterdir() if (p / "export.json").is_file())
TEXT = "Brennick said the Panel met in Orvane 🐟 at dawn."


def _item(region: str, start: int, end: int, label: str, **extra: Any) -> dict[str, Any]:
    value = {"start": start, "end": end, "text": TEXT[start:end], "labels": [label]}
    return {"id": region, "from_name": "entity", "to_name": "text", "type": "labels", "value": value, **extra}


def _task(task_id: Any = 1, **extra: Any) -> dict[str, Any]:
    result = [
        _item("p", 0, 8, "PERSON", origin="manual"),
        _item("g", 31, 37, "GPE", origin="prediction"),
        {"id": "s", "from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["favor"]}},
    ]
    annotation = {"id": 11, "completed_by": {"id": 1, "email": "a@x.org"}, "result": result, "lead_time": 2.5}
    return {"id": task_id, "data": {"text": TEXT, "doc_id": f"d{task_id}"}, "annotations": [annotation], **extra}


def _export(*tasks: Any) -> str:
    return json.dumps(list(tasks), ensure_ascii=False)


def _convert(path: Path, out: Path, monkeypatch: pytest.MonkeyPatch, *, fast: bool) -> Any:
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(tables, "FastExportReader", ExportReader)
        try:
            summary = tables.convert_export(path, out)
        except InputError as exc:
            return ("refused", str(exc).replace(str(path), "EXPORT"))
    files = {p.name: pq.read_table(p).to_pylist() for p in sorted(out.glob("*.parquet"))}
    return (summary.as_dict(), files)


def _same_both_ways(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, block: int = 1 << 20) -> Any:
    path = tmp_path / "export.json"
    path.write_bytes(data)
    monkeypatch.setattr(export_fast, "BLOCK", block)
    fast = _convert(path, tmp_path / "fast", monkeypatch, fast=True)
    slow = _convert(path, tmp_path / "slow", monkeypatch, fast=False)
    assert fast == slow
    return fast


@pytest.mark.parametrize("block", [7, 1 << 20], ids=["tiny-blocks", "one-block"])
@pytest.mark.parametrize("case", GOLDEN, ids=[p.name for p in GOLDEN])
def test_golden_exports_convert_the_same_both_ways(case, block, tmp_path, monkeypatch):
    _same_both_ways(tmp_path, monkeypatch, (case / "export.json").read_bytes(), block)


def _nested(levels: int) -> str:
    return "[" * levels + "]" * levels


ONE = _export(_task())
HOSTILE = {
    "plain": ONE,
    "bom": "\ufeff" + ONE,
    "json_lines": "\n".join(json.dumps(t) for t in (_task(1), _task(2))) + "\n",
    "json_lines_wrapper": json.dumps({"tasks": [_task()]}) + "\n",
    "nan_in_a_task": _export(_task(1), _task(2, meta={"score": "NAN"})).replace('"NAN"', "NaN"),
    "lone_surrogate_in_text": _export(_task(1), _task(2)).replace("at dawn", "at \\ud800dawn", 1),
    "lone_surrogate_elsewhere": _export(_task(1, meta={"note": "SUR"})).replace("SUR", "\\udc00x"),
    "escaped_surrogate_pair": json.dumps([_task()]),  # ensure_ascii: the fish as \\ud83d\\udc1f
    "unknown_key": _export(_task(1, extra_key={"a": [1, 2]}), _task(2)),
    "float_id": _export(_task(1.5), _task(2)),
    "id_beyond_int64": _export(_task(2**63), _task(2)),
    "bool_start": ONE.replace('"start": 0', '"start": true'),
    "deep_meta_within_bound": _export(_task(meta="HERE")).replace('"HERE"', _nested(MAX_DEPTH - 4)),
    "deep_meta_beyond_bound": _export(_task(meta="HERE")).replace('"HERE"', _nested(MAX_DEPTH + 1)),
    "too_deep_for_msgspec": _export(_task(meta="HERE")).replace('"HERE"', _nested(3000)),
    "long_number": _export(_task(meta="HERE")).replace('"HERE"', "1" * 5000),
    "huge_float": _export(_task(meta="HERE")).replace('"HERE"', "1e999"),
    "truncated": ONE[:-40],
    "missing_comma": _export(_task(1), _task(2)).replace("}, {", "} {", 1),
    "more_after_the_list": ONE + " []",
    "empty": "",
    "not_a_list": '"tasks"',
    "not_an_object_task": _export(_task(1), 7, _task(2)),
    "unsupported_item": _export(_task(1, annotations=[{"id": 3, "result": [{"id": "t", "type": "textarea"}]}])),
    "review_task": _export(_task(1, data={"text": TEXT, "doc_id": "d1", "newsspan_review": True})),
    "utf16_offsets": ONE.replace('"start": 31, "end": 37', '"start": 32, "end": 38'),
    "text_mismatch": ONE.replace('"text": "Orvane"', '"text": "Orvano"'),
    "duplicate_task": _export(_task(1), _task(1)),
}


@pytest.mark.parametrize("block", [5, 1 << 20], ids=["tiny-blocks", "one-block"])
@pytest.mark.parametrize("name", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_exports_convert_or_are_refused_the_same_both_ways(name, block, tmp_path, monkeypatch):
    _same_both_ways(tmp_path, monkeypatch, HOSTILE[name].encode("utf-8", "surrogatepass"), block)


def test_invalid_utf8_in_a_key_conversion_never_reads_is_refused_as_before(tmp_path, monkeypatch):
    data = ONE.replace('"lead_time"', '"lead_XX"').encode().replace(b"XX", b"\xff\xfe")
    outcome = _same_both_ways(tmp_path, monkeypatch, data)
    assert outcome[0] == "refused" and "is not UTF-8 at byte" in outcome[1]


def test_plain_tasks_take_the_typed_path_and_odd_ones_the_standard_one(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(HOSTILE["nan_in_a_task"], encoding="utf-8")
    reader = FastExportReader(path)
    kinds = [type(task).__name__ for task in reader]
    assert kinds == ["TypedTask", "dict"] and reader.non_finite == 1 and reader.tasks == 2


def test_a_refusal_is_left_to_the_standard_reader(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(HOSTILE["truncated"], encoding="utf-8")
    with pytest.raises(UnreadableError):
        list(FastExportReader(path))


def test_msgspec_words_the_errors_the_reader_reads():
    """The reader finds a task's end in msgspec's 'trailing characters (byte N)' and reads on at
    'Input data was truncated'; a msgspec that words them otherwise would make every task slow."""
    decoder = msgspec.json.Decoder(msgspec.Raw)
    with pytest.raises(msgspec.DecodeError, match=r"^JSON is malformed: trailing characters \(byte 10\)$"):
        decoder.decode(b'{"a": 1} , {"b": 2}')
    with pytest.raises(msgspec.DecodeError, match=r"^Input data was truncated$"):
        decoder.decode(b'{"a": [1, 2')


_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), st.text(max_size=8)
)
_JSON = st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
)


@settings(max_examples=60, deadline=None)
@given(
    where=st.sampled_from(["task", "annotation", "item", "value", "data"]),
    key=st.sampled_from(["id", "meta", "result", "labels", "start", "text", "origin", "type", "lead_time", "extra"]),
    value=_JSON,
)
def test_any_odd_value_anywhere_reads_the_same_both_ways(where, key, value, tmp_path_factory):
    """Whatever JSON value sits under whatever key of a task, both readers yield the same task."""
    task = _task()
    annotation = task["annotations"][0]
    target = {
        "task": task,
        "annotation": annotation,
        "item": annotation["result"][0],
        "value": annotation["result"][0]["value"],
        "data": task["data"],
    }[where]
    target[key] = value
    path = tmp_path_factory.mktemp("odd") / "export.json"
    path.write_text(_export(task, _task(2)), encoding="utf-8")
    fast = [t.as_value() if isinstance(t, TypedTask) else t for t in FastExportReader(path)]
    assert json.dumps(fast, sort_keys=True) == json.dumps(list(ExportReader(path)), sort_keys=True)


def test_a_write_that_fails_fails_the_conversion_and_leaves_no_table(tmp_path, monkeypatch):
    from newsspan.dataset.io import TableWriter

    def broken(self, table):
        raise OSError("disk full")

    path = tmp_path / "export.json"
    path.write_text(ONE, encoding="utf-8")
    monkeypatch.setattr(TableWriter, "write", broken)
    with pytest.raises(OSError, match="disk full"):
        tables.convert_export(path, tmp_path / "out")
    assert not list((tmp_path / "out").glob("*.parquet"))
