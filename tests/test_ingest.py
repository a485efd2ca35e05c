"""Ingest end to end: the seeds' metadata, nothing lost, the bad-input cases, counts reconcile."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsspan.dataset.build import ingest_to_folder
from newsspan.dataset.config import IngestOptions
from newsspan.dataset.ingest.outlets import canonical_outlet
from newsspan.dataset.records import INGEST_REASONS
from tests.test_walker import RUNTIME_REASONS

DATA = Path(__file__).resolve().parent / "data"
SEEDS_EXPECTED = json.loads((DATA / "seeds_expected" / "metadata.json").read_text(encoding="utf-8"))
SAMPLE_EXPECTED = json.loads((DATA / "sample_expected" / "metadata.json").read_text(encoding="utf-8"))
BAD_CASES = sorted(p.name for p in (DATA / "bad_inputs").iterdir() if p.is_dir())
FIELDS = ("title", "dek", "outlet", "agency", "dateline", "published")


def _ingest(paths: list[Path], out: Path, **options) -> tuple[list[dict], list[dict], dict]:
    summary = ingest_to_folder(paths, out, options=IngestOptions(**options))
    documents = pq.read_table(out / "documents.parquet").to_pylist()
    quarantine = pq.read_table(out / "quarantine.parquet").to_pylist()
    assert json.loads((out / "ingest.json").read_text()) == summary.as_dict()
    return documents, quarantine, summary.as_dict()


@pytest.fixture(scope="module")
def seed_documents(seeds_dir, tmp_path_factory) -> dict[str, dict]:
    documents, quarantine, summary = _ingest([seeds_dir], tmp_path_factory.mktemp("seeds"))
    assert quarantine == []
    assert summary["inputs"] == summary["documents"] == 5
    return {Path(d["source"]).name: d for d in documents}


@pytest.mark.parametrize("name", sorted(k for k in SEEDS_EXPECTED if not k.startswith("_")))
def test_seed_metadata_matches_the_hand_read_values(seed_documents, name):
    document = seed_documents[name]
    expected = SEEDS_EXPECTED[name]
    lines = document["text"].split("\n")
    for field in ("title", "dek"):
        want = expected[field]
        assert document[field] == (None if want is None else lines[want["line"]].strip()), field
    for field in ("outlet", "agency", "dateline", "published"):
        assert document[field] == expected[field], field
    want_at = expected["published_at"]
    assert document["published_at"] == (None if want_at is None else datetime.fromisoformat(want_at))
    assert document["language"] is None  # not stated by the seeds, so never guessed


def test_seed_ids_are_the_raw_sha256_prefix(seed_documents, seeds_dir):
    import hashlib

    for name, document in seed_documents.items():
        digest = hashlib.sha256((seeds_dir / name).read_bytes()).hexdigest()
        assert document["raw_sha256"] == digest
        assert document["doc_id"] == digest[:16]


def test_seed_text_loses_nothing_but_the_documented_normalization(seed_documents, seeds_dir):
    for name, document in seed_documents.items():
        raw = (seeds_dir / name).read_bytes().decode("utf-8")
        # independent restatement of the documented steps for control-free input
        lines = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
        assert document["text"] == "\n".join(line.rstrip() for line in lines).rstrip(), name
        # and every visible character survives, in order
        assert re.sub(r"\s", "", document["text"]) == re.sub(r"\s", "", unicodedata.normalize("NFC", raw))


def _check_meta_spans(document: dict) -> None:
    """Every span covers its value as printed; outlet and agency columns hold its canonical name."""
    text = document["text"]
    for span in document["meta_spans"]:
        value = document[span["field"]]
        assert value is not None, span
        covered = text[span["start"] : span["end"]]
        if span["field"] == "published":
            assert re.search(r"\d", covered), span
        elif span["field"] in ("outlet", "agency"):
            assert canonical_outlet(covered).name == value, span
        else:
            assert covered == value, span


def _fields_with_spans(document: dict) -> set[str]:
    """The fields that must have a span: all found ones, except an agency's own outlet (the
    outlet taken from the dateline's agency is printed where the agency's span is)."""
    fields = {f for f in FIELDS if document[f] is not None}
    if document["outlet"] is not None and document["outlet"] == document["agency"]:
        spans = {s["field"]: s for s in document["meta_spans"]}
        if "outlet" not in spans:
            assert "agency" in spans and "dateline" in spans, document["source"]
            fields.discard("outlet")
    return fields


def test_seed_metadata_spans_point_at_their_values(seed_documents):
    for document in seed_documents.values():
        _check_meta_spans(document)
        assert {s["field"] for s in document["meta_spans"]} == _fields_with_spans(document)


def test_the_seeds_print_outlet_and_agency_in_other_forms_than_their_columns(seed_documents):
    printed = {
        (name, s["field"]): document["text"][s["start"] : s["end"]]
        for name, document in seed_documents.items()
        for s in document["meta_spans"]
        if s["field"] in ("outlet", "agency")
    }
    assert printed[("001_c001b08a5db2670b.txt", "outlet")] == "RT.com"
    assert printed[("003_555e8713601c31f7.txt", "agency")] == "REUTERS"
    assert "outlet" not in {s["field"] for s in seed_documents["002_4859ce3f368f8962.txt"]["meta_spans"]}


def test_bundled_sample_metadata_matches_its_golden_file(tmp_path):
    from newsspan.dataset.build import sample_articles

    with sample_articles() as folder:
        documents, quarantine, _ = _ingest([folder], tmp_path)
    assert quarantine == []
    got = {d["source"].split("/")[-1]: {f: d[f] for f in FIELDS} for d in documents}
    assert got == SAMPLE_EXPECTED
    for document in documents:
        _check_meta_spans(document)
    by_source = {d["source"].split("/")[-1]: d for d in documents}
    assert by_source["05_veldoria-today.txt"]["encoding"] == "utf-8-sig"
    assert "\r" not in by_source["04_northgate-herald.txt"]["text"]
    jsonl = by_source["more.jsonl:1"]
    assert jsonl["stance_target"] == "Coastal Fisheries Monitoring Panel"
    kept = set(json.loads(jsonl["extra"])) if jsonl["extra"] else set()
    # every JSONL field is kept: the url in `extra`, or in its own column where the schema has one
    assert kept | ({"url"} if jsonl.get("url") else set()) == {"url"}


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_is_quarantined_with_its_reason(case, tmp_path):
    folder = DATA / "bad_inputs" / case
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    documents, quarantine, summary = _ingest([folder / "input"], tmp_path, **expected.get("options", {}))
    got = sorted(quarantine, key=lambda row: row["source"])
    want = sorted(expected["quarantine"], key=lambda row: row["source"])
    assert [(r["source"], r["reason"]) for r in got] == [(f"input/{w['source']}", w["reason"]) for w in want]
    for row, wanted in zip(got, want, strict=True):
        assert row["stage"] == "ingest"
        assert row["source"] in row["detail"] or row["source"].split("/")[-1] in row["detail"]
        for fragment in wanted["detail_contains"]:
            assert fragment in row["detail"], (fragment, row["detail"])
    assert len(documents) == expected.get("documents", 0)
    by_source = {d["source"]: d for d in documents}
    for wanted in expected.get("documents_have", []):  # what the accepted documents must look like
        document = by_source[f"input/{wanted['source']}"]
        assert {k: document[k] for k in wanted["fields"]} == wanted["fields"]
        assert [s for s in wanted.get("text_lacks", []) if s in document["text"]] == []
    assert summary["inputs"] == len(documents) + len(quarantine)
    assert summary["reconciles"] is True


def test_every_ingest_reason_has_a_bad_input_case():
    """Each reason is shown by a case here or by a runtime case of test_walker.py (symlinks, FIFOs
    and unreadable folders cannot live in git); only cases that run on every platform count."""
    covered = set(RUNTIME_REASONS)
    for case in BAD_CASES:
        expected = json.loads((DATA / "bad_inputs" / case / "expected.json").read_text(encoding="utf-8"))
        covered |= {row["reason"] for row in expected["quarantine"]}
    assert covered == set(INGEST_REASONS)


def test_hidden_files_are_skipped_and_counted(tmp_path):
    folder = tmp_path / "in"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "HEAD.txt").write_text("ref: main")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    documents, quarantine, summary = _ingest([folder], tmp_path / "out")
    assert (documents, quarantine) == ([], [])
    assert summary["hidden_files_skipped"] == 2
    assert summary["inputs"] == 0


def test_rerun_gives_identical_tables(seeds_dir, tmp_path):
    _ingest([seeds_dir], tmp_path / "a")
    _ingest([seeds_dir], tmp_path / "b")
    for name in ("documents.parquet", "quarantine.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_batches_do_not_change_the_result(tmp_path):
    folder = DATA / "bad_inputs" / "jsonl_problems" / "input"
    one, q_one, _ = _ingest([folder, DATA / "bad_inputs" / "duplicate_article" / "input"], tmp_path / "a")
    two, q_two, _ = _ingest([folder, DATA / "bad_inputs" / "duplicate_article" / "input"], tmp_path / "b", batch_size=1)
    assert one == two
    assert sorted(q_one, key=str) == sorted(q_two, key=str)


@pytest.mark.parametrize(
    ("start", "html"),
    [
        (b"<!DOCTYPE html>\n<html>", True),
        (b"\xef\xbb\xbf  \n<HTML lang='en'>", True),
        (b"\n\n<html>", True),
        (b"<htmlish> is not a tag", False),
        (b"The <html> tag opens a page", False),
        (b"<!doctype xml>", False),
    ],
)
def test_a_web_page_saved_as_txt_is_recognised_by_its_start(start, html):
    from newsspan.dataset.ingest.readers import looks_like_html

    assert looks_like_html(start) is html


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("en", {"language": "en"}),
        ("EN", {"language": "en"}),
        ("EN-us", {"language": "en", "language_tag": "en-US"}),
        ("zh_hant_tw", {"language": "zh", "language_tag": "zh-Hant-TW"}),
        ("deu", {"language": "deu"}),
    ],
)
def test_language_tags_become_iso_639_codes(given, normal):
    from newsspan.dataset.ingest.languages import language_refusal, normalize_language

    assert language_refusal(given) is None
    assert normalize_language(given) == normal


@pytest.mark.parametrize("given", ["english", "en\n", "", "e", "en-", "12", "en US"])
def test_values_that_are_no_language_code_are_refused(given):
    from newsspan.dataset.ingest.languages import language_refusal

    assert "not a language code; use an ISO 639 code" in (language_refusal(given) or "")
