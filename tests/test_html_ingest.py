"""HTML in: every visible block as a line, boilerplate as labelled regions, the page's metadata."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsspan.dataset.build import ingest_to_folder
from newsspan.dataset.config import IngestOptions
from newsspan.dataset.ingest.html import parse_page
from newsspan.dataset.ingest.normalize import normalize_text

PAGES = Path(__file__).resolve().parent / "data" / "html_pages"
STRIKE = PAGES / "harbour-strike.html"


def _ingest(tmp_path: Path, *inputs: Path, **options: object) -> tuple[list[dict], list[dict]]:
    out = tmp_path / "out"
    ingest_to_folder(list(inputs), out, options=IngestOptions(**options))  # type: ignore[arg-type]
    documents = pq.read_table(out / "documents.parquet").to_pylist()
    quarantine = pq.read_table(out / "quarantine.parquet").to_pylist()
    return documents, quarantine


def _regions_by_line(document: dict) -> dict[str, tuple[str, str]]:
    """Every line of the text -> (label, rule) of the region that covers it, or ("", "")."""
    found, offset = {}, 0
    for line in document["text"].split("\n"):
        region = next((r for r in document["page_regions"] if r["start"] <= offset < r["end"]), None)
        found[line] = (region["label"], region["rule"]) if region else ("", "")
        offset += len(line) + 1
    return found


@pytest.fixture(scope="module")
def strike(tmp_path_factory: pytest.TempPathFactory) -> dict:
    documents, quarantine = _ingest(tmp_path_factory.mktemp("strike"), STRIKE)
    assert quarantine == [], quarantine
    return documents[0]


def test_every_visible_block_is_a_line_and_invisible_text_is_not(strike: dict) -> None:
    lines = strike["text"].split("\n")
    assert lines[0] == "Dockers at Port Halden walk out over night shifts - The Coastal Observer"  # <title>
    for visible in ("News", "Home > News > Local", "Talks to resume", "Sign up", "Related stories"):
        assert visible in lines, f"{visible!r} is visible on the page but not a line of the text"
    assert "never shown" not in strike["text"], "a display:none paragraph became text"
    assert "tracking" not in strike["text"] and "schema.org" not in strike["text"], "script text became text"
    assert "“Nobody on this quay" in strike["text"], "character references in the HTML were not decoded"
    assert strike["source_format"] == "html" and strike["encoding"] == "utf-8"
    assert normalize_text(strike["text"]) == strike["text"], "the page text is not in normalized form"


@pytest.mark.parametrize(
    ("line", "label", "rule"),
    [
        (
            "We use cookies to improve your experience. Accept all cookies or manage your preferences.",
            "NAVIGATION",
            "html_class",
        ),
        ("Sport", "NAVIGATION", "html_nav"),
        ("Home > News > Local", "NAVIGATION", "html_class"),
        ("By Ines Marlowe, 4 March 2026", "CREDIT", "html_class"),
        (
            "Idle cranes at the container terminal on Tuesday. (Photo: Tomas Reiner/Coastal Observer)",
            "CAPTION",
            "html_figcaption",
        ),
        ("Share on Facebook Share on X Email", "NAVIGATION", "html_class"),
        ("Council approves new ferry terminal after long delay", "RELATED", "html_aside"),
        ("Get the Coastal Observer morning briefing in your inbox every weekday.", "PROMO", "html_class"),
        (
            "© 2026 The Coastal Observer. All rights reserved. Terms of use | Privacy policy | Contact us",
            "NAVIGATION",
            "html_footer",
        ),
    ],
    ids=["cookie-banner", "menu", "breadcrumb", "byline", "caption", "share-bar", "related", "newsletter", "footer"],
)
def test_page_structure_labels_the_boilerplate_and_names_the_rule(
    strike: dict, line: str, label: str, rule: str
) -> None:
    found_label, found_rule = _regions_by_line(strike)[line]
    assert found_label == label, f"{line!r}: labelled {found_label or 'article'} ({found_rule}), expected {label}"
    assert rule in found_rule.split("+")[0] or rule in found_rule, f"{line!r}: rule {found_rule!r} is not {rule!r}"


@pytest.mark.parametrize(
    "line",
    [
        "Dockers at Port Halden walk out over night shifts",
        "Talks to resume",
        "Shipping agents warned that a strike lasting into the weekend would push vessels towards rival ports along "
        "the coast, where berths are already scarce during the spring fishing season.",
    ],
    ids=["headline", "subheading", "last-paragraph"],
)
def test_the_article_is_untouched(strike: dict, line: str) -> None:
    assert _regions_by_line(strike)[line] == ("", ""), f"{line!r} is article text but was labelled boilerplate"


def test_regions_cover_whole_lines_with_exact_offsets(strike: dict) -> None:
    text = strike["text"]
    for region in strike["page_regions"]:
        assert region["start"] == 0 or text[region["start"] - 1] == "\n", region
        assert region["end"] == len(text) or text[region["end"]] == "\n", region
        assert text[region["start"] : region["end"]].strip(), region


def test_page_metadata_comes_from_json_ld_and_opengraph(strike: dict) -> None:
    assert strike["title"] == "Dockers at Port Halden walk out over night shifts"
    assert strike["author"] == "Ines Marlowe"
    assert strike["url"] == "https://coastal-observer.example/news/port-halden-strike"
    assert strike["published"] == "2026-03-04"
    assert strike["language"] == "en"
    assert strike["outlet"] is not None and "Coastal Observer" in strike["outlet"]
    title = next(span for span in strike["meta_spans"] if span["field"] == "title")
    assert strike["text"][title["start"] : title["end"]] == strike["title"], "the title span is not the headline"


def test_a_page_without_an_article_is_quarantined_with_its_reason(tmp_path: Path) -> None:
    documents, quarantine = _ingest(tmp_path, PAGES / "front-page.html")
    assert documents == []
    assert [row["reason"] for row in quarantine] == ["no_main_content"]
    assert "front-page.html" in quarantine[0]["detail"] and "min_body_words" in quarantine[0]["detail"]


def test_a_declared_legacy_charset_is_honoured(tmp_path: Path) -> None:
    documents, _ = _ingest(tmp_path, PAGES / "cafe-windows-1252.html")
    assert documents[0]["encoding"] == "cp1252"
    assert "Owners of more than forty cafés" in documents[0]["text"]
    assert "“We were consulted, but nobody listened,”" in documents[0]["text"]


def test_a_gzipped_page_is_the_same_document(tmp_path: Path, strike: dict) -> None:
    packed = tmp_path / "pages" / "strike.html.gz"
    packed.parent.mkdir()
    packed.write_bytes(gzip.compress(STRIKE.read_bytes()))
    documents, _ = _ingest(tmp_path, packed)
    assert documents[0]["doc_id"] == strike["doc_id"], "the id must come from the page's HTML, not the gzip bytes"
    assert documents[0]["text"] == strike["text"]


def test_a_gzip_bomb_is_refused_before_it_is_decompressed(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip.compress(b"<p>" + b" " * 5_000_000 + b"</p>"))
    documents, quarantine = _ingest(tmp_path, bomb, max_bytes=100_000)
    assert documents == []
    assert quarantine[0]["reason"] == "too_large" and "decompresses" in quarantine[0]["detail"]


def test_a_corrupt_gzip_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html.gz"
    broken.write_bytes(gzip.compress(STRIKE.read_bytes())[:200])
    _, quarantine = _ingest(tmp_path, broken)
    assert quarantine[0]["reason"] == "undecodable" and "broken.html.gz" in quarantine[0]["detail"]


def test_json_lines_with_an_html_field_are_pages_and_their_fields_win(tmp_path: Path) -> None:
    records = tmp_path / "pages.jsonl"
    record = {"html": STRIKE.read_text(encoding="utf-8"), "url": "https://mirror.example/strike", "section": "local"}
    records.write_text(json.dumps(record) + "\n", encoding="utf-8")
    documents, quarantine = _ingest(tmp_path, records)
    assert quarantine == []
    assert documents[0]["source_format"] == "jsonl" and documents[0]["page_regions"], "the record was not a page"
    assert documents[0]["url"] == "https://mirror.example/strike", "the record's url must win over the page's"
    assert json.loads(documents[0]["extra"])["section"] == "local"


def test_text_input_has_no_page_regions(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Headline of a story\n\n" + "The council met on Monday and agreed the budget. " * 10, "utf-8")
    documents, _ = _ingest(tmp_path, article)
    assert documents[0]["page_regions"] == [] and documents[0]["url"] is None


def test_nesting_past_the_parser_limit_is_refused_not_crashed() -> None:
    page = "<html><body>" + "<div>" * 3000 + "<p>" + "word " * 80 + "</p>" + "</div>" * 3000 + "</body></html>"
    refused = parse_page(page, min_words=40)
    assert getattr(refused, "reason", None) == "no_main_content"


def test_the_arrow_page_step_turns_a_raw_page_row_into_text_and_regions_and_refuses_a_front_page() -> None:
    import pyarrow as pa

    from newsspan.dataset.ingest.pages import parse_pages

    rows = [
        {"source": name, "doc_id": name, "text": (PAGES / name).read_text("utf-8"), "fields": None, "markup": "html"}
        for name in ("harbour-strike.html", "front-page.html")
    ]
    kept, refused = parse_pages(pa.Table.from_pylist(rows), min_body_words=40)
    assert kept.column("source").to_pylist() == ["harbour-strike.html"]
    assert kept.column("page_regions")[0].as_py(), "the page's boilerplate regions are missing"
    assert [(r.source, r.reason) for r in refused] == [("front-page.html", "no_main_content")]
