"""The reporting-verb lexicon: lemmas, their inflections, and cue phrases.

A cue is the verb or phrase that reports speech ("said", "tells", "was asked", "according to").
Inflections are generated from the lemmas (third person, past, participle, gerund) so every tense
and person counts; irregular verbs list their forms.
"""

from __future__ import annotations

import re

__all__ = ["CUES", "CUE_NEXT_TO_QUOTE", "CUE_VERB", "PARTICIPLE_CUES", "inflect"]

_REGULAR_WORDS = """
add argue ask assert boast caution charge cite claim comment complain concede conclude confirm
contend continue counter declare deny describe emphasize emphasise explain exclaim insist joke
lament maintain mention muse note observe plead pledge post predict promise protest recall reiterate
remark repeat reply report respond retort scoff scream shout state stress suggest testify tweet urge
vow warn wonder yell acknowledge announce allege accuse criticize criticise condemn denounce call
express agree disagree estimate insist recount quote praise credit vent blast slam mock dismiss
blame thank boast brag chide scold press question demand offer interject interrupt chuckle laugh
sigh whisper gripe grumble fume rage rant thunder proclaim pronounce tout hail laud email text
consider assure portray answer remember chant highlight bemoan characterize characterise label
confess reveal surmise riff recommend echo reflect
"""
_REGULAR = tuple(_REGULAR_WORDS.split())
_IRREGULAR = {
    "say": ("says", "said", "saying"),
    "tell": ("tells", "told", "telling"),
    "write": ("writes", "wrote", "written", "writing"),
    "admit": ("admits", "admitted", "admitting"),
    "quip": ("quips", "quipped", "quipping"),
    "speak": ("speaks", "spoke", "speaking"),
    "put": ("puts",),
    "lobby": ("lobbies", "lobbied", "lobbying"),
    "read": ("reads", "reading"),
    "think": ("thinks", "thought", "thinking"),
    "refer": ("refers", "referred", "referring"),
    "shoot back": ("shoots back", "shot back"),
    "fire back": ("fires back", "fired back"),
}
# lemmas that are also common nouns ("a tweet", "the report", "United States"): only their past and
# gerund forms are cues
_NOUN_LIKE_WORDS = """
tweet post report comment charge answer chant label echo quote call promise pledge vow note counter
estimate protest remark joke claim state repeat plead continue express put praise credit vent blast
question demand offer laugh sigh whisper rage rant thunder tout hail email text press mock blame
"""
_NOUN_LIKE = frozenset(_NOUN_LIKE_WORDS.split())
_PHRASES = ("according to", "in a statement", "in an interview", "pointed out", "points out")


def inflect(lemma: str) -> tuple[str, ...]:
    """The lemma, its third person singular, past (= participle) and gerund forms (a final
    consonant after a short vowel doubles in one-syllable verbs: slam, slammed, slamming)."""
    if re.search(r"(?:s|sh|ch|x|z)$", lemma):
        third = lemma + "es"
    elif re.search(r"[^aeiou]y$", lemma):
        third = lemma[:-1] + "ies"
    else:
        third = lemma + "s"
    if lemma.endswith("e"):
        past, gerund = lemma + "d", lemma[:-1] + "ing"
    elif re.fullmatch(r"[^aeiou]*[aeiou][bdgklmnprt]", lemma):  # one syllable, short vowel: slam, slammed
        past, gerund = lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"
    elif re.search(r"[^aeiou]y$", lemma):
        past, gerund = lemma[:-1] + "ied", lemma + "ing"
    else:
        past, gerund = lemma + "ed", lemma + "ing"
    return lemma, third, past, gerund


def _forms(*, nouns: bool) -> tuple[str, ...]:
    forms: set[str] = set(_PHRASES) | {"went on", "goes on"}
    for lemma in _REGULAR:
        forms.update(inflect(lemma)[2:] if lemma in _NOUN_LIKE and not nouns else inflect(lemma))
    for lemma, irregular in _IRREGULAR.items():
        forms.add(lemma)
        forms.update(irregular)
    return tuple(sorted(forms, key=lambda f: (-len(f), f)))


def _pattern(forms: tuple[str, ...]) -> re.Pattern[str]:
    """Any of ``forms`` as a whole word, not inside a compound ("so-called"), in any case; a form
    that is also a noun (the lemma or its -s form: "post", "state", "press") only in lower case,
    since capitalised it names something ("The Washington Post", "Secretary of State")."""
    nouns = {f for lemma in _NOUN_LIKE for f in inflect(lemma)[:2]}
    alternatives = [f"(?-i:{f})" if f in nouns else f.replace(" ", r"\s+") for f in forms]
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


CUES = _forms(nouns=False)
CUE_VERB = _pattern(CUES)
# right next to a quote ("…," Name notes) a form that is also a noun is the verb
CUE_NEXT_TO_QUOTE = _pattern(_forms(nouns=True))
PARTICIPLE_CUES = frozenset(f for f in CUES if f.endswith("ing") and f != "according to")
