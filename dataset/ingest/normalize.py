"""Decoding raw bytes and normalizing article text: minimal, documented, deterministic.

``normalize_text`` applies, in this order:

1. HTML character references terminated by ``;`` are decoded, as ``html.unescape`` decodes
   them: named references that HTML5 defines with a ``;`` (``&amp;``, ``&quot;``, ``&euro;``),
   decimal ``&#39;`` and hex ``&#x2019;``. Scrapers leave them in text, and a reference is
   never what the article printed. Text without the ``;`` is left alone (``AT&T``, ``R&D``,
   ``&copy``), and so is an unknown name (``&foo;``). Double-escaped text (``&amp;quot;``) is
   decoded until nothing changes, so the step is idempotent. HTML5's rules apply to numbers:
   ``&#0;``, a surrogate or a number above U+10FFFF becomes U+FFFD, ``&#128;``–``&#159;``
   are read as windows-1252 (``&#128;`` is ``€``), and other control numbers decode to nothing.
   It runs first, so that what it produces (a ``&#13;``, a combining ``&#x301;``) is cleaned by
   the steps below like the rest of the text.
2. CRLF and lone CR become LF.
3. Control characters are removed: C0 controls other than tab and LF, DEL, and C1 controls.
4. Unicode NFC (composed forms), so ``e`` + U+0301 and ``é`` are one code point everywhere.
5. Trailing whitespace is trimmed at the end of every line and at the end of the text.

Steps 1–4 repeat while step 3 or 4 has made a new reference (``&am\x00p;`` loses its NUL and
becomes ``&amp;``; NFC turns U+037E GREEK QUESTION MARK into ``;``); each repeat decodes a
reference and so shortens the text, which bounds the loop.

Nothing else changes: curly quotes, dashes, non-breaking spaces inside lines, leading
whitespace and blank lines are kept, because quotes and layout carry meaning. The function is
idempotent. Offsets of every later stage count code points of its output.

``decode_bytes`` accepts UTF-8 (with or without BOM) and UTF-16 with a BOM. Other bytes go to the
configured fallback and the decision is recorded in the ``encoding`` column; bytes that are
neither are refused with a :class:`DecodeRefusal` naming the first bad byte offset.
"""

from __future__ import annotations

import codecs
import html
import html.entities
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["DecodeRefusal", "Decoded", "decode_bytes", "decode_references", "looks_binary", "normalize_text"]

# C0 except \t (09) and \n (0A), DEL, C1. \r is gone by the time this runs.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A character reference with its ';'. A name is decoded only when HTML5 defines it with ';'.
_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|(?P<name>[A-Za-z][A-Za-z0-9]*));")


def normalize_text(text: str) -> str:
    """Return ``text`` normalized as the module docstring describes (idempotent).

    Offsets into the result are Python code points; the result is what every later stage sees.
    """
    # Each pass after the first decodes at least one reference (4+ code points become at most
    # 2), so the text shortens on every repeat and the loop ends within len(text) passes.
    for _ in range(len(text) + 1):
        text = decode_references(text)
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if _CONTROLS.search(text) is not None:
            text = _CONTROLS.sub("", text)
        text = unicodedata.normalize("NFC", text)
        if not _has_reference(text):
            break
    # str.rstrip and the regex class \s agree on what whitespace is (str.isspace); one pass
    # per line is ~10x faster than a lookahead regex that tries every run of spaces.
    return "\n".join([line.rstrip() for line in text.split("\n")]).rstrip()


def decode_references(text: str) -> str:
    """Decode the ``;``-terminated HTML character references of ``text`` until none is left.

    Only ``&name;`` with a name HTML5 defines with ``;``, ``&#NNN;`` and ``&#xHH;`` are decoded
    (by :func:`html.unescape`); ``AT&T``, ``&copy`` and ``&foo;`` stay as they are. Decoding
    repeats until nothing changes (``&amp;quot;`` → ``&quot;`` → ``"``); every pass that changes
    the text shortens it, so the loop is bounded by the text's length.
    """
    while "&" in text:
        decoded = _REFERENCE.sub(_decode_one, text)
        if decoded == text:
            break
        text = decoded
    return text


def _decodable(match: re.Match[str]) -> bool:
    """Numeric references always; a name only when HTML5 defines it with ';'."""
    return match["name"] is None or f"{match['name']};" in html.entities.html5


def _decode_one(match: re.Match[str]) -> str:
    return html.unescape(match[0]) if _decodable(match) else match[0]


def _has_reference(text: str) -> bool:
    return "&" in text and any(_decodable(m) for m in _REFERENCE.finditer(text))


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    why: str | None = None  # for a codec that had to be chosen: the evidence, for the log


@dataclass(frozen=True, slots=True)
class DecodeRefusal:
    """Why bytes could not be decoded; ``reason`` is a quarantine reason code."""

    reason: str
    detail: str


_BINARY_SAMPLE = 8192
_BINARY_CONTROL_SHARE = 0.10
_CONTROL_BYTES = bytes(
    b for b in range(0x20) if b not in (0x09, 0x0A, 0x0C, 0x0D)
)  # text has almost no C0 bytes besides \t \n \r \f; binaries have many


def looks_binary(raw: bytes) -> bool:
    """True when ``raw`` is not text: NUL bytes (outside UTF-16) or many control bytes."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    sample = raw[:_BINARY_SAMPLE]
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return bool(sample) and controls / len(sample) > _BINARY_CONTROL_SHARE


def decode_bytes(raw: bytes, *, fallback: str = "detect") -> Decoded | DecodeRefusal:
    """Decode an article's bytes; see the module docstring for the policy.

    ``fallback`` is ``"detect"`` (charset-normalizer picks a codec), ``"strict"`` (refuse
    anything that is not UTF-8/UTF-16) or a codec name to force.
    """
    if raw.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: FF FE 00 00
        encoding = "utf-32"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    try:
        return Decoded(raw.decode(encoding), encoding)
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if encoding != "utf-8" or _has_utf8_multibyte(raw[:first_bad]):
        return DecodeRefusal(
            "undecodable",
            f"invalid {encoding} at byte {first_bad} (0x{raw[first_bad]:02x}) in a file that is "
            f"otherwise {encoding}: the file is corrupt or mixes encodings; re-save it as UTF-8",
        )
    return _decode_fallback(raw, fallback=fallback, first_bad=first_bad)


def _has_utf8_multibyte(prefix: bytes) -> bool:
    """True when ``prefix`` (valid UTF-8) contains any multi-byte sequence."""
    return any(b >= 0x80 for b in prefix)


def _decode_fallback(raw: bytes, *, fallback: str, first_bad: int) -> Decoded | DecodeRefusal:
    where = f"not UTF-8 (first bad byte at {first_bad}, 0x{raw[first_bad]:02x})"
    if fallback == "strict":
        return DecodeRefusal(
            "undecodable",
            f"{where} and ingest.fallback_encoding is 'strict'; re-save it as UTF-8 or set "
            "ingest.fallback_encoding to 'detect' or a codec name",
        )
    if fallback == "detect":
        return _detect(raw, where)
    try:
        return Decoded(raw.decode(fallback), codecs.lookup(fallback).name)
    except UnicodeDecodeError as exc:
        return DecodeRefusal(
            "undecodable",
            f"{where}, and {fallback} fails at byte {exc.start} too; re-save it as UTF-8 or set "
            "ingest.fallback_encoding to the right codec",
        )


# Multi-byte legacy codecs (East Asian): charset-normalizer's choice is trusted for these only,
# as their byte patterns are distinctive; single-byte codecs are chosen by decoding.choose_codec.
_MULTI_BYTE = {"big5", "big5hkscs", "cp932", "cp949", "cp950", "euc_jis_2004", "euc_jp", "euc_kr", "gb18030",
               "gb2312", "gbk", "hz", "iso2022_jp", "iso2022_kr", "johab", "shift_jis", "shift_jis_2004"}  # fmt: skip


def _detect(raw: bytes, where: str) -> Decoded | DecodeRefusal:
    """A codec chosen by the text it gives (:mod:`newsspan.dataset.ingest.decoding`), or refused."""
    from newsspan.dataset.ingest.decoding import choose_codec

    choice = choose_codec(raw)
    if choice.codec is not None and choice.text is not None:
        return Decoded(choice.text, codecs.lookup(choice.codec).name, choice.why)
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    name = codecs.lookup(best.encoding).name.replace("-", "_") if best is not None and best.encoding else None
    if best is not None and name in _MULTI_BYTE and best.chaos < 0.1:
        return Decoded(str(best), codecs.lookup(name).name, f"{name}: charset-normalizer, chaos {best.chaos:.2f}")
    return DecodeRefusal(
        "undecodable",
        f"{where}; no codec reads it as text in one language ({choice.why}); re-save it as UTF-8, or set "
        'ingest.fallback_encoding = "cp1252" (for example) in newsspan.toml if you know its codec',
    )
