"""Metadata from the messy head and tail of scraped article text.

Reads what the article itself prints, and nothing else: an outlet line (``RT.com``), a timestamp
line (``02 Jun 2025, 16:15 GMT+10``), a ``date 2025-06-02`` prefix, the headline and the dek
under it, a dateline (``SEOUL, June 2. /TASS/.``, ``SEOUL -``, ``SEOUL (Reuters) -``) and the
agency credit that ends the article (``(RT.com)``, ``(With inputs from Reuters)``, a trailing
``REUTERS``). A field the text does not state stays None; nothing is guessed. Every field keeps
the ``[start, end)`` code-point span it came from; for text fields ``text[start:end]`` is the
value itself (a two-part headline keeps its line break). Outlet and agency are read as printed;
ingest stores their canonical names (:mod:`newsspan.dataset.ingest.outlets`). When the headline
is the headline: :mod:`newsspan.dataset.ingest.headlines`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from newsspan.dataset.heuristics.boilerplate import classify_line, find_credit, word_count
from newsspan.dataset.ingest.dates import PublishedDate, find_date_expression
from newsspan.dataset.ingest.headlines import (
    DATELINES,
    MAX_LABELS,
    SENTENCE_BREAK,
    judge_headline,
)

__all__ = ["ArticleMetadata", "MetaField", "extract_metadata"]


@dataclass(frozen=True, slots=True)
class MetaField:
    """A metadata value and the ``[start, end)`` of the text it was read from."""

    value: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ArticleMetadata:
    title: MetaField | None = None
    dek: MetaField | None = None
    outlet: MetaField | None = None
    agency: MetaField | None = None
    dateline: MetaField | None = None
    published: PublishedDate | None = None
    header_lines: tuple[int, ...] = field(default=())  # indices of pure metadata lines
    # True when ``agency`` came from the dateline in an agency's own style (``/TASS/.``,
    # ``(Reuters) -``): the copy is the agency's, not a credit at the end of another outlet's story
    agency_in_dateline: bool = False

    def spans(self) -> list[tuple[str, int, int]]:
        """(field, start, end) for every field found, in field order."""
        found: list[tuple[str, int, int]] = []
        for name in ("title", "dek", "outlet", "agency", "dateline"):
            value: MetaField | None = getattr(self, name)
            if value is not None:
                found.append((name, value.start, value.end))
        if self.published is not None:
            found.append(("published", self.published.start, self.published.end))
        return found


class _Line(NamedTuple):  # a tuple: one per line of every article, cheaper to build than a dataclass
    start: int
    text: str

    @property
    def stripped(self) -> str:
        return self.text.strip()


_DATE_PREFIX = re.compile(r"\s*date\s+", re.IGNORECASE)
_DOMAIN = re.compile(r"(?:www\.)?[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.[a-z]{2,6}")
_SEPARATOR = re.compile(r"[-–—*_=•·~]{1,10}")
_DEK_MAX_WORDS = 60
_OUTLET_MAX_WORDS = 4


def extract_metadata(text: str) -> ArticleMetadata:
    """Read the metadata an article prints about itself; see the module docstring."""
    lines = _split_lines(text)
    content = [i for i, line in enumerate(lines) if line.text and not line.text.isspace()]  # non-blank
    if not content:
        return ArticleMetadata()
    found: dict[str, object] = {}
    header: list[int] = []
    cursor = 0  # index into `content`

    first = lines[content[0]]
    prefix = _DATE_PREFIX.match(first.text)
    if prefix is not None:
        published = find_date_expression(text, pos=first.start + prefix.end())
        if published is not None:
            found["published"] = published
            return _finish(text, lines, content, found, header, cursor, _skip_spaces(text, published.end))

    if _is_outlet_line(lines, content, cursor):
        found["outlet"] = _whole_line(first)
        header.append(content[cursor])
        cursor += 1
    if cursor < len(content):
        line = lines[content[cursor]]
        stamp = find_date_expression(line.text, pos=len(line.text) - len(line.text.lstrip()), whole=True)
        if stamp is not None:
            found["published"] = _shift(stamp, line.start)
            header.append(content[cursor])
            cursor += 1
    cursor = _read_headline(text, lines, content, cursor, found)
    while cursor < len(content) and _SEPARATOR.fullmatch(lines[content[cursor]].stripped):
        cursor += 1
    # The dateline opens the first body paragraph; a photo caption may stand before it.
    body = next((i for i in content[cursor : cursor + 3] if classify_line(lines[i].text) is None), None)
    dateline_at = None if body is None else lines[body].start + len(lines[body].text) - len(lines[body].text.lstrip())
    return _finish(text, lines, content, found, header, cursor, dateline_at)


def _finish(
    text: str,
    lines: list[_Line],
    content: list[int],
    found: dict[str, object],
    header: list[int],
    cursor: int,
    dateline_at: int | None,
) -> ArticleMetadata:
    if dateline_at is not None:
        for pattern in DATELINES:
            match = pattern.match(text, dateline_at)
            if match is not None:
                found["dateline"] = MetaField(match["place"], match.start("place"), match.end("place"))
                if "agency" in match.groupdict() and match["agency"]:
                    found["agency"] = MetaField(match["agency"], match.start("agency"), match.end("agency"))
                    found["agency_in_dateline"] = True
                break
    if "agency" not in found:
        for index in content[cursor:]:
            credit = find_credit(lines[index].text)
            if credit is not None:
                value, start, end = credit
                found["agency"] = MetaField(value, lines[index].start + start, lines[index].start + end)
                break
    return ArticleMetadata(header_lines=tuple(header), **found)  # type: ignore[arg-type]


def _split_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    start = 0
    for piece in text.split("\n"):
        lines.append(_Line(start, piece))
        start += len(piece) + 1
    return lines


def _whole_line(line: _Line) -> MetaField:
    lead = len(line.text) - len(line.text.lstrip())
    value = line.text.strip()
    return MetaField(value, line.start + lead, line.start + lead + len(value))


def _span_lines(text: str, first: _Line, last: _Line) -> MetaField:
    """From the first non-blank character of ``first`` to the last of ``last``, as printed
    (a line break between them stays in the value, so ``text[start:end]`` is the value)."""
    start, end = _whole_line(first).start, _whole_line(last).end
    return MetaField(text[start:end], start, end)


def _shift(date: PublishedDate, offset: int) -> PublishedDate:
    return PublishedDate(date.iso, date.utc, date.start + offset, date.end + offset)


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _is_outlet_line(lines: list[_Line], content: list[int], cursor: int) -> bool:
    """A domain name alone on the first line, or a short name right above a timestamp line."""
    line = lines[content[cursor]].stripped
    if _DOMAIN.fullmatch(line):
        return True
    if cursor + 1 >= len(content) or word_count(line) > _OUTLET_MAX_WORDS or line[-1:] in ".,:;!?":
        return False
    below = lines[content[cursor + 1]].text
    return find_date_expression(below, pos=len(below) - len(below.lstrip()), whole=True) is not None


def _read_headline(text: str, lines: list[_Line], content: list[int], cursor: int, found: dict[str, object]) -> int:
    """Put the headline and the dek under it into ``found``; the cursor after them."""
    size = _headline_size(lines, content, cursor) if cursor + 1 < len(content) else 0
    if size == 0:
        return cursor
    found["title"] = _span_lines(text, lines[content[cursor]], lines[content[cursor + size - 1]])
    cursor += size
    if cursor + 1 < len(content) and _is_dek(lines, content, cursor):
        found["dek"] = _whole_line(lines[content[cursor]])
        cursor += 1
    return cursor


def _headline_size(lines: list[_Line], content: list[int], cursor: int) -> int:
    """How many lines from the content line at ``cursor`` make the headline: 0, 1 or 2."""
    window = [lines[i].stripped for i in content[cursor : cursor + 3 + MAX_LABELS]]
    return judge_headline(window, next_adjacent=content[cursor + 1] == content[cursor] + 1).lines


def _is_dek(lines: list[_Line], content: list[int], cursor: int) -> bool:
    """One sentence under the headline, followed by a separator or a dateline paragraph."""
    line = lines[content[cursor]].stripped
    if SENTENCE_BREAK.search(line) or not 3 <= word_count(line, at_most=_DEK_MAX_WORDS + 1) <= _DEK_MAX_WORDS:
        return False
    if classify_line(line) is not None:
        return False
    below = lines[content[cursor + 1]]
    if _SEPARATOR.fullmatch(below.stripped):
        return True
    offset = len(below.text) - len(below.text.lstrip())
    return any(pattern.match(below.text, offset) for pattern in DATELINES)
