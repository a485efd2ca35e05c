"""Deterministic generator of realistic Label Studio full JSON exports, of any size.

    python benchmarks/generate.py --tasks 50000 --out /tmp/export-50k.json

Each task: an article of about 3,000 characters with a boilerplate tail, one or two human
annotations with about 25 entities, 4 quotes with speaker and cue relations and a per-quote
stance, boilerplate spans and a document stance. Words follow Zipf's law over a 3,000-word
vocabulary, and one article in five shares a wire paragraph with four others (one story). A
share of tasks has characters outside the BMP (some of those with UTF-16 offsets, as older tools
write them) and CRLF line breaks. The file is written task by task, so generating 200k tasks
needs no more memory than generating 10.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from pathlib import Path
from typing import Any

WORDS = [
    *("ministry", "report", "panel", "fleet", "strait", "quota", "vessel", "harbour", "talks", "sanctions"),
    *("treaty", "minister", "council", "union", "fishermen", "catch", "coast", "port", "official", "week"),
]
NAMES = ["Halvard Brennick", "Teodor Landrie", "Radek Solvany", "Mira Quillon", "Anja Pell", "Oskar Farrall"]
PLACES = ["Veldoria", "Ostrava", "Orvane", "Kellig", "Port Halden", "Tarsel Strait"]
ORGS = ["Ministry of Maritime Affairs", "Coastal Fisheries Monitoring Panel", "Fishermen's Union", "Meridian Wire"]
STANCES = ["FAVOR", "AGAINST", "NEUTRAL", "UNCLEAR"]


def _vocabulary(size: int = 3000) -> list[str]:
    """The news words plus invented ones, so 5-grams repeat across articles about as rarely as in news."""
    rng = random.Random(0)
    syllables = ["ka", "lo", "ver", "min", "dra", "tes", "por", "al", "un", "shi", "ren", "bo", "ost", "val"]
    invented = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(size * 2)}
    return WORDS + sorted(invented - set(WORDS))[: size - len(WORDS)]


VOCABULARY = _vocabulary()
# Zipf's law: the word of rank r is used in proportion to 1/r (news words first)
ZIPF = list(itertools.accumulate(1 / rank for rank in range(1, len(VOCABULARY) + 1)))
SYNDICATED = 5  # every 5th article of each block of 25 carries the block's wire paragraph (one story)


def _words(rng: random.Random, count: int) -> list[str]:
    return rng.choices(VOCABULARY, cum_weights=ZIPF, k=count)


def _sentence(rng: random.Random) -> str:
    return " ".join(_words(rng, rng.randint(8, 18))).capitalize() + "."


def _wire_paragraph(block: int) -> str:
    rng = random.Random(f"wire-{block}")
    return " ".join(_sentence(rng) for _ in range(3))


def article(
    rng: random.Random, index: int
) -> tuple[str, list[tuple[str, int, int]], list[tuple[int, int, int, int, int, int]]]:
    """Text, entity spans (label, start, end) and quotes (q, speaker, cue offsets)."""
    parts: list[str] = []
    entities: list[tuple[str, int, int]] = []
    quotes = []
    emoji = index % 10 == 0
    newline = "\r\n" if index % 7 == 0 else "\n"
    length = 0

    def add(piece: str) -> int:
        nonlocal length
        start = length
        parts.append(piece)
        length += len(piece)
        return start

    add(f"Panel report row deepens {index}{newline}")
    if index % SYNDICATED == 0:
        add(_wire_paragraph(index // 25) + newline)
    while length < 2600:
        for _ in range(3):
            add(_sentence(rng) + " ")
            for label, pool in (("PERSON", NAMES), ("GPE", PLACES), ("ORG", ORGS)):
                name = rng.choice(pool)
                start = add(name)
                entities.append((label, start, start + len(name)))
                add(" " + _words(rng, 1)[0] + " ")
            if emoji and rng.random() < 0.3:
                add("🐟 ")
        if len(quotes) < 4:
            add("“")
            words = " ".join(_words(rng, rng.randint(5, 12)))
            q = add(words)
            add(",” ")
            speaker = rng.choice(NAMES)
            s = add(speaker)
            add(" ")
            c = add("said")
            add(". ")
            quotes.append((q, q + len(words), s, s + len(speaker), c, c + 4))
        add(newline)
    tail_start = add("Join our channel for the latest news." + newline + "Comments" + newline + "No comments yet...")
    entities.append(("PROMO", tail_start, tail_start + 37))
    return "".join(parts), entities, quotes


def _utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def task(rng: random.Random, index: int) -> dict[str, Any]:
    text, entities, quotes = article(rng, index)
    utf16 = index % 20 == 0 and any(ord(ch) > 0xFFFF for ch in text)
    annotations = []
    for a in range(1 if index % 3 else 2):
        result: list[dict[str, Any]] = []

        def region(rid: str, label: str, start: int, end: int, result: list[dict[str, Any]] = result) -> None:
            layer = "boilerplate" if label == "PROMO" else "quote" if label in ("QUOTE", "SPEAKER", "CUE") else "entity"
            s, e = (_utf16(text, start), _utf16(text, end)) if utf16 else (start, end)
            result.append(
                {
                    "id": rid,
                    "from_name": layer,
                    "to_name": "text",
                    "type": "labels",
                    "origin": "manual",
                    "value": {"start": s, "end": e, "text": text[start:end], "labels": [label]},
                }
            )

        for i, (label, start, end) in enumerate(entities):
            if a == 0 or rng.random() < 0.9:
                region(f"e{i}", label, start, end)
        for i, (q0, q1, s0, s1, c0, c1) in enumerate(quotes):
            region(f"q{i}", "QUOTE", q0, q1)
            region(f"s{i}", "SPEAKER", s0, s1)
            region(f"c{i}", "CUE", c0, c1)
            result.append(
                {"from_id": f"q{i}", "to_id": f"s{i}", "type": "relation", "direction": "right", "labels": ["said_by"]}
            )
            result.append(
                {"from_id": f"q{i}", "to_id": f"c{i}", "type": "relation", "direction": "right", "labels": ["cued_by"]}
            )
            result.append(
                {
                    "id": f"q{i}",
                    "from_name": "quote_stance",
                    "to_name": "text",
                    "type": "choices",
                    "value": {"start": q0, "end": q1, "text": text[q0:q1], "choices": [rng.choice(STANCES)]},
                }
            )
        result.append(
            {
                "id": f"ds{a}",
                "from_name": "doc_stance",
                "to_name": "text",
                "type": "choices",
                "value": {"choices": [rng.choice(STANCES)]},
            }
        )
        annotations.append(
            {
                "id": index * 10 + a,
                "completed_by": {"id": a + 1, "email": f"ann{a + 1}@bench.test"},
                "result": result,
                "was_cancelled": False,
                "ground_truth": False,
                "lead_time": round(rng.uniform(60, 900), 1),
                "created_at": "2026-03-03T10:00:00.000000Z",
                "updated_at": "2026-03-03T10:05:00.000000Z",
            }
        )
    return {
        "id": index,
        "data": {"text": text, "doc_id": f"b{index:08d}", "stance_target": "the panel"},
        "annotations": annotations,
        "predictions": [],
    }


def write_export(path: Path, tasks: int, *, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        for index in range(tasks):
            if index:
                out.write(",\n")
            out.write(json.dumps(task(rng, index), ensure_ascii=False))
        out.write("]\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_export(args.out, args.tasks, seed=args.seed)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB, {args.tasks} tasks)")


if __name__ == "__main__":
    main()
