"""Reading a Label Studio export at C speed: msgspec finds each task's end and decodes it typed.

The file is read in blocks of :data:`BLOCK` bytes, so memory holds a block and one task. For
each task msgspec first skips it (to find where it ends, at C speed), then decodes it into
:mod:`newsspan.labeling.export_typed`'s Structs. A task msgspec refuses (a key or a type that
is not Label Studio's plain shape, ``NaN``, a lone surrogate, too deep, not JSON) is read by
:meth:`newsspan.labeling.export_json.ExportReader.value_at`, as it always was, so its repairs
and its quarantine are the same; then reading goes on at C speed after it.

What makes the file unreadable (truncated, not JSON, not UTF-8, more after the list) raises
:class:`UnreadableError`: conversion then reads the file again with
:class:`~newsspan.labeling.export_json.ExportReader`, whose refusal names the byte offset and
the way out. So the file's verdict and every message come from one reader.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import BufferedReader
from pathlib import Path
from typing import Any

import msgspec

from newsspan.dataset.errors import InputError
from newsspan.labeling.export_json import ExportReader
from newsspan.labeling.export_typed import TASK_DECODER, Task, within_depth

__all__ = ["BLOCK", "FastExportReader", "TypedTask", "UnreadableError"]

BLOCK = 1 << 20  # bytes read at a time (a longer task makes the read grow)
_INT64 = 1 << 63
_TRAILING = "JSON is malformed: trailing characters (byte "
_NOT_SPACE = re.compile(rb"[^ \t\n\r]")
# msgspec calls a high surrogate escape without its low half "truncated": do not read on for it
_LONE_HIGH = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u)")
_RAW = msgspec.json.Decoder(msgspec.Raw)
_REFUSED = (msgspec.DecodeError, ValueError, RecursionError)  # ValueError: UnicodeDecodeError


class UnreadableError(Exception):
    """The file is not a readable export: read it with ExportReader for its exact refusal."""


@dataclass(slots=True)
class TypedTask:
    """A task decoded into Structs, with its JSON text (to read as a dict if conversion needs one)."""

    task: Task
    raw: memoryview

    def as_value(self) -> Any:
        """The task as :class:`~newsspan.labeling.export_json.ExportReader` reads it (it has no
        constants, no lone surrogates and is not too deep: msgspec would have refused it)."""
        return json.loads(bytes(self.raw))


class FastExportReader:
    """The tasks of one export file, each a :class:`TypedTask` or (refused by msgspec) the
    value :class:`~newsspan.labeling.export_json.ExportReader` reads; iterate once."""

    def __init__(self, path: Path, *, on_bytes: Callable[[int], None] | None = None) -> None:
        self.path = path
        self.on_bytes = on_bytes
        self.tasks = 0
        self.json_lines = False
        self.slow = ExportReader(path)  # reads what msgspec refuses; counts its repairs
        self._handle: BufferedReader | None = None
        self._buf = b""
        self._base = 0  # byte offset of _buf[0]
        self._eof = False

    @property
    def non_finite(self) -> int:
        return self.slow.non_finite

    @property
    def surrogates(self) -> int:
        return self.slow.surrogates

    def __iter__(self) -> Iterator[Any]:
        with self.path.open("rb") as handle:
            self._handle = handle
            yield from self._values()

    def _fill(self, pos: int, *, grow: bool = False) -> int:
        """Forget the buffer before ``pos`` and append a block (or, to ``grow`` a long task, as
        much again as is left); returns where ``pos`` is now."""
        assert self._handle is not None
        data = b"" if self._eof else self._handle.read(max(BLOCK, len(self._buf) - pos) if grow else BLOCK)
        if data and self.on_bytes is not None:
            self.on_bytes(len(data))
        self._eof = not data
        self._base += pos
        self._buf = self._buf[pos:] + data
        return 0

    def _space(self, pos: int) -> int:
        """The position of the next byte that is not JSON white space (reading on as needed)."""
        while (found := _NOT_SPACE.search(self._buf, pos)) is None and not self._eof:
            pos = self._fill(len(self._buf))
        return found.start() if found is not None else len(self._buf)

    def _values(self) -> Iterator[Any]:
        self._fill(0)
        pos = self._space(3 if self._buf.startswith(b"\xef\xbb\xbf") else 0)
        first = self._buf[pos : pos + 1]
        if first == b"[":
            yield from self._array(pos + 1)
        elif first == b"{":
            self.json_lines = True
            yield from self._lines(pos)
        else:
            raise UnreadableError

    def _array(self, pos: int) -> Iterator[Any]:
        pos = self._space(pos)
        if self._buf[pos : pos + 1] == b"]":
            self._end(pos + 1)
            return
        while pos < len(self._buf):
            value, pos = self._value(pos)
            yield value
            pos = self._space(pos)
            sep = self._buf[pos : pos + 1]
            if sep == b",":
                pos = self._space(pos + 1)
            elif sep == b"]":
                self._end(pos + 1)
                return
            else:
                break
        raise UnreadableError  # truncated, or not a list of tasks

    def _lines(self, pos: int) -> Iterator[Any]:
        while pos < len(self._buf):
            value, pos = self._value(pos)
            if self.tasks == 1 and not _is_task(value):
                raise UnreadableError  # a JSON object, but not a task: ExportReader says which
            yield value
            pos = self._space(pos)

    def _end(self, pos: int) -> None:
        if self._space(pos) < len(self._buf):
            raise UnreadableError  # more after the list

    def _value(self, pos: int) -> tuple[Any, int]:
        """The task at ``pos`` and the position after it."""
        if pos >= BLOCK:  # forget what was read (the standard reader only ever appends)
            self._base, self._buf, pos = self._base + pos, self._buf[pos:], 0
        pos, end = self._extent(pos)
        if end is not None:
            raw = memoryview(self._buf)[pos:end]
            try:
                task = TASK_DECODER.decode(raw)
            except _REFUSED:
                task = None
            if task is not None and (type(task.id) is not int or -_INT64 <= task.id < _INT64) and within_depth(task):
                self.tasks += 1
                return TypedTask(task, raw), end
        return self._slow_value(pos)

    def _extent(self, pos: int) -> tuple[int, int | None]:
        """``pos`` (moved if the buffer was refilled) and where the value there ends (the next
        byte that is not white space), or None when msgspec refuses to skip it."""
        while True:
            try:
                _RAW.decode(memoryview(self._buf)[pos:])
            except msgspec.DecodeError as exc:
                message = str(exc)
                if message.startswith(_TRAILING):
                    return pos, pos + int(message[len(_TRAILING) : -1]) - 1
                if message != "Input data was truncated" or self._eof or _LONE_HIGH.search(self._buf, pos):
                    return pos, None
            except RecursionError:
                return pos, None
            else:
                if self._eof:  # the value runs to the end of the file
                    return pos, len(self._buf)
            pos = self._fill(pos, grow=True)  # the value goes on in the next block

    def _slow_value(self, pos: int) -> tuple[Any, int]:
        """The value at ``pos`` read by ExportReader (msgspec refused it); its end."""
        offset = self._base + pos
        try:
            value, end = self.slow.value_at(_Tail(self, offset), offset, tasks=self.tasks, json_lines=self.json_lines)
        except InputError as exc:
            raise UnreadableError from exc
        self.tasks = self.slow.tasks
        return value, end - self._base


class _Tail:
    """The file from a byte offset on, read from the reader's buffer (which grows as needed)."""

    def __init__(self, reader: FastExportReader, offset: int) -> None:
        self.reader = reader
        self.offset = offset

    def read(self, size: int) -> bytes:
        reader = self.reader
        while self.offset + size > reader._base + len(reader._buf) and not reader._eof:
            reader._fill(0)
        start = self.offset - reader._base
        data = reader._buf[start : start + size]
        self.offset += len(data)
        return data


def _is_task(value: Any) -> bool:
    if isinstance(value, TypedTask):
        return not isinstance(value.task.data, msgspec.UnsetType)
    return isinstance(value, dict) and "data" in value
