"""Decoding and normalization: the documented steps, and nothing else."""

from __future__ import annotations

import codecs
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsspan.dataset.ingest.normalize import (
    Decoded,
    DecodeRefusal,
    decode_bytes,
    decode_references,
    looks_binary,
    normalize_text,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\r\nb\rc\n", "a\nb\nc"),
        ("tab\tkept\x00\x07 gone\x7f\x85", "tab\tkept gone"),
        ("Cafe\u0301", "Café"),
        ("line   \nnext\t\n\n\n", "line\nnext"),
        ("  leading kept", "  leading kept"),
        ("“curly” — dashes ‘kept’", "“curly” — dashes ‘kept’"),
        ("nbsp\u00a0inside", "nbsp\u00a0inside"),
    ],
    ids=["newlines", "controls", "nfc", "trailing", "leading", "quotes-dashes", "nbsp"],
)
def test_normalize_text_applies_the_documented_steps(raw, expected):
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Salt &amp; pepper", "Salt & pepper"),
        ("&quot;No comment,&quot; she said", '"No comment," she said'),
        ("the mayor&#39;s office", "the mayor's office"),
        ("the mayor&#x2019;s office", "the mayor’s office"),
        ("upper &#X2019; hex", "upper ’ hex"),
        ("costs 5&euro; more", "costs 5€ more"),
        ("&amp;quot;twice&amp;quot;", '"twice"'),
        ("&amp;amp;amp;lt;", "<"),
        ("&#38;#38;", "&"),
        ("AT&T and R&D and M&Ms", "AT&T and R&D and M&Ms"),
        ("Johnson&Johnson &copy 2026", "Johnson&Johnson &copy 2026"),
        ("&unknownname; stays", "&unknownname; stays"),
        ("&#; and &#x; and & ; stay", "&#; and &#x; and & ; stay"),
        ("a&#13;&#10;b", "a\nb"),
        ("nul&#0;here", "nul\ufffdhere"),
        ("&#128; is the euro", "€ is the euro"),
        ("bell&#7;gone", "bellgone"),
        ("Cafe&#x301;", "Café"),
        ("&am\x00p; joined by control removal", "& joined by control removal"),
        ("&amp\u037e joined by NFC", "& joined by NFC"),
        ("trailing&#32;", "trailing"),
    ],
    ids=[
        "amp",
        "quot",
        "decimal",
        "hex",
        "hex-upper-x",
        "named-euro",
        "double-escaped",
        "triple-escaped",
        "escaped-numeric",
        "no-semicolon-att-rd",
        "no-semicolon-copy",
        "unknown-name",
        "empty-reference",
        "decoded-cr-becomes-lf",
        "nul-is-replacement-char",
        "c1-number-is-windows-1252",
        "decoded-control-removed",
        "decoded-combining-mark-composed",
        "reference-made-by-control-removal",
        "reference-made-by-nfc",
        "decoded-space-trimmed",
    ],
)
def test_character_references_are_decoded_only_when_terminated(raw, expected):
    assert normalize_text(raw) == expected


def test_decode_references_leaves_text_without_references_alone():
    text = "AT&T; & R&D;"  # 'T;' and 'D;' are no HTML5 names
    assert decode_references(text) is text


_REFERENCE_PARTS = st.sampled_from(
    ["&", ";", "#", "x", "amp", "quot", "lt", "38", "x26", "copy", "T", "\x00", "\r", "\u0301", "\u037e", " ", "\n"]
)


@settings(max_examples=500)
@given(st.lists(st.one_of(_REFERENCE_PARTS, st.text(alphabet="&;#x0123456789abAZ ", max_size=4)), max_size=30))
def test_normalize_text_is_idempotent_on_reference_like_text(parts):
    once = normalize_text("".join(parts))
    assert normalize_text(once) == once


@given(st.text())
def test_normalize_text_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(st.text())
def test_normalized_text_has_no_cr_no_controls_and_is_nfc(text):
    out = normalize_text(text)
    assert "\r" not in out
    assert not any(unicodedata.category(c) == "Cc" and c not in "\t\n" for c in out)
    assert unicodedata.is_normalized("NFC", out)
    assert all(line == line.rstrip() for line in out.split("\n"))


@pytest.mark.parametrize(
    ("raw", "text", "encoding"),
    [
        ("plain “utf-8”".encode(), "plain “utf-8”", "utf-8"),
        (codecs.BOM_UTF8 + b"with bom", "with bom", "utf-8-sig"),
        ("utf-16 text".encode("utf-16"), "utf-16 text", "utf-16"),
        (
            "Caf\xe9 cr\xe8me, na\xefve r\xe9sum\xe9 for the caf\xe9 owners".encode("cp1252"),
            "Caf\xe9 cr\xe8me, na\xefve r\xe9sum\xe9 for the caf\xe9 owners",
            "cp1252",
        ),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "legacy-tie-goes-to-cp1252"],
)
def test_decode_bytes_records_the_encoding(raw, text, encoding):
    decoded = decode_bytes(raw)
    assert isinstance(decoded, Decoded)
    assert decoded.text == text
    assert decoded.encoding == encoding


def test_decode_bytes_forced_fallback_codec_is_used_and_recorded():
    decoded = decode_bytes("Caf\xe9".encode("cp1252"), fallback="cp1252")
    assert decoded == Decoded("Caf\xe9", "cp1252")


def test_corrupt_utf8_is_refused_with_the_byte_offset():
    refusal = decode_bytes("é ok ".encode() + b"\xff rest")
    assert isinstance(refusal, DecodeRefusal)
    assert refusal.reason == "undecodable"
    assert "invalid utf-8 at byte 6 (0xff)" in refusal.detail


@pytest.mark.parametrize(
    ("raw", "binary"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", True),
        (bytes(range(32)) * 4, True),
        (b"text\n", False),
        ("utf-16".encode("utf-16"), False),
    ],
    ids=["nul", "controls", "text", "utf16"],
)
def test_looks_binary(raw, binary):
    assert looks_binary(raw) is binary


def test_ingest_offsets_are_exact_after_references_are_decoded(tmp_path):
    import pyarrow.parquet as pq

    from newsspan.dataset.build import ingest_to_folder
    from newsspan.dataset.config import IngestOptions

    body = "The port&#x2019;s board said on Tuesday that R&D work on the hull would finish soon."
    raw = (
        "Harbour &amp; Rail: Ferry &quot;back&quot; by May\n"
        "Board approves the &euro;2m plan for the damaged ferry.\n"
        "-\n"
        f"LISMAR - {body}\n"
        f"{body} &#8220;It is done,&#8221; the chair said.\n"
        "(With inputs from Meridian&#160;Wire)\n"
    )
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(raw, encoding="utf-8")
    ingest_to_folder([folder], tmp_path / "out", options=IngestOptions(min_body_words=0))
    (document,) = pq.read_table(tmp_path / "out" / "documents.parquet").to_pylist()
    text = document["text"]
    assert "&amp;" not in text and "&#" not in text and "R&D" in text
    assert document["title"] == 'Harbour & Rail: Ferry "back" by May'
    assert document["dek"] == "Board approves the €2m plan for the damaged ferry."
    assert document["dateline"] == "LISMAR"
    spans = {s["field"]: text[s["start"] : s["end"]] for s in document["meta_spans"]}
    assert spans == {
        "title": document["title"],
        "dek": document["dek"],
        "dateline": document["dateline"],
        "agency": "Meridian\u00a0Wire",  # printed with the decoded no-break space
    }
    assert document["agency"] == "Meridian"
