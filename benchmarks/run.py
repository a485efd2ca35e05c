"""Throughput and peak memory of every stage, against the tools a user would otherwise use.

    python benchmarks/run.py                                    # 10k and 50k tasks
    python benchmarks/run.py --sizes 10000 50000 200000         # issue 18's table (not in CI)
    python benchmarks/run.py --sizes 1000                       # the smoke run CI does
    python benchmarks/run.py --sizes 50000 --profile --no-baselines   # where the time goes

For each size a deterministic export (benchmarks/generate.py) and the same articles as JSON
Lines are generated; every stage then runs in its own process (so ``ru_maxrss`` is that stage's
peak): ingest, convert, agreement, gold, the validation gate, the dataset write and
``load_dataset``. The conversion is compared in the same run with the Label Studio SDK's own
converter (JSON_MIN and CONLL2003), a plain ``json.load`` + loops + ``pa.Table.from_pylist``
converter, a floor (orjson parse + pyarrow Parquet write of the same rows) and a parse that makes
no rows. Those alternatives hold the whole export in memory (about 8 GB at 50k tasks), so they are
run up to ``--baselines-up-to`` tasks. Prints a table per size, the targets of issue 18 marked met
or not, a summary over the sizes (``--markdown FILE`` writes it for the README) and writes JSON
beside the data. ``--profile`` runs each stage under pyinstrument and writes its call tree.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
SAMPLE = 0.05  # seconds between two samples of a stage's process tree

PRELUDE = """
import json, resource, sys, time
import pyarrow.parquet as pq
from pathlib import Path
data, work = Path(sys.argv[1]), Path(sys.argv[2])
start = time.perf_counter()
"""
# peak_mb here: the stage's own peak plus RUSAGE_CHILDREN's, the largest peak of its worker
# processes (the dataset write's): peaks reached at different times are added, an upper bound for
# the stage and one worker. Workers running at the same time can hold more together, so _run also
# samples the whole process tree (tree_mb) and reports the larger of the two as peak_mb.
REPORT = """
usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
self_mb, children_mb = (u.ru_maxrss / 1024 for u in usage)
print(json.dumps({"seconds": time.perf_counter() - start, "peak_mb": self_mb + children_mb, "self_mb": self_mb,
                  "children_mb": children_mb, "cpu_seconds": sum(u.ru_utime + u.ru_stime for u in usage),
                  "items": items}))
"""
STAGES = {
    "ingest": """
from newsspan.dataset.build import ingest_to_folder
from newsspan.dataset.config import IngestOptions
items = ingest_to_folder([data / "articles.jsonl"], work, options=IngestOptions()).documents
""",
    "convert": """
from newsspan.labeling.tables import convert_export
# the documents come from the tasks (the export-only path): ingest's ids and normalized text
# (CRLF -> LF) differ from the generated tasks', which carry their own ids
items = convert_export(data / "export.json", work).rows["spans"]
""",
    "agreement": """
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.stage import StageContext
from newsspan.labeling.agreement_stage import AgreementStage
context = StageContext(BuildFolder(work), options={"out": work / "reports"})
items = AgreementStage().run(context).counts["documents"]
""",
    "gold": """
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.stage import StageContext
from newsspan.labeling.gold_stage import GoldStage
items = GoldStage().run(StageContext(BuildFolder(work))).counts["gold_spans"]
""",
    "validation gate": """
from newsspan.validation.gate import validate_tables
report = validate_tables(work)
assert report.passed, [r.rule_id for r in report.critical_failures]  # the generated corpus is clean
items = pq.read_metadata(work / "spans.parquet").num_rows  # spans checked by the 28 rules
""",
    "dataset write": """
from newsspan.dataset.config import BuildOptions
from newsspan.dataset.hub.stage import write_dataset
from newsspan.dataset.hub.writer import dataset_yaml, declared_splits
from newsspan.dataset.layout import BuildFolder
counts = write_dataset(BuildFolder(work), BuildOptions())["rows"]
(work / "README.md").write_text("---\\n" + dataset_yaml(declared_splits(BuildFolder(work))) + "---\\n")
items = sum(sum(v.values()) for v in counts.values())
""",
    "card": """
from newsspan.cards.render import write_card
write_card(work)
items = pq.read_metadata(work / "documents.parquet").num_rows
""",
    "load_dataset": """
import os
os.environ["HF_DATASETS_CACHE"] = str(work / "hf-cache")
from datasets import load_dataset
items = sum(load_dataset(str(work), name=c, split="train").num_rows for c in ("documents", "ner", "quotes"))
""",
}
UNITS = {  # what a stage's items are
    "ingest": "articles",
    "convert": "spans",
    "agreement": "documents",
    "gold": "gold spans",
    "validation gate": "spans",
    "dataset write": "rows",
    "card": "documents",
    "load_dataset": "rows",
}
# a build of an export: every stage after ingest (the quality stage runs the rules on every document
# of an export without this version's predictions: benchmarks/attribution.py measures the rules)
END_TO_END = ("convert", "agreement", "gold", "validation gate", "dataset write", "card")
PEAK_MB = 1000.0  # issue 18: every stage at most 1 GB, at any size
CONVERT_RATE, CONVERT_MB = 4000.0, 300.0  # tasks/s and peak MB of the conversion
END_TO_END_SECONDS = {50_000: 90.0}  # tasks -> seconds the build's stages may take
TARGETS = {  # conversion against each baseline: (the ratio it must reach, how it is read)
    "SDK converter, JSON_MIN": (3.0, "at least 3x faster"),
    "json.load + loops + from_pylist": (2.0, "at least 2x faster"),
}
BASELINES = {
    "SDK converter, JSON_MIN": """
from label_studio_sdk.converter import Converter
from newsspan.labeling.config import label_config_xml
converter = Converter(config=label_config_xml(), project_dir=None)
converter.convert_to_json_min(str(data / "export.json"), str(work / "sdk"), is_dir=False)
items = 0
""",
    "SDK converter, CONLL2003": """
from label_studio_sdk.converter import Converter
from newsspan.labeling.config import label_config_xml
converter = Converter(config=label_config_xml(), project_dir=None)
converter.convert_to_conll2003(str(data / "export.json"), str(work / "sdk"), is_dir=False)
items = 0
""",
    "json.load + loops + from_pylist": """
import pyarrow as pa, pyarrow.parquet as pq
tasks = json.load(open(data / "export.json", encoding="utf-8"))
rows = [{"doc_id": t["data"]["doc_id"], "annotation": a["id"], "region": r["id"], "label": r["value"]["labels"][0],
         "start": r["value"]["start"], "end": r["value"]["end"],
         "text": t["data"]["text"][r["value"]["start"]:r["value"]["end"]]}
        for t in tasks for a in t["annotations"] for r in a["result"] if "labels" in r.get("value", {})]
pq.write_table(pa.Table.from_pylist(rows), work / "baseline.parquet")
items = len(rows)
""",
    "parse only: ijson stream, no rows": """
import ijson
items = 0
with open(data / "export.json", "rb") as handle:
    for task in ijson.items(handle, "item", use_float=True):  # what streaming costs before any work
        items += 1
""",
    "floor: orjson + pyarrow write": """
import orjson, pyarrow as pa, pyarrow.parquet as pq
tasks = orjson.loads((data / "export.json").read_bytes())
columns = {k: [] for k in ("doc_id", "annotation", "region", "label", "start", "end", "text")}
for t in tasks:
    text, doc = t["data"]["text"], t["data"]["doc_id"]
    for a in t["annotations"]:
        for r in a["result"]:
            v = r.get("value")
            if v and "labels" in v:
                row = (doc, a["id"], r["id"], v["labels"][0], v["start"], v["end"], text[v["start"] : v["end"]])
                for k, x in zip(columns, row):
                    columns[k].append(x)
pq.write_table(pa.table(columns), work / "floor.parquet")
items = len(columns["doc_id"])
""",
}


PROFILED = """
from pyinstrument import Profiler
profiler = Profiler(interval=0.005)
profiler.start()
{code}
profiler.stop()
(work / "profiles").mkdir(exist_ok=True)
(work / "profiles" / "{slug}.txt").write_text(profiler.output_text(unicode=True, color=False, show_all=False))
"""


def _tree_mb(root: int) -> float:
    """Resident MB of process ``root`` and all its descendants now (Linux /proc; 0 elsewhere)."""
    parents: dict[int, int] = {}
    proc = Path("/proc")
    for entry in proc.iterdir() if proc.is_dir() else ():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # the process ended while the table was read
    tree, grown = {root}, True
    while grown:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        grown, tree = bool(more), tree | more
    pages = 0
    for pid in tree:
        try:
            pages += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return pages * PAGE / 2**20


def _run(name: str, code: str, data: Path, work: Path, *, profile: bool = False) -> dict[str, float]:
    """Run one stage in its own process; its figures, with ``tree_mb``: the largest sum of the
    resident memory of the stage's process and its workers at one moment (sampled every
    :data:`SAMPLE` s), and ``peak_mb``: the larger of that and ``self_mb + children_mb``."""
    if profile:  # pyinstrument slows the stage: its figures are marked 'profiled' in the table and run.json
        code = PROFILED.format(code=code, slug=name.replace(" ", "-"))
    script = PRELUDE + code + REPORT
    command = [sys.executable, "-c", script, str(data), str(work)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        peak, done = [0.0], threading.Event()

        def sample() -> None:
            while not done.wait(SAMPLE):
                peak[0] = max(peak[0], _tree_mb(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stdout, stderr = process.communicate()
        done.set()
        sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{name} failed:\n{stderr[-2000:]}")
    figures = dict(json.loads(stdout.strip().splitlines()[-1]))
    figures["tree_mb"] = peak[0]
    figures["peak_mb"] = max(peak[0], figures["peak_mb"])
    return figures


def _prepare(size: int, root: Path) -> tuple[Path, float]:
    sys.path.insert(0, str(HERE))
    from generate import write_export

    data = root / f"data-{size}"
    data.mkdir(parents=True, exist_ok=True)
    export = data / "export.json"
    if not export.exists():
        partial = data / "export.json.partial"  # a killed run leaves no export that looks complete
        write_export(partial, size)
        import ijson

        # streamed: a forked stage process starts with this process's peak memory in ru_maxrss
        with partial.open("rb") as handle, (data / "articles.jsonl").open("w", encoding="utf-8") as out:
            for text in ijson.items(handle, "item.data.text"):
                out.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
        partial.replace(export)
    return data, export.stat().st_size / 1e6


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _targets(size: int, rows: list[dict[str, Any]]) -> list[str]:
    """Issue 18's targets at this size, each marked met or not."""
    by = {r["stage"]: r for r in rows}
    lines = []
    peaks = {name: by[name]["peak_mb"] for name in STAGES if name in by}
    worst = max(peaks, key=lambda name: peaks[name])
    lines.append(
        f"every stage's peak <= {PEAK_MB:,.0f} MB: {_verdict(peaks[worst] <= PEAK_MB)} (largest: {worst}, "
        f"{peaks[worst]:,.0f} MB)"
    )
    convert = by["convert"]
    rate = size / convert["seconds"]
    ok = rate >= CONVERT_RATE and convert["peak_mb"] <= CONVERT_MB
    lines.append(
        f"convert >= {CONVERT_RATE:,.0f} tasks/s at <= {CONVERT_MB:,.0f} MB: {_verdict(ok)} "
        f"({rate:,.0f} tasks/s, {convert['peak_mb']:,.0f} MB)"
    )
    for name, (ratio_needed, said) in TARGETS.items():
        if name in by:
            ratio = by[name]["seconds"] / convert["seconds"]
            lines.append(f"convert vs {name}: {said}: {_verdict(ratio >= ratio_needed)} ({ratio:.2f}x)")
    total = sum(by[name]["seconds"] for name in END_TO_END)
    limit = END_TO_END_SECONDS.get(size)
    verdict = f": <= {limit:.0f} s {_verdict(total <= limit)}" if limit else ""
    lines.append(f"build of the export ({' + '.join(END_TO_END)}): {total:.1f} s, {size / total:,.0f} tasks/s{verdict}")
    return lines


def _markdown(results: list[dict[str, Any]], sizes: list[int]) -> str:
    """The summary over the sizes: seconds, tasks/s and peak MB per stage, as a Markdown table."""
    head = "| stage | " + " | ".join(f"{size:,} tasks" for size in sizes) + " |"
    lines = [head, "| --- |" + " ---: |" * len(sizes)]
    names = list(dict.fromkeys(r["stage"] for r in results))
    for name in [*names, "build of the export"]:
        cells = []
        for size in sizes:
            if name == "build of the export":
                rows = [r for r in results if r["tasks"] == size and r["stage"] in END_TO_END]
                seconds = sum(r["seconds"] for r in rows)
                peak = max((r["peak_mb"] for r in rows), default=0.0)
                cells.append(f"{seconds:.1f} s, {size / seconds:,.0f}/s, {peak:,.0f} MB" if rows else "")
                continue
            row = next((r for r in results if r["tasks"] == size and r["stage"] == name), None)
            cells.append(
                "not run"
                if row is None
                else f"{row['seconds']:.1f} s, {size / row['seconds']:,.0f}/s, {row['peak_mb']:,.0f} MB"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--work", type=Path, default=None, help="keep the generated data here for a rerun")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument(
        "--baselines-up-to",
        type=int,
        default=50_000,
        help="run the whole-export alternatives only up to this many tasks (they need ~8 GB at 50k)",
    )
    parser.add_argument("--profile", action="store_true", help="write each stage's pyinstrument tree to WORK/profiles")
    parser.add_argument("--markdown", type=Path, help="write the summary table here")
    args = parser.parse_args()
    root = args.work or Path(tempfile.mkdtemp(prefix="newsspan-run-"))
    results: list[dict[str, Any]] = []
    verdicts: list[str] = []
    for size in args.sizes:
        data, megabytes = _prepare(size, root)
        work = root / f"work-{size}"
        if work.exists():
            shutil.rmtree(work)  # every stage starts from what the stages before it wrote in this run
        work.mkdir()
        baselines = not args.no_baselines and size <= args.baselines_up_to
        stages = list(STAGES.items()) + (list(BASELINES.items()) if baselines else [])
        print(f"\n{size:,} tasks, {megabytes:,.0f} MB export" + ("" if baselines else " (no baselines)"))
        print(f"{'stage':<34} {'seconds':>8} {'tasks/s':>8} {'items/s':>20} {'MB/s':>7} {'peak MB':>8}")
        for name, code in stages:
            figures = _run(name, code, data, work, profile=args.profile and name in STAGES)
            if name in STAGES and not figures["items"]:  # a stage that quietly made nothing is a failure
                raise SystemExit(f"{name} produced no {UNITS[name]} from {size} tasks")
            seconds = figures["seconds"]
            rate = f"{figures['items'] / seconds:,.0f} {UNITS[name]}" if name in UNITS and figures["items"] else ""
            mbps = megabytes / seconds if name in ("convert", *BASELINES) else 0.0
            profiled = args.profile and name in STAGES
            results.append(
                {"tasks": size, "stage": name, "export_mb": round(megabytes, 1), "profiled": profiled, **figures}
            )
            line = f"{name:<34} {seconds:>8.2f} {size / seconds:>8.0f} {rate:>20} {mbps:>7.1f}"
            print(f"{line} {figures['peak_mb']:>8.0f}" + ("  (profiled)" if profiled else ""), flush=True)
        rows = [r for r in results if r["tasks"] == size]
        convert = next(r for r in rows if r["stage"] == "convert")["seconds"]
        for name in BASELINES if baselines else ():
            ratio = next(r for r in rows if r["stage"] == name)["seconds"] / convert
            said = f"{ratio:6.2f}x faster" if ratio >= 1 else f"{1 / ratio:6.2f}x slower"
            print(f"convert vs {name:<33} {said}")
        print("targets (issue 18):")
        for line in _targets(size, rows):
            print(f"  {line}")
            verdicts.append(f"{size:,} tasks: {line}")
        if args.profile:
            print(f"profiles: {work / 'profiles'}")
    summary = _markdown(results, args.sizes)
    print("\n" + summary)
    if args.markdown:
        args.markdown.write_text(summary + "\n" + "\n".join(f"- {v}" for v in verdicts) + "\n", encoding="utf-8")
    (root / "run.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"figures: {root / 'run.json'}")


if __name__ == "__main__":
    main()
