"""Compare two build folders file by file, by the sha256 of their bytes.

    python tests/tools/compare_builds.py OLD_BUILD NEW_BUILD [--all]

Prints, for the Parquet files (every file with --all, the manifest excepted: it holds versions
and the output fingerprint), how many are byte-identical, and names the ones that differ or
exist on one side only. Exit 1 when anything differs. Used to show that a refactoring leaves a
build's bytes as they were (build the old commit and the new one with the same inputs).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path


def digests(folder: Path, *, every: bool) -> dict[str, str]:
    files = (p for p in sorted(folder.rglob("*")) if p.is_file())
    chosen = (p for p in files if (every and p.name != "manifest.json") or p.suffix == ".parquet")
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in chosen}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--all", action="store_true", help="every file but manifest.json, not only Parquet")
    args = parser.parse_args()
    old, new = digests(args.old, every=args.all), digests(args.new, every=args.all)
    same = sorted(name for name in old.keys() & new.keys() if old[name] == new[name])
    changed = sorted(name for name in old.keys() & new.keys() if old[name] != new[name])
    for name in changed:
        print(f"differs: {name}")
    for name in sorted(old.keys() ^ new.keys()):
        print(f"only in {'old' if name in old else 'new'}: {name}")
    print(f"{len(same)} of {len(old.keys() | new.keys())} files byte-identical")
    return 0 if len(same) == len(old.keys() | new.keys()) else 1


if __name__ == "__main__":
    sys.exit(main())
