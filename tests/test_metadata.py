"""Headlines on the first line: the general signals, each case with its verdict and reason."""

from __future__ import annotations

import pytest

from newsspan.dataset.ingest.dates import is_timestamp_line
from newsspan.dataset.ingest.headlines import judge_headline
from newsspan.dataset.ingest.metadata import extract_metadata

BODY = (
    "The harbour authority said on Tuesday that the ferry would resume service next week after "
    "engineers finished their inspection of the damaged hull."
)
SHORT_LEDE = "The ferry is back."


@pytest.mark.parametrize(
    ("window", "adjacent", "lines", "reason"),
    [
        (["Ferry service to resume after hull repairs", BODY], False, 1, "headline"),
        (["Ferry service to resume after hull repairs.", BODY], False, 1, "headline"),
        (["Will the ferry sail again?", "Menu", "Search"], False, 1, "headline"),
        (["Harbour chief: Ferry will sail again.", BODY], False, 1, "headline"),
        (["Gov. Alvar Pike backs ferry plan.", BODY], False, 1, "headline"),
        (["Port Board Approves Repairs. Here Is What Changes.", BODY], False, 1, "headline"),
        (["Ferry returns to service.", "ANALYSIS.", "Harbour Notes.", BODY], False, 1, "headline"),
        (["Ferry returns to service.", SHORT_LEDE, BODY], False, 1, "headline"),
        (["Ferry returns to service;", "Repairs took three weeks.", BODY], True, 2, "two_part_headline"),
        (["Ferry returns to service;", "Repairs took three weeks.", BODY], False, 1, "headline"),
        (["The ferry is back.", "It sails at noon."], False, 0, "no_body_below"),
        (["The ferry returned to service on Tuesday.", "Passengers cheered."], False, 0, "no_body_below"),
        (["The ferry sailed. Passengers cheered.", BODY], False, 0, "not_headline_shaped"),
        (["the ferry returns", BODY], False, 0, "not_headline_shaped"),
        (["PORT HALDEN - The ferry returns", BODY], False, 0, "not_headline_shaped"),
        (["Headline,", BODY], False, 0, "not_headline_shaped"),
        (["Wed, Mar 4, 2026", BODY], False, 0, "timestamp"),
        (["Updated 9:40 AM GMT", BODY], False, 0, "timestamp"),
        (["Skip to main content", "Home", "News"], False, 0, "navigation"),
        (["Sign in", BODY], False, 0, "navigation"),
        (["Harbour Gazette", "Home", "Local"], False, 0, "navigation"),
        (["Ferry Returns", "By Mara Quell", BODY], False, 1, "headline"),
    ],
    ids=[
        "plain-headline",
        "period-headline-over-body",
        "question-over-menu",
        "colon-inside",
        "abbreviation-is-no-sentence-break",
        "title-case-two-sentences",
        "labels-between-headline-and-body",
        "one-line-lede-then-body",
        "semicolon-continues-on-next-line",
        "semicolon-then-blank-line-is-one-line",
        "period-sentence-over-short-sentence",
        "period-sentence-over-nothing-longer",
        "sentence-case-two-sentences",
        "starts-lower-case",
        "dateline",
        "ends-with-comma",
        "date-line",
        "updated-time-line",
        "menu-entry",
        "sign-in",
        "site-name-above-menu",
        "short-headline-over-byline",
    ],
)
def test_judge_headline_gives_lines_and_reason(window, adjacent, lines, reason):
    verdict = judge_headline(window, next_adjacent=adjacent)
    assert (verdict.lines, verdict.reason) == (lines, reason)


@pytest.mark.parametrize(
    ("line", "stamp"),
    [
        ("Wed, Mar 4, 2026", True),
        ("Updated 9:40 AM GMT", True),
        ("2 hours ago", True),
        ("04 March 2026, 09:40 GMT+2", True),
        ("Published on Monday", False),  # no digit
        ("9 ferries return to service", False),
    ],
    ids=["weekday-date", "updated-time", "ago", "timestamp", "no-digit", "headline-with-number"],
)
def test_is_timestamp_line(line, stamp):
    assert is_timestamp_line(line) is stamp


def test_a_period_headline_is_the_title_and_its_span_is_the_line():
    text = f"Ferry service resumes after repairs.\n\n{BODY}\n\n{BODY}"
    found = extract_metadata(text)
    assert found.title is not None
    assert found.title.value == "Ferry service resumes after repairs."
    assert text[found.title.start : found.title.end] == found.title.value


def test_a_two_part_headline_spans_both_lines_as_printed():
    text = f"Ferry returns to service;\nRepairs took three weeks.\n\n{BODY}"
    found = extract_metadata(text)
    assert found.title is not None
    assert found.title.value == "Ferry returns to service;\nRepairs took three weeks."
    assert text[found.title.start : found.title.end] == found.title.value
    assert found.dek is None


def test_a_first_sentence_is_not_taken_for_a_headline():
    text = "The ferry returned to service on Tuesday.\nPassengers cheered.\nMore to follow."
    assert extract_metadata(text).title is None


def test_a_kicker_is_not_read_as_a_dateline_place():
    text = f"EXCLUSIVE - Harbour chief speaks out\n{BODY}"
    found = extract_metadata(text)
    assert found.title is not None and found.title.value == "EXCLUSIVE - Harbour chief speaks out"
    assert found.dateline is None


@pytest.mark.parametrize(
    ("text", "agency", "in_dateline"),
    [
        (f"LISMAR, March 4. /KNA/. {BODY}", "KNA", True),
        (f"LISMAR (Meridian) - {BODY}", "Meridian", True),
        (f"LISMAR - {BODY}\n(With inputs from Meridian Wire)", "Meridian Wire", False),
        (f"{BODY}\n{BODY}", None, False),
    ],
    ids=["tass-style", "reuters-style", "end-credit", "none"],
)
def test_the_agency_records_whether_the_dateline_carries_it(text, agency, in_dateline):
    found = extract_metadata(text)
    assert (found.agency.value if found.agency else None) == agency
    assert found.agency_in_dateline is in_dateline
