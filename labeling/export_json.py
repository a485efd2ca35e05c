"""Reading a Label Studio export file task by task, in constant memory, refusing what is not one.

The full JSON export is one array of task objects; a JSON Lines file (one task object per
line) and a UTF-8 byte order mark are read too. Tasks are decoded one at a time with the
standard library's C decoder from a buffer refilled in chunks, so memory holds one task (plus a
chunk), and every refusal is an :class:`InputError` naming the file, the byte offset and what
was found there: a file that ends inside the list is *truncated*; anything else is said as it is.

What the decoder would read differently from the file, or not bound, is settled here:

- nesting deeper than :data:`MAX_DEPTH` (a Label Studio task nests about 8 levels) is refused
  with its byte offset; the decoder's own recursion guard keeps memory small up to the check;
- ``NaN``, ``Infinity`` and ``-Infinity`` (not JSON, but what Python writes for a missing
  float) are read as ``null`` and counted in :attr:`ExportReader.non_finite`;
- a lone surrogate escape (``"\\ud800"``, a non-BMP character escaped wrongly) in any string
  but the task's ``data.text`` becomes U+FFFD, counted in :attr:`ExportReader.surrogates`;
  in the text it is left for conversion to quarantine the task (its offsets would be wrong).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

from newsspan.dataset.errors import InputError

__all__ = ["CHUNK", "LONE_SURROGATE", "MAX_DEPTH", "ByteSource", "ExportReader", "depth", "json_snippet", "json_type"]

MAX_DEPTH = 64  # containers inside one task (a Label Studio task nests about 8)
CHUNK = 1 << 16  # bytes read at a time (a longer task makes the read grow)
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# a \\uD800-\\uDBFF escape not followed by a \\uDC00-\\uDFFF one, or the second without the first
_SURROGATE_ANY = re.compile(r"\\u[dD][89a-fA-F]")  # a quick test first: the exact one is 30x slower
_SURROGATE_ESCAPE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


class ByteSource(Protocol):
    """What the reader reads from: a binary file, or the rest of one held in memory."""

    def read(self, size: int, /) -> bytes: ...


_GET_EXPORT = (
    "download the full JSON export again with `newsspan label pull` or from the Label Studio UI (Export → JSON)"
)


class ExportReader:
    """The tasks of one export file; iterate once. ``on_bytes`` is told each chunk's size."""

    def __init__(self, path: Path, *, on_bytes: Callable[[int], None] | None = None) -> None:
        self.path = path
        self.on_bytes = on_bytes
        self.tasks = 0
        self.non_finite = 0  # NaN / Infinity read as null
        self._constants = 0  # of the value being decoded (a decode cut short by the buffer is retried)
        self.surrogates = 0  # lone surrogates outside data.text replaced by U+FFFD
        self.json_lines = False
        self._decoder = json.JSONDecoder(parse_constant=self._constant)
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._handle: ByteSource | None = None
        self._buf = ""
        self._base = 0  # byte offset of _buf[0]
        self._read = 0  # bytes read from the file
        self._eof = False

    def __iter__(self) -> Iterator[Any]:
        with self.path.open("rb") as handle:
            self._handle = handle
            yield from self._values()

    def value_at(self, handle: ByteSource, offset: int, *, tasks: int, json_lines: bool) -> tuple[Any, int]:
        """Decode the one value (a task) that starts at byte ``offset`` of the file, which ``handle``
        reads on from there, as iterating would; returns it and the byte offset where it ends.

        :class:`newsspan.labeling.export_fast.FastExportReader` reads a task msgspec refuses with
        this, so repairs, quarantine and refusals stay exactly these. ``tasks`` is how many came before.
        """
        self._handle, self._buf, self._base, self._read, self._eof = handle, "", offset, offset, False
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self.tasks, self.json_lines = tasks, json_lines
        value, end = self._value(self._space(0))
        return value, self._byte(end)

    # -- reading -------------------------------------------------------------------------------

    def _more(self, at_least: int = 0) -> bool:
        """Append the text of a chunk (or ``at_least`` bytes) to the buffer; False at end of file."""
        if self._eof:
            return False
        assert self._handle is not None
        data = self._handle.read(max(at_least, CHUNK))
        if self.on_bytes is not None and data:
            self.on_bytes(len(data))
        pending = len(self._utf8.getstate()[0])
        try:
            text = self._utf8.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            where = self._read - pending + exc.start
            raise self._error(
                f"is not UTF-8 at byte {where} ({exc.reason}); export it again, or re-save it as UTF-8"
            ) from None
        self._read += len(data)
        self._eof = not data
        self._buf += text
        return bool(data)

    def _drop(self, pos: int) -> int:
        """Forget the buffer before ``pos`` once that is a chunk's worth; returns where ``pos`` is now."""
        if pos < CHUNK:
            return pos
        self._base += len(self._buf[:pos].encode("utf-8"))
        self._buf = self._buf[pos:]
        return 0

    def _space(self, pos: int) -> int:
        """The position of the next character that is not white space (reading on as needed)."""
        while True:
            while pos < len(self._buf) and self._buf[pos] in " \t\n\r":
                pos += 1
            if pos < len(self._buf) or not self._more():
                return pos

    def _byte(self, pos: int) -> int:
        return self._base + len(self._buf[:pos].encode("utf-8"))

    def _found(self, pos: int) -> str:
        piece = self._buf[pos : pos + 24]
        return repr(piece) + ("…" if len(self._buf) > pos + 24 else "")

    # -- the structure ---------------------------------------------------------------------------

    def _values(self) -> Iterator[Any]:
        pos = self._space(0)
        if self._buf.startswith("\ufeff"):  # a byte order mark: read past it
            pos = self._space(1)
        if pos >= len(self._buf):
            raise self._error("is empty (no JSON at all); " + _GET_EXPORT)
        first = self._buf[pos]
        if first == "[":
            yield from self._array(pos + 1)
        elif first == "{":
            yield from self._lines(pos)
        else:
            value, _ = self._value(pos)
            kind = json_type(value)
            raise self._error(
                f"is a JSON {kind} ({self._found(pos)} at byte {self._byte(pos)}), not a Label Studio export "
                "(the full JSON export is a list of tasks: [{...}, ...]); " + _GET_EXPORT
            )

    def _array(self, pos: int) -> Iterator[Any]:
        pos = self._space(pos)
        if self._buf[pos : pos + 1] == "]":
            self._end(pos + 1)
            return
        while True:
            if pos >= len(self._buf):
                raise self._truncated(pos)
            value, pos = self._value(pos)
            yield value
            pos = self._space(self._drop(pos))
            sep = self._buf[pos : pos + 1]
            if sep == ",":
                pos = self._space(pos + 1)
            elif sep == "]":
                self._end(pos + 1)
                return
            elif not sep:
                raise self._truncated(pos)
            else:
                raise self._error(
                    f"is not valid JSON at byte {self._byte(pos)}: after task {self.tasks} of the list, "
                    f"found {self._found(pos)} where ',' or ']' belongs; " + _GET_EXPORT
                )

    def _lines(self, pos: int) -> Iterator[Any]:
        """JSON Lines: task objects one after another (one a line); the first must be a task."""
        self.json_lines = True
        while pos < len(self._buf):
            value, end = self._value(pos)
            if self.tasks == 1 and not (isinstance(value, dict) and "data" in value):
                raise self._wrapper(value, pos)
            yield value
            pos = self._space(self._drop(end))

    def _end(self, pos: int) -> None:
        pos = self._space(pos)
        if pos < len(self._buf):
            raise self._error(
                f"has more after its list of tasks (after {self.tasks} task(s)): {self._found(pos)} at byte "
                f"{self._byte(pos)}; a full JSON export is one list: " + _GET_EXPORT
            )

    def _value(self, pos: int) -> tuple[Any, int]:
        """Decode one value (a task) at ``pos``, reading on while it is incomplete."""
        need = CHUNK
        while (decoded := self._decode(pos)) is None or (
            # a number (or literal) at the end of the buffer may go on in the next chunk
            decoded[1] == len(self._buf) and not isinstance(decoded[0], dict | list | str) and self._more(need)
        ):
            if decoded is None and not self._more(need):
                self._decode(pos, final=True)  # raises what is wrong: truncated, or what was found
            need *= 2  # a task longer than a chunk: grow the read, never re-decode quadratically
        value, end = decoded
        if depth(value) > MAX_DEPTH:
            raise self._too_deep(pos)
        self.tasks += 1
        self.non_finite += self._constants
        if (first := _SURROGATE_ANY.search(self._buf, pos, end)) is not None and _SURROGATE_ESCAPE.search(
            self._buf, max(pos, first.start() - 6), end
        ):
            value = self._replace_surrogates(value)
        return value, end

    def _decode(self, pos: int, *, final: bool = False) -> tuple[Any, int] | None:
        """The value at ``pos`` and its end, or None when the buffer ends inside it (more may come)."""
        self._constants = 0
        try:
            decoded: tuple[Any, int] = self._decoder.raw_decode(self._buf, pos)
        except json.JSONDecodeError as exc:
            if exc.pos >= len(self._buf) - (0 if final else 16) or exc.msg.startswith("Unterminated string"):
                if final:
                    raise self._truncated(len(self._buf)) from None
                return None
            raise self._error(
                f"is not valid JSON at byte {self._byte(exc.pos)} (in task {self.tasks + 1}): {exc.msg}, "
                f"found {self._found(exc.pos)}; " + _GET_EXPORT
            ) from None
        except RecursionError:
            raise self._too_deep(pos) from None
        except ValueError as exc:  # an integer too long for int() (sys.get_int_max_str_digits)
            raise self._error(
                f"has a number too long to read in task {self.tasks + 1} (starting at byte {self._byte(pos)}): "
                f"{str(exc).split(';')[0]}; " + _GET_EXPORT
            ) from None
        return decoded

    # -- what the decoder reads differently ---------------------------------------------------

    def _constant(self, name: str) -> None:
        self._constants += 1  # NaN, Infinity, -Infinity: a missing number, read as null

    def _replace_surrogates(self, task: Any) -> Any:
        data = task.get("data") if isinstance(task, dict) else None
        text = data.get("text") if isinstance(data, dict) else None
        clean = self._clean(task)
        if isinstance(text, str):  # left as it is, for conversion to quarantine the task
            clean["data"]["text"] = text
            self.surrogates -= len(LONE_SURROGATE.findall(text))
        return clean

    def _clean(self, value: Any) -> Any:
        if isinstance(value, str):
            found = len(LONE_SURROGATE.findall(value))
            self.surrogates += found
            return LONE_SURROGATE.sub("\ufffd", value) if found else value
        if isinstance(value, list):
            return [self._clean(v) for v in value]
        if isinstance(value, dict):
            return {self._clean(k): self._clean(v) for k, v in value.items()}
        return value

    # -- refusals ---------------------------------------------------------------------------------

    def _error(self, what: str) -> InputError:
        return InputError(f"{self.path} {what}", path=self.path)

    def _truncated(self, pos: int) -> InputError:
        inside = "the task objects (JSON Lines)" if self.json_lines else "the list of tasks"
        return self._error(
            f"is not a complete Label Studio JSON export: it ends at byte {self._byte(pos)} inside {inside} "
            f"(after {self.tasks} complete task(s)), so it is truncated: " + _GET_EXPORT
        )

    def _too_deep(self, pos: int) -> InputError:
        where = self._base + _deep_offset(self._buf, pos)
        return self._error(
            f"nests deeper than {MAX_DEPTH} levels at byte {where} (in task {self.tasks + 1}); a Label Studio "
            "task nests about 8, so this is not an export (or it was damaged): " + _GET_EXPORT
        )

    def _wrapper(self, value: Any, pos: int) -> InputError:
        if not isinstance(value, dict):
            return self._error(f"starts with a JSON {json_type(value)} at byte {self._byte(pos)}; " + _GET_EXPORT)
        lists = {k: len(v) for k, v in value.items() if isinstance(v, list) and any(isinstance(t, dict) for t in v)}
        if lists:
            key, count = max(lists.items(), key=lambda kv: kv[1])
            return self._error(
                f"is a JSON object wrapping {count} task(s) under {key!r}, not a Label Studio export: the full "
                f"JSON export is the list of tasks itself ([{{...}}, ...]); {_GET_EXPORT}, or take the list "
                f"out (e.g. `jq '.{key}' FILE > export.json`)"
            )
        keys = ", ".join(map(repr, sorted(value)[:8])) or "none"
        return self._error(
            f"is a JSON object with no 'data' (keys: {keys}), not a Label Studio task: the full JSON export is a "
            "list of tasks ([{...}, ...]) and JSON Lines is one task object a line; " + _GET_EXPORT
        )


def json_snippet(value: Any, size: int = 60) -> str:
    """The start of ``value`` written as JSON (for messages)."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= size else text[:size] + "…"


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type (for messages)."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def depth(task: Any) -> int:
    """How many containers deep ``task`` nests (stopping once past :data:`MAX_DEPTH`)."""
    deepest, stack = 0, [(task, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        value, depth = pop()
        if depth > deepest:
            deepest = depth
            if depth > MAX_DEPTH:
                return depth
        for child in value.values() if type(value) is dict else value if type(value) is list else ():
            if type(child) is dict or type(child) is list:
                push((child, depth + 1))
    return deepest


def _deep_offset(text: str, pos: int) -> int:
    """The byte offset (from ``text``'s start) of the bracket past :data:`MAX_DEPTH` after ``pos``."""
    depth, quoted, escaped = 0, False, False
    for i in range(pos, len(text)):
        char = text[i]
        if quoted:
            escaped, quoted = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            quoted = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return len(text[:i].encode("utf-8"))
        elif char in "]}":
            depth -= 1
    return len(text[:pos].encode("utf-8"))
