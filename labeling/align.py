"""Verifying an exported span's offsets against the document: accept, repair, or refuse.

Offsets are Python code points into the document text, half-open ``[start, end)``. An export's
``value.text`` is a hint, never the truth: Label Studio's UI stores each line break inside a
span as the two characters ``\\n`` and tabs as spaces, and the server validates nothing. The
rules, in order:

1. offsets in range and the text matches (exactly, or in the UI's rendering) → accepted;
2. the document has characters outside the BMP and the offsets read as UTF-16 code units
   match the text → converted to code points (repair ``utf16``);
3. the text differs only by surrounding whitespace → trimmed to it (repair ``trim``);
4. the text is found a few characters away → moved there, nearest first (repair ``shift±N``);
5. anything else (out of range, ``start >= end``, text nowhere near) → refused with both texts.

A span is never moved without a repair note, and a span without exported text is accepted only
when its offsets are in range.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "AlignReason",
    "Aligned",
    "Misaligned",
    "Utf16Index",
    "align_span",
    "code_points_from_utf16",
    "ui_rendering",
]

# why a span is refused (rule 5); each is also a conversion quarantine reason, and mypy checks
# they stay in newsspan.labeling.convert_reasons.ConvertReason, where each is explained
AlignReason = Literal["out_of_range", "empty_span", "text_mismatch"]

_LINE_BREAK = re.compile(r"\r|\n")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class Aligned:
    start: int
    end: int
    repair: str | None = None


@dataclass(frozen=True, slots=True)
class Misaligned:
    reason: AlignReason
    detail: str


def ui_rendering(text: str) -> str:
    """How Label Studio's UI writes ``text`` into ``value.text``: each CR or LF as ``\\n``, tabs as spaces."""
    return _LINE_BREAK.sub(r"\\n", text).replace("\t", " ")


class Utf16Index:
    """UTF-16 offsets of one text, computed once: where its characters outside the BMP are."""

    __slots__ = ("length", "units")

    def __init__(self, text: str) -> None:
        self.length = len(text)
        # the UTF-16 offset of each astral character (it takes two units there)
        self.units = [i + rank for rank, i in enumerate(m.start() for m in _ASTRAL.finditer(text))]

    @property
    def has_astral(self) -> bool:
        return bool(self.units)

    def code_point(self, offset: int) -> int | None:
        """The code-point index of UTF-16 unit ``offset``; None inside a surrogate pair or past the end."""
        before = bisect.bisect_left(self.units, offset)  # astral characters starting before offset
        if before and self.units[before - 1] + 1 == offset:
            return None  # between the two halves of a surrogate pair
        index = offset - before
        return index if 0 <= index <= self.length else None


def code_points_from_utf16(text: str, offset: int) -> int | None:
    """The code-point index of UTF-16 unit ``offset`` in ``text``; None inside a surrogate pair."""
    return Utf16Index(text).code_point(offset)


def _matches(text: str, start: int, end: int, exported: str) -> bool:
    piece = text[start:end]
    return piece == exported or ui_rendering(piece) == exported


def align_span(  # noqa: PLR0911 (one return per documented rule)
    text: str, start: int, end: int, exported: str | None, *, max_shift: int = 16, index: Utf16Index | None = None
) -> Aligned | Misaligned:
    """Check ``[start, end)`` against ``text`` and the exported span text; see the module docstring.

    ``index`` (the text's :class:`Utf16Index`) saves recomputing it for every span of a document.
    """
    in_range = 0 <= start < end <= len(text)
    if exported is None or exported == "":
        if in_range:
            return Aligned(start, end)
        return _refuse(text, start, end, exported)
    if in_range and _matches(text, start, end, exported):
        return Aligned(start, end)
    utf16 = index or Utf16Index(text)
    if utf16.has_astral:
        first, last = utf16.code_point(start), utf16.code_point(end)
        if first is not None and last is not None and first < last and _matches(text, first, last, exported):
            return Aligned(first, last, "utf16")
    stripped = exported.strip()
    if stripped and in_range and text[start:end].strip() == stripped:
        offset = text[start:end].index(stripped)
        return Aligned(start + offset, start + offset + len(stripped), "trim")
    moved = _nearest(text, stripped or exported, start, max_shift)
    if moved is not None:
        return Aligned(moved, moved + len(stripped or exported), f"shift{moved - start:+d}")
    return _refuse(text, start, end, exported)


def _nearest(text: str, needle: str, start: int, max_shift: int) -> int | None:
    if not needle:
        return None
    window_start = max(0, start - max_shift)
    window = text[window_start : start + max_shift + len(needle)]
    found = [window_start + m.start() for m in re.finditer(re.escape(needle), window)]
    found = [f for f in found if abs(f - start) <= max_shift]
    return min(found, key=lambda f: (abs(f - start), f)) if found else None


def _refuse(text: str, start: int, end: int, exported: str | None) -> Misaligned:
    said = "no text" if exported is None else repr(exported[:80])
    if not isinstance(start, int) or not isinstance(end, int) or start < 0 or end > len(text):
        return Misaligned(
            "out_of_range", f"[{start}, {end}) is outside the text (length {len(text)}); export has {said}"
        )
    if start >= end:
        return Misaligned("empty_span", f"[{start}, {end}) is empty or reversed; export has {said}")
    return Misaligned(
        "text_mismatch",
        f"[{start}, {end}) covers {text[start:end][:80]!r} but the export has {said}, and it is not within "
        "a few characters; fix the span in Label Studio and export again",
    )
