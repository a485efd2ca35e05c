"""Credits: which news agency a line names, and which lines are photo credits.

An agency credit fills the document's ``agency`` field and marks a CREDIT span, so it must name
an agency and nothing else. It names one when it is a known agency (:data:`AGENCIES`, the one
list of them), or has an agency's shape: an all-caps abbreviation (``(KNA)``), a domain
(``(RT.com)``) or a short name ending in a wire-service word (``(Meridian Wire)``). Parentheses
that hold a photo credit (``(Reed Saxon / Associated Press)``), a count (``(16 Videos)``) or a date
(``(Nov. 19, 2019)``) are not agency credits. Photo credits have many shapes and end captions:
``PHOTO: REUTERS``, ``REUTERS/Stringer``, ``Name Surname / AP file``, ``(Image: Getty)``.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["AGENCIES", "find_credit", "has_photo_credit", "is_agency", "is_credit_line", "is_photo_credit"]

# News agencies, as they are written in credits. Data, not code: add a name here and every
# credit rule (agency field, credit lines, trailing credits, captions) knows it.
AGENCIES: Final[tuple[str, ...]] = (
    "Reuters",
    "AP",
    "Associated Press",
    "AFP",
    "Agence France-Presse",
    "TASS",
    "ITAR-TASS",
    "Xinhua",
    "dpa",
    "EFE",
    "ANSA",
    "Yonhap",
    "Kyodo",
    "UPI",
    "United Press International",
    "PTI",
    "Press Trust of India",
    "ANI",
    "IANS",
    "Interfax",
    "RIA Novosti",
    "RIA",
    "Sputnik",
    "Anadolu",
    "Anadolu Agency",
    "AA",
    "Bloomberg",
    "KCNA",
    "CNA",
    "Bernama",
    "Antara",
    "APA",
    "AAP",
    "CP",
    "Canadian Press",
    "PA",
    "PA Media",
    "Press Association",
    "WAM",
    "SPA",
    "IRNA",
    "MENA",
    "Kyodo News",
    "Jiji",
    "Jiji Press",
    "NTB",
    "TT",
    "Belga",
    "Efe",
    "Europa Press",
    "Ukrinform",
    "BTA",
    "PAP",
    "CTK",
    "MTI",
    "HINA",
    "Tanjug",
    "Xinhua News Agency",
    "Yonhap News Agency",
    "Dow Jones",
    "Newsis",
    "Tasnim",
    "Fars",
    "Mehr",
    "SANA",
    "QNA",
    "KUNA",
    "Petra",
    "Notimex",
    "Prensa Latina",
    "NAN",
    "APS",
    "MAP",
    "TAP",
)
_KNOWN: Final = frozenset(name.casefold() for name in AGENCIES)
# A name of 1-4 capitalised words whose last word is what agencies call themselves.
_AGENCY_SHAPE = re.compile(
    r"^(?:[A-Z][\w.&'-]*\s+){0,3}(?:Wire|News|Newswire|Agency|Press|Service|Telegraph|Media)$"
    r"|^[A-Z][A-Z&-]{1,7}$|^[\w-]+\.(?:com|net|org|co\.uk|ru|tv|info)$"
)
_CREDIT_PHRASE = re.compile(
    r"^(?:(?:with\s+)?(?:inputs?|additional\s+reporting|reporting|agencies|files?)\s+(?:from|by)\s+|"
    r"source:\s*|from\s+)",
    re.IGNORECASE,
)
_CREDIT_LINE = re.compile(r"^\(\s*(?P<inner>[^()]{2,80}?)\s*\)$")
_PEOPLE_CREDIT = re.compile(r"^(?:(?:additional\s+)?reporting|writing|editing)\s+by\b", re.IGNORECASE)
_TRAILING_CREDIT = re.compile(r"[.!?\"”’']\s+(?P<agency>[A-Z][A-Z&-]{1,19}(?:/[A-Z][A-Z&-]{1,19})*)$")
_AGENCY_LAST: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ&-")  # what _TRAILING_CREDIT can end with
_SHORT_LINE_WORDS: Final = 8
_ENDS_SENTENCE = re.compile(r"[.!?\"”’']\s*$")
_WORD = re.compile(r"\w+")

# Photo credits: the words that introduce one, an agency/photographer pair, a "file" photo.
_PHOTO_WORD = r"(?:photo(?:graph)?s?|image|picture|credit|file\s+photo|video|graphic|illustration)"
_PHOTO_CREDIT = re.compile(
    rf"(?:\b{_PHOTO_WORD}\s*(?:by|:|credit:)\s*\S[^.]{{0,60}}$"  # "PHOTO: REUTERS", "(Photo by Jane Doe)"
    r"|\b[A-Z]{2,}/[A-Z][a-z][\w.]*(?:\s[\w./]+){0,4}$"  # "REUTERS/Stringer", "AFP/Getty Images"
    r"|\b[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3}\s+/\s+[\w.&' -]{2,40}$"  # "Name Surname / AP file"
    r"|\b(?:Getty\s+Images|Shutterstock|iStock(?:photo)?|Alamy|EPA(?:-EFE)?)\b[^.]{0,30}$"
    r"|^\((?:[^()]{0,60}(?:/|\bvia\b|\bcourtesy\b|\bphoto\b|\bimage\b)[^()]{0,60})\)$)",
    re.IGNORECASE,
)
_NOT_AGENCY = re.compile(
    r"^(?:photo|image|file|video|picture|graphic|illustration)s?\b|\d|\b(?:videos?|photos?|images?|min|read)\b",
    re.IGNORECASE,
)


def is_agency(name: str) -> bool:
    """Whether ``name`` names a news agency: a known one, or one of an agency's shapes."""
    name = name.strip(" .,;:")
    if not name or _NOT_AGENCY.search(name):
        return False
    return name.casefold() in _KNOWN or bool(_AGENCY_SHAPE.match(name))


def find_credit(line: str) -> tuple[str, int, int] | None:
    """The agency a credit line names, as written, with its [start, end) in ``line``.

    Two shapes count: a line that is one parenthetical naming an agency ('(With inputs from
    Reuters)' gives 'Reuters', '(KNA)' gives 'KNA'), and a paragraph that ends, after its last
    sentence, with an all-caps agency ('... said state media. REUTERS'). Photo credits, counts
    ('(16 Videos)') and dates in parentheses are not agency credits.
    """
    stripped = line.strip()
    offset = len(line) - len(line.lstrip())
    if stripped.startswith("("):
        match = _CREDIT_LINE.match(stripped)
        if match is None or is_photo_credit(stripped):
            return None
        inner, start = match["inner"], match.start("inner")
        phrase = _CREDIT_PHRASE.match(inner)
        if phrase is not None:
            inner, start = inner[phrase.end() :], start + phrase.end()
        if not is_agency(inner):
            return None
        return inner, offset + start, offset + start + len(inner)
    return _trailing_credit(line)


def _trailing_credit(line: str) -> tuple[str, int, int] | None:
    """An all-caps agency after the last sentence of a paragraph: '... the ministry said. REUTERS'."""
    if line.rstrip()[-1:] not in _AGENCY_LAST:  # no trailing agency can end here: skip the search
        return None
    tail = line.rstrip()
    trailing = _TRAILING_CREDIT.search(tail, max(0, len(tail) - 48))  # the credit is the last word
    if trailing is None or len(_WORD.findall(line[:200])) <= _SHORT_LINE_WORDS:
        return None
    return trailing["agency"], trailing.start("agency"), trailing.end("agency")


def is_credit_line(line: str) -> bool:
    """A line that is only a credit: an agency in parentheses, or '(Reporting by ...; Editing by ...)'."""
    if not line.startswith("(") or not line.endswith(")"):
        return False
    if find_credit(line) is not None:
        return True
    return bool(_PEOPLE_CREDIT.match(line[1:].lstrip()))


def is_photo_credit(line: str) -> bool:
    """A line that is only a photo credit: '(Reed Saxon / Associated Press)', 'Photo: Jane Doe'."""
    return len(line) <= 90 and bool(_PHOTO_CREDIT.search(line)) and len(_WORD.findall(line)) <= 12


def has_photo_credit(line: str) -> bool:
    """Whether ``line`` ends with a photo credit (the end of a caption), searched in its last 120 characters."""
    tail = line[-120:]
    if tail.endswith(")"):
        opening = tail.rfind("(")
        inner = tail[opening + 1 : -1]
        if opening >= 0 and (
            is_photo_credit(tail[opening:]) or (_ENDS_SENTENCE.search(tail, 0, opening) and is_agency(inner))
        ):
            return True
    return bool(_PHOTO_CREDIT.search(tail)) and _trailing_credit(line) is None
