"""Is the first line of an article its headline? General signals, no outlet's particular layout.

A headline is short (2–25 words), starts like a title (a capital, a digit, an opening quote, a
letter of a script without case), is one sentence (a full stop inside only in Title Case: two-
sentence headlines are a house style there), is neither a dateline nor boilerplate, and is not
page furniture (a timestamp, a menu entry, a site name above a menu). Most headlines end without
punctuation, or with ``?`` or ``!``. A line that ends with ``.`` could be the article's first
sentence as well: it is the headline only when body text follows. A line that ends with ``;``
continues on the next line (``Headline;`` / ``Second part.``): both make the headline.
:func:`judge_headline` says how many lines make the headline and why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from newsspan.dataset.heuristics.boilerplate import classify_line, word_count
from newsspan.dataset.ingest.dates import is_timestamp_line

__all__ = ["DATELINES", "SENTENCE_BREAK", "HeadlineReason", "HeadlineVerdict", "judge_headline"]

# Kickers that open a headline or a paragraph like a place would ('EXCLUSIVE – ...') are no place.
_KICKERS = r"(?:EXCLUSIVE|BREAKING|WATCH|UPDATE|UPDATED|ANALYSIS|OPINION|LIVE|VIDEO|REVIEW|EDITORIAL|FACT CHECK)"
_PLACE = r"(?!" + _KICKERS + r"\b)(?P<place>[A-Z][A-Z'’.-]+(?:[ /][A-Z][A-Z'’.-]+)*)"
DATELINES = tuple(
    re.compile(pattern)
    for pattern in (
        # SEOUL, June 2. /TASS/.
        _PLACE + r"(?:,\s+[A-Z][a-z]+\.?\s+\d{1,2})?\.?\s*/(?P<agency>[A-Za-z][\w-]{1,20})/\.?\s",
        # SEOUL (Reuters) -
        _PLACE + r"(?:,\s+[A-Z][A-Za-z. ]{1,30})?\s+\((?P<agency>[^()\s][^()]{1,30})\)\s*[-–—]\s",
        # SEOUL -   /   PORT HALDEN, Veldoria -
        _PLACE + r"(?:,\s+[A-Z][A-Za-z. ]{1,30})?\s+[-–—]\s",
    )
)
SENTENCE_BREAK = re.compile(r"(?<![A-Z])(?<!\b[A-Z][a-z])[.!?][\"”’']?\s+[\"“‘']?[A-Z]")
_SENTENCE_END = ".!?;…"
_AMBIGUOUS_END = ".;"  # a headline ending so needs body text below; '?' and '!' end headlines often
_CLOSING = "\"”’')"
_WORD = re.compile(r"\w+")
_BYLINE = re.compile(r"by\s", re.IGNORECASE)
# Title-case abbreviations that a full stop follows inside a headline without ending a sentence.
_ABBREVIATIONS = frozenset(
    "gov sen rep reps pres gen lt col sgt maj capt adm cmdr rev dr mr mrs ms st mt ft jr sr no vs"  # noqa: SIM905  # words read best as one string
    " inc corp co ltd dept univ v jan feb mar apr aug sept sep oct nov dec".split()
)
# Words of a website's interface: a line made only of them is a menu entry, never a headline.
_INTERFACE_WORDS = frozenset(
    "skip to main content navigation nav menu open close toggle sign in up log login logout out"  # noqa: SIM905  # words read best as one string
    " subscribe search home homepage sections section account my register accessibility links link"
    " share print email back top go site map more".split()
)
_TITLE_OPENERS = "\"“‘'[#"
_TITLE_CASE_SHARE = 0.75
MAX_LABELS = 2
_LABEL_MAX_WORDS = 4  # 'ABSTRACT.', 'The Upshot.': a section label between a headline and its body
_NAV_MAX_WORDS = 3  # a site name or menu entry; real headlines are longer, or have a byline under them
_BODY_MIN_WORDS = 8  # a paragraph under a period-final headline: shorter lines are deks or labels
TITLE_MAX_WORDS = 25
TITLE_MAX_CHARS = 200


HeadlineReason = Literal[
    "headline", "two_part_headline", "not_headline_shaped", "timestamp", "navigation", "no_body_below"
]


@dataclass(frozen=True, slots=True)
class HeadlineVerdict:
    """How many lines make the headline (0: none) and why: one of :data:`HeadlineReason`."""

    lines: int
    reason: HeadlineReason


def judge_headline(window: Sequence[str], *, next_adjacent: bool) -> HeadlineVerdict:
    """Whether ``window[0]`` (stripped, non-blank) is a headline, given the non-blank lines under
    it (``window[1:]``, a few suffice); ``next_adjacent`` says no blank line separates the first
    two.

    The line must be headline-shaped (:func:`_is_headline_shaped`) and not page furniture (a
    timestamp, a menu entry, a site name above a menu). A line that ends with ``;`` does not end
    its headline: the line right under it (no blank line between) is the headline's second part
    (``Jobs report lifts Democrats;`` / ``Hourly earnings rise.``), and the title spans both. A
    line that ends with ``.`` may be the article's first sentence as well as a headline (some
    archives end every headline with a period); like a two-part headline it counts only when
    the text below reads as body (:func:`_is_body_like`).
    """
    line, below = window[0], list(window[1:])
    if is_timestamp_line(line):
        return HeadlineVerdict(0, "timestamp")
    if _is_navigation(line, below[:2]):
        return HeadlineVerdict(0, "navigation")
    if not _is_headline_shaped(line):
        return HeadlineVerdict(0, "not_headline_shaped")
    verdict = HeadlineVerdict(1, "headline")
    end = line.rstrip(_CLOSING)[-1:]
    if end == ";" and next_adjacent and below and _is_headline_part(below[0]):
        verdict, line, below = HeadlineVerdict(2, "two_part_headline"), below[0], below[1:]
    if end in _AMBIGUOUS_END and not _is_body_like(below, line):
        return HeadlineVerdict(0, "no_body_below")
    return verdict


def _is_headline_part(line: str) -> bool:
    """The second line of a two-part headline: short, one sentence, not boilerplate."""
    return (
        1 <= word_count(line) <= TITLE_MAX_WORDS
        and len(line) <= TITLE_MAX_CHARS
        and not (_has_period_break(line) and not _is_title_case(line))
        and classify_line(line) is None
    )


def _is_headline_shaped(line: str) -> bool:
    """Short, starts like a title, not a dateline nor boilerplate, and one sentence: a full stop
    inside is allowed only in Title Case, where two-sentence headlines are a house style."""
    words = word_count(line)
    return (
        2 <= words <= TITLE_MAX_WORDS
        and len(line) <= TITLE_MAX_CHARS
        and line[-1] not in ",:"
        and _starts_like_title(line[0])
        and not (_has_period_break(line) and not _is_title_case(line))
        and not any(pattern.match(line + " ") for pattern in DATELINES)
        and classify_line(line) is None
    )


def _starts_like_title(char: str) -> bool:
    """Upper case, a digit, an opening quote, bracket or ``#``, or a letter of a script without
    case (Korean, Chinese, Arabic)."""
    return char.isupper() or char.isdigit() or char in _TITLE_OPENERS or (char.isalpha() and not char.islower())


def _is_title_case(line: str) -> bool:
    """Most words of four letters or more are capitalised ('Senate Finally Confirms A Judge')."""
    long_words = [w for w in _WORD.findall(line) if len(w) >= 4 and not w.isdigit()]
    capitalised = sum(1 for w in long_words if w[0].isupper())
    return bool(long_words) and capitalised >= _TITLE_CASE_SHARE * len(long_words)


def _has_period_break(line: str) -> bool:
    """A full stop followed by a new capitalised word inside ``line``, not after an abbreviation
    (``Gov. Mike Pence``, ``U.S. Senate``, ``Roe v. Wade``)."""
    for match in SENTENCE_BREAK.finditer(line):
        if line[match.start()] != ".":
            continue  # 'Why? Five reasons' and 'Yes! It works' are common headline shapes
        before = line[: match.start()].rsplit(None, 1)
        if not before or before[-1].lstrip(_TITLE_OPENERS + "(").casefold() not in _ABBREVIATIONS:
            return True
    return False


def _is_body_like(below: list[str], headline: str) -> bool:
    """The text under a headline that ends like a sentence reads as body.

    Body is a dateline paragraph, or a sentence of at least ``_BODY_MIN_WORDS`` words (ending
    with terminal punctuation, a closing quote or a colon) longer than the headline, unless the
    headline is in Title Case (a sentence is not). Up to ``MAX_LABELS`` short lines may stand
    between them: a section label (``ABSTRACT.``), a share-bar label, a dek, a one-line lede.
    """
    head = word_count(headline)
    for paragraph in below[: 1 + MAX_LABELS]:
        if classify_line(paragraph) is not None:
            if word_count(paragraph) <= _LABEL_MAX_WORDS:
                continue  # a share bar or widget label between headline and body
            return False
        if any(pattern.match(paragraph) for pattern in DATELINES):
            return True
        words = word_count(paragraph, at_most=max(_BODY_MIN_WORDS, head + 1, TITLE_MAX_WORDS + 1))
        sentence = paragraph[-1] in _SENTENCE_END + _CLOSING + ":"
        if sentence and words >= _BODY_MIN_WORDS and (words > head or _is_title_case(headline)):
            return True
        if words > TITLE_MAX_WORDS:
            return False  # a long line that is no sentence: not an article's body
    return False


def _is_navigation(line: str, below: list[str]) -> bool:
    """A menu entry (only interface words: 'Skip to main content', 'Sign in'), or a short name
    at the top of a run of short lines (a site name above its menu). A byline under a short
    headline does not make a run."""
    words = _WORD.findall(line)
    if words and all(word.casefold() in _INTERFACE_WORDS for word in words):
        return True
    if word_count(line) > _NAV_MAX_WORDS or len(below) < 2:
        return False
    return all(word_count(b) <= _NAV_MAX_WORDS and not _BYLINE.match(b) and b[-1] not in _SENTENCE_END for b in below)
