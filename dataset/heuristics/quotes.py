"""Direct quotes, their speakers and cues, with explainable rules.

Quotation marks: curly “…”, straight "…", single ‘…’ and '…' (an apostrophe inside a word, as in
"People's", never closes a single quote), and «…». A quote is the text between its marks; a quote
split by an attribution (“…,” the ministry said, “…”) gives two quotes that share one speaker
and one cue. The attribution is looked for in the same line, first after the quote
(``, the ministry said`` / ``, said the official``), then before it (``the ministry said that
"…"``, ``According to X, "…"``). The SPEAKER is the mention as written (a name, "the ministry",
a pronoun); linking a pronoun to its antecedent is left to annotators. Quotes inside headlines,
deks and boilerplate are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from newsspan.dataset.config import PreannotateOptions
from newsspan.dataset.heuristics.proposals import DEFAULTS, Proposal
from newsspan.dataset.labels import CUE, CUED_BY, QUOTE, SAID_BY, SPEAKER

__all__ = ["CUES", "QuoteProposals", "detect_quotes", "find_quotes"]

CUES = (
    "said",
    "says",
    "stated",
    "added",
    "adds",
    "insisted",
    "insists",
    "warned",
    "warns",
    "called",
    "claimed",
    "told",
    "noted",
    "stressed",
    "argued",
    "declared",
    "denounced",
    "wrote",
    "writes",
    "posted",
    "tweeted",
    "urged",
    "asked",
    "replied",
    "explained",
    "emphasized",
    "emphasised",
    "announced",
    "according to",
    "expressed",
    "criticized",
    "criticised",
    "condemned",
    "described",
    "accused",
    "alleged",
    "alleges",
    "considers",
    "considered",
    "calling",
    "saying",
    "adding",
    "describing",
)
# not inside a compound ("so-called")
_CUE_WORDS = "|".join(c.replace(" ", r"\s+") for c in CUES)
_CUE = re.compile(r"(?<![\w-])(?:" + _CUE_WORDS + r")\b", re.IGNORECASE)
_DOUBLE = re.compile(r"“([^“”\n]+?)”|\"([^\"\n]+?)\"|«([^«»\n]+?)»")
# a single quote opens after a space or line start and closes before a space, punctuation or end,
# never between two letters (an apostrophe: People's, don't)
_SINGLE = re.compile(r"(?:(?<=^)|(?<=[\s(\[—–-]))[‘']((?:[^‘’'\n]|(?<=\w)['’](?=\w))+?)[’'](?=[\s.,;:!?)\]—–-]|$)")
_SPEAKER_AFTER = re.compile(
    r"^\s*,?\s*(?P<speaker>(?:the\s+|a\s+|an\s+)?[\w’'.-]+(?:\s+[\w’'.-]+){0,7}?)\s+(?P<cue>"
    + "(?:"
    + _CUE_WORDS
    + ")"
    + r")\b",
    re.IGNORECASE,
)
_CUE_THEN_SPEAKER = re.compile(
    r"^\s*,?\s*(?P<cue>"
    + "(?:"
    + _CUE_WORDS
    + ")"
    + r")\s+(?P<speaker>[^,.;:!?“”\"\n]{2,80}?)\s*(?=[,.;:!?]|$|\s+(?:in|on|at|to|after|before|during)\s)",
    re.IGNORECASE,
)
_BOUNDARY = re.compile(r"[,“”\"‘’;:]|[.!?]\s")
_NOT_A_SPEAKER = re.compile(r"^(?:that|and|but|it\s+was|this|which|who|whom|as|[.,;:!?])", re.IGNORECASE)


@dataclass
class QuoteProposals:
    spans: list[Proposal] = field(default_factory=list)
    relations: list[tuple[int, int, str]] = field(default_factory=list)  # (from span, to span, relation)

    def add(self, proposal: Proposal) -> int:
        for index, known in enumerate(self.spans):
            if (known.label, known.start, known.end) == (proposal.label, proposal.start, proposal.end):
                return index
        self.spans.append(proposal)
        return len(self.spans) - 1


def find_quotes(text: str) -> list[tuple[int, int, int, int]]:
    """(mark start, inner start, inner end, mark end) of every quotation in ``text``, in order."""
    found = []
    for pattern in (_DOUBLE, _SINGLE):
        for match in pattern.finditer(text):
            group = next(g for g in range(1, (match.lastindex or 1) + 1) if match.group(g) is not None)
            inner = match.group(group)
            lead = len(inner) - len(inner.lstrip())
            stripped = inner.strip()
            if stripped:
                start = match.start(group) + lead
                found.append((match.start(), start, start + len(stripped), match.end()))
    found.sort()
    kept: list[tuple[int, int, int, int]] = []
    for quote in found:  # a quote inside another quote belongs to it
        if not kept or quote[0] >= kept[-1][3]:
            kept.append(quote)
    return kept


def detect_quotes(
    text: str, *, skip: Sequence[tuple[int, int]] = (), options: PreannotateOptions = DEFAULTS
) -> QuoteProposals:
    """QUOTE, SPEAKER and CUE proposals with ``said_by``/``cued_by`` relations.

    ``skip`` lists spans (headline, dek, boilerplate) in which quotes are not attributed.
    Quotes of fewer than ``options.min_quote_words`` words are scare quotes unless a cue
    attributes them.
    """
    result = QuoteProposals()
    quotes = [q for q in find_quotes(text) if not any(s <= q[1] < e for s, e in skip)]
    inside = [(q[0], q[3]) for q in quotes]
    found = [_after(text, q[3], options) or _before(text, q[0], options, inside) for q in quotes]
    for index, (quote, direct) in enumerate(zip(quotes, found, strict=True)):
        # a quote without its own attribution shares the one of a quote in the same sentence
        attribution = direct or _same_sentence(text, index, quotes, found)
        if attribution is None and len(text[quote[1] : quote[2]].split()) < options.min_quote_words:
            continue
        region = result.add(Proposal(QUOTE, quote[1], quote[2], "quotation_marks"))
        if attribution is not None:
            speaker, cue, rule = attribution
            result.relations.append((region, result.add(Proposal(SPEAKER, *speaker, rule)), SAID_BY))
            result.relations.append((region, result.add(Proposal(CUE, *cue, rule)), CUED_BY))
    return result


def _same_sentence(
    text: str, index: int, quotes: list[tuple[int, int, int, int]], found: list[Attribution | None]
) -> Attribution | None:
    for other in sorted(range(len(quotes)), key=lambda i: abs(i - index)):
        if other == index or found[other] is None:
            continue
        first, last = sorted((quotes[index], quotes[other]))
        between = text[first[3] : last[0]]
        if "\n" not in between and not re.search(r"[.!?]\s+[A-Z]", between):
            attribution = found[other]
            assert attribution is not None
            return attribution[0], attribution[1], "same_sentence"
    return None


Attribution = tuple[tuple[int, int], tuple[int, int], str]


def _after(text: str, pos: int, options: PreannotateOptions) -> Attribution | None:
    line_end = text.find("\n", pos)
    rest = text[pos : len(text) if line_end < 0 else line_end]
    if rest.lstrip()[:1] in (".", "!", "?"):  # the sentence ends with the quote: no attribution after it
        return None
    cue_first = _CUE_THEN_SPEAKER.match(rest)
    if cue_first is not None and _speaker_ok(_clean_speaker(cue_first["speaker"]), options):
        return _spans(pos, cue_first, "cue_after_quote")
    speaker_first = _SPEAKER_AFTER.match(rest)
    if speaker_first is not None and _speaker_ok(_clean_speaker(speaker_first["speaker"]), options):
        return _spans(pos, speaker_first, "speaker_cue_after_quote")
    return None


def _before(
    text: str, pos: int, options: PreannotateOptions, quotes: Sequence[tuple[int, int]] = ()
) -> Attribution | None:
    line_start = text.rfind("\n", 0, pos) + 1
    window_start = max(line_start, pos - options.attribution_window)
    window = text[window_start:pos]
    cues = [c for c in _CUE.finditer(window) if not any(s <= window_start + c.start() < e for s, e in quotes)]
    if not cues:
        return None
    cue = cues[-1]
    if cue.group().lower().endswith("ing"):  # "X has denounced ..., calling it a "..."": X is the subject
        return _subject(text, line_start, window_start + cue.start(), window_start + cue.end(), options)
    if cue.group().lower().startswith("according"):
        speaker = re.match(r"\s+([^,“”\"]{2,80}?)\s*,", window[cue.end() :])
        if speaker is None:
            return None
        start = window_start + cue.end() + speaker.start(1)
        return (
            (start, start + len(speaker.group(1))),
            (window_start + cue.start(), window_start + cue.end()),
            "according_to",
        )
    head = window[: cue.start()].rstrip()
    offset = 0
    if window_start > line_start:  # the window may cut a word: start at the next space
        offset = head.find(" ") + 1 if " " in head else len(head)
    boundaries = list(_BOUNDARY.finditer(head, offset))
    cut = boundaries[-1].end() if boundaries else offset
    words = _clean_speaker(head[cut:])
    if re.match(r"who\b", words) and len(boundaries) >= 1:  # "X, who on Monday said ...": the speaker is X
        cut = boundaries[-2].end() if len(boundaries) >= 2 else offset
        words = _clean_speaker(head[cut : boundaries[-1].start()])
    offset = cut
    if not _speaker_ok(words, options):
        return None
    start = window_start + head.index(words, offset)
    return (
        (start, start + len(words)),
        (window_start + cue.start(), window_start + cue.end()),
        "speaker_cue_before_quote",
    )


def _subject(
    text: str, line_start: int, cue_start: int, cue_end: int, options: PreannotateOptions
) -> Attribution | None:
    """The subject of the sentence that holds a participle cue: its words before the first verb."""
    sentence_start = max(
        [line_start] + [m.end() + line_start for m in re.finditer(r"[.!?]\s+", text[line_start:cue_start])]
    )
    clause = text[sentence_start:cue_start]
    verb = re.search(r"\s(?:has|have|had|is|was|were|are|will|would|\w+ed)\b", clause)
    if verb is None:
        return None
    words = _clean_speaker(clause[: verb.start()])
    if not _speaker_ok(words, options):
        return None
    start = sentence_start + clause.index(words)
    return (start, start + len(words)), (cue_start, cue_end), "subject_of_participle_cue"


def _clean_speaker(words: str) -> str:
    """Trim what surrounds a speaker mention: a leading conjunction, a trailing parenthetical
    ("(DPRK)"), auxiliaries ("has") and time or place phrases ("at the time", "on Sunday")."""
    words = words.strip()
    earlier_cue = _CUE.search(words)  # "The ministry called X a ... and": the subject ends at its verb
    if earlier_cue is not None:
        words = words[: earlier_cue.start()].strip()
    words = re.sub(r"^(?:and|but|while|as|then)\s+", "", words, flags=re.IGNORECASE)
    words = re.sub(r"\s+(?:at|on|in|during|earlier|later|last|this|yesterday)\b.*$", "", words)
    for _ in range(2):
        words = re.sub(r"(?:\s+(?:has|have|had|also|then|later|further|again))+$", "", words, flags=re.IGNORECASE)
        words = re.sub(r"\s*\([^()]*\)$", "", words)
    return words


def _speaker_ok(words: str, options: PreannotateOptions) -> bool:
    words = words.strip()
    count = len(words.split())
    return 0 < count <= options.max_speaker_words and not _NOT_A_SPEAKER.match(words) and not _CUE.fullmatch(words)


def _spans(pos: int, match: re.Match[str], rule: str) -> Attribution:
    raw = match.group("speaker")
    speaker = _clean_speaker(raw)
    start = pos + match.start("speaker") + raw.index(speaker)
    return (start, start + len(speaker)), (pos + match.start("cue"), pos + match.end("cue")), rule
