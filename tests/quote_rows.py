"""What the quote rules proposed, as (quote, speaker, cue, speaker's rule) rows, for the tests."""

from __future__ import annotations

from typing import Any

from newsspan.dataset.heuristics.quotes import detect_quotes


def attributed(text: str, **options: Any) -> list[tuple[str, str, str, str]]:
    """Every proposed QUOTE of ``detect_quotes(text, **options)`` with its speaker, cue and the
    speaker's rule; empty strings when it has no attribution."""
    found = detect_quotes(text, **options)
    spans = found.spans
    speaker = {a: spans[b] for a, b, kind in found.relations if kind == "said_by"}
    cue = {a: spans[b] for a, b, kind in found.relations if kind == "cued_by"}
    return [
        (
            text[q.start : q.end],
            text[speaker[i].start : speaker[i].end] if i in speaker else "",
            text[cue[i].start : cue[i].end] if i in cue else "",
            speaker[i].rule if i in speaker else "",
        )
        for i, q in enumerate(spans)
        if q.label == "QUOTE"
    ]
