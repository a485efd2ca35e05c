"""Entity proposals: propagation of known annotations, date patterns, and an optional spaCy model.

* **Propagation**: a string annotated with an entity label (by people or in the gold layer) is
  proposed wherever it recurs, matched case-sensitively on word boundaries (a possessive ``'s``
  may follow), longest string first, without overlapping another proposal. A string annotated
  with different labels takes its most frequent one.
* **Dates**: month-day(-year) forms, weekdays, ISO dates and relative expressions ("last week",
  "in April") as DATE.
* **spaCy** (``--spacy-model NAME``): when the user has a pipeline installed; OntoNotes labels map
  onto the schema's, numeric ones (CARDINAL, MONEY, ...) are dropped, others become MISC.

No model is ever downloaded.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from newsspan.dataset.errors import NewsspanError
from newsspan.dataset.heuristics.proposals import Proposal

__all__ = ["EntityLexicon", "detect_dates", "load_spacy", "propagate_entities", "spacy_entities"]

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DATES = re.compile(
    r"\b(?:"
    + _MONTH
    + r"\s+\d{1,2}(?:,\s+\d{4})?"  # June 2, December 4, 2024
    + r"|\d{1,2}\s+"
    + _MONTH
    + r"(?:\s+\d{4})?"  # 2 June 2025
    + r"|(?:in|since|until|by)\s+"
    + _MONTH
    + r"(?:\s+\d{4})?"  # in April
    + r"|(?:last|next|this|early|late)\s+(?:week|month|year|"
    + _MONTH
    + r"|"
    + _WEEKDAY
    + r")"
    + r"|"
    + _WEEKDAY
    + r"|\d{4}-\d{2}-\d{2}"
    + r"|"
    + _MONTH
    + r"\s+\d{4}"
    + r")\b"
)
_PREPOSITION = re.compile(r"^(?:in|since|until|by)\s+")
SPACY_LABELS = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "GPE",
    "LOC": "LOC",
    "NORP": "NORP",
    "DATE": "DATE",
    "LAW": "LAW",
    "EVENT": "EVENT",
    "FAC": "MISC",
    "PRODUCT": "MISC",
    "WORK_OF_ART": "MISC",
    "LANGUAGE": "MISC",
}


def detect_dates(text: str) -> list[Proposal]:
    """DATE proposals from date patterns (a leading 'in'/'since' is not part of the span)."""
    found = []
    for match in _DATES.finditer(text):
        value = match.group()
        lead = _PREPOSITION.match(value)
        start = match.start() + (lead.end() if lead else 0)
        found.append(Proposal("DATE", start, match.end(), "date_pattern"))
    return found


class EntityLexicon:
    """Strings with their entity label, learned from annotated spans."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        votes: dict[str, Counter[str]] = defaultdict(Counter)
        for text, label in pairs:
            if len(text.strip()) >= 2 and text == text.strip():
                votes[text][label] += 1
        self.labels = {text: counter.most_common(1)[0][0] for text, counter in votes.items()}
        ordered = sorted(self.labels, key=len, reverse=True)
        self.pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in ordered) + r")(?=['’]s\b|(?!\w))")
            if ordered
            else None
        )

    def __len__(self) -> int:
        return len(self.labels)


def propagate_entities(text: str, lexicon: EntityLexicon, *, skip: Sequence[tuple[int, int]] = ()) -> list[Proposal]:
    """Every occurrence of a known entity string, longest first, outside ``skip`` spans."""
    if lexicon.pattern is None:
        return []
    return [
        Proposal(lexicon.labels[m.group()], m.start(), m.end(), "propagated")
        for m in lexicon.pattern.finditer(text)
        if not any(s <= m.start() < e for s, e in skip)
    ]


def load_spacy(name: str) -> Any:
    """Load an installed spaCy pipeline, or explain how to install it (never downloads)."""
    try:
        import spacy
    except ImportError:
        raise NewsspanError(
            f"--spacy-model {name} needs spaCy, which is not installed: pip install spacy, then install the "
            f"model package {name} (or drop --spacy-model to use the built-in rules)"
        ) from None
    try:
        return spacy.load(name)
    except OSError:
        raise NewsspanError(
            f"spaCy model {name!r} is not installed: install its package (e.g. pip install {name} from a "
            "wheel you have), or drop --spacy-model to use the built-in rules"
        ) from None


def spacy_entities(text: str, nlp: Any, *, skip: Sequence[tuple[int, int]] = ()) -> list[Proposal]:
    """Entities from a spaCy pipeline, mapped onto the schema's labels."""
    found = []
    for entity in nlp(text).ents:
        label = SPACY_LABELS.get(entity.label_)
        if label is not None and not any(s <= entity.start_char < e for s, e in skip):
            found.append(Proposal(label, entity.start_char, entity.end_char, f"spacy:{nlp.meta.get('name', '')}"))
    return found
