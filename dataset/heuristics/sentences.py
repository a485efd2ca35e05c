"""Sentence boundaries for the quote rules and the ``ner`` config, in one place so a maintained
splitter can replace it.

Two splitters stand behind :class:`Sentences`: ``"nupunkt"`` (the maintained Punkt library, used
when it is importable) and ``"rules"`` (the rules below, used when it is not, or when asked for).
:func:`use_splitter` sets the module default, :func:`default_splitter` names the one in use.

Rules: a sentence ends at ``.``, ``!`` or ``?`` (followed by any closing marks: ``.”`` ends the
sentence it closes) before whitespace and a capital, a digit or an opening mark, and at every
line break. A period after an abbreviation or title ("Rep.", "Gov.", "Dr."), an initial ("A.B.")
or a dotted acronym ("U.S.") does not end a sentence; a decimal ("3.5") has no space after it.

nupunkt's boundaries are combined with the line breaks (it does not end a sentence at one) and
corrected with :data:`ABBREVIATIONS`: no sentence starts with a lowercase word ("pct. of the
vote"), none ends at a title ("Lt. Gen. Smith") or an initial ("Rep. A. Name"), and none ends
at another listed abbreviation before a digit ("Dec. 14"). Other abbreviations ("Inc.", "Jr.")
keep nupunkt's decision, which sees whether the next word usually starts sentences. A period
after an ordinary lowercase word before a capital always ends a sentence: Punkt's orthographic
heuristic misses it when the next word is a name ("restrictions on fish. Ostrava's minister").

On both paths a dotted acronym before a capitalised word ends a sentence only if that word is a
common sentence opener (:data:`_OPENERS`): "the U.S. Senate" stays one sentence, the ambiguous
"He moved to the U.S. Then he left." is two.

Offsets are Python code points.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from types import ModuleType

__all__ = [
    "ABBREVIATIONS",
    "SPLITTERS",
    "TITLES",
    "Sentences",
    "SplitterUnavailableError",
    "default_splitter",
    "use_splitter",
]

SPLITTERS = ("nupunkt", "rules")
_INSTALL = "pip install nupunkt"

_TITLE_WORDS = """
mr mrs ms messrs dr prof rep reps sen sens gov govs lt gen col sgt capt cmdr adm maj cpl pvt rev hon
pres supt atty amb insp det gens st
"""
_ABBREVIATIONS_WORDS = """
jr sr mt ft no vs etc inc co corp ltd bros dept univ jan feb mar apr aug sep sept oct nov dec ariz
calif colo conn fla ill ind kan mass mich minn miss nev okla ore penn tenn wash wis
"""
# Titles go before a name, so a period after one never ends a sentence on either path.
TITLES = frozenset(_TITLE_WORDS.split())
ABBREVIATIONS = TITLES | frozenset(_ABBREVIATIONS_WORDS.split())
# Words that commonly open a sentence: after a dotted acronym ("U.S.") they start a new one.
_OPENER_WORDS = """
A An The He She It They We I You His Her Its Their Our My This That These Those There Then But And
Or So Yet Now Still Also In On At For If When While As After Before Since Although Though However
What Who Why How Where No Yes
"""
_OPENERS = frozenset(_OPENER_WORDS.split())
_END = re.compile(r"[.!?]+[”’\"')\]]*(?=\s+[“‘\"'(\[`]*[A-Z0-9])|\n")
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")
_NEXT_WORD = re.compile(r"[“‘\"'(\[`]*(\w*)")
_NEWLINE = re.compile(r"\n")
# a period after an ordinary lowercase word, before a capital: a boundary Punkt's orthographic
# heuristic misses when the next word is a name
_WORD_END = re.compile(r"(?<![\w.’'-])([a-z]{2,})\.[”’\"')\]]*(?=\s+[“‘\"'(\[`]*[A-Z])")
_NO_START = frozenset(")]},;:―—–-")  # nupunkt splits "(I-Vt.|)" and "“Safe.” | — Lena Voss"

_default: str | None = None


class SplitterUnavailableError(ImportError):
    """The ``"nupunkt"`` splitter was asked for but the library is not installed."""


def _nupunkt() -> ModuleType | None:
    """The nupunkt module, or None when it cannot be imported (looked up each time: cheap)."""
    try:
        import nupunkt
    except ImportError:
        return None
    return nupunkt


def _check(name: str) -> ModuleType | None:
    if name not in SPLITTERS:
        raise ValueError(f"unknown sentence splitter {name!r}; expected one of {', '.join(SPLITTERS)}")
    if name != "nupunkt":
        return None
    module = _nupunkt()
    if module is None:
        raise SplitterUnavailableError(
            f"the 'nupunkt' sentence splitter needs the nupunkt library: {_INSTALL} (or use splitter='rules')"
        )
    return module


def use_splitter(name: str | None) -> None:
    """Set the module's default splitter (``"nupunkt"`` or ``"rules"``); None goes back to
    nupunkt when importable, else the rules."""
    global _default  # noqa: PLW0603 - one module-wide setting, for benchmarks and callers
    if name is not None:
        _check(name)
    _default = name


def default_splitter() -> str:
    """The name of the splitter ``Sentences(text)`` uses now."""
    if _default is not None:
        return _default
    return "nupunkt" if _nupunkt() is not None else "rules"


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the period at ``dot`` closes an abbreviation, an initial or a dotted acronym
    followed by a word that does not open sentences."""
    word = _WORD_BEFORE.search(text, max(0, dot - 20), dot + 1)
    if word is None:
        return False
    token = word.group(1)
    if token.lower() in ABBREVIATIONS or (len(token) == 1 and token.isupper()):
        return True
    return "." in token and _next_word(text, _skip_all_space(text, dot + 1)) not in _OPENERS


def _next_word(text: str, pos: int) -> str:
    """The word at ``pos``, past any opening marks ("" when none)."""
    match = _NEXT_WORD.match(text, pos)
    return match.group(1) if match else ""


def _nupunkt_joins(text: str, end: int, start: int) -> bool:
    """Whether nupunkt's boundary (content ending at ``end``, next sentence at ``start``) is one
    of its known mistakes, to be merged."""
    following = _next_word(text, start)
    if following[:1].islower() or text[start] in _NO_START:
        return True  # no sentence starts lowercase ("3.5 pct. of the vote", "“Will we?” he asked") or at ")"
    if text[end - 1] != ".":
        return False  # "!", "?" or a closing mark: ".”" ends the sentence it closes
    word = _WORD_BEFORE.search(text, max(0, end - 21), end)
    if word is None:
        return False
    token = word.group(1)
    lower = token.lower()
    if lower in TITLES or (len(token) == 1 and token.isupper() and following[:1].isupper()):
        return True  # "Lt. Gen. Smith", "Rep. A. Name"
    if lower in ABBREVIATIONS:
        return following[:1].isdigit()  # "Dec. 14", "No. 1"; "Acme Inc. The firm" keeps nupunkt's split
    return "." in token and following[:1].isupper() and following not in _OPENERS  # "U.S. Ambassador"


def _rule_starts(text: str, begin: int, end: int) -> list[int]:
    """The rules' sentence starts inside one line ``text[begin:end]``, ``begin`` first."""
    starts = [begin]
    for match in _END.finditer(text, begin, end):
        if match.group() != "\n" and match.group()[0] == "." and _is_abbreviation(text, match.start()):
            continue
        starts.append(_skip_space(text, match.end()))
    return starts


def _nupunkt_starts(text: str, begin: int, end: int, module: ModuleType) -> list[int]:
    """nupunkt's sentence starts inside one line ``text[begin:end]``, corrected, ``begin`` first."""
    starts = {begin}
    for offset, _ in module.sent_spans(text[begin:end]):
        start = begin + offset
        if start <= begin:
            continue
        stop = start  # nupunkt's span keeps the whitespace after it: back over it to the content
        while stop > begin and text[stop - 1].isspace():
            stop -= 1
        if stop > begin and not _nupunkt_joins(text, stop, start):
            starts.add(_skip_space(text, stop))  # as the rules: spaces and tabs go to the sentence before
    starts.update(  # Punkt keeps "on Veldorian fish. Ostrava's minister" together (a name follows)
        _skip_space(text, match.end())
        for match in _WORD_END.finditer(text, begin, end)
        if match.group(1) not in ABBREVIATIONS
    )
    return sorted(starts)


class Sentences:
    """The sentence starts of one text, for looking up the sentence around an offset.

    ``splitter`` is ``"nupunkt"`` or ``"rules"``; None uses :func:`default_splitter`. Every line
    break ends a sentence, so lines are split apart and only when asked: the quote rules read
    the sentences around quotes, not the whole text.
    """

    def __init__(self, text: str, splitter: str | None = None) -> None:
        self.text = text
        self.splitter = default_splitter() if splitter is None else splitter
        self._module = _check(self.splitter)
        self._lines = [0, *(match.end() for match in _NEWLINE.finditer(text))]
        self._split: dict[int, list[int]] = {}

    def _line(self, index: int) -> list[int]:
        """The sentence starts of line ``index`` (its own start first)."""
        found = self._split.get(index)
        if found is None:
            begin = self._lines[index]
            end = self._lines[index + 1] - 1 if index + 1 < len(self._lines) else len(self.text)
            if self._module is None:
                found = _rule_starts(self.text, begin, end)
            else:
                found = _nupunkt_starts(self.text, begin, end, self._module)
            self._split[index] = found
        return found

    @property
    def starts(self) -> list[int]:
        """Every sentence start, in order, from 0."""
        return [start for index in range(len(self._lines)) for start in self._line(index)]

    def spans(self) -> list[tuple[int, int]]:
        """``[start, end)`` of every sentence, in order (the space between sentences belongs to
        the one before; a line break ends a sentence and belongs to the one it ends)."""
        starts = self.starts
        ends = [*starts[1:], len(self.text)]
        return [(start, end) for start, end in zip(starts, ends, strict=True) if start < end]

    def start(self, pos: int) -> int:
        """Where the sentence holding offset ``pos`` begins."""
        starts = self._line(bisect_right(self._lines, pos) - 1)
        return starts[bisect_right(starts, pos) - 1]

    def end(self, pos: int) -> int:
        """Where the sentence holding offset ``pos`` ends (exclusive: the next sentence's start,
        after the space or the line break between them)."""
        line = bisect_right(self._lines, pos) - 1
        starts = self._line(line)
        index = bisect_right(starts, pos)
        if index < len(starts):
            return starts[index]
        return self._lines[line + 1] if line + 1 < len(self._lines) else len(self.text)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _skip_all_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos
