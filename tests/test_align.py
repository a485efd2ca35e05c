"""Offset verification: property tests for UTF-16 conversion, UI renderings and repairs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsspan.labeling.align import Aligned, Misaligned, align_span, code_points_from_utf16, ui_rendering

texts = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=60)
with_astral = st.lists(
    st.sampled_from(["a", "b", " ", "\n", "\r\n", "\t", "🐟", "🇰🇵", "é", "—"]), min_size=1, max_size=40
).map("".join)


def _utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


@st.composite
def text_and_span(draw: st.DrawFn, strategy: st.SearchStrategy[str] = with_astral) -> tuple[str, int, int]:
    text = draw(strategy)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return text, start, end


@given(text_and_span())
def test_correct_code_point_offsets_are_accepted_unchanged(case):
    text, start, end = case
    assert align_span(text, start, end, text[start:end]) == Aligned(start, end)


@given(text_and_span())
def test_the_ui_rendering_of_a_span_is_accepted_unchanged(case):
    text, start, end = case
    assert align_span(text, start, end, ui_rendering(text[start:end])) == Aligned(start, end)


@given(text_and_span())
def test_utf16_offsets_are_converted_back_to_code_points(case):
    text, start, end = case
    piece = text[start:end]
    result = align_span(text, _utf16(text, start), _utf16(text, end), piece)
    assert isinstance(result, Aligned)
    assert text[result.start : result.end] == piece or ui_rendering(text[result.start : result.end]) == piece


@given(with_astral, st.integers(0, 60))
def test_code_points_from_utf16_inverts_utf16_length(text, index):
    index = min(index, len(text))
    assert code_points_from_utf16(text, _utf16(text, index)) == index


@given(text_and_span(), st.integers(-20, 20), st.integers(-20, 20))
def test_an_accepted_span_always_covers_the_exported_text(case, shift_start, shift_end):
    # whatever offsets the export claims, an accepted span covers exactly the exported text
    # (or its UI rendering), and any move is recorded as a repair
    text, start, end = case
    exported = text[start:end]
    claimed = (start + shift_start, end + shift_end)
    result = align_span(text, *claimed, exported)
    if isinstance(result, Aligned):
        covered = text[result.start : result.end]
        assert covered == exported.strip() or covered == exported or ui_rendering(covered) == exported
        if (result.start, result.end) != claimed:
            assert result.repair is not None
    else:
        assert isinstance(result, Misaligned)
        assert result.reason in {"out_of_range", "empty_span", "text_mismatch"}


@given(texts)
def test_a_span_without_exported_text_is_accepted_only_in_range(text):
    assert align_span(text, 0, len(text), None) == Aligned(0, len(text))
    assert isinstance(align_span(text, 0, len(text) + 1, None), Misaligned)


@pytest.mark.parametrize(
    ("text", "start", "end", "exported", "expected"),
    [
        ("ok\r\nSecond", 0, 10, "ok\\n\\nSecond", Aligned(0, 10)),
        ("a\tb", 0, 3, "a b", Aligned(0, 3)),
        ("x 🐟 Putin", 5, 10, "Putin", Aligned(4, 9, "utf16")),
        ("the  Panel", 3, 10, "Panel", Aligned(5, 10, "trim")),
        ("said Panel met", 2, 7, "Panel", Aligned(5, 10, "shift+3")),
    ],
    ids=["crlf-ui", "tab-ui", "utf16", "trim", "shift"],
)
def test_documented_rules(text, start, end, exported, expected):
    assert align_span(text, start, end, exported) == expected
