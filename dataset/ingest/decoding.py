"""Choosing a legacy single-byte codec for bytes that are not UTF-8: right or refused.

Every candidate codec (:data:`CANDIDATES`, in order of preference) that decodes the bytes is
read as text of a language: the language whose common words (:data:`_LANGUAGES`) the text uses
most, among those whose letters fit. Each non-ASCII character is then judged *plausible* or not
for that language:

* a letter must belong to the language's alphabet, sit in a word of one script (no Latin letter
  next to a Cyrillic one), keep the word's case pattern (``maÓtre`` is not a word) and not make
  most of a Latin word accented (Greek bytes read as cp1252 give ``ôçò êáé``);
* anything else must be usual punctuation or a usual symbol (quotes, dashes, ``€``, ``°``, a
  no-break space); a C1 control, a box-drawing character or a symbol between two letters is not.

A candidate's *fit* is its share of plausible non-ASCII characters. Candidates that give the same
text are one candidate (the first in preference order: English with cp1252 quotes is the same
text in cp1250, and is recorded as cp1252). The best candidate is the one with the highest fit
(ties go to the preference order); its *confidence* is the lower of its fit and its margin over
the runner-up on the characters where the two texts differ. Below :data:`MIN_CONFIDENCE`, or when
no language is recognised, the bytes are refused with the candidates listed.

ASCII bytes read the same in every candidate, so only the bytes >= 0x80 are evidence; each one is
one character in every candidate, so the texts align position by position.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

__all__ = ["CANDIDATES", "MIN_CONFIDENCE", "Choice", "Detection", "choose_codec", "detect_legacy", "plausibility"]

# Windows code pages first (what legacy news systems wrote), ISO and DOS/Mac pages after.
CANDIDATES = (
    "cp1252",
    "iso8859-15",
    "cp1250",
    "iso8859-2",
    "cp1254",
    "cp1251",
    "koi8-r",
    "koi8-u",
    "iso8859-5",
    "mac-cyrillic",
    "cp866",
    "cp1253",
    "iso8859-7",
    "mac-roman",
    "mac-latin2",
)
# A right decode of real text scores 0.95-1.0 (a stray symbol or a foreign name can cost a few
# points); the wrong codecs of the test articles score 0.6 or less on the characters that differ.
# 0.8 sits between the two with room on both sides.
MIN_CONFIDENCE = 0.8
# A language is recognised when at least this share of the words are its common words (news
# prose runs at 0.25-0.45 with these lists) and at least _MIN_HITS of them occur.
_MIN_STOP_SHARE = 0.08
_MIN_HITS = 2
# Only the start of a long file is scored; the whole file must still decode.
_SAMPLE_CHARS = 65_536


@dataclass(frozen=True, slots=True)
class _Language:
    code: str
    script: str  # "latin", "cyrillic" or "greek"
    letters: frozenset[str]  # the non-ASCII letters it writes, both cases
    common: frozenset[str]  # frequent words, lower case


def _language(code: str, script: str, letters: str, common: str) -> _Language:
    cased = set(letters) | {c.upper() for c in letters if len(c.upper()) == 1}
    return _Language(code, script, frozenset(cased), frozenset(common.split()))


_CYRILLIC = "абвгдежзийклмнопрстуфхцчшщъыьэюяёђѓєѕіїјљњћќўџґ"
_LANGUAGES = (
    _language(
        "en",
        "latin",
        "éèêëïöüàâçñ",
        "the of and to in a is that for on was with as by at it from he "
        "said his be are has have an were its not but this which their they",
    ),
    _language(
        "fr",
        "latin",
        "àâæçéèêëîïôœùûüÿ",
        "le la les de des du et à un une est en que qui pour dans sur "
        "au aux par pas plus ne il elle se son sa ses été avec ce cette où très après",
    ),
    _language(
        "de",
        "latin",
        "äöüßé",
        "der die das und in den von zu mit ist im des sich auf für nicht ein "
        "eine dem als auch es an werden aus er hat dass sie nach bei um über",
    ),
    _language(
        "es",
        "latin",
        "áéíóúñü",
        "el la los las de del y en que a un una por con para es se no su al lo como más pero sus le ha está también",
    ),
    _language(
        "it",
        "latin",
        "àèéìíòóùú",
        "il la di che e è un una per in del della dei non si con le da al sono ha ma anche gli nel alla più",
    ),
    _language(
        "pt",
        "latin",
        "áâãàçéêíóôõú",
        "o a os as de do da dos das e em que um uma para com não por no na se é mais foi ao também",
    ),
    _language(
        "nl", "latin", "éëïöüèáó", "de het een en van in is dat op te zijn voor met die niet aan er om ook als bij door"
    ),
    _language("sv", "latin", "åäöé", "och att det som en är på för av med den till inte har de om ett var"),
    _language("da", "latin", "æøåé", "og at det som en er på for af med den til ikke har de om et var"),
    _language("fi", "latin", "äöå", "ja on ei että se oli hän mutta kun myös ovat tai joka ole"),
    _language(
        "cs",
        "latin",
        "áčďéěíňóřšťúůýž",
        "a je se na v že to s z o ve do jako pro by jsou které který ale byl bylo jeho není podle také při",
    ),
    _language(
        "sk",
        "latin",
        "áäčďéíĺľňóôŕšťúýž",
        "a je sa na v že to s z o vo do ako pre by sú ktoré ktorý ale bol bolo jeho nie podľa tiež pri aj",
    ),
    _language(
        "pl",
        "latin",
        "ąćęłńóśźż",
        "w i na z się że nie do to jest o jak od po a jego przez dla są tym już przy ale czy",
    ),
    _language("hu", "latin", "áéíóöőúüű", "a az és hogy nem is egy meg de ez csak van már volt mint azt el"),
    _language("ro", "latin", "ăâîşţșț", "și şi în de la cu o a pe nu care un mai din este că se au fost pentru iar"),
    _language("hr", "latin", "čćđšž", "i je u na se da za su od s o a ne što koji će iz kao ali bio"),
    _language("sl", "latin", "čšž", "in je v na se da za so od s z o ne pa ki bo tudi po kot"),
    _language("tr", "latin", "çğıöşüâîİ", "ve bir bu da de için ile çok olarak daha gibi en ne o ama kadar"),
    _language(
        "ru",
        "cyrillic",
        _CYRILLIC[:33],
        "и в не на что с по он я как это а из к у о за от но его же для то так бы все она был",
    ),
    _language(
        "uk",
        "cyrillic",
        "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
        "і в не на що з по він я як це а із до у о за від але його та для які",
    ),
    _language(
        "bg", "cyrillic", "абвгдежзийклмнопрстуфхцчшщъьюя", "и в на да се не от за с че е по са като това но той"
    ),
    _language(
        "el",
        "greek",
        "αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ",
        "και το να της την του τα η ο που με σε για στο στη από δεν είναι οι των θα",
    ),
)
# Punctuation and symbols news text uses; anything else non-ASCII that is not a letter is not.
_SYMBOLS = frozenset("\u00a0\u00ad“”‘’„‚«»‹›–—…•·°§©®™€£¥¢±×÷½¼¾¹²³¡¿ºª№‰†′″µ")
# The ones that may also stand between two letters (l’homme, soft hyphen, middle dot).
_IN_WORD = frozenset("’‘\u00ad·")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class _Reading:
    """One candidate's text, the language it reads as and the positions that are implausible."""

    codec: str
    text: str
    language: _Language | None
    bad: frozenset[int]
    evidence: int  # non-ASCII characters in the scored sample

    @property
    def fit(self) -> float:
        if self.language is None or not self.evidence:
            return 0.0
        return 1 - len(self.bad) / self.evidence

    def label(self) -> str:
        language = self.language.code if self.language else "no language recognised"
        return f"{self.codec} {self.fit:.2f} ({language})"


@dataclass(frozen=True, slots=True)
class Detection:
    """The codec chosen (``codec`` is None when refused) and why, for the log or the refusal."""

    codec: str | None
    why: str


def detect_legacy(raw: bytes) -> Detection:
    """Choose the codec of ``raw`` (not UTF-8) among :data:`CANDIDATES`, or refuse; see module."""
    readings = _readings(raw)
    ranked = sorted(readings, key=lambda r: (-r.fit, CANDIDATES.index(r.codec)))
    if not ranked:
        return Detection(None, f"none of {', '.join(CANDIDATES)} decodes it")
    best = ranked[0]
    runner = ranked[1] if len(ranked) > 1 else None
    confidence = min(best.fit, _margin(best, runner))
    considered = "; ".join(r.label() for r in ranked[:6])
    if best.language is None or confidence < MIN_CONFIDENCE:
        return Detection(
            None,
            f"best {best.codec} at plausibility {confidence:.2f}, below the threshold "
            f"{MIN_CONFIDENCE}; candidates: {considered}",
        )
    runner_up = f"runner-up {runner.label()}" if runner else "no other candidate decodes it"
    return Detection(
        best.codec,
        f"plausibility {confidence:.2f}, language {best.language.code}, "
        f"{best.evidence - len(best.bad)}/{best.evidence} non-ASCII characters plausible; {runner_up}",
    )


def _readings(raw: bytes) -> list[_Reading]:
    """One reading per distinct decoded text, named by its first codec in preference order."""
    readings: dict[str, _Reading] = {}
    sample = raw[:_SAMPLE_CHARS]
    for codec in CANDIDATES:
        try:
            raw.decode(codec)
        except UnicodeDecodeError:
            continue
        text = sample.decode(codec)
        if text not in readings:
            readings[text] = _read(codec, text)
    return list(readings.values())


def _read(codec: str, text: str) -> _Reading:
    evidence = sum(1 for c in text if ord(c) >= 0x80)
    words = list(_WORD.finditer(text))
    lowered = [m[0].lower() for m in words]
    best: tuple[float, int, _Language | None, frozenset[int]] = (-1.0, 0, None, frozenset())
    hits = {lang.code: sum(1 for w in lowered if w in lang.common) for lang in _LANGUAGES}
    top = max(hits.values())
    for lang in _LANGUAGES:
        if hits[lang.code] < max(_MIN_HITS, top / 2, _MIN_STOP_SHARE * len(words)):
            continue
        bad = _implausible(text, words, lang)
        fit = 1 - len(bad) / evidence if evidence else 0.0
        if (fit, hits[lang.code]) > best[:2]:
            best = (fit, hits[lang.code], lang, bad)
    return _Reading(codec, text, best[2], best[3], evidence)


def _implausible(text: str, words: list[re.Match[str]], lang: _Language) -> frozenset[int]:
    """Positions of the non-ASCII characters of ``text`` that ``lang`` would not write there."""
    bad: set[int] = set()
    for word in words:
        if not word[0].isascii() and not _word_plausible(word[0], lang):
            bad.update(word.start() + i for i, c in enumerate(word[0]) if ord(c) >= 0x80)
    covered = {i for word in words for i in range(word.start(), word.end())}
    for i, char in enumerate(text):
        if ord(char) >= 0x80 and i not in covered and not _symbol_plausible(text, i):
            bad.add(i)
    return frozenset(bad)


def _word_plausible(word: str, lang: _Language) -> bool:
    """One script, the language's letters, a usual case pattern, not mostly accented (Latin)."""
    if lang.script == "latin":
        if not all(c.isascii() or c in lang.letters for c in word):
            return False
        accented = sum(1 for c in word if not c.isascii())
        if len(word) >= 3 and accented * 3 > len(word) * 2:
            return False
    elif not all(c in lang.letters for c in word):
        return False
    return not any(a.islower() and b.isupper() for a, b in itertools.pairwise(word))


def _symbol_plausible(text: str, i: int) -> bool:
    char = text[i]
    if char not in _SYMBOLS:
        return False
    between_letters = 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha()
    return char in _IN_WORD or not between_letters


def _margin(best: _Reading, runner: _Reading | None) -> float:
    """How much better ``best`` reads than ``runner`` where their texts differ (1.0: no rival)."""
    if runner is None or runner.language is None:
        return 1.0
    differ = [i for i, (a, b) in enumerate(zip(best.text, runner.text, strict=True)) if a != b]
    if not differ:
        return 1.0
    best_good = sum(1 for i in differ if i not in best.bad)
    runner_good = sum(1 for i in differ if i not in runner.bad)
    return max(0.0, (best_good - runner_good) / len(differ))


@dataclass(frozen=True, slots=True)
class Choice:
    """:func:`detect_legacy` with the whole text decoded (``codec`` and ``text`` None: refused)."""

    codec: str | None
    text: str | None
    why: str


def choose_codec(raw: bytes) -> Choice:
    """The codec :func:`detect_legacy` chooses and the text it gives, or a refusal's reasons."""
    detection = detect_legacy(raw)
    text = raw.decode(detection.codec) if detection.codec is not None else None
    return Choice(detection.codec, text, detection.why)


def plausibility(text: str) -> tuple[float, str | None]:
    """(fit, language) of a decoded text: its share of plausible non-ASCII characters."""
    reading = _read("given", text)
    return reading.fit, reading.language.code if reading.language else None
