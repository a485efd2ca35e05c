"""Boilerplate and metadata on real pages: the development sets in ../shared/external.

    python benchmarks/extraction.py                    # every set, figures and baselines
    python benchmarks/extraction.py --set aeb-text     # one set
    python benchmarks/extraction.py --json out.json    # figures as JSON too
    python benchmarks/extraction.py --check-floors     # exit 1 below tests/data/quality_floors.json
    python benchmarks/extraction.py --record           # a silver card's figures: measured_quality.json

Sets (read ``../shared/external/README.md``):

- ``aeb-text``: the article-extraction benchmark's pages as a scraper's plain-text dump. Each
  page is ingested and pre-annotated as a user's ``.txt`` article would be; the predicted article
  body is the text outside boilerplate spans, without the headline ingest found (the benchmark's
  bodies have none). Scored with the benchmark's own metric (word 4-gram shingles with
  multiplicity; each page's tp/fp/fn normalised to sum to 1, then summed), the line-level
  boilerplate F1 (a line is article when it occurs in ``articleBody``), the share of article
  characters labelled boilerplate and the pages that lost more than 20% of their article.
  Baselines in the same run: all the text, and trafilatura on the same text.
- ``aeb-html``: the same pages from their HTML (``.html.gz``), through newsspan's HTML ingest.
  Baseline in the same run: trafilatura on the HTML (its default settings).
- ``polnear-titles``: PolNeAR's 840 train articles: the share whose headline (``metadata.tsv``)
  ingest found as ``title``.

Published anchors on all 181 pages of the benchmark: all text 0.665, trafilatura 0.958,
go-trafilatura 0.960.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EXTERNAL = REPO.parent / "shared" / "external"
FLOORS = REPO / "tests" / "data" / "quality_floors.json"
QUALITY = REPO / "dataset" / "heuristics" / "measured_quality.json"  # what a predictions-only build's card reports
# the figures recorded there: the aeb pages' (set, row, figure)
RECORDED = {
    "body_f1_html": ("aeb-html", "newsspan", "body_f1"),
    "body_f1_text": ("aeb-text", "newsspan", "body_f1"),
    "boilerplate_line_f1": ("aeb-text", "newsspan", "boilerplate_line_f1"),
}
PUBLISHED = {"all text (html-text)": 0.665, "trafilatura": 0.958, "go-trafilatura": 0.960}

_TOKEN = re.compile(r"\w+")


# --- the benchmark's metric -------------------------------------------------------------------


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Word n-grams of ``text`` with multiplicity (the benchmark's tokenisation: ``\\w+``)."""
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def page_counts(true: str, predicted: str) -> tuple[float, float, float]:
    """One page's (tp, fp, fn), normalised to sum to 1 so every page weighs the same."""
    gold, guess = shingles(true), shingles(predicted)
    tp = sum((gold & guess).values())
    fp = sum((guess - gold).values())
    fn = sum((gold - guess).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def prf(tp: float, fp: float, fn: float) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


@dataclass
class Score:
    """Body F1 summed over pages, plus the line-level and loss figures of newsspan's own runs."""

    tp: float = 0.0
    fp: float = 0.0
    fn: float = 0.0
    pages: int = 0
    lines: Counter[str] = field(default_factory=Counter)  # tp/fp/fn of boilerplate lines
    article_chars: int = 0
    article_chars_lost: int = 0
    pages_losing: Counter[str] = field(default_factory=Counter)
    worst: list[tuple[float, str]] = field(default_factory=list)

    def add_body(self, true: str, predicted: str) -> None:
        tp, fp, fn = page_counts(true, predicted)
        self.tp, self.fp, self.fn, self.pages = self.tp + tp, self.fp + fp, self.fn + fn, self.pages + 1

    def figures(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "pages": self.pages,
            **{f"body_{k}": v for k, v in prf(self.tp, self.fp, self.fn).items()},
        }
        if self.lines:
            line = prf(self.lines["tp"], self.lines["fp"], self.lines["fn"])
            found |= {f"boilerplate_line_{k}": v for k, v in line.items()}
        if self.article_chars:
            found["article_chars_lost"] = round(self.article_chars_lost / self.article_chars, 4)
            found["pages_losing_over_20pct"] = self.pages_losing["20"]
            found["pages_losing_over_50pct"] = self.pages_losing["50"]
        return found


# --- newsspan on a folder ---------------------------------------------------------------------


def newsspan_pages(
    folder: Path, timings: dict[str, float]
) -> Iterable[tuple[str, dict[str, Any], list[tuple[int, int, str]]]]:
    """(page id, document row, boilerplate spans) for every page of ``folder``, through ingest
    and pre-annotation exactly as ``newsspan build`` runs them; ``timings`` gets the seconds of
    each ("ingest", "preannotate")."""
    from newsspan.dataset.config import IngestOptions
    from newsspan.dataset.ingest.steps import IngestSummary, ingest_batches
    from newsspan.dataset.preannotate import preannotate_documents

    summary = IngestSummary()
    began = time.perf_counter()
    batches = list(ingest_batches([folder], options=IngestOptions(min_body_words=0), summary=summary))
    timings["ingest"] = time.perf_counter() - began
    documents = pa.concat_tables([b.documents for b in batches])
    quarantine = [row for b in batches for row in b.quarantine.to_pylist()]
    for row in quarantine:
        print(f"  quarantined {row['source']}: {row['reason']}", file=sys.stderr)
    began = time.perf_counter()
    result = preannotate_documents(documents)
    timings["preannotate"] = time.perf_counter() - began
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for span in result.spans.filter(pa.compute.equal(result.spans["layer"], "boilerplate")).to_pylist():
        spans.setdefault(span["doc_id"], []).append((span["start"], span["end"], span["label"]))
    for document in documents.to_pylist():
        page = Path(document["source"]).name.split(".")[0]
        yield page, document, spans.get(document["doc_id"], [])
    for row in quarantine:
        yield Path(row["source"]).name.split(".")[0], {"text": "", "title": None, "meta_spans": []}, []


def lines_of(text: str) -> list[tuple[int, int]]:
    """[start, end) of every non-blank line, stripped."""
    found, start = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = start + len(line) - len(line.lstrip())
            found.append((lead, lead + len(stripped)))
        start += len(line) + 1
    return found


def body_of(document: dict[str, Any], spans: list[tuple[int, int, str]]) -> tuple[str, list[bool]]:
    """The predicted article body (lines outside boilerplate, headline left out) and, per
    non-blank line, whether it was labelled boilerplate (most of its characters covered)."""
    text = document["text"]
    title = next((m for m in document["meta_spans"] if m["field"] == "title"), None)
    covered = bytearray(len(text))
    for start, end, _label in spans:
        covered[start:end] = b"\x01" * (end - start)
    body, flags = [], []
    for start, end in lines_of(text):
        share = sum(covered[start:end]) / (end - start)
        boiler = share > 0.5
        flags.append(boiler)
        if not boiler and not (title is not None and title["start"] == start):
            body.append(text[start:end])
    return "\n".join(body), flags


def score_newsspan(folder: Path, truth: dict[str, Any], *, line_truth: bool) -> tuple[Score, dict[str, float]]:
    score = Score()
    seconds: dict[str, float] = {}
    pages = list(newsspan_pages(folder, seconds))
    for page, document, spans in pages:
        article = truth[page]["articleBody"]
        body, flags = body_of(document, spans)
        score.add_body(article, body)
        if not line_truth:
            continue
        lost = total = 0
        for (start, end), boiler in zip(lines_of(document["text"]), flags, strict=True):
            is_article = document["text"][start:end] in article
            key = ("tp" if not is_article else "fp") if boiler else ("fn" if not is_article else "")
            if key:
                score.lines[key] += 1
            if is_article:
                total += end - start
                lost += (end - start) if boiler else 0
        score.article_chars += total
        score.article_chars_lost += lost
        share = lost / total if total else 0.0
        score.pages_losing["20"] += share > 0.2
        score.pages_losing["50"] += share > 0.5
        score.worst.append((share, page))
    return score, seconds


def _timing(seconds: dict[str, float], pages: int) -> dict[str, float]:
    """Seconds of ingest and pre-annotation, and ingest's pages per second (one process, one core)."""
    return {
        "ingest_seconds": round(seconds["ingest"], 2),
        "preannotate_seconds": round(seconds["preannotate"], 2),
        "ingest_pages_per_second": round(pages / seconds["ingest"], 1),
    }


def score_baseline(pages: dict[str, str], truth: dict[str, Any], extract: Callable[[str], str]) -> dict[str, Any]:
    score = Score()
    began = time.perf_counter()
    for page, content in pages.items():
        score.add_body(truth[page]["articleBody"], extract(content))
    seconds = time.perf_counter() - began
    return score.figures() | {"seconds": round(seconds, 2), "pages_per_second": round(len(pages) / seconds, 1)}


def trafilatura_text(content: str) -> str:
    """trafilatura on plain text: each line wrapped as a paragraph of a minimal page."""
    import html

    import trafilatura

    page = "<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in content.split("\n") if line.strip())
    return trafilatura.extract(page + "</body></html>") or ""


def trafilatura_html(content: str) -> str:
    import trafilatura

    return trafilatura.extract(content) or ""


# --- the sets ---------------------------------------------------------------------------------


def aeb_text(root: Path, limit: int | None) -> dict[str, Any]:
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    files = sorted((root / "text").glob("*.txt"))[:limit]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "text"
        folder.mkdir()
        for path in files:
            (folder / path.name).write_bytes(path.read_bytes())
        newsspan, seconds = score_newsspan(folder, truth, line_truth=True)
    raw = {p.stem: p.read_text(encoding="utf-8") for p in files}
    return {
        "newsspan": newsspan.figures() | _timing(seconds, len(files)),
        "all text": score_baseline(raw, truth, lambda text: text),
        "trafilatura (same text)": score_baseline(raw, truth, trafilatura_text),
        "_worst": sorted(newsspan.worst, reverse=True)[:8],
    }


def aeb_html(root: Path, limit: int | None) -> dict[str, Any]:
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    files = sorted((root / "html").glob("*.html.gz"))[:limit]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "html"
        folder.mkdir()
        for path in files:
            (folder / path.name).write_bytes(path.read_bytes())
        newsspan, seconds = score_newsspan(folder, truth, line_truth=False)
    newsspan_figures = newsspan.figures() | _timing(seconds, len(files))
    raw = {p.name.split(".")[0]: gzip.decompress(p.read_bytes()).decode("utf-8", "replace") for p in files}
    return {
        "newsspan": newsspan_figures,
        "trafilatura (html)": score_baseline(raw, truth, trafilatura_html),
    }


def polnear_titles(root: Path, limit: int | None) -> dict[str, Any]:
    import csv

    from newsspan.dataset.config import IngestOptions
    from newsspan.dataset.ingest.steps import IngestSummary, ingest_batches

    with (root / "metadata.tsv").open(encoding="utf-8", newline="") as handle:
        titles = {row["filename"]: row["title"] for row in csv.DictReader(handle, delimiter="\t")}
    files = sorted((root / "train" / "text").glob("*.txt"))[:limit]
    found = exact = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "text"
        folder.mkdir()
        for path in files:
            (folder / path.name).write_bytes(path.read_bytes())
        summary = IngestSummary()
        for batch in ingest_batches([folder], options=IngestOptions(min_body_words=0), summary=summary):
            for row in batch.documents.select(["source", "title"]).to_pylist():
                want = titles.get(Path(row["source"]).stem)
                if want is None:
                    continue
                got = row["title"] or ""
                found += _same_title(got, want)
                exact += got == want
    return {"newsspan": {"articles": len(files), "titles_found": round(found / len(files), 4), "exact": exact}}


def _same_title(got: str, want: str) -> bool:
    def key(value: str) -> str:
        return " ".join(_TOKEN.findall(value.casefold()))

    return bool(got) and key(got) == key(want)


SETS: dict[str, tuple[str, Callable[[Path, int | None], dict[str, Any]]]] = {
    "aeb-text": ("aeb-dev", aeb_text),
    "aeb-html": ("aeb-dev", aeb_html),
    "polnear-titles": ("polnear-train", polnear_titles),
}
# figure name in quality_floors.json -> (set, row, figure)
FLOOR_FIGURES = {
    "body_f1_text": ("aeb-text", "newsspan", "body_f1"),
    "body_f1_html": ("aeb-html", "newsspan", "body_f1"),
    "boilerplate_line_f1": ("aeb-text", "newsspan", "boilerplate_line_f1"),
    "polnear_titles_found": ("polnear-titles", "newsspan", "titles_found"),
}
# figures where lower is better: the floor is a ceiling
CEILINGS = {
    "article_chars_lost_max": ("aeb-text", "newsspan", "article_chars_lost"),
    "pages_losing_over_20pct_max": ("aeb-text", "newsspan", "pages_losing_over_20pct"),
}


def check_floors(results: dict[str, Any]) -> list[str]:
    floors = json.loads(FLOORS.read_text(encoding="utf-8")).get("external", {})
    failures = []
    for name, floor in floors.items():
        if name in FLOOR_FIGURES:
            set_name, row, figure = FLOOR_FIGURES[name]
            if set_name in results and results[set_name][row][figure] < floor:
                failures.append(f"{name}: {results[set_name][row][figure]} is below its floor {floor}")
        elif name in CEILINGS:
            set_name, row, figure = CEILINGS[name]
            if set_name in results and results[set_name][row][figure] > floor:
                failures.append(f"{name}: {results[set_name][row][figure]} is above its ceiling {floor}")
    return failures


def recorded_figures(results: dict[str, Any]) -> dict[str, float]:
    """The figures of :data:`RECORDED` from a run of every page."""
    return {name: float(results[set_name][row][figure]) for name, (set_name, row, figure) in RECORDED.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=sorted(SETS), action="append", help="a set to run (default: all)")
    parser.add_argument("--external", type=Path, default=EXTERNAL, help="the development sets' folder")
    parser.add_argument("--limit", type=int, help="first N pages of each set (a smoke run)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--check-floors", action="store_true", help="exit 1 when a figure is below its floor")
    parser.add_argument(
        "--record", action="store_true", help=f"write the aeb figures a silver card reports into {QUALITY.name}"
    )
    args = parser.parse_args(argv)
    if args.record and (args.limit is not None or (args.set and not {"aeb-html", "aeb-text"} <= set(args.set))):
        parser.error("--record measures every page of aeb-html and aeb-text: drop --limit and --set")
    results: dict[str, Any] = {}
    for name in args.set or sorted(SETS):
        folder, run = SETS[name]
        root = args.external / folder
        if not root.is_dir():
            print(f"{name}: {root} not found; the development sets live in ../shared/external", file=sys.stderr)
            return 2
        results[name] = run(root, args.limit)
        print(f"\n{name}")
        for row, figures in results[name].items():
            if row.startswith("_"):
                continue
            shown = "  ".join(f"{k}={v}" for k, v in figures.items())
            print(f"  {row:<26} {shown}")
        for share, page in results[name].get("_worst", []):
            if share > 0:
                print(f"    lost {share:.0%} of its article: {page[:16]}")
    if any(n.startswith("aeb") for n in results):
        print("\npublished (all 181 pages): " + ", ".join(f"{k} {v}" for k, v in PUBLISHED.items()))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if args.record:
        from newsspan.dataset.heuristics.quality import record_quality
        from newsspan.dataset.preannotate import MODEL_VERSION

        record_quality(QUALITY, MODEL_VERSION, "aeb-dev", recorded_figures(results))
        print(f"recorded in {QUALITY.relative_to(REPO)}")
    if args.check_floors and args.limit is None:
        failures = check_floors(results)
        for failure in failures:
            print(f"FLOOR: {failure}", file=sys.stderr)
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
