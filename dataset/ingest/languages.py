"""Language codes as ingest takes them: the ``language`` column holds an ISO 639 code.

The dataset card (``cards/metadata.py``) accepts only a lower-case ISO 639 code of 2 or 3 letters,
so that is what the ``language`` column holds. A BCP 47 tag is accepted and read as its language
(``EN-us`` -> ``en``); the tag itself is kept, in its canonical case (``en-US``), as
``language_tag`` in ``extra``. Anything else is not a language code and is refused at ingest,
where the file and line are known, rather than by the card at the end of a build.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["ALLOWED_FORM", "given_language", "language_refusal", "normalize_language"]

_TAG = re.compile(r"([A-Za-z]{2,3})((?:[-_][A-Za-z0-9]{1,8})*)")
ALLOWED_FORM = "use an ISO 639 code such as 'en' or 'deu' (a BCP 47 tag such as 'en-US' is read as 'en')"


def language_refusal(value: Any) -> str | None:
    """Why ``value`` is not a language code (None when it is one)."""
    if not isinstance(value, str):
        return f"'language' is a JSON {type(value).__name__}, not a language code; {ALLOWED_FORM}"
    if _TAG.fullmatch(value) is None:
        return f"'language' is {value!r}, not a language code; {ALLOWED_FORM}"
    return None


def normalize_language(value: str) -> dict[str, str]:
    """``{"language": code}`` for a valid ``value``, with ``"language_tag"`` when it has subtags."""
    match = _TAG.fullmatch(value)
    if match is None:
        raise ValueError(f"not a language code: {value!r}")
    code, subtags = match[1].lower(), [s for s in re.split(r"[-_]", match[2]) if s]
    if not subtags:
        return {"language": code}
    return {"language": code, "language_tag": "-".join([code, *map(_subtag_case, subtags)])}


def _subtag_case(subtag: str) -> str:
    """BCP 47's conventional case: a region upper (US), a script title (Latn), the rest lower."""
    if len(subtag) == 2 and subtag.isalpha():
        return subtag.upper()
    if len(subtag) == 4 and subtag.isalpha():
        return subtag.title()
    return subtag.lower()


def given_language(values: dict[str, Any], value: str, extra: dict[str, Any]) -> None:
    """Metadata given with a text (a page's, a task's): the code in ``values["language"]``, a tag's
    subtags as ``extra["language_tag"]``; a value that is no language code stays in ``extra`` (JSON
    Lines refuse it when read, naming the line)."""
    if language_refusal(value) is not None:
        extra["language"] = value
        return
    normal = normalize_language(value)
    values["language"] = normal["language"]
    if "language_tag" in normal:
        extra.setdefault("language_tag", normal["language_tag"])
