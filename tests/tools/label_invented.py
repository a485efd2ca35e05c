"""Check the invented articles' line labels against the files, and count them per file and label.

    python tests/tools/label_invented.py [--folder tests/data/invented_articles]

``labels.json`` maps each ``.txt`` file of the folder to its labelled lines:
``{"line": <1-based line number>, "text": <the line, stripped>, "label": <one of LABELS>}``. Every
non-blank line must be labelled exactly once, with its exact stripped text, and blank lines not at
all. Exits 1 listing every problem (file, line, what is wrong, how to fix it); otherwise prints a
table of label counts per file. tests/test_invented_articles.py runs the same check.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[1] / "data" / "invented_articles"
# ARTICLE and TITLE are the article's own text; the rest are the boilerplate layer's labels
# (newsspan.dataset.labels), so gold boilerplate is any label outside ARTICLE_LABELS.
ARTICLE_LABELS = ("ARTICLE", "TITLE")
BOILERPLATE_LABELS = ("PROMO", "RELATED", "NAVIGATION", "CAPTION", "CREDIT", "METADATA")
LABELS = ARTICLE_LABELS + BOILERPLATE_LABELS


def load_labels(folder: Path = FOLDER) -> dict[str, list[dict]]:
    """The parsed ``labels.json`` of ``folder``: file name -> labelled lines."""
    return json.loads((folder / "labels.json").read_text(encoding="utf-8"))


def label_problems(folder: Path = FOLDER) -> list[str]:
    """Every disagreement between ``labels.json`` and the ``.txt`` files of ``folder`` (empty: none)."""
    labels = load_labels(folder)
    files = {path.name: path for path in sorted(folder.glob("*.txt"))}
    problems = [
        f"{name}: labelled in labels.json but no such file in {folder}" for name in sorted(set(labels) - set(files))
    ]
    problems += [
        f"{name}: file has no entry in labels.json; label its lines" for name in sorted(set(files) - set(labels))
    ]
    for name in sorted(set(files) & set(labels)):
        problems += _file_problems(name, files[name].read_text(encoding="utf-8").split("\n"), labels[name])
    return problems


def _file_problems(name: str, lines: list[str], rows: list[dict]) -> list[str]:
    problems: list[str] = []
    seen: Counter[int] = Counter(row["line"] for row in rows)
    for row in rows:
        number, label = row["line"], row["label"]
        if label not in LABELS:
            problems.append(f"{name}:{number}: unknown label {label!r}; use one of {', '.join(LABELS)}")
        if not 1 <= number <= len(lines) or not lines[number - 1].strip():
            problems.append(f"{name}:{number}: labelled, but the file has no non-blank line {number}")
        elif lines[number - 1].strip() != row["text"]:
            problems.append(
                f"{name}:{number}: labels.json has text {row['text']!r} but the line is "
                f"{lines[number - 1].strip()!r}; fix the text or the line number"
            )
    problems += [f"{name}:{number}: labelled {count} times; keep one" for number, count in seen.items() if count > 1]
    problems += [
        f"{name}:{number}: non-blank line {line.strip()!r} has no label"
        for number, line in enumerate(lines, 1)
        if line.strip() and number not in seen
    ]
    return problems


def label_counts(labels: dict[str, list[dict]]) -> dict[str, Counter[str]]:
    """Per file, how many lines carry each label."""
    return {name: Counter(row["label"] for row in rows) for name, rows in sorted(labels.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=FOLDER)
    args = parser.parse_args()
    problems = label_problems(args.folder)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        sys.exit(1)
    counts = label_counts(load_labels(args.folder))
    width = max(len(name) for name in counts)
    print(f"{'file':<{width}} " + " ".join(f"{label[:5]:>5}" for label in LABELS) + "  lines")
    for name, count in counts.items():
        cells = " ".join(f"{count[label]:>5}" for label in LABELS)
        print(f"{name:<{width}} {cells}  {sum(count.values()):>5}")
    total: Counter[str] = sum(counts.values(), Counter())
    print(f"{'total':<{width}} " + " ".join(f"{total[label]:>5}" for label in LABELS) + f"  {sum(total.values()):>5}")


if __name__ == "__main__":
    main()
