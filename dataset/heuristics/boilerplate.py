"""Line-level rules that recognise boilerplate lines in scraped article text.

Each rule is a small, explainable predicate over one line: ingest uses them to tell an article
from a file that holds nothing but promos and widget text, and pre-annotation builds its
boilerplate spans on them. The signals are general (line shape, imperative promo wording,
truncated teasers, widget vocabulary), not phrases copied from particular outlets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, Final

from newsspan.dataset.config import PreannotateOptions
from newsspan.dataset.heuristics.proposals import DEFAULTS, Proposal

__all__ = ["RULES", "BoilerplateRule", "classify_line", "detect_boilerplate", "find_credit", "word_count"]

_WORD = re.compile(r"\w+(?:['’]\w+)*")

_PROMO_VERB = re.compile(
    r"^(?:join|subscribe|sign\s+up|follow|download|get|publish|click|tap|try|explore|watch|listen|"
    r"register|like|share|read\s+more|don['’]t\s+miss|never\s+miss|stay\s+(?:informed|up\s+to\s+date)|"
    r"support|become\s+a|install)\b",
    re.IGNORECASE,
)
_PROMO_NOUN = re.compile(
    r"\b(?:newsletters?|channels?|e-?mails?|apps?|subscri\w*|updates|alerts|podcasts?|feeds?|telegram|"
    r"whatsapp|briefings?|features|news\s+release|inbox|premium|membership|notifications?|digest|roundup|"
    r"bulletin)\b",
    re.IGNORECASE,
)
_WIDGETS = re.compile(
    r"^(?:comments?|no\s+comments\s+yet\b[^\n]{0,60}|be\s+the\s+first\s+to\s+comment\.?|hashtags?|tags?|"
    r"share(?:\s+this(?:\s+article)?)?|"
    r"related(?:\s+(?:articles?|stories|news|coverage))?|read\s+(?:more|next|also)|advertisement|"
    r"most\s+(?:read|popular|viewed)|trending(?:\s+now)?|more\s+information|see\s+also|"
    r"recommended(?:\s+for\s+you)?|print|email|top\s+stories|latest(?:\s+news)?|you\s+may\s+also\s+like)"
    r"[\s:.…]*$",
    re.IGNORECASE,
)
_HASHTAGS = re.compile(r"^#\w+(?:\s+#\w+)*$")
# A heading after which the page lists other stories: everything below it is related content.
_RELATED_HEADING = re.compile(
    r"^(?:related(?:\s+(?:articles?|stories|news|coverage))?|read\s+(?:more|next|also)|more\s+(?:from|on|stories)\b.*|"
    r"you\s+may\s+also\s+like|recommended(?:\s+for\s+you)?|see\s+also|most\s+(?:read|popular|viewed))[\s:.…]*$",
    re.IGNORECASE,
)
_CREDIT_LINE = re.compile(
    r"^\(\s*(?:(?:with\s+)?(?:inputs?|additional\s+reporting|reporting)\s+(?:from|by)\s+|source:\s*)?"
    r"(?P<agency>[^()]{2,60}?)\s*\)$",
    re.IGNORECASE,
)
_NOT_A_CREDIT = re.compile(r"^(?:photo|image|file|video|picture|graphic)s?\b", re.IGNORECASE)
_TRAILING_CREDIT = re.compile(r"[.!?\"”’']\s+(?P<agency>[A-Z][A-Z&-]{1,19}(?:/[A-Z][A-Z&-]{1,19})*)$")
_AGENCY_LAST: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ&-")  # what _TRAILING_CREDIT can end with
# A caption ends with its photo credit: "... 2024. (AP)", "PHOTO: REUTERS", "REUTERS/Stringer".
_CAPTION_CREDIT = re.compile(r"(?:[.!?]\s*\([^()]{2,30}\)|\bPHOTO:\s*\S.*|\b[A-Z]{2,}/[A-Z][a-z]\w*.*)$")
_SHORT_LINE_WORDS = 8


def word_count(line: str, at_most: int | None = None) -> int:
    """Words in ``line``: runs of word characters, apostrophes inside words kept.

    With ``at_most`` the count stops there (``min(count, at_most)``): a threshold test on a long
    paragraph then reads only its first words.
    """
    if at_most is None:
        return len(_WORD.findall(line))
    return sum(1 for _ in islice(_WORD.finditer(line), max(at_most, 0)))


def find_credit(line: str) -> tuple[str, int, int] | None:
    """The agency a credit line names, as written, with its [start, end) in ``line``.

    Two shapes count: a line that is one parenthetical ('(With inputs from Reuters)' gives
    'Reuters'), and a paragraph that ends, after its last sentence, with an all-caps agency
    ('... said state media. REUTERS'). Photo and image credits are not agency credits.
    """
    stripped = line.strip()
    match = _CREDIT_LINE.match(stripped) if stripped.startswith("(") else None
    if match is not None and not _NOT_A_CREDIT.match(match["agency"]):
        offset = len(line) - len(line.lstrip())
        return match["agency"], offset + match.start("agency"), offset + match.end("agency")
    if stripped[-1:] not in _AGENCY_LAST:  # no trailing agency can end here: skip the search
        return None
    tail = line.rstrip()
    offset = max(0, len(tail) - 48)  # the credit is the last word: search only the line's end
    trailing = _TRAILING_CREDIT.search(tail, offset)
    if trailing is not None and word_count(line) > _SHORT_LINE_WORDS:
        return trailing["agency"], trailing.start("agency"), trailing.end("agency")
    return None


@dataclass(frozen=True, slots=True)
class BoilerplateRule:
    """A named rule: the label it assigns and the predicate over one stripped line."""

    name: str
    label: str
    matches: Callable[[str, PreannotateOptions], bool]


def _is_promo(line: str, options: PreannotateOptions) -> bool:
    return bool(_PROMO_VERB.match(line) and _PROMO_NOUN.search(line)) and word_count(line) <= options.promo_max_words


def _is_widget(line: str, options: PreannotateOptions) -> bool:
    return len(line) <= options.widget_max_chars and bool(_WIDGETS.match(line) or _HASHTAGS.match(line))


def _is_teaser(line: str, options: PreannotateOptions) -> bool:
    return line.endswith(("...", "…")) and word_count(line) >= options.teaser_min_words


def _is_credit_line(line: str, options: PreannotateOptions) -> bool:
    match = _CREDIT_LINE.match(line) if line.startswith("(") else None
    return match is not None and not _NOT_A_CREDIT.match(match["agency"])


def _is_caption(line: str, options: PreannotateOptions) -> bool:
    if not (line.endswith(")") or "PHOTO:" in line or "/" in line):
        return False
    credit = _CAPTION_CREDIT.search(line[-120:]) and not _TRAILING_CREDIT.search(line)
    return bool(credit) and word_count(line) >= options.caption_min_words


RULES: Final[tuple[BoilerplateRule, ...]] = (
    BoilerplateRule("promo_imperative", "PROMO", _is_promo),
    BoilerplateRule("widget_text", "NAVIGATION", _is_widget),
    BoilerplateRule("credit_line", "CREDIT", _is_credit_line),
    BoilerplateRule("truncated_teaser", "RELATED", _is_teaser),
    BoilerplateRule("caption_credit", "CAPTION", _is_caption),
)


def classify_line(line: str, options: PreannotateOptions = DEFAULTS) -> BoilerplateRule | None:
    """The first rule that matches ``line`` (stripped), or None for article text."""
    stripped = line.strip()
    if not stripped:
        return None
    for rule in RULES:
        if rule.matches(stripped, options):
            return rule
    return None


def detect_boilerplate(
    text: str, *, metadata_spans: Sequence[tuple[str, int, int]] = (), options: PreannotateOptions = DEFAULTS
) -> list[Proposal]:
    """Boilerplate spans of one article, each with the rule that fired.

    Line rules label promos, widget text, credit lines, teasers and captions. Metadata the
    article prints about itself (outlet line, timestamp line, ``date`` prefix; from
    ``meta_spans``) is METADATA. The article ends at its agency credit: after it, every line
    that no other rule labels belongs to another story (RELATED), and runs of such lines merge
    into one span. Headlines, deks and section headings are never boilerplate.
    """
    lines = _lines(text)
    proposals: list[Proposal] = []
    metadata = {field: (start, end) for field, start, end in metadata_spans}
    for field in ("outlet", "published"):
        if field in metadata:
            proposals.append(_metadata(text, lines, *metadata[field], field))
    covered = {p.start for p in proposals}
    tail_from = _article_end(text, lines, metadata.get("agency"), proposals)
    related: list[tuple[int, int, str]] = []
    for start, line in lines:
        stripped = line.strip()
        if not stripped or start in covered:
            continue
        lead = len(line) - len(line.lstrip())
        rule = classify_line(stripped, options)
        if rule is not None and rule.label == "NAVIGATION" and _RELATED_HEADING.match(stripped):
            tail_from = min(tail_from, start + len(line) + 1) if tail_from is not None else start + len(line) + 1
        if rule is not None and rule.label != "RELATED":
            proposals.append(Proposal(rule.label, start + lead, start + lead + len(stripped), rule.name))
        elif rule is not None or (tail_from is not None and start >= tail_from):
            related.append((start + lead, start + lead + len(stripped), rule.name if rule else "after_article_end"))
    proposals.extend(_merge_related(text, related))
    return sorted(proposals, key=lambda p: (p.start, p.end))


def _lines(text: str) -> list[tuple[int, str]]:
    found, start = [], 0
    for line in text.split("\n"):
        found.append((start, line))
        start += len(line) + 1
    return found


def _metadata(text: str, lines: list[tuple[int, str]], start: int, end: int, field: str) -> Proposal:
    """A metadata value as a span: the whole line when it stands alone, else the value (with a
    leading 'date' keyword)."""
    for line_start, line in lines:
        if line_start <= start < line_start + len(line) + 1:
            lead = len(line) - len(line.lstrip())
            if text[line_start + lead : line_start + len(line.rstrip())] == text[start:end]:
                return Proposal("METADATA", start, end, f"metadata_{field}_line")
            prefix = re.match(r"\s*date\s+", line, re.IGNORECASE)
            if prefix is not None and line_start + prefix.end() == start:
                return Proposal("METADATA", line_start + lead, end, "metadata_date_prefix")
    return Proposal("METADATA", start, end, f"metadata_{field}")


def _article_end(
    text: str, lines: list[tuple[int, str]], agency: tuple[int, int] | None, proposals: list[Proposal]
) -> int | None:
    """Where the article's copy ends: after its agency credit (a credit line, or a trailing
    all-caps agency after the last sentence). None when the article has no end credit."""
    if agency is None:
        return None
    for line_start, line in lines:
        if line_start <= agency[0] < line_start + len(line) + 1:
            credit = find_credit(line)
            if credit is None:
                return None  # the agency came from the dateline, not from an end credit
            if not _CREDIT_LINE.match(line.strip()):
                proposals.append(Proposal("CREDIT", agency[0], agency[1], "trailing_credit"))
            return line_start + len(line) + 1
    return None


def _merge_related(text: str, spans: list[tuple[int, int, str]]) -> list[Proposal]:
    """Runs of related-article lines (teasers, other stories) separated only by blank lines
    become one RELATED span; its rule names the rules of its lines."""
    merged: list[list[Any]] = []
    for start, end, rule in spans:
        if merged and not text[merged[-1][1] : start].strip():
            merged[-1][1] = end
            merged[-1][2].add(rule)
        else:
            merged.append([start, end, {rule}])
    return [Proposal("RELATED", start, end, "+".join(sorted(rules))) for start, end, rules in merged]
