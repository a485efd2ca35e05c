"""Reading raw articles from disk: the I/O edge of ingest.

A folder is walked recursively in sorted order (so ids and duplicate decisions are the same on
every run); hidden files and folders (names starting with '.') are skipped and counted. Each
``.txt`` file is one article; each ``.html``/``.htm`` file (also gzipped: ``.html.gz``) is one web
page; each non-blank line of a ``.jsonl`` file is one article, a JSON object with a ``text``
string (or an ``html`` string: a saved page) and optional metadata fields. Anything that is not
an article becomes a :class:`Rejection`; nothing is skipped silently.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

from newsspan.dataset.errors import InputError
from newsspan.dataset.io import file_sha256
from newsspan.dataset.records import Rejection

__all__ = ["SUFFIXES", "InputFile", "RawArticle", "discover_inputs", "input_kind", "read_articles"]

Kind = Literal["txt", "jsonl", "html"]
SUFFIXES: dict[str, Kind] = {
    ".txt": "txt",
    ".jsonl": "jsonl",
    ".html": "html",
    ".htm": "html",
    ".html.gz": "html",
    ".htm.gz": "html",
}
Markup = Literal["text", "html"]
_STAGE = "ingest"


def input_kind(path: Path) -> Kind | None:
    """What a file holds, by its name: one article (txt), JSON Lines, a web page; None otherwise."""
    name = path.name.lower()
    return next((kind for suffix, kind in SUFFIXES.items() if name.endswith(suffix)), None)


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    name: str  # how it is shown and stored: relative to the input folder's parent


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One article as read: its raw bytes (text, or a page's HTML) and, for JSONL, the other fields
    of its object."""

    source: str
    source_format: Kind
    raw: bytes
    fields: dict[str, Any] = field(default_factory=dict)
    markup: Markup = "text"


@dataclass(frozen=True, slots=True)
class Inputs:
    files: list[InputFile]
    hidden_skipped: int
    total_bytes: int


def discover_inputs(paths: Sequence[Path]) -> Inputs:
    """The files to read under ``paths``; raises :class:`InputError` for a path that is unusable."""
    files: list[InputFile] = []
    hidden = 0
    for path in paths:
        if not path.exists():
            raise InputError(f"input {path} does not exist; pass article files or folders", path=path)
        if path.is_file():
            files.append(InputFile(path, path.name))
            continue
        if not path.is_dir():
            raise InputError(f"input {path} is neither a file nor a folder", path=path)
        root = path.resolve().parent
        try:
            found = sorted(path.resolve().rglob("*"))
        except OSError as exc:
            raise InputError(f"input folder {path} cannot be read: {exc}", path=path) from None
        for candidate in found:
            relative = candidate.relative_to(root)
            if any(part.startswith(".") for part in relative.parts[1:]):
                hidden += candidate.is_file()
                continue
            if candidate.is_file():
                files.append(InputFile(candidate, relative.as_posix()))
    total = sum(_size(f.path) for f in files)
    return Inputs(files, hidden, total)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def read_articles(
    files: Sequence[InputFile],
    *,
    max_bytes: int,
    on_bytes: Callable[[int], None] | None = None,
    seen: list[dict[str, Any]] | None = None,
) -> Iterator[RawArticle | Rejection]:
    """Yield every article (or the rejection that stands for it) of ``files``, in order.

    ``on_bytes(n)`` is told how many bytes of input each step consumed (for progress bars).
    ``seen`` receives, per file, ``{"name", "sha256", "bytes"}`` of the bytes as they were read
    (the build's provenance: the inputs are read once, never re-hashed later).
    """
    count = on_bytes or (lambda n: None)
    for input_file in files:
        kind = input_kind(input_file.path)
        digest = _Digest()
        if kind is None:
            suffix = "".join(input_file.path.suffixes[-2:]).lower()
            yield _reject(
                input_file.name,
                "unsupported_extension",
                f"{input_file.name}: '{suffix or '(none)'}' files are not read; articles must be "
                ".txt (one article per file), .html/.htm/.html.gz (one web page per file) or .jsonl "
                "(one JSON object with a 'text' or 'html' field per line)",
            )
        elif kind == "txt":
            yield _read_txt(input_file, max_bytes=max_bytes, digest=digest)
        elif kind == "html":
            yield _read_html(input_file, max_bytes=max_bytes, digest=digest)
        else:
            yield from _read_jsonl(input_file, max_bytes=max_bytes, on_bytes=count, digest=digest)
        if kind != "jsonl":
            count(_size(input_file.path))
        if seen is not None:
            seen.append(_provenance(input_file, digest, unread=kind is None))


class _Digest:
    """The sha256 of the bytes read from one input file, and whether any were read."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.fed = False

    def update(self, data: bytes) -> None:
        self._hash.update(data)
        self.fed = True

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _provenance(input_file: InputFile, digest: _Digest, *, unread: bool) -> dict[str, Any]:
    """The manifest entry of one input; a file that was not read (refused by its name or size) is
    hashed here, so every input is described by its own bytes."""
    sha256 = digest.hexdigest()
    if unread or not digest.fed:
        with contextlib.suppress(OSError):
            sha256 = file_sha256(input_file.path)
    return {"name": input_file.name, "sha256": sha256, "bytes": _size(input_file.path)}


def _reject(source: str, reason: str, detail: str) -> Rejection:
    return Rejection(source=source, doc_id=None, stage=_STAGE, reason=reason, detail=detail)


def _read_txt(input_file: InputFile, *, max_bytes: int, digest: _Digest) -> RawArticle | Rejection:
    try:
        size = input_file.path.stat().st_size
        if size > max_bytes:
            return _reject(
                input_file.name,
                "too_large",
                f"{input_file.name}: {size} bytes is above ingest.max_bytes ({max_bytes}); split it "
                "into articles or raise the limit in newsspan.toml",
            )
        raw = input_file.path.read_bytes()
    except OSError as exc:
        raise InputError(f"{input_file.path} cannot be read: {exc.strerror}", path=input_file.path) from None
    digest.update(raw)
    return RawArticle(input_file.name, "txt", raw)


def _read_html(input_file: InputFile, *, max_bytes: int, digest: _Digest) -> RawArticle | Rejection:
    """A saved page; a gzipped one is decompressed, never past ``max_bytes`` (a gzip bomb is refused)."""
    read = _read_txt(input_file, max_bytes=max_bytes, digest=digest)
    if isinstance(read, Rejection) or not input_file.path.name.lower().endswith(".gz"):
        return RawArticle(read.source, "html", read.raw, markup="html") if isinstance(read, RawArticle) else read
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(read.raw)) as handle:
            page = handle.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        return _reject(
            input_file.name,
            "undecodable",
            f"{input_file.name}: not a valid gzip file ({exc}); decompress it or save the page again",
        )
    if len(page) > max_bytes:
        return _reject(
            input_file.name,
            "too_large",
            f"{input_file.name}: decompresses to more than ingest.max_bytes ({max_bytes} bytes); raise the "
            "limit in newsspan.toml if it really is one page",
        )
    return RawArticle(input_file.name, "html", page, markup="html")


def _read_jsonl(
    input_file: InputFile, *, max_bytes: int, on_bytes: Callable[[int], None], digest: _Digest
) -> Iterator[RawArticle | Rejection]:
    try:
        handle = input_file.path.open("rb")
    except OSError as exc:
        raise InputError(f"{input_file.path} cannot be read: {exc.strerror}", path=input_file.path) from None
    with handle:
        for number, line, too_long in _lines(handle, limit=max_bytes, digest=digest):
            on_bytes(len(line) if not too_long else max_bytes)
            source = f"{input_file.name}:{number}"
            if too_long:
                yield _reject(
                    source,
                    "too_large",
                    f"{source}: line is above ingest.max_bytes ({max_bytes} bytes); raise the limit "
                    "in newsspan.toml if it really is one article",
                )
            elif line.strip():
                yield _parse_jsonl_line(source, line)


def _lines(handle: BinaryIO, *, limit: int, digest: _Digest) -> Iterator[tuple[int, bytes, bool]]:
    """(1-based number, bytes, too_long) per line, never holding more than ``limit`` bytes."""
    number = 0
    while True:
        line = handle.readline(limit + 1)
        digest.update(line)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the long line
                line = handle.readline(1 << 20)
                digest.update(line)
            yield number, b"", True
        else:
            yield number, line, False


def _parse_jsonl_line(source: str, line: bytes) -> RawArticle | Rejection:
    try:
        obj = json.loads(line)
    except UnicodeDecodeError as exc:
        return _reject(source, "undecodable", f"{source}: not UTF-8 at byte {exc.start}; re-save the file as UTF-8")
    except json.JSONDecodeError as exc:
        return _reject(
            source,
            "invalid_json",
            f"{source}: not valid JSON ({exc.msg} at column {exc.colno}); each line must be one JSON object",
        )
    if not isinstance(obj, dict):
        return _reject(source, "invalid_json", f"{source}: a JSON {type(obj).__name__}, not an object with 'text'")
    text = obj.pop("text", None)
    markup: Markup = "text"
    if text is None and isinstance(obj.get("html"), str):
        text, markup = obj.pop("html"), "html"
    if not isinstance(text, str):
        found = "no 'text' field" if text is None else f"'text' is a JSON {type(text).__name__}"
        keys = ", ".join(sorted(obj)) or "none"
        return _reject(
            source,
            "missing_text",
            f"{source}: {found} (fields: {keys}); each line needs the article as a 'text' string "
            "(or a saved page as an 'html' string)",
        )
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError as exc:  # only a lone surrogate has no UTF-8 form
        surrogate = exc.start
        return _reject(
            source,
            "undecodable",
            f"{source}: 'text' has a lone surrogate \\u{ord(text[surrogate]):04x} at code point {surrogate}; "
            "the producer escaped a non-BMP character wrongly: re-export it as UTF-8",
        )
    return RawArticle(source, "jsonl", raw, obj, markup)
