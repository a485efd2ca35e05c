"""What a speaker mention looks like, for the attribution rules: a noun phrase, cleaned.

:func:`clean_speaker` trims what surrounds a mention (a conjunction, a parenthetical, auxiliaries,
a time phrase); :func:`speaker_ok` accepts a name, a pronoun or a determined noun phrase of at
most ``max_speaker_words`` words, and refuses clauses, prepositional phrases and verbs.
"""

from __future__ import annotations

import re

from newsspan.dataset.config import PreannotateOptions
from newsspan.dataset.heuristics.reporting import CUE_VERB as CUE

__all__ = ["PRONOUN", "VERBAL", "clean_speaker", "speaker_ok"]

PRONOUN = re.compile(r"^(?:he|she|they|it|we|i)$", re.IGNORECASE)
_NOT_A_SPEAKER = re.compile(r"^(?:that|and|but|it\s+was|this|which|who|whom|as|if|when|[.,;:!?])\b", re.IGNORECASE)
_PREPOSITION = re.compile(
    r"^(?:on|in|at|to|for|from|with|by|about|after|before|during|over|under|into|than|of|because|so|"
    r"where|there|here|now|also|then|still|not|no)\b",
    re.IGNORECASE,
)
VERBAL = re.compile(
    r"\b(?:is|are|was|were|be|been|being|am|could|would|should|can|will|may|might|must|did|does|do|"
    r"has|have|had|that|which|where|because|if|whether)\b"
)  # lowercase only: "Will Doyle" is a name
_DANGLING_WORDS = """
and or but whose who whom of to the a an with for in on at by from
"""
_DANGLING = frozenset(_DANGLING_WORDS.split())
_DETERMINERS_WORDS = """
he she they it we i you the a an his her their its our my your this that these those one two three
some many several both each another other officials critics experts aides
"""
_DETERMINERS = frozenset(_DETERMINERS_WORDS.split())
_RELATIVE = re.compile(r"\s(?:who|whom|which|whose)\s")
# what opens a participial or verb phrase, or a time, never a speaker: "speaking to reporters",
# "formed the name", "Saturday"
_CLAUSE_START = re.compile(
    r"(?:[a-z]+ing|[a-z]+ed)\s|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Today|Yesterday)$"
)


def clean_speaker(words: str) -> str:
    """Trim what surrounds a speaker mention: a leading conjunction, a trailing parenthetical
    ("(DPRK)"), auxiliaries ("has") and time or place phrases ("at the time", "on Sunday")."""
    words = (
        words.strip().rstrip(".").strip() if not re.search(r"\b[A-Z][a-z]{0,3}\.$|\b[A-Z]\.$", words) else words.strip()
    )
    earlier_cue = CUE.search(words)  # "The ministry called X a ... and": the subject ends at its verb
    if earlier_cue is not None and earlier_cue.start() > 0:
        words = words[: earlier_cue.start()].strip()
    elif earlier_cue is not None and earlier_cue.end() < len(words):  # "said Weaver": the agent after it
        words = words[earlier_cue.end() :].strip()
    words = re.sub(r"^(?:and|but|while|as|then|so)\s+", "", words, flags=re.IGNORECASE)
    words = re.sub(r"\s+(?:at|on|in|during|earlier|later|last|this|yesterday|recently|previously)\b.*$", "", words)
    for _ in range(2):
        words = re.sub(
            r"(?:\s+(?:has|have|had|also|then|later|further|again|once|would|will|was|is|now|still|"
            r"often|first|never|even|just|already|\w+ly))+$",
            "",
            words,
            flags=re.IGNORECASE,
        )
        words = re.sub(r"\s*\([^()]*\)$", "", words)
    words = re.sub(r"\s+(?:was|were|is|are|has|had|have)\s+\w+(?:\s+to)?$|\s+(?:to|would|will|could|did)$", "", words)
    return words.rstrip(",").strip()


def speaker_ok(words: str, options: PreannotateOptions) -> bool:
    """A noun phrase of at most ``max_speaker_words``: no verb, no clause, no leading preposition."""
    words = words.strip()
    count = len(words.split())
    return (
        0 < count <= options.max_speaker_words
        and not (count > 1 and PRONOUN.match(words.split()[0]))  # "he taught law": a clause
        and not _RELATIVE.search(words)  # "2019 and who plans to retire": a relative clause
        and not _CLAUSE_START.match(words)
        and not _NOT_A_SPEAKER.match(words)
        and not _PREPOSITION.match(words)
        and not VERBAL.search(words)
        and not CUE.fullmatch(words)
        and _noun_phrase(words)
    )


def _noun_phrase(words: str) -> bool:
    """A name, a pronoun or a determined phrase ("the ministry", "two officials"), ending in a noun."""
    tokens = words.split()
    if tokens[-1].lower() in _DANGLING:
        return False
    return any(t[:1].isupper() or t[:1].isdigit() for t in tokens) or tokens[0].lower() in _DETERMINERS
