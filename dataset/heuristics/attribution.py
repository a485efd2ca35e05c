"""Who said a quote and with which cue: the rules that read a quote's own sentence.

After the quote: ``, the ministry said`` / ``, said Foreign Minister Sergei Lavrov`` / a dash
(``— Name Surname``). Before it: ``Name said:``, ``X told reporters that "…"``, ``According to
X, "…"``, a participle ("X denounced it, calling it "…""). Never across a sentence boundary
(``sentences``): a period inside the closing mark ends the quote's sentence. Offsets are code
points, half-open.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from newsspan.dataset.config import PreannotateOptions
from newsspan.dataset.heuristics.mentions import PRONOUN, VERBAL, clean_speaker, speaker_ok
from newsspan.dataset.heuristics.reporting import CUE_NEXT_TO_QUOTE, PARTICIPLE_CUES
from newsspan.dataset.heuristics.reporting import CUE_VERB as CUE
from newsspan.dataset.heuristics.sentences import Sentences

__all__ = ["Attribution", "attribute", "previous_sentence", "sentence_subject"]

Attribution = tuple[tuple[int, int], tuple[int, int], str]  # (speaker, cue, rule)

_CUE_SRC = CUE.pattern
_NEXT_SRC = CUE_NEXT_TO_QUOTE.pattern
_ADVERBS = r"(?:(?:also|later|then|again|once|previously|recently|has|have|had|was|is|would|will|had|once)\s+)*"
_SPEAKER_AFTER = re.compile(
    r"\s*,?\s*(?P<speaker>(?P<name>[\w’'.-]+(?:\s+[\w’'.-]+){0,7}?)(?:,\s[^,\n“”\"]{1,80},)?)\s+" + _ADVERBS
    + r"(?P<cue>" + _NEXT_SRC + ")",
    re.IGNORECASE,
)  # fmt: skip
_CUE_THEN_SPEAKER = re.compile(
    r"\s*,?\s*(?P<cue>" + _NEXT_SRC + r")\s+(?P<speaker>[^,;:!?“”\"\n]{2,80}?)\s*"
    r"(?=[,;:!?]|\.?\s*$|\s+(?:in|on|at|to|after|before|during|when|while|who|whose|which|of|with|familiar|close|"
    r"speaking|knowledgeable|involved|briefed|representing)\s)",
    re.IGNORECASE,
)  # fmt: skip
_DASH = re.compile(r"^\s*(?P<cue>[―—–]|--|-(?=\s))\s*(?P<speaker>[A-Z][^,;:!?“”\"\n(]{1,60}?)\s*(?=[,;(]|\.?\s*$)")
# what may follow a cue at the end of its sentence: a few words of time or setting ("on Tuesday",
# "in a statement") or an appositive (", a spokesman for …"), then the end
_ENDS_SENTENCE = re.compile(r"(?:\s+[\w.’'-]+){0,4}(?:,[^,;:“”\"]{1,120})?\s*[.!?]?\s*$")
_DASH_LINE = re.compile(
    r"[ \t]*\n\s*(?P<cue>[―—–]|--|-)[ \t]*(?P<speaker>[A-Z][^\n,;:!?“”\"(]{1,60}?)[ \t]*"
    r"(?:,[^\n]{0,80})?\.?[ \t]*(?=\n|$)"
)  # the signing line: a dash, a name (and an appositive), nothing else
_BOUNDARY = re.compile(
    r"(?<!\d),|,(?!\d)|[“”\"«»;:]|''|``|\b(?:that|when|while|because|although|though|since|where|whom|than|if|"
    r"after|before)\s"
)  # a comma between digits ("4,000") is a number's
_COMMA = re.compile(r"(?<!\d),|,(?!\d)")
_APPOSITIVE = re.compile(
    r"^(?:an?|the|who|whose|his|her|their|its)\s+[a-z]|^(?:\w+\s+){0,3}(?:spokes\w+|leader|director)"
)
_NAME = re.compile(r"(?:[A-Z][\w’'.-]*|of|the|de|van|von|al)(?:\s+(?:[A-Z][\w’'.-]*|of|the|de|van|von|al))*")
# what a comma-delimited insertion between a subject and its cue opens with
_INSERTION = re.compile(
    r"\s*(?:(?:in|on|at|for|from|with|by|during|after|before|speaking|who|which|whose|whom|where|when|"
    r"while|also|like|a|an|the|his|her|its|their|now|then|once|himself|herself|\d+)\b|\w+ing\b|[a-z]+ed\s)",
    re.IGNORECASE,
)
_CONJUNCTION = re.compile(r"\s*(?:and|but|and\s+then|then)\s*", re.IGNORECASE)
_SUBORDINATE = re.compile(r"\b(?:when|as|after|before|while|because|if|since|where|until)\s*$", re.IGNORECASE)


def attribute(
    text: str,
    quote: tuple[int, int, int, int],
    sentences: Sentences,
    options: PreannotateOptions,
    quotes: Sequence[tuple[int, int]] = (),
) -> Attribution | None:
    """The speaker and cue of ``quote`` found in its own sentence, or ``None``."""
    following = min([s for s, _ in quotes if s >= quote[3]], default=len(text))
    end = sentences.end(quote[3] - 1)
    if text[quote[1] : quote[2]].rstrip("”’\"'")[-1:] in ("?", "!") and end <= quote[3] + 1:  # "“Why?” Name asked."
        end = sentences.end(end)
    after = _after(text, quote[3], min(end, following), options)
    return (
        after
        or _before(text, quote[0], sentences.start(quote[0]), options, quotes)
        or _dash_line(text, quote[3], options)
    )


def _dash_line(text: str, pos: int, options: PreannotateOptions) -> Attribution | None:
    """A quote closing its paragraph, signed by the next line: ``“…”`` / ``— Name Surname.``"""
    found = _DASH_LINE.match(text, pos)
    if found is None or not speaker_ok(found["speaker"], options):
        return None
    return (found.start("speaker"), found.end("speaker")), (found.start("cue"), found.end("cue")), "dash_attribution"


def previous_sentence(
    text: str,
    quote: tuple[int, int, int, int],
    sentences: Sentences,
    options: PreannotateOptions,
    quotes: Sequence[tuple[int, int]],
) -> Attribution | None:
    """A quote opening its sentence or paragraph, introduced by the sentence before it ("X said
    that …." / "X declared:")."""
    back = quote[0] - 1
    while back >= 0 and text[back].isspace():
        back -= 1
    if back < 0 or (sentences.start(quote[0]) < quote[0] - 1 and text[back] != ":"):
        return None
    start = sentences.start(back)
    if any(start <= s <= back for s, _ in quotes):
        return None
    found = _before(text, back + 1, start, options, quotes)
    return None if found is None else (found[0], found[1], "previous_sentence")


def _after(text: str, pos: int, end: int, options: PreannotateOptions) -> Attribution | None:
    rest = text[pos:end]
    newline = rest.find("\n")
    rest = rest if newline < 0 else rest[:newline]
    if rest.lstrip()[:1] in (".", "!", "?"):  # the sentence ends with the quote: no attribution after it
        return None
    dash = _DASH.match(rest)
    if dash is not None and speaker_ok(clean_speaker(dash["speaker"]), options):
        return _spans(pos, dash, "dash_attribution")
    lead = len(rest) - len(rest.lstrip(" ,"))  # a comma right after the quote is offset 0's
    # a clause further on attributes the quote only if the sentence goes on after it ("…,” and
    # …, X said"), not after a quote that closed its sentence without a stop ("…” The post …")
    goes_on = "," in rest[:lead] or rest[lead : lead + 1].islower()
    commas = [m.start() for m in re.finditer(",", rest) if m.start() >= lead] if goes_on else []
    for offset in [0, *commas]:
        found = _after_at(text, pos, rest, offset, options)
        if found is not None:
            return found
    return None


def _after_at(text: str, pos: int, rest: str, offset: int, options: PreannotateOptions) -> Attribution | None:
    """The attribution at ``offset`` of the text after a quote (0: right after it; a comma
    further on: a clause closing the sentence, rules ``clause_*``)."""
    rule = "" if offset == 0 else "clause_"
    cue_first = _CUE_THEN_SPEAKER.match(rest, offset)
    if cue_first is not None and offset and not _ENDS_SENTENCE.match(rest, cue_first.end("speaker")):
        cue_first = None  # "…” and more words, said X." only when the clause closes the sentence
    if cue_first is not None and speaker_ok(clean_speaker(cue_first["speaker"]), options):
        return _spans(pos, cue_first, rule + "cue_after_quote")
    speaker_first = _SPEAKER_AFTER.match(rest, offset)
    if speaker_first is not None and offset and not _ENDS_SENTENCE.match(rest, speaker_first.end("cue")):
        speaker_first = None
    if speaker_first is None:
        return None
    if speaker_ok(clean_speaker(speaker_first["speaker"]), options):
        return _spans(pos, speaker_first, rule + "speaker_cue_after_quote")
    if speaker_ok(clean_speaker(speaker_first["name"] or ""), options):
        found = _spans(pos, speaker_first, rule + "speaker_cue_after_quote")
        name = clean_speaker(speaker_first["name"])  # "Name, a long appositive, said": the name
        return (found[0][0], found[0][0] + len(name)), found[1], found[2]
    return None if offset else _later_cue(text, pos, rest, options)  # "the report concluded"


def _later_cue(text: str, pos: int, rest: str, options: PreannotateOptions) -> Attribution | None:
    """``, the report concluded``: the first cue after the quote whose words before it make a
    speaker, when the nearest one (a noun that can be a verb: "report") leaves none."""
    head = len(rest) - len(rest.lstrip(" ,"))
    for cue in CUE_NEXT_TO_QUOTE.finditer(rest, head):
        words = rest[head : cue.start()]
        if len(words.split()) > options.max_speaker_words:
            return None
        speaker = clean_speaker(words)
        if speaker and speaker_ok(speaker, options):
            start = pos + head + words.index(speaker)
            return (start, start + len(speaker)), (pos + cue.start(), pos + cue.end()), "speaker_cue_after_quote"
    return None


def _before(
    text: str, pos: int, line_start: int, options: PreannotateOptions, quotes: Sequence[tuple[int, int]]
) -> Attribution | None:
    window_start = max(line_start, pos - options.attribution_window)
    window = text[window_start:pos]
    cues = [
        c
        for c in CUE.finditer(window)
        if not any(s <= window_start + c.start() < e for s, e in quotes) and not window[: c.start()].endswith("to ")
    ]  # an infinitive ("the right to respond") reports nothing
    verbs = [c for c in cues if " " not in c.group() or c.group().lower().startswith("according")]
    if not cues:
        return _colon(text, window_start, pos, options)
    cue = (verbs or cues)[-1]
    cue_span = (window_start + cue.start(), window_start + cue.end())
    word = cue.group().lower()
    if word in PARTICIPLE_CUES:  # "X has denounced ..., calling it a "..."": X is the subject
        return _subject(text, line_start, cue_span, options)
    if word.startswith("according"):
        return _according_to(text, cue_span, pos)
    found = _speaker_before(text, window_start, cue_span[0], options)
    if found is None:  # "said Name: "…"": the agent after the cue
        found = _speaker_after_cue(text, cue_span[1], pos, options)
    if found is None:
        return None
    earlier = verbs[-2] if len(verbs) > 1 else None
    if (
        earlier is not None
        and PRONOUN.match(text[found[0] : found[1]])
        and _SUBORDINATE.search(text[line_start : found[0]])
    ):
        earlier_span = (window_start + earlier.start(), window_start + earlier.end())
        named = _speaker_before(text, line_start, earlier_span[0], options)  # "X said when he arrived"
        if named is not None:
            return named, earlier_span, "speaker_cue_before_quote"
    return found, cue_span, "speaker_cue_before_quote"


def _according_to(text: str, cue: tuple[int, int], pos: int) -> Attribution | None:
    """``According to X, "…"``: the speaker runs from the cue to the comma."""
    speaker = re.match(r"\s+([^,“”\"]{2,80}?)\s*,", text[cue[1] : pos])
    if speaker is None:
        return None
    start = cue[1] + speaker.start(1)
    return (start, start + len(speaker.group(1))), cue, "according_to"


def sentence_subject(
    text: str, quote: tuple[int, int, int, int], sentences: Sentences, options: PreannotateOptions
) -> Attribution | None:
    """A quote inside a sentence with no reporting verb of the lexicon ("X gushed about "…""):
    the sentence's subject, with its first verb as the cue. A weaker signal, under its own rule."""
    start = sentences.start(quote[0])
    clause = text[start : quote[0]]
    verb = re.search(r"\s(\w+ed)\b", clause)
    if start >= quote[0] - 1 or verb is None or VERBAL.search(clause[: verb.start()]):
        return None
    speaker = _speaker_before(text, start, start + verb.start(), options)
    if speaker is None:
        return None
    return speaker, (start + verb.start(1), start + verb.end(1)), "sentence_subject"


def _colon(text: str, start: int, pos: int, options: PreannotateOptions) -> Attribution | None:
    """``Name:`` or ``X boomed:`` right before the quote, with no reporting verb of the lexicon."""
    head = text[start:pos].rstrip()
    if not head.endswith(":"):
        return None
    verb = re.search(r"\b([a-z]+ed)\s*:$", head)
    if verb is not None:
        speaker = _speaker_before(text, start, start + verb.start(1), options)
        cue = (start + verb.start(1), start + verb.end(1))
    else:
        name = re.search(r"(?:^|[\s,])(" + _NAME.pattern + r")\s*:$", head)
        speaker = None if name is None else (start + name.start(1), start + name.end(1))
        cue = (start + len(head) - 1, start + len(head))
    if speaker is None or not speaker_ok(text[speaker[0] : speaker[1]], options):
        return None
    return speaker, cue, "colon_attribution"


def _speaker_before(text: str, start: int, cue_start: int, options: PreannotateOptions) -> tuple[int, int] | None:
    """The subject of a cue: the words from the last clause boundary before it, an appositive kept."""
    head = text[start:cue_start].rstrip()
    comma = head.endswith(",")  # "X, a spokesman, said": an appositive before the cue
    head = head.rstrip(", ")
    offset = 0
    if start > 0 and text[start - 1] not in " \n":  # the window may cut a word: start at the next space
        offset = head.find(" ") + 1 if " " in head else len(head)
    boundaries = list(_BOUNDARY.finditer(head, offset))
    cut = boundaries[-1].end() if boundaries else offset
    words = clean_speaker(head[cut:])
    if (re.match(r"who\b", words) or (comma and _APPOSITIVE.match(words))) and boundaries:
        previous = boundaries[-2].end() if len(boundaries) >= 2 else offset  # "X, a spokesman, said"
        named = clean_speaker(head[previous : boundaries[-1].start()])
        if speaker_ok(named, options) and _NAME.fullmatch(named):
            words, cut = named, previous
    inserted = comma and boundaries and boundaries[-1].group()[0].isalpha()  # ", speaking after a session,"
    if inserted or not speaker_ok(words, options):
        found = _past_insertions(text, start, head, offset, options)
        if found is not None or not inserted or not speaker_ok(words, options):
            return found
    begin = start + head.index(words, cut)
    return begin, begin + len(words)


def _past_insertions(
    text: str, start: int, head: str, offset: int, options: PreannotateOptions
) -> tuple[int, int] | None:
    """The subject before comma-delimited insertions: "Name, who heads the committee, said",
    "Name, in a statement on Thursday, said", "Name said …, and called": the words before the
    insertions (at most three, none a sentence of its own)."""
    pos = len(head)
    commas = [m.start() for m in _COMMA.finditer(head, offset)]
    for _ in range(3):
        comma = max((c for c in commas if c < pos), default=-1)
        segment = head[comma + 1 : pos]
        if comma < 0 or not (_INSERTION.match(segment) or _CONJUNCTION.fullmatch(segment)):
            return None
        pos = comma
        boundaries = [m.end() for m in _BOUNDARY.finditer(head, offset, pos)]
        cut = boundaries[-1] if boundaries else offset
        words = clean_speaker(head[cut:pos])
        if words and speaker_ok(words, options):
            begin = start + head.index(words, cut)
            return begin, begin + len(words)
    return None


def _speaker_after_cue(text: str, cue_end: int, pos: int, options: PreannotateOptions) -> tuple[int, int] | None:
    match = re.match(r"\s+([A-Z][^,;:“”\"\n]{1,80}?)\s*[,:]\s*$", text[cue_end:pos])
    if match is None or not speaker_ok(match.group(1), options):
        return None
    return cue_end + match.start(1), cue_end + match.end(1)


def _subject(text: str, sentence_start: int, cue: tuple[int, int], options: PreannotateOptions) -> Attribution | None:
    """The subject of the sentence that holds a participle cue: its words before the first verb,
    the words of a quote before it left out ("“…,” she said, adding …": she)."""
    closing = max(text.rfind(mark, sentence_start, cue[0]) for mark in ("”", "''", '"'))
    if closing >= 0:
        sentence_start = closing + (2 if text.startswith("''", closing) else 1)
    clause = text[sentence_start : cue[0]]
    verb = re.search(r"\s(?:has|have|had|is|was|were|are|will|would|\w+ed|" + _CUE_SRC + r")\b", clause)
    if verb is None:
        return None
    speaker = _speaker_before(text, sentence_start, sentence_start + verb.start(), options)
    return None if speaker is None else (speaker, cue, "subject_of_participle_cue")


def _spans(pos: int, match: re.Match[str], rule: str) -> Attribution:
    raw = match.group("speaker")
    speaker = clean_speaker(raw)
    start = pos + match.start("speaker") + raw.index(speaker)
    return (start, start + len(speaker)), (pos + match.start("cue"), pos + match.end("cue")), rule
