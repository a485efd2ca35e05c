"""Pre-annotation rules: each case asserts the label and the rule that fired."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from newsspan.dataset.errors import NewsspanError
from newsspan.dataset.heuristics.boilerplate import detect_boilerplate
from newsspan.dataset.heuristics.entities import EntityLexicon, detect_dates, load_spacy, propagate_entities
from newsspan.dataset.heuristics.quotes import find_quotes
from newsspan.dataset.ingest.metadata import extract_metadata
from tests.quote_rows import attributed

BODY = "The council said on Tuesday that the new quay would open in May after two years of work on the site."


def _boilerplate(text: str) -> list[tuple[str, str, str]]:
    found = detect_boilerplate(text, metadata_spans=extract_metadata(text).spans())
    return [(p.label, p.rule, text[p.start : p.end]) for p in found]


@pytest.mark.parametrize(
    ("line", "label", "rule"),
    [
        ("Sign up for our morning briefing and get the news in your inbox.", "PROMO", "promo_imperative"),
        ("Join our WhatsApp channel for the latest updates.", "PROMO", "promo_imperative"),
        ("Comments", "NAVIGATION", "widget_text"),
        ("No comments yet. Be the first to share your thoughts.", "NAVIGATION", "widget_text"),
        ("#Fisheries #Trade", "NAVIGATION", "widget_text"),
        ("(With inputs from Meridian Wire)", "CREDIT", "credit_line"),
        ("A trawler moored in Port Halden on March 1, 2026. (Meridian Wire)", "CAPTION", "caption_credit"),
        ("Harbour strike enters its third day as talks stall over pay and shifts...", "RELATED", "truncated_teaser"),
    ],
    ids=["promo-briefing", "promo-channel", "widget", "no-comments", "hashtags", "credit", "caption", "teaser"],
)
def test_line_rules_label_and_name_the_rule(line, label, rule):
    found = _boilerplate(f"{BODY}\n{line}\n{BODY}")
    assert (label, rule, line) in found


def test_a_section_heading_and_the_headline_are_not_boilerplate():
    text = f"Quay opens in May after delays\n{BODY}\nWhat Comes Next\n{BODY}"
    assert _boilerplate(text) == []


def test_an_end_credit_is_credit_and_does_not_end_the_article():
    text = f"{BODY}\n{BODY} MERIDIAN\n{BODY}"
    assert _boilerplate(text) == [("CREDIT", "trailing_credit", "MERIDIAN")]


def test_metadata_lines_and_the_date_prefix():
    assert _boilerplate(f"RT.com\n02 Jun 2025, 16:15 GMT+10\nHeadline here\n{BODY}")[:2] == [
        ("METADATA", "metadata_outlet_line", "RT.com"),
        ("METADATA", "metadata_published_line", "02 Jun 2025, 16:15 GMT+10"),
    ]
    text = f" date 2025-06-02 SEOUL, June 2. /TASS/. {BODY}"
    assert _boilerplate(text) == [("METADATA", "metadata_date_prefix", "date 2025-06-02")]


@pytest.mark.parametrize(
    ("text", "quotes"),
    [
        ("He said “we will not accept this” today.", ["we will not accept this"]),
        ('He said "we will not accept this" today.', ["we will not accept this"]),
        ("He called it 'the people's catch' and left.", ["the people's catch"]),
        ("It is the People's Republic, she said.", []),
        ("«Non», dit-il.", ["Non"]),
    ],
    ids=["curly", "straight", "single-with-apostrophe", "apostrophe-only", "guillemets"],
)
def test_quotation_marks(text, quotes):
    assert [text[s:e] for _, s, e, _ in find_quotes(text)] == quotes


_attributed = attributed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "“We reject it,” the ministry said on Monday.",
            [("We reject it,", "the ministry", "said", "speaker_cue_after_quote")],
        ),
        (
            '"We reject it," said the North Korean official.',
            [("We reject it,", "the North Korean official", "said", "cue_after_quote")],
        ),
        (
            "The ministry warned that it would take “proportionate measures” soon.",
            [("proportionate measures", "The ministry", "warned", "speaker_cue_before_quote")],
        ),
        (
            "According to the union leader, “nobody asked us” before the vote.",
            [("nobody asked us", "the union leader", "According to", "according_to")],
        ),
        (
            "“We reject it,” the ministry said, “and we will respond.”",
            [
                ("We reject it,", "the ministry", "said", "speaker_cue_after_quote"),
                (
                    "and we will respond.",
                    "the ministry",
                    "said",
                    "speaker_cue_after_quote",
                ),  # one shared speaker region
            ],
        ),
        (
            "North Korea has slammed the report, calling it a “political provocation.”",
            [("political provocation.", "North Korea", "calling", "subject_of_participle_cue")],
        ),
    ],
    ids=["speaker-then-cue", "cue-then-speaker", "before", "according-to", "split-quote", "participle"],
)
def test_attribution(text, expected):
    assert _attributed(text) == expected


def test_scare_quotes_without_attribution_are_skipped_and_skip_spans_are_respected():
    assert _attributed("The so-called “panel” met again.") == []
    headline = "Minister calls report “a fabrication of lies”"
    assert _attributed(headline, skip=[(0, len(headline))]) == []


def test_dates_and_propagation():
    text = "Brennick met Landrie in Orvane on March 3, 2026 and again last week, not in April."
    assert [(text[p.start : p.end], p.rule) for p in detect_dates(text)] == [
        ("March 3, 2026", "date_pattern"),
        ("last week", "date_pattern"),
        ("April", "date_pattern"),
    ]
    lexicon = EntityLexicon([("Brennick", "PERSON"), ("Orvane", "GPE"), ("Orvane", "GPE"), ("Orvane", "ORG")])
    longer = text + " Brennick's team left Orvanes."
    found = propagate_entities(longer, lexicon)  # the possessive counts; "Orvanes" is another word
    assert [(p.label, longer[p.start : p.end]) for p in found] == [
        ("PERSON", "Brennick"),
        ("GPE", "Orvane"),
        ("PERSON", "Brennick"),
    ]
    assert found[2].start == longer.index("Brennick's")


def test_a_missing_spacy_model_is_a_clear_error():
    with pytest.raises(NewsspanError, match="not installed"):
        load_spacy("xx_not_a_model")


def test_preannotate_command_writes_prediction_tables_that_push_accepts(runner, tmp_path, seeds_dir):
    from newsspan.dataset.cli import cli
    from newsspan.labeling.tasks import predictions_by_document

    assert runner.invoke(cli, ["-q", "ingest", str(seeds_dir), "--out", str(tmp_path / "t")]).exit_code == 0
    result = runner.invoke(
        cli, ["preannotate", str(tmp_path / "t" / "documents.parquet"), "--out", str(tmp_path / "p"), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {"QUOTE", "SPEAKER", "CUE", "DATE", "PROMO", "CREDIT"} <= set(summary["spans"])
    spans = pq.read_table(tmp_path / "p" / "spans.parquet")
    rows = spans.to_pylist()
    assert {r["origin"] for r in rows} == {"prediction"} and {r["annotator"] for r in rows} == {"newsspan-rules-4"}
    assert all(r["rule"] for r in rows)
    predictions = predictions_by_document(spans, pq.read_table(tmp_path / "p" / "relations.parquet"))
    assert len(predictions) == 5  # every seed gets proposals for push --predictions


def test_thresholds_come_from_the_config(runner, tmp_path):
    from newsspan.dataset.cli import cli

    text = "The so-called “panel” met again in the port city on Monday to discuss the quota report and its findings."
    (tmp_path / "a.txt").write_text(text + " " + BODY * 2)
    assert runner.invoke(cli, ["-q", "ingest", str(tmp_path / "a.txt"), "--out", str(tmp_path / "t")]).exit_code == 0
    quotes = {}
    for words in (2, 1):
        config = tmp_path / f"newsspan-{words}.toml"
        config.write_text(f"[preannotate]\nmin_quote_words = {words}\n")
        result = runner.invoke(
            cli,
            [
                "--config",
                str(config),
                "preannotate",
                str(tmp_path / "t" / "documents.parquet"),
                "--out",
                str(tmp_path / f"p{words}"),
                "--json",
            ],
        )
        quotes[words] = json.loads(result.stdout)["spans"].get("QUOTE", 0)
    assert quotes == {2: 0, 1: 1}
