"""Attribution from a dependency parse, for the quotes the rules leave without a speaker.

With an installed spaCy pipeline that has a parser (``--spacy-model NAME``; the ``parser``
extra installs one), a quote the rules (``attribution``, ``quotes``) could not attribute is
attributed from its sentence's parse: the cue is the verb outside the quote that governs it (its
nearest verb ancestor; else a reporting verb of the sentence), the speaker that verb's subject
(``nsubj``; a passive's agent, "was told by X"; the subject of the verb it is coordinated with,
"X praised … but said …"), written as the subject's words up to its head (titles and names kept,
relative clauses and appositives after it left out). Never a speaker inside a quote. Only the
sentences of those quotes are parsed, so the rules keep their speed on the rest.
"""

from __future__ import annotations

from typing import Any

from newsspan.dataset.config import PreannotateOptions
from newsspan.dataset.heuristics.attribution import Attribution
from newsspan.dataset.heuristics.reporting import CUE_NEXT_TO_QUOTE
from newsspan.dataset.heuristics.sentences import Sentences

__all__ = ["has_parser", "parsed_attribution"]

RULE = "dependency_parse"
_SUBJECTS = ("nsubj", "nsubjpass")
_CLIMB = ("conj", "xcomp", "advcl")  # a verb whose subject is its head's: "X praised … and said"
_EXPLETIVES = frozenset(["it", "there", "this", "that", "which", "what"])


def has_parser(nlp: Any) -> bool:
    """Whether the pipeline ``nlp`` assigns a dependency parse."""
    return nlp is not None and "parser" in getattr(nlp, "pipe_names", ())


def parsed_attribution(
    text: str,
    quote: tuple[int, int, int, int],
    sentences: Sentences,
    nlp: Any,
    options: PreannotateOptions,
    quotes: list[tuple[int, int]],
) -> Attribution | None:
    """The speaker and cue of ``quote`` read from the parse of its sentence, or ``None``."""
    begin, end = sentences.start(quote[0]), sentences.end(quote[3] - 1)
    disabled = [name for name in nlp.pipe_names if name not in ("tok2vec", "tagger", "parser", "attribute_ruler")]
    with nlp.select_pipes(disable=disabled):
        doc = nlp(text[begin:end])
    marks = [(a - begin, b - begin) for a, b in quotes if a < end and b > begin]

    def quoted(token: Any) -> bool:
        return any(a <= token.idx < b for a, b in marks)

    inside = [t for t in doc if quote[0] - begin <= t.idx < quote[3] - begin]
    verb = _reporting(_governing_verb(inside, quoted), quoted) or next(
        (t for t in doc if t.pos_ == "VERB" and not quoted(t) and CUE_NEXT_TO_QUOTE.fullmatch(t.text)), None
    )
    if verb is None:
        return None
    subject = _subject(verb)
    if subject is None or quoted(subject) or subject.lower_ in _EXPLETIVES:
        return None
    first = min(t.i for t in subject.subtree if t.i <= subject.i and not quoted(t))
    words = doc[first : subject.i + 1]
    while len(words) and words[0].is_punct:
        words = words[1:]
    if not len(words) or len(words) > options.max_speaker_words or any(quoted(t) for t in words):
        return None
    speaker = (begin + words.start_char, begin + words.end_char)
    cue = (begin + verb.idx, begin + verb.idx + len(verb.text))
    return speaker, cue, RULE


def _governing_verb(inside: list[Any], quoted: Any) -> Any:
    """The nearest verb outside the quote above a token of it whose head is outside it (tokens
    are compared by index: spaCy makes a new Token object at every access)."""
    for token in inside:
        head = token.head
        if head.i == token.i or any(head.i == t.i for t in inside):
            continue
        while head is not None and (head.pos_ not in ("VERB", "AUX") or quoted(head)):
            head = None if head.head.i == head.i else head.head
        if head is not None:
            return head
    return None


def _reporting(verb: Any, quoted: Any) -> Any:
    """The reporting verb among ``verb`` and its ancestors ("said she had “zero support”": said),
    or None when none is one: a quote under "are" or "had" alone is not attributed."""
    while verb is not None:
        if not quoted(verb) and CUE_NEXT_TO_QUOTE.fullmatch(verb.text):
            return verb
        verb = None if verb.head.i == verb.i else verb.head
    return None


def _subject(verb: Any) -> Any:
    """``verb``'s subject, a passive's agent, or the subject of the verb it depends on."""
    current = verb
    for _ in range(3):
        for child in current.children:
            if child.dep_ in _SUBJECTS and child.dep_ == "nsubjpass":
                agent = next((c for c in current.children if c.dep_ == "agent"), None)
                objects = [g for g in agent.children if g.dep_ == "pobj"] if agent is not None else []
                return objects[0] if objects else child
            if child.dep_ == "nsubj":
                return child
        if current.dep_ not in _CLIMB or current.head.i == current.i:
            return None
        current = current.head
    return None
