"""Proof that a change left the outputs as they were: digests of the sample, seeds and a 2k build.

    python benchmarks/same_outputs.py --check tests/data/output_digests.json   # CI: compare
    python benchmarks/same_outputs.py --write tests/data/output_digests.json   # after a deliberate change

Three builds: the bundled sample (``newsspan build``), the seeds (``newsspan build SEEDS``, no
export) and a deterministic 2,000-task export (benchmarks/generate.py) through the stages that
``benchmarks/run.py`` times (convert, agreement, gold, the gate, the dataset write). Every output
file gets a digest of its content, not its bytes: a Parquet file's schema and rows (so a change of
row groups or writer metadata is no change), a JSON file's data, any other file's bytes. Floats are
compared to 12 significant digits (a sum taken in another order differs in the last bits).
Left out: the manifest and the card (they quote file fingerprints and package versions) and the
plots (PNG bytes follow matplotlib's version). Exits 1 naming every file that differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SEEDS = HERE.parent.parent / "shared" / "seeds"
SKIPPED = {"manifest.json", "README.md"}
TASKS = 2000


def _canonical(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def _parquet_digest(path: Path) -> str:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    digest = hashlib.sha256(str(table.schema.remove_metadata()).encode())
    for name in table.column_names:
        values = _canonical(table[name].to_pylist())
        digest.update(json.dumps([name, values], default=str, ensure_ascii=False).encode())
    return f"{table.num_rows} rows {digest.hexdigest()[:16]}"


def digest_folder(root: Path) -> dict[str, str]:
    """``relative path -> digest`` of every output file under ``root`` but the skipped ones."""
    digests = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if relative in SKIPPED or path.suffix == ".png" or any(part.startswith(".") for part in path.parts):
            continue
        if path.suffix == ".parquet":
            digests[relative] = _parquet_digest(path)
        elif path.suffix == ".json" and not relative.startswith("exports/"):
            data = _canonical(json.loads(path.read_text(encoding="utf-8")))
            digests[relative] = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
        else:
            digests[relative] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return digests


STAGES = """
import sys
from pathlib import Path
from newsspan.dataset.config import BuildOptions
from newsspan.dataset.hub.stage import write_dataset
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.stage import StageContext
from newsspan.labeling.agreement_stage import AgreementStage
from newsspan.labeling.gold_stage import GoldStage
from newsspan.labeling.tables import convert_export
from newsspan.validation.gate import validate_tables
export, work = Path(sys.argv[1]), Path(sys.argv[2])
convert_export(export, work)
AgreementStage().run(StageContext(BuildFolder(work)))
GoldStage().run(StageContext(BuildFolder(work)))
assert validate_tables(work).passed
write_dataset(BuildFolder(work), BuildOptions())
"""


def build_all(root: Path) -> dict[str, dict[str, str]]:
    """Build the three corpora under ``root`` and digest each."""
    newsspan = [sys.executable, "-m", "newsspan.dataset.cli", "-q", "build"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    subprocess.run([*newsspan, "--out", str(root / "sample")], check=True, env=env, capture_output=True)
    subprocess.run([*newsspan, str(SEEDS), "--out", str(root / "seeds")], check=True, env=env, capture_output=True)
    sys.path.insert(0, str(HERE))
    from generate import write_export

    export = root / "export-2k.json"
    write_export(export, TASKS)
    (root / "generated").mkdir()
    subprocess.run([sys.executable, "-c", STAGES, str(export), str(root / "generated")], check=True, env=env)
    return {name: digest_folder(root / name) for name in ("sample", "seeds", "generated")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--check", type=Path, help="compare with these digests; exit 1 on any difference")
    group.add_argument("--write", type=Path, help="write the digests of this checkout's outputs")
    parser.add_argument("--work", type=Path, help="build here (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsspan-same-") as temporary:
        root = args.work or Path(temporary)
        digests = build_all(root)
    if args.write:
        args.write.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {sum(map(len, digests.values()))} digests to {args.write}")
        return
    expected = json.loads(args.check.read_text(encoding="utf-8"))
    differ = [
        f"{build}/{name}: {expected[build].get(name, 'absent')} -> {digests[build].get(name, 'absent')}"
        for build in expected
        for name in sorted(set(expected[build]) | set(digests.get(build, {})))
        if expected[build].get(name) != digests.get(build, {}).get(name)
    ]
    for line in differ:
        print(f"differs: {line}")
    total = sum(map(len, expected.values()))
    print(f"{total - len(differ)} of {total} outputs unchanged" + ("" if not differ else f", {len(differ)} differ"))
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
