"""Peak memory and time of export conversion as the export grows, against a json.load baseline.

    python benchmarks/convert_memory.py                 # 5k, 20k and 50k tasks (~1 GB export)
    python benchmarks/convert_memory.py --sizes 1000    # a smoke run

Each measurement runs in its own process and reads its peak resident memory (ru_maxrss), so
the figures do not mix. The baseline is what a user would write first: ``json.load`` the whole
export, loop over it, and build Arrow tables with ``pa.Table.from_pylist``; it is run on the
smaller sizes only (it needs roughly 10x the export size in memory). Prints a table and writes
JSON next to the exports.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

NEWSSPAN = """
import resource, sys, time
from pathlib import Path
from newsspan.labeling.tables import convert_export
start = time.perf_counter()
summary = convert_export(Path(sys.argv[1]), Path(sys.argv[2]))
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, summary.rows["spans"])
"""

BASELINE = """
import json, resource, sys, time
import pyarrow as pa, pyarrow.parquet as pq
start = time.perf_counter()
with open(sys.argv[1], encoding="utf-8") as handle:
    tasks = json.load(handle)
rows = []
for task in tasks:
    for annotation in task["annotations"]:
        for item in annotation["result"]:
            value = item.get("value", {})
            if "labels" in value:
                rows.append({"doc_id": task["data"]["doc_id"], "annotation": annotation["id"], "region": item["id"],
                             "label": value["labels"][0], "start": value["start"], "end": value["end"],
                             "text": task["data"]["text"][value["start"]:value["end"]]})
pq.write_table(pa.Table.from_pylist(rows), sys.argv[2] + ".parquet")
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, len(rows))
"""


def _run(code: str, export: Path, out: Path) -> tuple[float, float, int]:
    result = subprocess.run(
        [sys.executable, "-c", code, str(export), str(out)], capture_output=True, text=True, check=True
    )
    seconds, kib, spans = result.stdout.split()
    return float(seconds), int(kib) / 1024, int(spans)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000, 50000])
    parser.add_argument("--baseline-max", type=int, default=20000, help="largest size the baseline runs at")
    parser.add_argument("--work", type=Path, default=None, help="folder for the generated exports")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from generate import write_export

    work = args.work or Path(tempfile.mkdtemp(prefix="newsspan-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    print(f"{'tasks':>7} {'export MB':>10} {'tool':<10} {'seconds':>8} {'MB/s':>7} {'peak RSS MB':>12} {'spans':>10}")
    for size in args.sizes:
        export = work / f"export-{size}.json"
        if not export.exists():
            write_export(export, size)
        megabytes = export.stat().st_size / 1e6
        tools = [("newsspan", NEWSSPAN)] + ([("baseline", BASELINE)] if size <= args.baseline_max else [])
        for name, code in tools:
            seconds, peak, spans = _run(code, export, work / f"out-{name}-{size}")
            results.append(
                {
                    "tasks": size,
                    "export_mb": round(megabytes, 1),
                    "tool": name,
                    "seconds": round(seconds, 2),
                    "mb_per_s": round(megabytes / seconds, 1),
                    "peak_rss_mb": round(peak),
                    "spans": spans,
                }
            )
            row = results[-1]
            print(
                f"{size:>7} {megabytes:>10.1f} {name:<10} {seconds:>8.2f} {row['mb_per_s']:>7.1f} "
                f"{row['peak_rss_mb']:>12} {spans:>10}",
                flush=True,
            )
    ours = [r for r in results if r["tool"] == "newsspan"]
    growth = ours[-1]["peak_rss_mb"] / ours[0]["peak_rss_mb"]
    scale = ours[-1]["export_mb"] / ours[0]["export_mb"]
    print(f"newsspan peak memory grew {growth:.2f}x while the export grew {scale:.1f}x")
    (work / "convert_memory.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"figures: {work / 'convert_memory.json'}")


if __name__ == "__main__":
    main()
