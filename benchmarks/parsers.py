"""Where the conversion's time goes, and what other JSON parsers would cost on the same export.

    python benchmarks/parsers.py --tasks 10000
    python benchmarks/parsers.py --tasks 2000 --profile    # where a conversion spends its time

The figures behind the README's paragraph on the 10x target. Each measurement runs in its own
process (peak memory is its own) on one generated export (benchmarks/run.py's data), imports
left out, the fastest of ``--repeat`` runs:

- the streaming parse alone (ijson, no rows), the whole conversion, and the whole conversion
  with Python's cyclic collector left on (what pausing it saves);
- the alternatives to streaming: whole-file parsers (orjson, ``polars.read_json``), Arrow's
  multithreaded JSON reader (which reads JSON Lines only, so it gets a JSON Lines copy), and
  cutting Label Studio's one JSON array into tasks with numpy, the extra pass that reader needs.

``--profile`` instead converts the export once under pyinstrument (a sampling profiler) and
prints the share of the parse, the per-item checks and the table writing.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from run import _prepare, _run

# after a measurement's imports: pyarrow's lazy pandas import done, the clock restarted (imports
# cost the same whichever way the export is read, and would hide the split at small sizes)
READY = "import pyarrow as pa\npa.array([0])\nstart = time.perf_counter()\n"

CUTS = {
    "parse only (ijson stream)": """
import ijson
"""
    + READY
    + """items = 0
with open(data / "export.json", "rb") as handle:
    for task in ijson.items(handle, "item", use_float=True):
        items += 1
""",
    "whole conversion": """
from newsspan.labeling.tables import convert_export
"""
    + READY
    + """items = convert_export(data / "export.json", work / "tables").rows["spans"]
""",
    "whole conversion, collector on": """
import contextlib
import newsspan.labeling.tables as tables
tables.gc_paused = contextlib.nullcontext  # what the conversion cost before it paused the collector
"""
    + READY
    + """items = tables.convert_export(data / "export.json", work / "tables-gc").rows["spans"]
""",
}
ALTERNATIVES = {
    "orjson, whole file": """
import gc, orjson
gc.disable()
"""
    + READY
    + """items = len(orjson.loads((data / "export.json").read_bytes()))
""",
    "polars.read_json, whole file": """
import polars as pl
"""
    + READY
    + """items = pl.read_json(data / "export.json").height
""",
    "pyarrow.json on a JSON Lines copy": """
import pyarrow.json as pj
"""
    + READY
    + """items = pj.read_json(data / "export.jsonl").num_rows
""",
    "numpy: cut the array into tasks": """
import numpy as np
"""
    + READY
    + """def cut(block, in_string, depth):
    a = np.frombuffer(block, np.uint8)
    quotes = np.flatnonzero(a == 34)
    def escaped(q):  # after an odd run of backslashes
        run = 0
        while q - run > 0 and block[q - run - 1] == 92:
            run += 1
        return run % 2 == 1
    after = quotes[quotes > 0]
    if escaped_quotes := [q for q in after[a[after - 1] == 92] if escaped(q)]:
        quotes = quotes[~np.isin(quotes, escaped_quotes)]
    braces = np.flatnonzero((a == 123) | (a == 125))
    braces = braces[(np.searchsorted(quotes, braces) + in_string) % 2 == 0]
    steps = np.where(a[braces] == 123, 1, -1)
    levels = np.cumsum(steps) + depth
    ends = int(((steps == -1) & (levels == 0)).sum())
    return ends, bool((len(quotes) + in_string) % 2), int(levels[-1]) if len(levels) else depth
items, in_string, depth = 0, False, 0
with open(data / "export.json", "rb") as handle:
    while block := handle.read(8 << 20):
        ends, in_string, depth = cut(block, in_string, depth)
        items += ends
""",
}


def _jsonl_copy(data: Path) -> None:
    import json

    import ijson

    target = data / "export.jsonl"
    if not target.exists():
        with (data / "export.json").open("rb") as handle, target.open("w", encoding="utf-8") as out:
            for task in ijson.items(handle, "item", use_float=True):
                out.write(json.dumps(task, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest is reported")
    parser.add_argument("--profile", action="store_true", help="profile one conversion instead of timing")
    args = parser.parse_args()
    root = args.work or Path(tempfile.mkdtemp(prefix="newsspan-parsers-"))
    data, megabytes = _prepare(args.tasks, root)
    _jsonl_copy(data)
    work = root / f"parsers-{args.tasks}"
    work.mkdir(exist_ok=True)
    if args.profile:
        profile(data, work)
        return
    print(f"{args.tasks} tasks, {megabytes:.0f} MB export, fastest of {args.repeat} runs each")
    print(f"{'measurement':<36} {'seconds':>8} {'peak MB':>8} {'items':>10}")
    seconds: dict[str, float] = {}
    for name, code in {**CUTS, **ALTERNATIVES}.items():
        runs = [_run(name, code, data, work) for _ in range(args.repeat)]
        figures = min(runs, key=lambda f: f["seconds"])  # the least disturbed by the rest of the machine
        seconds[name] = figures["seconds"]
        print(f"{name:<36} {figures['seconds']:>8.2f} {figures['peak_mb']:>8.0f} {figures['items']:>10}", flush=True)
    saved = 1 - seconds["whole conversion"] / seconds["whole conversion, collector on"]
    print(f"pausing the collector saves {saved:.0%} of the conversion")
    print(f"the SDK's JSON_MIN converter would need {seconds['parse only (ijson stream)'] * 10:.1f} s to be 10x slower")
    print("than a conversion that only parsed (compare with its time in benchmarks/run.py)")


def profile(data: Path, work: Path) -> None:
    """Convert once under pyinstrument; print each top-level part's share of the conversion."""
    import pyarrow as pa
    from pyinstrument import Profiler

    from newsspan.labeling.tables import convert_export

    pa.array([0])  # pyarrow's lazy pandas import, which would count as table writing
    profiler = Profiler(interval=0.001)
    with profiler:
        convert_export(data / "export.json", work / "profiled")
    root = profiler.last_session.root_frame() if profiler.last_session else None
    convert = _find(root, "convert_export")
    if convert is None:
        raise SystemExit("the profile has no convert_export frame")
    parts = {"parse (iter_tasks)": 0.0, "per-item checks (convert_task)": 0.0, "tables (batches, Arrow, Parquet)": 0.0}
    for frame in _descendants(convert):
        if frame.function == "iter_tasks":
            parts["parse (iter_tasks)"] += frame.time
        elif frame.function == "convert_task":
            parts["per-item checks (convert_task)"] += frame.time
        elif frame.function in ("add", "flush"):
            parts["tables (batches, Arrow, Parquet)"] += frame.time
    for name, seconds in parts.items():
        print(f"{name:<36} {seconds:8.2f} s {seconds / convert.time:6.0%}")
    rest = convert.time - sum(parts.values())
    print(f"{'the rest (task checks, document rows)':<36} {rest:8.2f} s {rest / convert.time:6.0%}")
    print(f"{'convert_export':<36} {convert.time:8.2f} s")


def _find(frame: Any, function: str) -> Any:
    if frame is None or frame.function == function:
        return frame
    return next((found for child in frame.children if (found := _find(child, function)) is not None), None)


def _descendants(frame: Any) -> Iterator[Any]:
    """The frames below ``frame``, stopping at the first of each part (no part counted twice)."""
    for child in frame.children:
        if child.function in ("iter_tasks", "convert_task", "add", "flush"):
            yield child
        else:
            yield from _descendants(child)


if __name__ == "__main__":
    main()
