"""Boilerplate detection on invented articles from outlets the rules were never written against.

tests/data/invented_articles/ holds plain-text pages as a scraper saves them (agency copy, full
page dumps with menus, live blogs, opinion pieces; three outlets with three pages each, sharing
their menus and footers) and ``labels.json`` labels every non-blank line: ARTICLE or TITLE for the
article's own text, else one of the boilerplate layer's labels. The set was written without
reading the detection rules, so it measures them rather than echoing them. Adding a case is adding
a ``.txt`` file and its lines in ``labels.json`` (check with tests/tools/label_invented.py).

A line is predicted boilerplate when more than half of its characters (the line stripped) are
covered by predicted spans of layer ``boilerplate``. The floors live in
tests/data/quality_floors.json under ``"invented"``; lowering one is a deliberate, reviewed change.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsspan.dataset.build import ingest_to_folder
from newsspan.dataset.config import IngestOptions
from newsspan.dataset.preannotate import preannotate_documents

DATA = Path(__file__).resolve().parent / "data"
FOLDER = DATA / "invented_articles"
FLOORS = json.loads((DATA / "quality_floors.json").read_text(encoding="utf-8"))
_tool = importlib.util.spec_from_file_location("label_invented", Path(__file__).parent / "tools" / "label_invented.py")
TOOL = importlib.util.module_from_spec(_tool)
_tool.loader.exec_module(TOOL)
WORST = 25  # misjudged lines listed in a failure message; the rest are counted


@dataclass(frozen=True, slots=True)
class JudgedLine:
    """One gold line and what pre-annotation made of it."""

    file: str
    line: int
    text: str
    gold: str
    covered: int  # characters of the stripped line inside predicted boilerplate spans
    predicted: str | None  # label and rule of the span covering most of the line, if any

    @property
    def gold_boilerplate(self) -> bool:
        return self.gold not in TOOL.ARTICLE_LABELS

    @property
    def predicted_boilerplate(self) -> bool:
        return self.covered * 2 > len(self.text)

    def describe(self) -> str:
        predicted = self.predicted or "none"
        return (
            f"{self.file}:{self.line} gold {self.gold}, predicted {predicted} "
            f"({self.covered}/{len(self.text)} chars): {self.text[:90]!r}"
        )


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> tuple[pa.Table, list[dict]]:
    out = tmp_path_factory.mktemp("invented")
    ingest_to_folder(sorted(FOLDER.glob("*.txt")), out, options=IngestOptions())
    return pq.read_table(out / "documents.parquet"), pq.read_table(out / "quarantine.parquet").to_pylist()


@pytest.fixture(scope="module")
def judged(ingested) -> list[JudgedLine]:
    documents, _ = ingested
    spans = [s for s in preannotate_documents(documents).spans.to_pylist() if s["layer"] == "boilerplate"]
    labels = TOOL.load_labels(FOLDER)
    lines: list[JudgedLine] = []
    for document in documents.select(["doc_id", "source", "text"]).to_pylist():
        name = Path(document["source"]).name
        own = [s for s in spans if s["doc_id"] == document["doc_id"]]
        lines += [_judge(name, document["text"], row, own) for row in labels[name]]
    return lines


def _judge(name: str, text: str, row: dict, spans: list[dict]) -> JudgedLine:
    """Where the labelled line sits in the document text, and how much of it spans cover."""
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    raw = text.split("\n")[row["line"] - 1]
    assert raw.strip() == row["text"], f"{name}:{row['line']}: ingest changed the line to {raw.strip()!r}"
    start = starts[row["line"] - 1] + len(raw) - len(raw.lstrip())
    end = start + len(row["text"])
    covered = [False] * (end - start)
    best, best_overlap = None, 0
    for span in spans:
        lo, hi = max(start, span["start"]), min(end, span["end"])
        if lo < hi:
            covered[lo - start : hi - start] = [True] * (hi - lo)
            if hi - lo > best_overlap:
                best, best_overlap = f"{span['label']}/{span['rule']}", hi - lo
    return JudgedLine(name, row["line"], row["text"], row["label"], sum(covered), best)


def boilerplate_line_f1(lines: list[JudgedLine]) -> float:
    """F1 of boilerplate over the labelled lines (1.0 when neither side has any)."""
    tp = sum(line.gold_boilerplate and line.predicted_boilerplate for line in lines)
    fp = sum(line.predicted_boilerplate and not line.gold_boilerplate for line in lines)
    fn = sum(line.gold_boilerplate and not line.predicted_boilerplate for line in lines)
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def article_chars_lost(lines: list[JudgedLine]) -> float:
    """Share of the ARTICLE lines' characters (stripped) inside predicted boilerplate spans."""
    article = [line for line in lines if line.gold == "ARTICLE"]
    return sum(line.covered for line in article) / sum(len(line.text) for line in article)


def _worst(lines: list[JudgedLine], *, by_lost: bool = False) -> str:
    """The worst lines first: the longest misjudged ones, or those losing the most characters."""
    if not lines:
        return " none"
    shown = sorted(lines, key=lambda line: -(line.covered if by_lost else len(line.text)))[:WORST]
    more = f"\n  … and {len(lines) - WORST} more" if len(lines) > WORST else ""
    return "\n  " + "\n  ".join(line.describe() for line in shown) + more


def test_labels_cover_every_line_of_every_article():
    problems = TOOL.label_problems(FOLDER)
    assert not problems, "labels.json disagrees with the articles:\n  " + "\n  ".join(problems)


def test_every_invented_article_is_ingested(ingested):
    documents, quarantined = ingested
    reasons = [f"{row['source']}: {row['reason']} ({row['detail']})" for row in quarantined]
    assert not reasons, "invented articles were quarantined:\n  " + "\n  ".join(reasons)
    assert documents.num_rows == len(list(FOLDER.glob("*.txt")))


def test_boilerplate_line_f1_stays_above_its_floor(judged):
    floor = FLOORS["invented"]["boilerplate_line_f1"]
    f1 = boilerplate_line_f1(judged)
    wrong = [line for line in judged if line.gold_boilerplate != line.predicted_boilerplate]
    assert f1 >= floor, f"boilerplate line F1 {f1:.3f} < floor {floor}; misjudged lines:{_worst(wrong)}"


def test_article_characters_lost_stay_below_their_ceiling(judged):
    ceiling = FLOORS["invented"]["article_chars_lost_max"]
    lost = article_chars_lost(judged)
    hit = [line for line in judged if line.gold == "ARTICLE" and line.covered]
    assert lost <= ceiling, (
        f"{lost:.3%} of article characters predicted boilerplate > {ceiling:.3%}:{_worst(hit, by_lost=True)}"
    )
