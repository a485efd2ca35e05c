"""Strings from the data, made inert for Markdown (reports, the dataset card).

Article metadata (outlets, agencies), annotators' e-mails, file names and a user's pretty name
reach Markdown that the Hub and GitHub render as HTML: a `<script>`, an `<img onerror=…>`, a
`[link](javascript:…)` or a table broken by a pipe or a newline must come out as text.
"""

from __future__ import annotations

import re

__all__ = ["code", "inline"]

# CommonMark lets a backslash escape any ASCII punctuation; these are the ones that start or end
# markup (emphasis, code, links, images, HTML, tables, headings, lists, entities).
_MARKUP = re.compile(r"([\\`*_\[\]<>|#!~&])")


def inline(text: object) -> str:
    """``text`` as one line of inert Markdown: whitespace runs (newlines too) become one space,
    markup characters are backslash-escaped."""
    return _MARKUP.sub(r"\\\1", " ".join(str(text).split()))


def code(text: object) -> str:
    """``text`` as an inline code span that no backtick in it can close (CommonMark: a fence
    longer than any run of backticks inside, padded with spaces)."""
    value = " ".join(str(text).split())
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {value} {fence}" if longest else f"`{value}`"
