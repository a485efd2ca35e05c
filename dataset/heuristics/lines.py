"""Line features: what a line of plain text looks like, cheaply, for the boilerplate decision.

A scraped page is one visible block per line. Boilerplate and article differ in shape more than in
wording, the way jusText (Pomikálek, 2011) tells them apart in HTML: article paragraphs are long
and dense in stop words ("the", "of", "that"), menus and widgets are short lines of nouns. Each line
gets jusText's class from its length and stop-word density (jusText's own English stoplist):
``good`` (long, stop-word dense), ``near`` (stop-word dense but not long), ``short`` (too short
to tell) or ``bad``; :mod:`~newsspan.dataset.heuristics.blocks` revises the classes from the
neighbours. Per-line work is a handful of compiled regexes and one set lookup per word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Final, Literal

from newsspan.dataset.config import PreannotateOptions

__all__ = ["Line", "LineClass", "content_words", "is_headline_shaped", "normalize_line", "split_lines", "word_count"]

LineClass = Literal["good", "near", "short", "bad"]

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_SENTENCE_END = re.compile(
    r"[.!?…。！？][\"”’')\]」』）]*(?:\s*[\u2600-\u27bf\U0001f300-\U0001faff])*$|[.!?][\"”’']?\s+[A-Z\"“‘]"
)
# Chinese and Japanese write no spaces: a run of their characters is one \w+ token, so every two
# of them count as a word more (Korean spaces its words and needs none).
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_LETTER = re.compile(r"[^\W\d_]")
_NORMALIZE = re.compile(r"[\W_]+")
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"  # zero-width characters: a line of them alone is blank
_CLOSERS = "\"”’')]»"  # closing quotes and brackets after a sentence's last stop


def word_count(line: str, at_most: int | None = None) -> int:
    """Words in ``line``: runs of word characters, apostrophes inside words kept.

    With ``at_most`` the count stops there (``min(count, at_most)``): a threshold test on a long
    paragraph then reads only its first words.
    """
    if at_most is None:
        return len(_WORD.findall(line))
    return sum(1 for _ in islice(_WORD.finditer(line), max(at_most, 0)))


@lru_cache(maxsize=1)
def stoplist() -> frozenset[str]:
    """jusText's English stop words, lower-cased (imported on first use: jusText pulls in lxml)."""
    import justext  # type: ignore[import-untyped]  # jusText ships no type hints

    return frozenset(word.casefold() for word in justext.get_stoplist("English"))


@dataclass(frozen=True, slots=True)
class Line:
    """One non-blank line: ``[start, end)`` of its stripped text, its shape and jusText class."""

    index: int  # position among the document's non-blank lines
    start: int
    end: int
    text: str
    words: int
    stop_density: float  # stop words / words
    sentence: bool  # ends like a sentence, or holds a sentence break
    cls: LineClass

    @property
    def is_prose(self) -> bool:
        """Sentence-like prose: jusText would keep it on its own (good, or near-good and a sentence)."""
        return self.cls == "good" or (self.cls == "near" and self.sentence)


def split_lines(text: str, options: PreannotateOptions) -> list[Line]:
    """The non-blank lines of ``text`` with their features, in order (a line of zero-width
    spaces, a blog's paragraph spacer, is blank)."""
    stop = stoplist()
    found: list[Line] = []
    start = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped.strip(_INVISIBLE):
            lead = start + len(raw) - len(raw.lstrip())
            found.append(_line(len(found), lead, stripped, stop, options))
        start += len(raw) + 1
    return found


def _line(index: int, start: int, text: str, stop: frozenset[str], options: PreannotateOptions) -> Line:
    tokens = _WORD.findall(text[:2000])  # the density of a long paragraph shows in its first 2,000 characters
    density = sum(1 for token in tokens if token.casefold() in stop) / len(tokens) if tokens else 0.0
    cjk = 0 if text.isascii() else len(_CJK.findall(text[:2000]))
    extra = cjk // 2
    sentence = bool(_SENTENCE_END.search(text[-400:])) and len(tokens) + extra >= options.sentence_min_words
    # The stoplist is English: a line mostly in Chinese or Japanese is judged by its sentence
    # shape alone, its length counted with a word more every two characters.
    cls = (
        _classify(text, density, sentence, options)
        if 2 * cjk < len(text)
        else _classify_cjk(text, cjk, sentence, options)
    )
    return Line(index, start, start + len(text), text, word_count(text) + extra, density, sentence, cls)


def _classify(text: str, density: float, sentence: bool, options: PreannotateOptions) -> LineClass:
    """jusText's context-free class from length (characters) and stop-word density.

    Plain text has no link density, jusText's surest sign of a menu, so a line that reads as a
    sentence is near-good down to ``sentence_stopwords_min`` (names and figures lower the share).
    """
    if "©" in text or text.casefold().startswith("copyright"):
        return "bad"
    if len(text) < options.length_low:
        return "short"
    if density >= options.stopwords_high:
        return "good" if len(text) > options.length_high else "near"
    low = options.sentence_stopwords_min if sentence else options.stopwords_low
    return "near" if density >= low else "bad"


def _classify_cjk(text: str, cjk: int, sentence: bool, options: PreannotateOptions) -> LineClass:
    if len(text) + cjk < options.length_low:
        return "short"
    if not sentence:
        return "bad"
    return "good" if len(text) + cjk > options.length_high else "near"


def normalize_line(text: str) -> str:
    """A line's key for repetition: lower-cased words, punctuation and spacing dropped."""
    return _NORMALIZE.sub(" ", text.casefold()).strip()


def content_words(text: str) -> set[str]:
    """Lower-cased words of four letters or more that are not stop words (a text's topic)."""
    stop = stoplist()
    return {w for w in (t.casefold() for t in _WORD.findall(text)) if len(w) >= 4 and w not in stop and not w.isdigit()}


def is_headline_shaped(text: str, *, min_words: int, max_words: int) -> bool:
    """A headline: a few words, starts with a capital, digit or quote, does not end like a sentence."""
    words = word_count(text, at_most=max_words + 1)
    return (
        min_words <= words <= max_words
        and text.rstrip(_CLOSERS)[-1:] not in ".,;:!?…"
        and (text[0].isupper() or text[0].isdigit() or text[0] in "\"“‘'")
        and bool(_LETTER.search(text))
    )


WORD: Final = _WORD  # the word pattern, for modules that count words themselves
