"""Ingest and pre-annotation on Spark against the local engine, on the same articles, in the same run.

    python benchmarks/spark_ingest.py --articles 20000 --files 16
    python benchmarks/spark_ingest.py --articles 1000 --files 4 --work build/spark-bench   # a smoke run

benchmarks/run.py's generated articles (3,000-character texts) are split into ``--files`` JSON
Lines files (Spark hands out files, so a corpus is many files). Each measurement runs in its own
process: the local engine (one process), then Spark at ``local[1]`` and ``local[2]``; each ingests,
then pre-annotates what it ingested. Printed per run: seconds of each step (Spark's start-up
apart), articles/s through both, CPU seconds of the process and its
descendants (the JVM and its Python workers, from /proc), the driver's peak memory; then
Spark's overhead per core against the local engine (issue 19's target: within 1.5x) and the
scaling from one core to two. Every run's tables are checked equal to the local engine's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from run import _prepare

MEASURE = """
import json, resource, sys, time
from pathlib import Path
folder, out, master = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
from newsspan.dataset.config import EngineOptions, IngestOptions
started = time.perf_counter()
if master == "none":
    from newsspan.dataset.build import ingest_to_folder
    ready = time.perf_counter()
    documents = ingest_to_folder([folder], out, options=IngestOptions(language="en")).documents
else:
    from newsspan.dataset.spark.ingest import ingest_spark
    from newsspan.dataset.spark.session import spark_session
    spark = spark_session(EngineOptions(name="spark", master=master))
    spark.range(1).count()  # the JVM and the first job are up: what follows is ingest
    ready = time.perf_counter()
    documents = ingest_spark(spark, [folder], out, options=IngestOptions(language="en"))["documents"]
seconds = time.perf_counter() - ready
from newsspan.dataset.config import PreannotateOptions
began = time.perf_counter()
if master == "none":
    from newsspan.dataset.layout import BuildFolder
    from newsspan.dataset.preannotate import PreannotateStage
    from newsspan.dataset.stage import StageContext
    context = StageContext(BuildFolder(out / "pre"), options={"documents": out / "documents.parquet"})
    spans = sum(PreannotateStage().run(context).counts["spans"].values())
else:
    from newsspan.dataset.spark.preannotate import preannotate_spark
    made = preannotate_spark(spark, out / "documents.parquet", out / "pre", options=PreannotateOptions())
    spans = sum(made["spans"].values())
preannotate_seconds = time.perf_counter() - began
import os
def tree():  # pid -> (parent, CPU seconds with its exited children, resident MB) of every descendant
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks = sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
            stats[int(entry)] = (int(fields[1]), ticks / os.sysconf("SC_CLK_TCK"), int(fields[21]) * 4096 / 2**20)
    ours, grown = {os.getpid()}, True
    while grown:
        more = {p for p, (parent, _, _) in stats.items() if parent in ours} - ours
        grown, ours = bool(more), ours | more
    return [stats[p] for p in ours - {os.getpid()} if p in stats]
others = tree()  # the JVM and its Python workers, still running
if master != "none":
    spark.stop()
own = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "start": ready - started, "documents": documents,
                  "preannotate_seconds": preannotate_seconds, "spans": spans,
                  "cpu": own.ru_utime + own.ru_stime + sum(cpu for _, cpu, _ in others),
                  "peak_mb": own.ru_maxrss / 1024, "children_mb": sum(mb for _, _, mb in others)}))
"""


def _split(articles: Path, folder: Path, files: int) -> int:
    """``articles`` (JSON Lines) dealt round-robin into ``files`` files; returns the line count."""
    folder.mkdir(parents=True, exist_ok=True)
    outs = [(folder / f"part-{i:04d}.jsonl").open("w", encoding="utf-8") for i in range(files)]
    count = 0
    with articles.open(encoding="utf-8") as lines:
        for count, line in enumerate(lines, start=1):
            outs[count % files].write(line)
    for out in outs:
        out.close()
    return count


def _measure(folder: Path, out: Path, master: str) -> dict[str, Any]:
    command = [sys.executable, "-c", MEASURE, str(folder), str(out), master]
    result = subprocess.run(command, check=False, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{master}: failed\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _same(spark_out: Path, local_out: Path) -> bool:
    import pyarrow.parquet as pq

    tables = (
        ("documents", ["doc_id"]),
        ("quarantine", ["source", "reason", "detail"]),
        ("pre/spans", ["annotation_id", "region_id"]),
        ("pre/relations", ["annotation_id", "from_region_id", "to_region_id", "relation"]),
    )
    for name, keys in tables:
        ours, theirs = pq.read_table(spark_out / f"{name}.parquet"), pq.read_table(local_out / f"{name}.parquet")
        order = [(k, "ascending") for k in keys]
        if not ours.sort_by(order).equals(theirs.sort_by(order)):
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--files", type=int, default=16)
    parser.add_argument("--work", type=Path, help="keep the generated data here for a rerun")
    args = parser.parse_args()
    root = args.work or Path(tempfile.mkdtemp(prefix="newsspan-spark-bench-"))
    data, _ = _prepare(args.articles, root)
    folder = root / f"articles-{args.articles}-{args.files}"
    if not folder.exists():
        _split(data / "articles.jsonl", folder.with_suffix(".partial"), args.files)
        folder.with_suffix(".partial").rename(folder)
    runs = {"local engine (one process)": "none", "spark local[1]": "local[1]", "spark local[2]": "local[2]"}
    figures: dict[str, dict[str, Any]] = {}
    for label, master in runs.items():
        out = root / f"out-{master.replace('[', '').replace(']', '')}"
        figures[label] = _measure(folder, out, master)
        f = figures[label]
        if master != "none":
            f["same"] = _same(out, root / "out-none")
        f["both"] = f["seconds"] + f["preannotate_seconds"]
        print(
            f"{label:28} ingest {f['seconds']:7.1f} s  preannotate {f['preannotate_seconds']:7.1f} s  "
            f"{f['documents'] / f['both']:6,.0f} articles/s  CPU {f['cpu']:6.1f} s  start {f['start']:5.1f} s  "
            f"peak {f['peak_mb']:,.0f} MB (JVM and workers at the end {f['children_mb']:,.0f} MB)"
            + (f"  tables equal: {f['same']}" if "same" in f else "")
        )
    local, one, two = (figures[label] for label in runs)
    if not (one["same"] and two["same"]):
        raise SystemExit("the Spark tables differ from the local engine's")
    for step, key in (("ingest", "seconds"), ("preannotate", "preannotate_seconds"), ("both", "both")):
        per_core = (two["documents"] / two[key]) / 2
        ratio = (local["documents"] / local[key]) / per_core
        verdict = "met" if ratio <= 1.5 else "NOT met"
        print(
            f"{step}: spark local[2] per core {per_core:,.0f} articles/s; the local engine is {ratio:.2f}x that "
            f"(target: within 1.5x: {verdict}); local[1] -> local[2]: {one[key] / two[key]:.2f}x faster"
        )
    print(f"CPU time: spark local[2] {two['cpu'] / local['cpu']:.2f}x the local engine's")


if __name__ == "__main__":
    main()
