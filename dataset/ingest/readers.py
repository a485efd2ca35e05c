"""Reading raw articles from disk: the I/O edge of ingest (the files come from
:mod:`newsspan.dataset.ingest.walker`).

Each ``.txt`` file is one article (an HTML page saved as ``.txt``, recognised by its start, is
read as the web page it is: ``source_format`` 'html'); each ``.html``/``.htm`` file (also gzipped:
``.html.gz``) is one web page; each non-blank line of a ``.jsonl`` file is one article, a JSON
object with a ``text`` string (or an ``html`` string: a saved page) and optional metadata fields
(a ``language`` must be a language code: see :mod:`newsspan.dataset.ingest.languages`). Anything
that is not an article (an empty ``.jsonl`` too, or a file that cannot be opened) becomes a
:class:`Rejection`; nothing is skipped silently.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import logging
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

from newsspan.dataset.errors import InputError
from newsspan.dataset.ingest.languages import language_refusal, normalize_language
from newsspan.dataset.ingest.walker import InputFile, Inputs, discover_inputs
from newsspan.dataset.io import file_sha256
from newsspan.dataset.records import Rejection

__all__ = [
    "SUFFIXES",
    "InputFile",
    "Inputs",
    "RawArticle",
    "discover_inputs",
    "input_kind",
    "looks_like_html",
    "read_articles",
]

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
_HTML_STARTS = (b"<!doctype html", b"<html")  # after whitespace and a UTF-8 BOM
log = logging.getLogger(__name__)


def input_kind(path: Path) -> Kind | None:
    """What a file holds, by its name: one article (txt), JSON Lines, a web page; None otherwise."""
    name = path.name.lower()
    return next((kind for suffix, kind in SUFFIXES.items() if name.endswith(suffix)), None)


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One article as read: its raw bytes (text, or a page's HTML) and, for JSONL, the other fields
    of its object."""

    source: str
    source_format: Kind
    raw: bytes
    fields: dict[str, Any] = field(default_factory=dict)
    markup: Markup = "text"


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


def _read_bytes(input_file: InputFile, *, max_bytes: int, digest: _Digest) -> bytes | Rejection:
    """The file's bytes; a file above ``max_bytes`` or one that may not be opened is refused."""
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
    except PermissionError as exc:
        return _unreadable(input_file, exc)
    except OSError as exc:
        raise InputError(f"{input_file.path} cannot be read: {exc.strerror}", path=input_file.path) from None
    digest.update(raw)
    return raw


def _unreadable(input_file: InputFile, exc: OSError) -> Rejection:
    return _reject(
        input_file.name,
        "unreadable",
        f"{input_file.name}: cannot be read ({exc.strerror}); fix its permissions or move it out of the input",
    )


def _read_txt(input_file: InputFile, *, max_bytes: int, digest: _Digest) -> RawArticle | Rejection:
    """One article; a web page saved as ``.txt`` is read as the page it is (and says so)."""
    raw = _read_bytes(input_file, max_bytes=max_bytes, digest=digest)
    if isinstance(raw, Rejection):
        return raw
    if looks_like_html(raw):
        log.warning("%s: an HTML page saved as .txt; read as a web page (source_format 'html')", input_file.name)
        return RawArticle(input_file.name, "html", raw, markup="html")
    return RawArticle(input_file.name, "txt", raw)


def looks_like_html(raw: bytes) -> bool:
    """True for bytes that start (after whitespace and a UTF-8 BOM) as an HTML document does."""
    head = raw[:512].lstrip().removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    return any(head.startswith(start) and head[len(start) : len(start) + 1] in b" \t\r\n>" for start in _HTML_STARTS)


def _read_html(input_file: InputFile, *, max_bytes: int, digest: _Digest) -> RawArticle | Rejection:
    """A saved page; a gzipped one is decompressed, never past ``max_bytes`` (a gzip bomb is refused)."""
    read = _read_bytes(input_file, max_bytes=max_bytes, digest=digest)
    if isinstance(read, Rejection) or not input_file.path.name.lower().endswith(".gz"):
        return RawArticle(input_file.name, "html", read, markup="html") if isinstance(read, bytes) else read
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(read)) as handle:
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
    except PermissionError as exc:
        yield _unreadable(input_file, exc)
        return
    except OSError as exc:
        raise InputError(f"{input_file.path} cannot be read: {exc.strerror}", path=input_file.path) from None
    articles = 0
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
            articles += too_long or bool(line.strip())
    if not articles:
        yield _reject(
            input_file.name,
            "empty",
            f"{input_file.name}: no JSON lines (the file is empty or has only blank lines); add one "
            "JSON object per line, or remove it",
        )


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
    refused = _language_rejection(source, obj)
    return refused if refused is not None else RawArticle(source, "jsonl", raw, obj, markup)


def _language_rejection(source: str, obj: dict[str, Any]) -> Rejection | None:
    """Refuse a ``language`` that is no language code (naming the line); normalise one that is."""
    value = obj.get("language")
    if value is None:
        return None
    refusal = language_refusal(value)
    if refusal is not None:
        return _reject(source, "invalid_language", f"{source}: {refusal}")
    _set_language(obj, value)
    return None


def _set_language(obj: dict[str, Any], value: str) -> None:
    """The ISO 639 code as ``language``; a fuller tag kept as ``language_tag`` (unless given)."""
    normal = normalize_language(value)
    obj["language"] = normal["language"]
    if "language_tag" in normal:
        obj.setdefault("language_tag", normal["language_tag"])
