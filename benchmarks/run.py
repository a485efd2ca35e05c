"""Throughput and peak memory of every stage, against the tools a user would otherwise use.

    python benchmarks/run.py                       # 1k, 10k and 50k tasks
    python benchmarks/run.py --sizes 1000          # the smoke run CI does
    python benchmarks/run.py --sizes 200000 --no-baselines

For each size a deterministic export (benchmarks/generate.py) and the same articles as JSON
Lines are generated; every stage then runs in its own process (so ``ru_maxrss`` is that stage's
peak): ingest, convert, agreement, gold, the validation gate, the dataset write and
``load_dataset``. The conversion is compared in the same run with the Label Studio SDK's own
converter (JSON_MIN and CONLL2003), a plain ``json.load`` + loops + ``pa.Table.from_pylist``
converter, and a floor (orjson parse + pyarrow Parquet write of the same rows). Prints a table
and writes JSON beside the data.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

PRELUDE = """
import json, resource, sys, time
from pathlib import Path
data, work = Path(sys.argv[1]), Path(sys.argv[2])
start = time.perf_counter()
"""
REPORT = """
print(json.dumps({"seconds": time.perf_counter() - start,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "items": items}))
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
import pyarrow.parquet as pq
from newsspan.validation.gate import validate_tables
report = validate_tables(work)
assert report.passed, [r.rule_id for r in report.critical_failures]  # the generated corpus is clean
items = pq.read_metadata(work / "spans.parquet").num_rows  # spans checked by the 28 rules
""",
    "dataset write": """
from newsspan.dataset.config import BuildOptions
from newsspan.dataset.hub.stage import write_dataset
from newsspan.dataset.hub.writer import dataset_yaml
from newsspan.dataset.layout import BuildFolder
counts = write_dataset(BuildFolder(work), BuildOptions())["rows"]
(work / "README.md").write_text("---\\n" + dataset_yaml(list(counts["documents"])) + "---\\n")
items = sum(sum(v.values()) for v in counts.values())
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
    "load_dataset": "rows",
}
TARGETS = {  # conversion against each baseline: (the ratio it must reach, how it is read)
    "SDK converter, JSON_MIN": (10.0, "at least 10x faster"),
    "floor: orjson + pyarrow write": (0.5, "within 2x"),
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


def _run(name: str, code: str, data: Path, work: Path) -> dict[str, float]:
    script = PRELUDE + code + REPORT
    command = [sys.executable, "-c", script, str(data), str(work)]
    result = subprocess.run(command, check=False, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{name} failed:\n{result.stderr[-2000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _prepare(size: int, root: Path) -> tuple[Path, float]:
    sys.path.insert(0, str(HERE))
    from generate import write_export

    data = root / f"data-{size}"
    data.mkdir(parents=True, exist_ok=True)
    export = data / "export.json"
    if not export.exists():
        write_export(export, size)
        import ijson

        # streamed: a forked stage process starts with this process's peak memory in ru_maxrss
        with export.open("rb") as handle, (data / "articles.jsonl").open("w", encoding="utf-8") as out:
            for text in ijson.items(handle, "item.data.text"):
                out.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
    return data, export.stat().st_size / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 50_000])
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--no-baselines", action="store_true")
    args = parser.parse_args()
    root = args.work or Path(tempfile.mkdtemp(prefix="newsspan-run-"))
    results = []
    print(f"{'tasks':>7} {'stage':<34} {'seconds':>8} {'tasks/s':>8} {'items/s':>18} {'MB/s':>7} {'peak MB':>8}")
    for size in args.sizes:
        data, megabytes = _prepare(size, root)
        work = root / f"work-{size}"
        work.mkdir(exist_ok=True)
        stages = list(STAGES.items()) + ([] if args.no_baselines else list(BASELINES.items()))
        for name, code in stages:
            figures = _run(name, code, data, work)
            if name in STAGES and not figures["items"]:  # a stage that quietly made nothing is a failure
                raise SystemExit(f"{name} produced no {UNITS[name]} from {size} tasks")
            seconds = figures["seconds"]
            rate = f"{figures['items'] / seconds:,.0f} {UNITS[name]}" if name in UNITS and figures["items"] else ""
            mbps = megabytes / seconds if name in ("convert", *BASELINES) else 0.0
            results.append({"tasks": size, "stage": name, "export_mb": round(megabytes, 1), **figures})
            line = f"{size:>7} {name:<34} {seconds:>8.2f} {size / seconds:>8.0f} {rate:>18} {mbps:>7.1f}"
            print(f"{line} {figures['peak_mb']:>8.0f}", flush=True)
        convert = next(r for r in results if r["tasks"] == size and r["stage"] == "convert")["seconds"]
        for name in BASELINES if not args.no_baselines else ():
            other = next(r for r in results if r["tasks"] == size and r["stage"] == name)["seconds"]
            ratio = other / convert
            said = f"{ratio:6.2f}x faster" if ratio >= 1 else f"{1 / ratio:6.2f}x slower"
            target = TARGETS.get(name)
            verdict = f"  (target: {target[1]}: {'met' if ratio >= target[0] else 'NOT met'})" if target else ""
            print(f"{'':>7} convert vs {name:<33} {said}{verdict}")
    (root / "run.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"figures: {root / 'run.json'}")


if __name__ == "__main__":
    main()
