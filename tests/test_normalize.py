"""Decoding and normalization: the documented steps, and nothing else."""

from __future__ import annotations

import codecs
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsspan.dataset.ingest.normalize import Decoded, DecodeRefusal, decode_bytes, looks_binary, normalize_text


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
