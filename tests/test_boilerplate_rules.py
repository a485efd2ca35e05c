"""Boilerplate rules over page shapes: each case asserts the label AND the rule that fired."""

from __future__ import annotations

import pyarrow as pa
import pytest

from newsspan.dataset.config import PreannotateOptions
from newsspan.dataset.errors import ConfigError
from newsspan.dataset.heuristics.boilerplate import detect_boilerplate, find_credit
from newsspan.dataset.heuristics.repetition import document_group
from newsspan.dataset.ingest.metadata import extract_metadata
from newsspan.dataset.preannotate import preannotate_documents, prose_lost
from newsspan.dataset.schema import DOCUMENTS

# Two long, stop-word-dense paragraphs (jusText "good") about one topic.
P1 = (
    "The harbour council said on Tuesday that the new quay would open in May after two years of work on "
    "the site, and that the ferries which had been moved to the old pier would return to the town centre."
)
P2 = (
    "Dockworkers and harbour officials told reporters that the opening of the quay had been delayed by "
    "storms and by a shortage of steel for the piers, but that the council had kept to its budget for the work."
)


def _found(text: str) -> list[tuple[str, str, str]]:
    found = detect_boilerplate(text, metadata_spans=extract_metadata(text).spans())
    return [(p.label, p.rule.split(":")[0], text[p.start : p.end]) for p in found]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            [P1, P2, "Home", "World", "Business", "Sport", P1],
            [("NAVIGATION", "menu_run", "World"), ("NAVIGATION", "menu_run", "Sport")],
        ),
        ([P1, "Home > News > Harbour", P2], [("NAVIGATION", "breadcrumb", "Home > News > Harbour")]),
        ([P1, "Business › Shipping › Ports", P2], [("NAVIGATION", "breadcrumb", "Business › Shipping › Ports")]),
        (
            [P1, P2, "Terms of Use | Privacy Policy | Contact Us", "© 2026 Harbour Media Ltd. All rights reserved."],
            [
                ("NAVIGATION", "legal_footer", "Terms of Use | Privacy Policy | Contact Us"),
                ("NAVIGATION", "legal_footer", "© 2026 Harbour Media Ltd. All rights reserved."),
            ],
        ),
        (
            [P1, "We use cookies to improve your experience on our site. By continuing you accept our policy.", P2],
            [
                (
                    "NAVIGATION",
                    "consent_banner",
                    "We use cookies to improve your experience on our site. By continuing you accept our policy.",
                )
            ],
        ),
        (
            [P1, P2, "Topics: Harbours · Shipping · Valmont"],
            [("NAVIGATION", "tag_list", "Topics: Harbours · Shipping · Valmont")],
        ),
        (
            [P1, P2, "Jane Marlow is a staff reporter covering shipping and ports for the Valmont Daily."],
            [
                (
                    "CREDIT",
                    "author_bio",
                    "Jane Marlow is a staff reporter covering shipping and ports for the Valmont Daily.",
                )
            ],
        ),
        (["By Jane Marlow, Staff Writer", P1, P2], [("CREDIT", "byline", "By Jane Marlow, Staff Writer")]),
        (
            [P1, "Facebook", "Twitter", "Share on WhatsApp", P2],
            [
                ("NAVIGATION", "share_bar", "Facebook"),
                ("NAVIGATION", "share_bar", "Twitter"),
                ("NAVIGATION", "share_bar", "Share on WhatsApp"),
            ],
        ),
        (
            [P1, "Subscribe now for unlimited digital access", P2],
            [("PROMO", "promo_imperative", "Subscribe now for unlimited digital access")],
        ),
        (
            [
                P1,
                P2,
                "Quay opens to first ferry after two years of delays",
                "Harbour strike talks stall for the third week running",
                "Council votes to extend the dredging plan to the east pier",
                "City budget leaves ferry subsidy untouched this year",
            ],
            [
                (
                    "RELATED",
                    "headline_list",
                    "Quay opens to first ferry after two years of delays\n"
                    "Harbour strike talks stall for the third week running\n"
                    "Council votes to extend the dredging plan to the east pier\n"
                    "City budget leaves ferry subsidy untouched this year",
                )
            ],
        ),
        (
            [P1, "Read more: Quay opens to first ferry after two years of delays", P2],
            [("RELATED", "read_more_link", "Read more: Quay opens to first ferry after two years of delays")],
        ),
        (
            [P1, "A crane lifts steel onto the new pier in Valmont on March 1. Jane Marlow / AP file", P2],
            [
                (
                    "CAPTION",
                    "caption_credit",
                    "A crane lifts steel onto the new pier in Valmont on March 1. Jane Marlow / AP file",
                )
            ],
        ),
        (
            [P1, "A crane lifts steel onto the new pier. (Jane Marlow / Associated Press)", P2],
            [("CAPTION", "caption_credit", "A crane lifts steel onto the new pier. (Jane Marlow / Associated Press)")],
        ),
        (
            [P1, "(Jane Marlow / Associated Press)", P2],
            [("CAPTION", "photo_credit", "(Jane Marlow / Associated Press)")],
        ),
    ],
    ids=[
        "menu-run",
        "breadcrumb-gt",
        "breadcrumb-chevron",
        "legal-footer",
        "consent-banner",
        "tags",
        "author-bio",
        "byline",
        "share-bar",
        "subscribe-promo",
        "teaser-list-without-ellipsis",
        "read-more-link",
        "caption-name-slash-agency-file",
        "caption-parenthesised-photographer",
        "photo-credit-line",
    ],
)
def test_page_shapes_are_labelled_by_the_rule_that_fired(lines, expected):
    found = _found("\n".join(lines))
    for item in expected:
        assert item in found, found


@pytest.mark.parametrize(
    ("line", "agency"),
    [
        ("(With inputs from Reuters)", "Reuters"),
        ("(AP)", "AP"),
        ("(Meridian Wire)", "Meridian Wire"),
        ("(RT.com)", "RT.com"),
        ("(Reed Saxon / Associated Press)", None),
        ("(16 Videos)", None),
        ("(Nov. 19, 2019)", None),
        ("(Walt Disney Co.)", None),
        ("(Photo by Jane Marlow)", None),
    ],
    ids=[
        "inputs-from",
        "abbreviation",
        "wire-shape",
        "domain",
        "photo-credit",
        "video-count",
        "date",
        "company",
        "photo-by",
    ],
)
def test_a_credit_is_an_agency_only_when_it_names_one(line, agency):
    credit = find_credit(line)
    assert (credit[0] if credit else None) == agency


def test_a_video_count_does_not_end_the_article():
    text = "\n".join([P1, "(16 Videos)", P2, P1])
    assert [item for item in _found(text) if item[2] in (P1, P2)] == []


def test_a_related_heading_inside_an_article_does_not_eat_the_prose_after_it():
    text = "\n".join([P1, "Related", P2, P1, P2])
    found = _found(text)
    assert found == [("NAVIGATION", "widget_text", "Related")]


def test_a_second_story_after_the_article_is_related_and_bounded():
    other = (
        "A passenger ferry with two hundred people on board ran aground on a sandbank off the island of "
        "Lismar early on Tuesday, and all of them were taken ashore by lifeboats within three hours."
    )
    text = "\n".join([P1, P2, P1, "Ferry runs aground off Lismar, all passengers evacuated", other])
    found = _found(text)
    assert ("RELATED", "second_story", f"Ferry runs aground off Lismar, all passengers evacuated\n{other}") in found
    assert all(item[2] not in (P1, P2) for item in found)


def _documents(texts: list[str], outlet: str | None, folder: str) -> pa.Table:
    rows = [
        {"doc_id": f"d{i}", "text": text, "meta_spans": [], "outlet": outlet, "source": f"{folder}/d{i}.txt"}
        for i, text in enumerate(texts)
    ]
    return pa.Table.from_pylist(rows)


FOOTER = "Harbour Gazette is read by seafarers in forty ports"  # no rule knows these words


def test_a_line_repeated_across_documents_of_one_outlet_is_boilerplate():
    texts = [f"{P1}\n{P2}\n{FOOTER}", f"{P2}\n{P1}\n{FOOTER}", f"{P1}\n{FOOTER}\n{P2}"]
    spans = preannotate_documents(_documents(texts, "Harbour Gazette", "scrape")).spans.to_pylist()
    repeated = [s for s in spans if s["text"] == FOOTER]
    assert len(repeated) == 3
    assert {s["label"] for s in repeated} == {"NAVIGATION"}
    assert {s["rule"] for s in repeated} == {"repeated_line:1.00"}


def test_a_one_document_corpus_falls_back_to_the_other_signals():
    spans = preannotate_documents(_documents([f"{P1}\n{P2}\n{FOOTER}"], None, "scrape")).spans.to_pylist()
    assert [s for s in spans if s["layer"] == "boilerplate"] == []


@pytest.mark.parametrize(
    ("outlet", "source", "group"),
    [
        ("Harbour Gazette", "x/a.txt", "outlet:harbour gazette"),
        (None, "tass/2025/a.txt", "source:tass"),
        (None, "wire.jsonl:12", "source:wire.jsonl"),
        (None, "a.txt", "source:a.txt"),
    ],
    ids=["outlet", "folder", "jsonl-file", "bare-file"],
)
def test_documents_are_grouped_by_outlet_else_by_source(outlet, source, group):
    assert document_group(outlet, source) == group


def test_documents_that_lost_their_prose_are_reported():
    other = (
        "A passenger ferry with two hundred people on board ran aground on a sandbank off the island of "
        "Lismar early on Tuesday, and all of them were taken ashore by lifeboats within three hours."
    )
    eaten = "\n".join([P1, P2, P1, "Ferry runs aground off Lismar, all passengers evacuated", other])
    result = preannotate_documents(_documents([eaten, f"{P1}\n{P2}"], None, "a"))
    assert list(result.prose_lossy) == ["d0"]
    assert result.prose_lossy["d0"] > 0.2


def test_prose_lost_counts_the_share_of_sentence_like_characters():
    from newsspan.dataset.heuristics.proposals import Proposal

    text = f"{P1}\n{P2}"
    share = prose_lost(text, [Proposal("RELATED", 0, len(P1), "test")], PreannotateOptions())
    assert share == pytest.approx(len(P1) / (len(P1) + len(P2)))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"topic_min_overlap": 1.5}, "preannotate.topic_min_overlap must be in [0, 1], got 1.5"),
        ({"menu_min_run": 0}, "preannotate.menu_min_run must be at least 1, got 0"),
        ({"length_low": 300}, "length_low must not exceed length_high"),
        ({"prose_run_min": 0}, "preannotate.prose_run_min must be at least 1, got 0"),
        ({"off_topic_keep_lines": 0}, "preannotate.off_topic_keep_lines must be at least 1, got 0"),
        ({"block_join_max_gap": -1}, "preannotate.block_join_max_gap must be >= 0, got -1"),
    ],
    ids=["share", "positive", "ordered", "prose-run", "off-topic-keep", "join-gap"],
)
def test_thresholds_are_validated(changes, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        PreannotateOptions(**changes)


def test_documents_table_without_outlet_or_source_columns_is_accepted():
    table = DOCUMENTS.arrow_schema.empty_table().select(["doc_id", "text", "meta_spans"])
    assert preannotate_documents(table).spans.num_rows == 0


# --- nothing lost: prose is not labelled on one signal ----------------------------------------

MENU = ["Home", "World", "Business", "Sport", "Weather"]
# Short paragraphs (one sentence a line, under jusText's "long"): a listicle, a blog, a tabloid.
S1 = "The council said the new quay would open in May after two years of work on the site."
S2 = "Ferries that had been moved to the old pier will return to the town centre in the spring."
S3 = "Dockworkers told reporters that storms and a shortage of steel had delayed the opening."
S4 = "The harbour master said that the first ferry would berth at the quay on the first of May."
# Paragraphs of the same article in other words (a topic shift inside one story).
Q1 = (
    "Fishermen in the northern villages, who have landed their catch at the old slipway for decades, "
    "worry that the larger boats will crowd them out of the sheltered water behind the breakwater."
)
Q2 = (
    "A spokesman for the cooperative that represents them said it had asked for a separate berth and "
    "a crane of its own, and that talks with the engineers were going on through the winter months."
)
HEADLINE = "New quay to open in May after two years of work"


@pytest.mark.parametrize(
    "lines",
    [
        [*MENU, HEADLINE, S1, S2, "The new quay in May. (Photo: Jane Marlow)", S3, S4, "Related articles", *MENU],
        [*MENU, HEADLINE, P1, P2, "Pos Name Tons", "Quay A 120", "Quay B 80", "Quay C 40", Q1, Q2, *MENU],
        [HEADLINE, P1, P2, f"READ MORE: {HEADLINE.replace('May', 'June')}", Q1, Q2, *MENU],
        [HEADLINE, P1, P2, "Also on the Gazette Storm closes the old pier for a week", Q1, f"{S4} {S1}", *MENU],
        [HEADLINE, P1, P2, "“We have waited long enough for this,” the harbour master said.", Q1, *MENU],
        [
            HEADLINE,
            P1,
            "— Harbour Council (@harbourcouncil) March 3, 2026",
            P2,
            "— Jane Marlow (@jmarlow) March 3, 2026",
            P1,
        ],
        [HEADLINE, P1, "\u200b", S1, "\u200b", S2, "\u200b", S3, *MENU],
    ],
    ids=[
        "short-paragraphs-between-captions",
        "off-topic-paragraphs-after-a-table",
        "read-more-link-inside-the-article",
        "inline-link-then-paragraphs-naming-the-headline",
        "quoted-sentence-is-no-headline",
        "embedded-tweets-are-no-comment-headers",
        "zero-width-spacer-lines",
    ],
)
def test_article_prose_is_not_labelled(lines):
    text = "\n".join(lines)
    prose = {
        line for line in lines if line not in MENU and len(line) > 60 and not line.startswith(("READ", "Also", "—"))
    }
    assert [item for item in _found(text) if item[2] in prose or any(p in item[2] for p in prose)] == []


def test_sentences_in_chinese_or_japanese_are_no_menu():
    sentences = [
        "特に困ったのが、起動ショートカットキーに関する設定です。",
        "これが非常に困ったもので、毎日のように問題が起きました。",
        "以下、その手順を説明しますので、順番に試してください。",
        "まずスタートメニューからプログラムを探して右クリックします。",
    ]
    text = "\n".join([*MENU, HEADLINE, *sentences, *MENU])
    assert [item for item in _found(text) if item[2] in sentences] == []


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            [
                HEADLINE,
                P1,
                P2,
                *MENU,
                "[ 12 comments ]",
                "Top Rated Comments",
                "Kim",
                f"{Q1} {S1}",
                "Rating: 36 Votes",
                "Lee",
                f"{Q2} {S2}",
            ],
            ("NAVIGATION", "comment_thread", Q1),
        ),
        (
            [
                HEADLINE,
                P1,
                P2,
                "More from the Gazette",
                "Storm closes the old pier for a week in March",
                "Council votes to extend the dredging plan east",
                "City budget leaves the ferry subsidy untouched",
                "Lifeboat crew rescues two anglers off the point",
                P1,
                P2,
            ],
            ("RELATED", "cued_headline_list", "Storm closes the old pier for a week in March"),
        ),
        (
            [
                HEADLINE,
                P1,
                P2,
                *MENU,
                "Fishermen fear for their slipway behind the breakwater",
                f"{Q1} Their families have fished these waters for generations, they said.",
                "Cooperative asks engineers for a berth of its own",
                f"{Q2} Its members voted for the plan at a meeting in the chapel hall.",
            ],
            ("RELATED", "second_story", Q2),
        ),
    ],
    ids=["bracketed-comment-cue", "headline-list-after-a-cue-inside-the-article", "teaser-list-of-other-stories"],
)
def test_other_stories_and_comments_keep_their_labels(lines, expected):
    found = _found("\n".join(lines))
    assert any(label == expected[0] and rule == expected[1] and expected[2] in span for label, rule, span in found), (
        found
    )


@pytest.mark.parametrize(
    ("line", "sentence", "headline"),
    [
        # Headline-shaped by its last character, but a sentence: runs and story starts skip it.
        ("We hope to see you all at the harbour festival soon! 🙂", True, True),
        ("“We have waited long enough for this,” the harbour master said.", True, False),
        ("特に困ったのが、起動ショートカットキーに関する設定です。", True, False),
        ("Thanks for watching! Visit Website", True, True),
        ("New quay to open in May after two years of work", False, True),
    ],
    ids=["emoji-after-the-stop", "quote-closes-the-sentence", "japanese-full-stop", "sentence-break", "headline"],
)
def test_line_shape_reads_sentence_ends_across_scripts(line, sentence, headline):
    from newsspan.dataset.heuristics.lines import is_headline_shaped, split_lines

    (found,) = split_lines(line, PreannotateOptions())
    assert (found.sentence, is_headline_shaped(line, min_words=3, max_words=20)) == (sentence, headline)
