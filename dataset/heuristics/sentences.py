"""Sentence boundaries for the quote rules and the ``ner`` config, in one place so a maintained
splitter can replace it.

A sentence ends at ``.``, ``!`` or ``?`` (followed by any closing marks: ``.”`` ends the
sentence it closes) before whitespace and a capital, a digit or an opening mark, and at every
line break. A period after an abbreviation or title ("Rep.", "Gov.", "Dr."), an initial ("A.B.")
or a dotted acronym ("U.S.") does not end a sentence; a decimal ("3.5") has no space after it.
Offsets are Python code points.
"""

from __future__ import annotations

import re
from bisect import bisect_right

__all__ = ["ABBREVIATIONS", "Sentences"]

_ABBREVIATIONS_WORDS = """
mr mrs ms messrs dr prof rep reps sen sens gov lt gen col sgt capt cmdr adm maj cpl pvt rev hon pres
supt atty amb insp det gens st jr sr mt ft no vs etc inc co corp ltd bros dept univ jan feb mar apr
aug sep sept oct nov dec ariz calif colo conn fla ill ind kan mass mich minn miss nev okla ore penn
tenn wash wis
"""
ABBREVIATIONS = frozenset(_ABBREVIATIONS_WORDS.split())
_END = re.compile(r"[.!?]+[”’\"')\]]*(?=\s+[“‘\"'(\[`]*[A-Z0-9])|\n")
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the period at ``dot`` closes an abbreviation, an initial or a dotted acronym."""
    word = _WORD_BEFORE.search(text, max(0, dot - 20), dot + 1)
    if word is None:
        return False
    token = word.group(1)
    return token.lower() in ABBREVIATIONS or (len(token) == 1 and token.isupper()) or "." in token


class Sentences:
    """The sentence starts of one text, for looking up the sentence around an offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        for match in _END.finditer(text):
            if match.group() != "\n" and match.group()[0] == "." and _is_abbreviation(text, match.start()):
                continue
            starts.append(match.end() if match.group() == "\n" else _skip_space(text, match.end()))
        self.starts = starts

    def spans(self) -> list[tuple[int, int]]:
        """``[start, end)`` of every sentence, in order (the space between sentences belongs to
        the one before; line breaks end a sentence and belong to none)."""
        ends = [*self.starts[1:], len(self.text)]
        return [(start, end) for start, end in zip(self.starts, ends, strict=True) if start < end]

    def start(self, pos: int) -> int:
        """Where the sentence holding offset ``pos`` begins."""
        return self.starts[bisect_right(self.starts, pos) - 1]

    def end(self, pos: int) -> int:
        """Where the sentence holding offset ``pos`` ends (exclusive; before the next one's space)."""
        index = bisect_right(self.starts, pos)
        if index >= len(self.starts):
            return len(self.text)
        return self.starts[index]


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos
