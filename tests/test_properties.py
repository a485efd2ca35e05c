"""Property tests: metadata spans always point at their values; doc ids depend on raw bytes only."""

from __future__ import annotations

import string

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsspan.dataset.ingest import steps as ingest_module
from newsspan.dataset.ingest.metadata import extract_metadata
from newsspan.dataset.ingest.normalize import normalize_text
from newsspan.dataset.ingest.readers import RawArticle
from newsspan.dataset.ingest.steps import decode_articles, extract_article_metadata, normalize_articles, raw_table

words = st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=9)
capitalized = words.map(str.capitalize)
sentence = st.lists(words, min_size=4, max_size=18).map(lambda ws: " ".join(ws).capitalize() + ".")
headline = st.lists(words, min_size=3, max_size=12).map(lambda ws: " ".join(ws).capitalize())
place = st.text(alphabet=string.ascii_uppercase, min_size=3, max_size=10)
domain = st.builds(lambda a, tld: f"{a.capitalize()}.{tld}", words, st.sampled_from(["com", "net", "org", "ru"]))
agency = st.builds(lambda a: a.capitalize() + " Wire", words)
timestamp = st.builds(
    lambda d, m, y, hh, mm, z: f"{d:02d} {m} {y}, {hh:02d}:{mm:02d} GMT{z:+d}",
    st.integers(1, 28),
    st.sampled_from(["Jan", "Mar", "Jun", "Sep", "Dec"]),
    st.integers(1990, 2030),
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(-11, 12),
)


@st.composite
def articles(draw: st.DrawFn) -> str:
    """A scraped article assembled from optional header, dateline, body and credit parts."""
    lines: list[str] = []
    if draw(st.booleans()):
        lines += [draw(domain), draw(timestamp)]
    if draw(st.booleans()):
        lines.append(draw(headline))
        if draw(st.booleans()):
            lines += [draw(sentence), "-"]
    body = [draw(sentence) + " " + draw(sentence) for _ in range(draw(st.integers(1, 4)))]
    style = draw(st.sampled_from(["none", "dash", "tass"]))
    if style == "dash":
        body[0] = f"{draw(place)} - {body[0]}"
    elif style == "tass":
        body[0] = f"{draw(place)}, March {draw(st.integers(1, 28))}. /{draw(place)}/. {body[0]}"
    lines += body
    credit = draw(st.sampled_from(["none", "paren", "inputs"]))
    if credit == "paren":
        lines.append(f"({draw(agency)})")
    elif credit == "inputs":
        lines.append(f"(With inputs from {draw(agency)})")
    separator = draw(st.sampled_from(["\n", "\r\n", "\n\n"]))
    return separator.join(lines) + draw(st.sampled_from(["", "\n", "  \n"]))


@given(articles())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_every_metadata_span_points_at_text_containing_its_value(raw):
    text = normalize_text(raw)
    found = extract_metadata(text)
    for name, start, end in found.spans():
        assert 0 <= start < end <= len(text)
        if name == "published":
            assert found.published is not None
            assert found.published.iso[:4] in text[start:end]  # the year is in the span
        else:
            assert text[start:end] == getattr(found, name).value


@given(articles())
@settings(max_examples=200)
def test_generated_parts_are_found(raw):
    found = extract_metadata(normalize_text(raw))
    if "(With inputs from " in raw or raw.rstrip().endswith(")"):
        assert found.agency is not None
    if " - " in raw.split("\n")[-1] or "/. " in raw:
        assert found.dateline is not None


def _table(raws: list[bytes]) -> pa.Table:
    return raw_table([RawArticle(f"a{i}.txt", "txt", raw) for i, raw in enumerate(raws)])


@given(st.lists(st.text(min_size=1), min_size=1, max_size=5))
def test_doc_ids_are_stable_across_runs(texts):
    raws = [t.encode("utf-8", "surrogatepass") for t in texts]

    def ids() -> dict[str, str | None]:
        kept, rejected = decode_articles(_table(raws), fallback_encoding="strict")
        found = {row["source"]: row["doc_id"] for row in kept.to_pylist()}
        return found | {r.source: r.doc_id for r in rejected}

    first = ids()
    assert first == ids()
    assert len(first) == len(raws)
    assert all(first.values())  # rejected rows carry the id too


def test_doc_ids_do_not_depend_on_normalization(monkeypatch):
    raws = [b"Title\r\nBody text  \r\n", "Cafe\u0301 \x07news\n".encode()]

    def run() -> list[str]:
        table, _ = decode_articles(_table(raws), fallback_encoding="strict")
        table, _ = normalize_articles(table)
        return extract_article_metadata(table).column("doc_id").to_pylist()

    before = run()
    monkeypatch.setattr(ingest_module, "normalize_text", lambda text: text.upper())
    after = run()
    assert before == after
    assert len(set(before)) == 2


@pytest.mark.parametrize("raw", [b"same bytes\n", "caf\u00e9\r\n".encode()])
def test_doc_id_is_the_sha256_prefix_of_the_raw_bytes(raw):
    import hashlib

    table, _ = decode_articles(_table([raw]), fallback_encoding="strict")
    assert table.column("doc_id").to_pylist() == [hashlib.sha256(raw).hexdigest()[:16]]
