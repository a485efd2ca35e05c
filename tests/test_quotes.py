"""Quote detection: quotation styles, cues in any tense, speakers with titles, sentence limits.

Every sentence here is invented.
"""

from __future__ import annotations

import pytest

from newsspan.dataset.heuristics.quotes import detect_quotes, find_quotes
from newsspan.dataset.heuristics.reporting import CUES, inflect
from newsspan.dataset.heuristics.sentences import Sentences
from tests.quote_rows import attributed


def _quotes(text: str) -> list[str]:
    return [text[s:e] for _, s, e, _ in find_quotes(text)]


def _attributed(text: str) -> list[tuple[str, str, str]]:
    """(quote, speaker, cue) of every proposed quote; empty strings when it has no attribution."""
    return [row[:3] for row in attributed(text)]


@pytest.mark.parametrize(
    ("text", "quotes"),
    [
        ('The mayor said "the bridge will reopen" soon.', ["the bridge will reopen"]),
        ("The mayor said “the bridge will reopen” soon.", ["the bridge will reopen"]),
        ("Le maire a dit «le pont rouvrira» hier.", ["le pont rouvrira"]),
        ("The mayor said ‘the bridge will reopen’ soon.", ["the bridge will reopen"]),
        ("The mayor said ''the bridge will reopen'' soon.", ["the bridge will reopen"]),
        ("The mayor said ``the bridge will reopen'' soon.", ["the bridge will reopen"]),
        ("The Greens'' plan and the farmers' market opened.", []),
        ("''It's the voters' choice,'' she said.", ["It's the voters' choice,"]),
    ],
    ids=[
        "straight",
        "curly",
        "guillemets",
        "single-british",
        "two-apostrophes",
        "backticks",
        "possessives",
        "two-apostrophes-with-apostrophes",
    ],
)
def test_every_quotation_style_is_found(text, quotes):
    assert _quotes(text) == quotes


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        (
            "“The first part runs on.\n\n“And the second part ends here.” she said.",
            "The first part runs on.\n\n“And the second part ends here.",
        ),
        (
            "''The first part runs on.\n\n''And the second part ends here.'' she said.",
            "The first part runs on.\n\n''And the second part ends here.",
        ),
    ],
    ids=["curly", "two-apostrophes"],
)
def test_a_quotation_over_several_paragraphs_is_one_quote(text, quote):
    assert _quotes(text) == [quote]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“The harbour is safe now,” Lena Voss says.", ("Lena Voss", "says")),
        ("“The harbour is safe now,” Lena Voss told reporters.", ("Lena Voss", "told")),
        ("“Is the harbour safe now?” Lena Voss asked.", ("Lena Voss", "asked")),
        ("“The harbour is safe now,” adds Lena Voss.", ("Lena Voss", "adds")),
        ("“The harbour is safe now,” Lena Voss tweeted on Monday.", ("Lena Voss", "tweeted")),
        ("“The harbour is safe now,” Lena Voss explained.", ("Lena Voss", "explained")),
        ("Lena Voss insisted that “the harbour is safe now.”", ("Lena Voss", "insisted")),
        ("According to Lena Voss, “the harbour is safe now.”", ("Lena Voss", "According to")),
    ],
    ids=[
        "says",
        "told",
        "asked-after-question-mark",
        "adds-inverted",
        "tweeted",
        "explained",
        "insisted-before",
        "according-to",
    ],
)
def test_cues_in_any_tense_and_person(text, expected):
    assert [a[1:] for a in _attributed(text)] == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“The harbour is safe now.” ― Lena Voss", ("Lena Voss", "―")),
        ("“The harbour is safe now.” — Lena Voss", ("Lena Voss", "—")),
        ("Lena Voss said: “The harbour is safe now.”", ("Lena Voss", "said")),
        ("The harbour master told reporters: “The harbour is safe now.”", ("The harbour master", "told")),
        ("Harbour Master Lena Voss: “The harbour is safe now.”", ("Harbour Master Lena Voss", ":")),
    ],
    ids=["horizontal-bar", "em-dash", "said-colon", "told-reporters-colon", "name-colon"],
)
def test_dash_and_colon_attributions(text, expected):
    assert [a[1:] for a in _attributed(text)] == [expected]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("“We will vote no,” said Rep. A.B. Marlow of Ohio.", "Rep. A.B. Marlow"),
        ("“We will vote no,” Foreign Minister Tavin Orlo said.", "Foreign Minister Tavin Orlo"),
        ("“We will vote no,” a spokesman, Dario Venn, said.", "a spokesman, Dario Venn"),
        ("Gov. Ina Paltz said “we will vote no” on Friday.", "Gov. Ina Paltz"),
        ("Dario Venn, a spokesman for the union, said “we will vote no.”", "Dario Venn"),
        ("Dario Venn said when he arrived that “we will vote no.”", "Dario Venn"),
    ],
    ids=[
        "title-and-initials",
        "long-title",
        "appositive-before-name",
        "title-before",
        "appositive-after-name",
        "named-subject-over-pronoun",
    ],
)
def test_speakers_are_full_name_phrases(text, speaker):
    assert [a[1] for a in _attributed(text)] == [speaker]


def test_attribution_never_crosses_a_sentence_boundary():
    text = "“The port stays closed.” Marlow said the ferries would run."
    assert _attributed(text) == [("The port stays closed.", "", "")]


def test_a_follow_on_quote_inherits_the_previous_speaker_and_cue():
    text = "“The port stays closed,” Marlow said. “We will review it in June.”"
    assert _attributed(text) == [
        ("The port stays closed,", "Marlow", "said"),
        ("We will review it in June.", "Marlow", "said"),
    ]


def test_a_new_speaker_in_between_stops_the_inheritance():
    text = "“The port stays closed,” Marlow said.\n\nOrlo said the ferries would run.\n\n“We will review it in June.”"
    assert _attributed(text)[1] == ("We will review it in June.", "Orlo", "said")


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        ("The so-called “panel” met again.", []),
        ("The mayor called the plan “disgusting” and left.", ["attributed_short_quote"]),
        ("The group watched “Harbour Lights At Dawn” on Friday.", []),
    ],
    ids=["unattributed-scare-quote", "attributed-short-quote", "title-of-a-work"],
)
def test_scare_quotes_and_titles_are_kept_apart(text, rules):
    assert [p.rule for p in detect_quotes(text).spans if p.label == "QUOTE"] == rules


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Rep. Lane spoke. Then he left.", ["Rep. Lane spoke. ", "Then he left."]),
        ("The U.S. rate was 3.5 percent. It fell.", ["The U.S. rate was 3.5 percent. ", "It fell."]),
        ("Dr. A.B. Kent said “we left.” He smiled.", ["Dr. A.B. Kent said “we left.” ", "He smiled."]),
    ],
    ids=["title", "acronym-and-decimal", "period-inside-closing-mark"],
)
def test_sentence_boundaries_respect_abbreviations(text, sentences):
    starts = Sentences(text).starts
    assert [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)] == sentences


@pytest.mark.parametrize(
    ("lemma", "forms"),
    [
        ("say", None),
        ("argue", ("argue", "argues", "argued", "arguing")),
        ("reply", ("reply", "replies", "replied", "replying")),
    ],
    ids=["irregular", "ends-in-e", "ends-in-y"],
)
def test_reporting_verbs_are_inflected_from_lemmas(lemma, forms):
    if forms is None:
        assert {"say", "says", "said", "saying"} <= set(CUES)
    else:
        assert inflect(lemma) == forms
        assert set(forms) <= set(CUES)


def test_a_quote_framed_by_a_verb_outside_the_lexicon_takes_the_subject_under_its_own_rule():
    text = "The mayor gushed about a “bright new era for the harbour” at the fair."
    found = detect_quotes(text)
    assert _attributed(text) == [("bright new era for the harbour", "The mayor", "gushed")]
    assert {p.rule for p in found.spans if p.label != "QUOTE"} == {"sentence_subject"}


@pytest.mark.parametrize(
    ("text", "speaker", "cue"),
    [
        (
            "The dockworkers' union, which represents about 4,000 members in the north, argued that the plan "
            "would “destroy the livelihoods of entire towns.”",
            "The dockworkers' union",
            "argued",
        ),
        (
            "Ms. Okafor, who has led the harbour board since 2019 and who plans to retire next spring, insisted "
            "the new cranes were “a decision taken for the workers.”",
            "Ms. Okafor",
            "insisted",
        ),
        (
            "Councillor Piet Vandam, speaking outside the hall after a four-hour session on Thursday evening, "
            "promised that the council would “fight this in every court in the country.”",
            "Councillor Piet Vandam",
            "promised",
        ),
        (
            "Minister Lena Voss, asked about the closure, said only that her office was “looking at every option.”",
            "Minister Lena Voss",
            "said",
        ),
        (
            "“Fares will rise in spring,” and the timetable will be cut in half, the operator said on Monday.",
            "the operator",
            "said",
        ),
        ("“Ferries are the town's lifeline,” the report concluded.", "the report", "concluded"),
        ("Mayor Anna Berg slammed the decision as “a betrayal of the islands.”", "Mayor Anna Berg", "slammed"),
    ],
    ids=[
        "comma-in-a-number",
        "relative-clauses-before-the-cue",
        "participle-insertion-with-a-time-phrase",
        "passive-participle-insertion",
        "clause-closing-the-sentence",
        "noun-that-is-also-a-verb-before-the-cue",
        "doubled-consonant-inflection",
    ],
)
def test_the_subject_is_found_past_insertions_and_clauses(text, speaker, cue):
    (found,) = _attributed(text)
    assert found[1:] == (speaker, cue), f"{text!r}: the speaker is the subject before its insertions"


def test_a_quote_closing_its_sentence_without_a_stop_is_not_attributed_by_the_next_sentence():
    text = "The ministry posted: “Our sea. Our law. #Strait” The post was shared 40,000 times, according to the agency."
    assert _attributed(text) == [("Our sea. Our law. #Strait", "The ministry", "posted")]


def test_a_pronoun_speaker_refers_to_its_named_antecedent():
    text = (
        "Harbour master Jonas Weir met the strikers on Tuesday.\n“We will not reopen the gates before Friday,” he said."
    )
    found = detect_quotes(text)
    spans = found.spans
    (link,) = [(a, b) for a, b, kind in found.relations if kind == "refers_to"]
    pronoun, named = spans[link[0]], spans[link[1]]
    assert text[pronoun.start : pronoun.end] == "he" and pronoun.label == "SPEAKER"
    assert (text[named.start : named.end], named.label, named.rule) == (
        "Harbour master Jonas Weir",
        "SPEAKER",
        "antecedent",
    )
    said_by = [b for a, b, kind in found.relations if kind == "said_by"]
    assert said_by == [link[0]], "the quote stays said by the mention as written; the name is linked to it"


def test_scare_quotes_and_quoted_titles_are_proposed_only_when_asked_under_their_own_rules():
    from newsspan.dataset.config import PreannotateOptions

    text = "The “reform” passed on Tuesday, just after the late show “Evening With Marta Holm” ended."
    assert _attributed(text) == [], "not proposed by default"
    found = detect_quotes(text, options=PreannotateOptions(scare_quotes=True))
    assert [(text[p.start : p.end], p.rule) for p in found.spans if p.label == "QUOTE"] == [
        ("reform", "scare_quote"),
        ("Evening With Marta Holm", "quoted_title"),
    ]


def test_scare_quotes_setting_must_be_a_boolean():
    from newsspan.dataset.config import ConfigError, PreannotateOptions

    with pytest.raises(ConfigError, match=r"preannotate\.scare_quotes must be true or false"):
        PreannotateOptions(scare_quotes="yes")  # type: ignore[arg-type]


def test_a_quote_signed_on_the_next_line_by_a_dash_takes_that_name():
    text = "Rivals asked for it.\n\n“I warned them before the crash.”\n\n— Mara Quill.\n\nQuill often says so."
    assert _attributed(text) == [("I warned them before the crash.", "Mara Quill", "—")]
    text = "“I warned them before the crash.”\n\n— and then the markets fell for a week."
    assert _attributed(text) == [("I warned them before the crash.", "", "")], "a dash line of prose signs nothing"


def test_a_capitalised_noun_form_of_a_cue_is_a_name_not_a_cue():
    text = "“Fares will rise in spring,” the Washington Post reported on Monday."
    assert _attributed(text) == [("Fares will rise in spring,", "the Washington Post", "reported")]
