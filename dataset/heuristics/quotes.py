"""Direct quotes, their speakers and cues, with explainable rules.

Quotation marks: curly “…”, straight "…", the New York Times' two apostrophes ''…'' and ``…'',
guillemets «…», and single ‘…’ and '…' (an apostrophe inside a word, as in "People's", never
opens or closes a quote). A quotation running over several paragraphs (a paragraph left open, the
next one reopening with the opening mark) is one quote. A quote split by an attribution
(“…,” the ministry said, “…”) gives two quotes that share one speaker and one cue.

The attribution (``attribution``) is looked for in the quote's own sentence (``sentences``),
first after the quote, then before it (cues from the ``reporting`` lexicon); then in another
quote of the same sentence; a quote opening its sentence may be introduced by the sentence
before ("X said that …." / "X declared:"); otherwise it inherits the previous quote's speaker
and cue (``follow_on_quote``) when no reporting verb (a new speaker) comes between them; last,
a quote inside a sentence whose verb is outside the lexicon takes that sentence's subject
(``sentence_subject``, the weakest rule, named apart so it can be filtered). The SPEAKER is
the mention as written (a name, "the ministry", a pronoun); linking a pronoun to its antecedent
is left to annotators. Quotes inside headlines, deks and boilerplate are skipped. Quotes shorter
than ``min_quote_words`` are scare quotes: kept only when attributed, under their own rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from newsspan.dataset.config import PreannotateOptions
from newsspan.dataset.heuristics.attribution import Attribution, attribute, previous_sentence, sentence_subject
from newsspan.dataset.heuristics.parsed import has_parser, parsed_attribution
from newsspan.dataset.heuristics.proposals import DEFAULTS, Proposal
from newsspan.dataset.heuristics.reporting import CUE_VERB as CUE
from newsspan.dataset.heuristics.reporting import CUES
from newsspan.dataset.heuristics.sentences import TITLES, Sentences
from newsspan.dataset.labels import CUE as CUE_LABEL
from newsspan.dataset.labels import CUED_BY, QUOTE, REFERS_TO, SAID_BY, SPEAKER

__all__ = ["CUES", "QuoteProposals", "detect_quotes", "find_quotes"]

Quote = tuple[int, int, int, int]  # (mark start, inner start, inner end, mark end)

_PRONOUN = re.compile(r"(?:he|she|they)", re.IGNORECASE)  # what a named antecedent is looked for
_ANTECEDENT_SENTENCES = 4
_ANTECEDENT_REACH = 1200
_TITLES = r"(?:" + "|".join(sorted(t.capitalize() for t in TITLES)) + r")\.\s+"  # the splitter's titles
# lowercase role words inside a name phrase ("Harbour master Jonas Weir", "Foreign minister X")
_ROLES = (
    r"(?:master|minister|secretary|president|spokesman|spokeswoman|spokesperson|leader|chief|director|"
    r"governor|senator|mayor|general|officer|chairman|chairwoman|commissioner|ambassador|editor|host|"
    r"analyst|professor|lawyer|judge|manager|adviser|advisor|strategist|official)"
)
_NAMED = re.compile(r"(?:[A-Z][\w’'.-]*\s+(?:" + _ROLES + r"\s+)?)*[A-Z][\w’'-]+$")
# a name opening a sentence, followed by a comma or a lowercase word (its verb): a subject
_SUBJECT_NAME = re.compile(
    r"(?:(?:But|And|Yet|Still|Then|Later|Meanwhile|However|Now|So)\s*,?\s+)?"
    r"(?P<name>(?:" + _TITLES + r")?(?:[A-Z][\w’'.-]+\s+(?:" + _ROLES + r"\s+)?){0,3}[A-Z][\w’'-]+)(?=\s*,|\s+[a-z])"
)
_NOT_A_NAME = re.compile(
    r"(?:A|An|In|On|At|It|Its|This|That|These|Those|He|She|They|We|I|His|Her|Their|Our|When|If|As|After|"
    r"Before|While|For|But|And|Asked|With|From|By|One|Some|Many|Most|Both|All|No|Not|There|What|Who|Why|"
    r"How|Where|Yes|So|Then|Now|Still|Yet|Later|Meanwhile|However|Speaking|According|Last|Next|Earlier)\b"
)
_DOUBLE = re.compile(
    r"“((?:[^“”\n]|\n\s*“)+?)”"  # a paragraph may stay open when the next reopens with “
    r"|\"((?:[^\"\n]|\n\s*\")+?)\""
    r"|(?<![\w'])''(?=[^\s'])((?:[^\n]|\n\s*'')+?)(?<=\S)''(?![\w'])"  # two apostrophes, not a possessive
    r"|``((?:[^\n]|\n\s*``)+?)''"
    r"|«((?:[^«»\n]|\n\s*«)+?)»"
)
# a single quote opens after a space or line start and closes before a space, punctuation or end,
# never between two letters (an apostrophe: People's, don't)
_SINGLE = re.compile(r"(?:(?<=^)|(?<=[\s(\[—–-]))[‘']((?:[^‘’'\n]|(?<=\w)['’](?=\w))+?)[’'](?=[\s.,;:!?)\]—–-]|$)")


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


def find_quotes(text: str) -> list[Quote]:
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
    kept: list[Quote] = []
    for quote in found:  # a quote inside another quote belongs to it
        if not kept or quote[0] >= kept[-1][3]:
            kept.append(quote)
    return kept


def detect_quotes(
    text: str, *, skip: Sequence[tuple[int, int]] = (), options: PreannotateOptions = DEFAULTS, nlp: Any = None
) -> QuoteProposals:
    """QUOTE, SPEAKER and CUE proposals with ``said_by``/``cued_by``/``refers_to`` relations.

    ``skip`` lists spans (headline, dek, boilerplate) in which quotes are not attributed.
    Quotes of fewer than ``options.min_quote_words`` words are scare quotes unless a cue
    attributes them (then their rule is ``attributed_short_quote``). ``nlp``, a spaCy pipeline
    with a parser, attributes the quotes the rules leave without a speaker (``parsed``).
    """
    result = QuoteProposals()
    quotes = [q for q in find_quotes(text) if not any(s <= q[1] < e for s, e in skip) and not _markup(text, q)]
    sentences = Sentences(text)
    inside = [(q[0], q[3]) for q in quotes]
    found = [attribute(text, q, sentences, options, inside) for q in quotes]
    found = [direct or _same_sentence(index, quotes, found, sentences) for index, direct in enumerate(found)]
    parser = nlp if has_parser(nlp) else None
    named: tuple[int, int] | None = None  # the latest named speaker: what a later "he" refers to
    for index, quote in enumerate(quotes):
        short = len(text[quote[1] : quote[2]].split()) < options.min_quote_words
        if found[index] is None and not short:
            found[index] = _fallback(text, index, quotes, found, sentences, options, parser)
        elif parser is not None and not short and _borrowed(found[index]):  # the parse reads its own verb
            found[index] = parsed_attribution(text, quote, sentences, parser, options, inside) or found[index]
        attribution = found[index]
        title = _title_like(text, quote, sentences) and _distant(attribution)
        rule = _quote_rule(short, title, attribution is not None, options)
        if rule is None:
            continue
        region = result.add(Proposal(QUOTE, quote[1], quote[2], rule))
        if attribution is not None and not title:
            named = _link(result, region, attribution, named, text, sentences, inside)
    return result


def _borrowed(attribution: Attribution | None) -> bool:
    """An attribution taken from another quote of the sentence (``same_sentence``)."""
    return attribution is not None and attribution[2] == "same_sentence"


def _fallback(
    text: str,
    index: int,
    quotes: list[Quote],
    found: list[Attribution | None],
    sentences: Sentences,
    options: PreannotateOptions,
    parser: Any,
) -> Attribution | None:
    """The weaker rules, in order, for a quote its own sentence does not attribute: the parse
    (when a parser is given), introduced by the sentence before, a follow-on quote, the
    sentence's subject."""
    quote, inside = quotes[index], [(q[0], q[3]) for q in quotes]
    attribution = None
    if parser is not None:
        attribution = parsed_attribution(text, quote, sentences, parser, options, inside)
    if attribution is None:
        attribution = previous_sentence(text, quote, sentences, options, inside)
    if attribution is None and options.inherit_attribution:
        attribution = _follow_on(text, index, quotes, found, sentences)
    if attribution is None:
        attribution = sentence_subject(text, quote, sentences, options)
    return attribution


def _quote_rule(short: bool, title: bool, attributed: bool, options: PreannotateOptions) -> str | None:
    """The QUOTE's rule, or None when it is not proposed (a scare quote or a quoted title,
    unless ``options.scare_quotes``)."""
    if title or (short and not attributed):
        if not options.scare_quotes:
            return None
        return "quoted_title" if title else "scare_quote"
    return "attributed_short_quote" if short else "quotation_marks"


def _link(
    result: QuoteProposals,
    region: int,
    attribution: Attribution,
    named: tuple[int, int] | None,
    text: str,
    sentences: Sentences,
    inside: list[tuple[int, int]],
) -> tuple[int, int] | None:
    """Add the quote's SPEAKER and CUE with their relations (and a pronoun speaker's named
    antecedent, ``refers_to``); return the latest named speaker."""
    speaker, cue, how = attribution
    mention = result.add(Proposal(SPEAKER, *speaker, how))
    result.relations.append((region, mention, SAID_BY))
    result.relations.append((region, result.add(Proposal(CUE_LABEL, *cue, how)), CUED_BY))
    words = text[speaker[0] : speaker[1]]
    pronoun = _PRONOUN.fullmatch(words)
    if pronoun is None:
        return speaker if _named(words) else named
    antecedent = _antecedent(text, speaker[0], sentences, inside, named, pronoun.group().lower())
    if antecedent is not None:
        link = (mention, result.add(Proposal(SPEAKER, *antecedent, "antecedent")), REFERS_TO)
        if link not in result.relations:
            result.relations.append(link)
    return named


def _named(mention: str) -> bool:
    """A mention naming someone ("Sen. Rand Paul", "Mr. Trump"), not a description ("officials")."""
    head = mention.split(",", maxsplit=1)[0].strip()
    return bool(_NAMED.match(head)) and not _NOT_A_NAME.match(head)


def _antecedent(
    text: str,
    pos: int,
    sentences: Sentences,
    quotes: Sequence[tuple[int, int]],
    speaker: tuple[int, int] | None,
    pronoun: str,
) -> tuple[int, int] | None:
    """The named mention a pronoun speaker refers to: the nearest of the latest named quote
    speaker and a name opening one of the last ``_ANTECEDENT_SENTENCES`` sentences (a subject),
    within ``_ANTECEDENT_REACH`` characters; "he"/"she" skip names of organisations ("The …")."""
    start = sentences.start(pos)
    for _ in range(_ANTECEDENT_SENTENCES):
        if pos - start > _ANTECEDENT_REACH:
            break
        if not any(a <= start < b for a, b in quotes):
            found = _SUBJECT_NAME.match(text, start)
            if (
                found is not None
                and found.end("name") <= pos
                and _named(found["name"])
                and (pronoun == "they" or not found["name"].startswith("The "))
            ):
                subject = (found.start("name"), found.end("name"))
                return subject if speaker is None or speaker[0] < subject[0] else speaker
        if start == 0:
            break
        start = sentences.start(start - 1)
    if speaker is not None and pos - speaker[0] <= _ANTECEDENT_REACH:
        return speaker
    return None


def _markup(text: str, quote: Quote) -> bool:
    """An attribute value of markup left in the text (``<tweet author="…">``), not speech."""
    return text[quote[0] - 1 : quote[0]] == "=" or text[quote[1] : quote[2]].startswith("<")


def _title_like(text: str, quote: Quote, sentences: Sentences) -> bool:
    """A short quoted name inside a sentence, every word capitalised: a title ("Meet the Press"),
    not speech."""
    words = re.findall(r"[\w’']+", text[quote[1] : quote[2]])
    if not 0 < len(words) <= 6 or sentences.start(quote[0]) >= quote[0] - 1:
        return False
    small = {"the", "a", "an", "of", "and", "in", "on", "for", "to", "with", "at", "or"}
    return words[0][0].isupper() and all(w[0].isupper() or w in small for w in words) and len(words) > 1


def _distant(attribution: Attribution | None) -> bool:
    """No attribution, or one read from a cue elsewhere in the sentence (not right after the quote)."""
    return attribution is None or not attribution[2].endswith("after_quote")


def _same_sentence(
    index: int, quotes: list[Quote], found: list[Attribution | None], sentences: Sentences
) -> Attribution | None:
    """A quote without its own attribution shares the one of a quote in the same sentence."""
    for other in sorted(range(len(quotes)), key=lambda i: abs(i - index)):
        attribution = found[other]
        if other == index or attribution is None or attribution[2] == "same_sentence":
            continue
        first, last = sorted((quotes[index], quotes[other]))
        if sentences.start(first[3] - 1) == sentences.start(last[0]):
            return attribution[0], attribution[1], "same_sentence"
    return None


def _follow_on(
    text: str, index: int, quotes: list[Quote], found: list[Attribution | None], sentences: Sentences
) -> Attribution | None:
    """The previous quote's speaker and cue, when no reporting verb (a new speaker) comes between."""
    if index == 0 or found[index - 1] is None:
        return None
    previous = found[index - 1]
    assert previous is not None
    after = max(quotes[index - 1][3], previous[0][1], previous[1][1])
    between = text[min(sentences.end(after - 1), quotes[index][0]) : quotes[index][0]]  # past "in a statement."
    if CUE.search(between) or between.count("\n\n") > 1 or len(between) > 600:
        return None
    return previous[0], previous[1], "follow_on_quote"
