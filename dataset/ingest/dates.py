"""Parsing the publication dates printed in scraped articles.

Only what the text says is kept: a date alone stays a date (``2025-06-02``); a time without a
zone keeps no offset and gets no UTC instant; ``GMT+10``, ``UTC``, ``Z`` and numeric offsets
make the value timezone-aware. Named zones such as ``EST`` are ambiguous and are not guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

__all__ = ["PublishedDate", "find_date_expression", "is_timestamp_line", "parse_iso"]

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_TIME = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?"
_ZONE = r"(?P<zone>(?:GMT|UTC)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|Z|[+-]\d{2}:?\d{2})"

# "02 Jun 2025, 16:15 GMT+10", "2 June 2025 16:15", "Jun 2, 2025, 4:15 PM UTC", "2025-06-02 16:15 +0200"
_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"(?P<day>\d{1,2})\s+" + _MONTH + r",?\s+(?P<year>\d{4})",
        _MONTH + r"\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})",
        r"(?P<year>\d{4})-(?P<month_num>\d{2})-(?P<day>\d{2})",
    )
)
_TIME_TAIL = re.compile(r"(?:,|\s+at|T)?\s*" + _TIME + r"(?:\s*" + _ZONE + r")?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PublishedDate:
    """A publication date at the source's precision, and where it was found."""

    iso: str  # '2025-06-02', '2025-06-02T16:15', '2025-06-02T16:15+10:00'
    utc: datetime | None  # set only when a time and a zone were given
    start: int
    end: int


def find_date_expression(text: str, *, pos: int = 0, whole: bool = False) -> PublishedDate | None:
    """Find a date (with optional time and zone) starting exactly at ``pos`` in ``text``.

    With ``whole=True`` the expression must also run to the end of ``text`` (a timestamp line).
    Offsets in the result are code points into ``text``.
    """
    for pattern in _PATTERNS:
        match = pattern.match(text, pos)
        if match is None:
            continue
        groups = match.groupdict()
        month = int(groups["month_num"]) if groups.get("month_num") else _MONTHS[groups["month"].lower()]
        try:
            day = date(int(groups["year"]), month, int(groups["day"]))
        except ValueError:
            return None
        end = match.end()
        tail = _TIME_TAIL.match(text, end)
        result = PublishedDate(day.isoformat(), None, pos, end)
        if tail is not None:
            result = _with_time(day, tail, pos) or result
        if whole and text[result.end :].strip():
            return None
        return result
    return None


_STAMP_WORD = re.compile(r"[^\W\d_]+")
_STAMP_DIGITS = re.compile(r"\d")
# Words a timestamp line may hold besides numbers: weekdays, zones, clock and update words.
_STAMP_WORDS = frozenset(
    "mon monday tue tues tuesday wed wednesday thu thur thurs thursday fri friday sat saturday sun"  # noqa: SIM905  # words read best as one string
    " sunday am pm a m p gmt utc z et est edt ct cst cdt mt mst mdt pt pst pdt bst cet cest eet eest ist"
    " msk jst updated update published posted last modified on at of the st nd rd th today yesterday"
    " ago min mins minute minutes hr hrs hour hours day days".split()
)


def is_timestamp_line(line: str) -> bool:
    """True when ``line`` states only a date or time: it has a digit, and every word is a month,
    a weekday, a zone or a word such as 'Updated', 'Published', 'ago' (``Wed, Nov 20, 2019``,
    ``Updated 3:45 PM ET``, ``2 hours ago``). Such a line is never a headline."""
    if _STAMP_DIGITS.search(line) is None:
        return False
    return all(w.casefold() in _STAMP_WORDS or w.casefold() in _MONTHS for w in _STAMP_WORD.findall(line))


def _with_time(day: date, tail: re.Match[str], start: int) -> PublishedDate | None:
    hour, minute = int(tail["hour"]), int(tail["minute"])
    second = int(tail["second"]) if tail["second"] else None
    if tail["ampm"]:
        is_pm = tail["ampm"][0].lower() == "p"
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if is_pm else 0)
    if hour > 23 or minute > 59 or (second or 0) > 59:
        return None
    clock = f"{hour:02d}:{minute:02d}" + (f":{second:02d}" if second is not None else "")
    local = datetime(day.year, day.month, day.day, hour, minute, second or 0)
    zone = _parse_zone(tail["zone"]) if tail["zone"] else None
    if zone is None:
        end = tail.end("ampm") if tail["ampm"] else tail.end("second" if second is not None else "minute")
        return PublishedDate(f"{day.isoformat()}T{clock}", None, start, end)
    aware = local.replace(tzinfo=zone)
    return PublishedDate(f"{day.isoformat()}T{clock}{_offset_text(zone)}", aware.astimezone(UTC), start, tail.end())


def _parse_zone(zone: str) -> timezone | None:
    zone = zone.replace(" ", "").upper()
    if zone in ("GMT", "UTC", "Z"):
        return UTC
    match = re.fullmatch(r"(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?", zone)
    if match is None:
        return None
    sign = -1 if match[1] == "-" else 1
    hours, minutes = int(match[2]), int(match[3] or 0)
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _offset_text(zone: timezone) -> str:
    offset = zone.utcoffset(None)
    total = int(offset.total_seconds() // 60)
    sign = "-" if total < 0 else "+"
    return f"{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"


def parse_iso(value: str) -> tuple[str, datetime | None] | None:
    """Parse an ISO 8601 value from metadata: (the value as given, its UTC instant or None)."""
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if len(value) == 10:  # a date alone: no instant
        return value, None
    return value, parsed.astimezone(UTC) if parsed.tzinfo is not None else None
