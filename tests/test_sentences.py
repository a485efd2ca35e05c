"""Sentence boundaries on both splitters (nupunkt and the rules) behind ``Sentences``."""

from __future__ import annotations

import sys

import pytest

from newsspan.dataset.heuristics import sentences as module
from newsspan.dataset.heuristics.sentences import (
    SPLITTERS,
    Sentences,
    SplitterUnavailableError,
    default_splitter,
    use_splitter,
)


def _split(text: str, splitter: str | None) -> list[str]:
    return [text[a:b] for a, b in Sentences(text, splitter).spans()]


@pytest.fixture(autouse=True)
def _auto_default():
    use_splitter(None)
    yield
    use_splitter(None)


@pytest.mark.parametrize("splitter", SPLITTERS)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Rep. A.B. Name said the U.S. Senate rose 3.5 pct. on Monday. Lt. Gen. Smith agreed.",
            ["Rep. A.B. Name said the U.S. Senate rose 3.5 pct. on Monday. ", "Lt. Gen. Smith agreed."],
        ),
        ("Gov. J. Smith spoke. Then the minister left.", ["Gov. J. Smith spoke. ", "Then the minister left."]),
        ("Growth was 3.5 percent in the second quarter.", ["Growth was 3.5 percent in the second quarter."]),
        ("Dr. A.B. Kent said “we left.” He smiled.", ["Dr. A.B. Kent said “we left.” ", "He smiled."]),
        ("Is it? “Why?” he asked. No.", ["Is it? ", "“Why?” he asked. ", "No."]),
        ("“Will we?” She shrugged.", ["“Will we?” ", "She shrugged."]),
        ("First line without a stop\nSecond line.", ["First line without a stop\n", "Second line."]),
        ("Ms. Clinton spoke.\nMr. Trump replied.", ["Ms. Clinton spoke.\n", "Mr. Trump replied."]),
        # The documented choice: a dotted acronym before a sentence opener ends the sentence.
        ("He moved to the U.S. Then he left.", ["He moved to the U.S. ", "Then he left."]),
        ("It killed U.S. Ambassador Chris Stevens. Then.", ["It killed U.S. Ambassador Chris Stevens. ", "Then."]),
        ("Sen. Bernie Sanders (I-Vt.) spoke.", ["Sen. Bernie Sanders (I-Vt.) spoke."]),
        ("“The harbour is safe now.” — Lena Voss", ["“The harbour is safe now.” — Lena Voss"]),
    ],
    ids=[
        "titles-initials-acronym-decimal-pct",
        "title-with-initial",
        "decimal",
        "period-inside-closing-mark",
        "question-inside-closing-mark-lowercase-after",
        "question-inside-closing-mark-capital-after",
        "line-break-without-stop",
        "line-break-after-stop",
        "acronym-before-opener",
        "acronym-before-title",
        "period-before-closing-parenthesis",
        "dash-attribution-after-closing-mark",
    ],
)
def test_both_splitters_agree_on_the_hard_boundaries(splitter, text, expected):
    assert _split(text, splitter) == expected, f"{splitter} split {text!r} wrongly"


@pytest.mark.parametrize("splitter", SPLITTERS)
@pytest.mark.parametrize(
    "text",
    ["", "One.", "A  b.   C d.\n\nE f.  ", "\n\nStarts with breaks.\n", "Rep. Lane spoke.\tThen he left.\n\n“Yes.”"],
)
def test_starts_are_sorted_from_zero_and_spans_cover_the_text(splitter, text):
    sentences = Sentences(text, splitter)
    assert sentences.starts[0] == 0, "the first sentence starts at 0"
    assert sentences.starts == sorted(set(sentences.starts)), "starts are sorted and distinct"
    assert "".join(text[a:b] for a, b in sentences.spans()) == text, "spans cover the text without gaps"
    breaks = [i + 1 for i, char in enumerate(text) if char == "\n"]
    assert set(breaks) <= {*sentences.starts, len(text)}, "every line break ends a sentence"
    for a, b in sentences.spans():
        assert not text[a:b].startswith((" ", "\t")), "the space after a sentence belongs to the one before"
        assert sentences.start(a) == a and sentences.end(a) == b, "start()/end() agree with spans()"


def test_the_nupunkt_path_keeps_its_split_after_a_company_abbreviation():
    text = "He worked at Acme Inc. The firm grew."
    assert _split(text, "nupunkt") == ["He worked at Acme Inc. ", "The firm grew."], "nupunkt sees the new sentence"
    assert _split(text, "rules") == [text], "the rules never end a sentence at a listed abbreviation"


def test_default_splitter_is_nupunkt_when_installed_and_can_be_set():
    assert default_splitter() == "nupunkt", "nupunkt is installed in the dev environment"
    assert Sentences("A b. C d.").splitter == "nupunkt", "Sentences uses the default"
    use_splitter("rules")
    assert default_splitter() == "rules", "use_splitter sets the module default"
    assert Sentences("A b. C d.").splitter == "rules", "Sentences follows the new default"
    use_splitter(None)
    assert default_splitter() == "nupunkt", "None goes back to the automatic choice"


@pytest.mark.parametrize("call", [lambda: Sentences("A b.", "spacy"), lambda: use_splitter("spacy")])
def test_an_unknown_splitter_names_the_allowed_ones(call):
    with pytest.raises(ValueError, match="nupunkt, rules"):
        call()


def test_the_rules_are_used_when_nupunkt_cannot_be_imported(monkeypatch):
    monkeypatch.setitem(sys.modules, "nupunkt", None)  # makes `import nupunkt` raise ImportError
    assert module._nupunkt() is None, "the import is looked up at call time"
    assert default_splitter() == "rules", "without nupunkt the default falls back to the rules"
    text = "Rep. A.B. Name said the U.S. Senate would vote. Then he left."
    assert _split(text, None) == ["Rep. A.B. Name said the U.S. Senate would vote. ", "Then he left."]
    with pytest.raises(SplitterUnavailableError, match="pip install nupunkt"):
        Sentences(text, "nupunkt")
    with pytest.raises(ImportError, match="pip install nupunkt"):
        use_splitter("nupunkt")
