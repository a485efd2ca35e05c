"""The Hugging Face dataset in a build folder: load_dataset offline, label names, stories and splits."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsspan.dataset.hub.features import BOILERPLATE_LINE_LABELS, CONFIGS, ner_tags
from newsspan.dataset.hub.splits import assign_splits, group_stories
from newsspan.dataset.schema import LAYERS, STANCE_VALUES


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    from newsspan.dataset.build import build_corpus
    from newsspan.dataset.config import IngestOptions

    out = tmp_path_factory.mktemp("hf") / "corpus"
    build_corpus(None, out, options=IngestOptions())
    return out


@pytest.fixture(autouse=True)
def _datasets_cache(tmp_path, monkeypatch):
    # datasets reads HF_DATASETS_CACHE once, at import: the variable alone would leave every test
    # after the first reading (and writing) the user's cache, where an earlier build's rows live
    import datasets.config

    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-cache")
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def _names(layer: str) -> list[str]:
    return list(next(x for x in LAYERS if x.name == layer).label_names)


@pytest.mark.parametrize("config", CONFIGS)
def test_every_config_loads_offline_with_its_features(corpus, config):
    from datasets import load_dataset

    from newsspan.dataset.hub.features import features_for

    dataset = load_dataset(str(corpus), name=config, split="train")
    assert dataset.features == features_for(config)
    assert dataset.num_rows == pq.read_table(corpus / config / "train-00000-of-00001.parquet").num_rows > 0


def test_label_names_survive_the_round_trip(corpus):
    from datasets import load_dataset

    documents = load_dataset(str(corpus), split="train")  # the default config
    assert documents.features["entities"].feature["label"].names == _names("entity")
    assert documents.features["boilerplate"].feature["label"].names == _names("boilerplate")
    assert documents.features["stance"].names == list(STANCE_VALUES)
    ner = load_dataset(str(corpus), name="ner", split="train")
    assert ner.features["ner_tags"].feature.names == ner_tags()
    lines = load_dataset(str(corpus), name="boilerplate", split="train")
    assert lines.features["label"].names == BOILERPLATE_LINE_LABELS


def test_ner_tags_align_with_gold_entities(corpus):
    from datasets import load_dataset

    ner = load_dataset(str(corpus), name="ner", split="train")
    names = ner.features["ner_tags"].feature.names
    row = ner[0]
    tagged = [(token, names[tag]) for token, tag in zip(row["tokens"], row["ner_tags"], strict=True) if tag]
    assert tagged[0] == ("Veldoria", "B-GPE")
    assert all(len(r["tokens"]) == len(r["ner_tags"]) == len(r["token_starts"]) for r in ner)


def test_streaming_reads_the_same_rows(corpus):
    from datasets import load_dataset

    streamed = list(load_dataset(str(corpus), name="quotes", split="train", streaming=True))
    assert len(streamed) == load_dataset(str(corpus), name="quotes", split="train").num_rows
    assert streamed[0]["speaker"]


def test_shared_copy_is_one_story(seeds_dir):
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(seeds_dir.iterdir())}
    stories = group_stories(texts)
    assert stories["004_5ca2635f3498d122.txt"] == stories["003_555e8713601c31f7.txt"]
    assert len(set(stories.values())) == 4


def test_a_story_never_straddles_splits_and_small_corpora_are_not_split():
    stories = {f"d{i}": f"s{i // 3}" for i in range(90)}
    plan = assign_splits(stories)
    assert plan.note is None
    for story in set(stories.values()):
        assert len({plan.splits[d] for d, s in stories.items() if s == story}) == 1
    assert set(plan.splits.values()) == {"train", "validation", "test"}
    small = assign_splits({"a": "a", "b": "a", "c": "c"})
    assert set(small.splits.values()) == {"train"} and "cannot fill 3 splits" in small.note


def test_the_build_summary_and_card_say_when_the_corpus_was_not_split(corpus):
    readme = (corpus / "README.md").read_text(encoding="utf-8")
    front, body = readme.split("\n---\n", 1)
    assert "\nconfigs:\n- config_name: documents\n  default: true\n" in front
    assert "everything is in train" in body


def test_the_readme_training_example_runs(corpus, capsys):
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"<!-- training-example -->\n```python\n(.+?)```", readme, flags=re.S)
    exec(compile(code.replace('"build/corpus"', repr(str(corpus))), "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "sentences;" in printed and "B-GPE" in printed


def test_story_threshold_and_ratios_come_from_the_config(runner, tmp_path, seeds_dir):
    import json

    from newsspan.dataset.cli import cli

    config = tmp_path / "newsspan.toml"
    config.write_text("[build]\nstory_threshold = 1.0\nsplit_ratios = [0.5, 0.25, 0.25]\n")
    result = runner.invoke(
        cli, ["--config", str(config), "build", str(seeds_dir), "--out", str(tmp_path / "b"), "--json"]
    )
    assert result.exit_code == 0, result.output
    dataset = json.loads(result.stdout)["dataset"]
    assert dataset["stories"] == 4  # 003 and 004 share a verbatim paragraph: one story even at 1.0
    assert dataset["split_note"] is None  # 4 stories fill 50/25/25 (the default 80/10/10 cannot)
    assert sorted(dataset["rows"]["documents"].values()) == [1, 1, 3]
    built = tmp_path / "b"
    for name, counts in dataset["rows"].items():  # a file per split with rows; none where there are none
        for split, count in counts.items():
            path = built / name / f"{split}-00000-of-00001.parquet"
            assert (pq.read_metadata(path).num_rows if path.exists() else 0) == count, (name, split)
    assert not (built / "annotations").exists()  # no export: no human annotation, no config
    assert dataset["rows"]["annotations"] == {"train": 0, "validation": 0, "test": 0}  # still counted
    # one document per batch: rows of one batch go to the right split, and the files are the same
    import shutil

    from newsspan.dataset.config import BuildOptions
    from newsspan.dataset.hub.stage import write_dataset
    from newsspan.dataset.layout import BuildFolder

    stage = tmp_path / "stage"
    shutil.copytree(built, stage)
    write_dataset(BuildFolder(stage), BuildOptions(story_threshold=1.0, split_ratios=(0.5, 0.25, 0.25)), batch=1)
    for path in sorted(built.glob("*/*.parquet")):
        assert pq.read_table(stage / path.parent.name / path.name).equals(pq.read_table(path)), path.name
    config.write_text("[build]\nsplit_ratios = [0.5, 0.5]\n")
    bad = runner.invoke(cli, ["--config", str(config), "build", str(seeds_dir), "--out", str(tmp_path / "c")])
    assert bad.exit_code == 1 and "split_ratios must be three positive shares" in bad.stderr


def test_label_names_are_encoded_in_every_list_element():
    # datasets' encode_example looks at a list's first element only; a first quote without a
    # stance must not leave the next quote's stance as a string
    import pyarrow as pa

    from newsspan.dataset.hub.features import features_for
    from newsspan.dataset.hub.writer import _encode, _named_type

    features = features_for("documents")
    schema = features.arrow_schema

    def encode(name, value):
        named = pa.array([value], type=_named_type(features[name], schema.field(name).type))
        return _encode(features[name], named).to_pylist()[0]

    quotes = [{"id": "q1", "stance": None}, {"id": "q2", "stance": "FAVOR"}]
    assert [q["stance"] for q in encode("quotes", quotes)] == [None, STANCE_VALUES.index("FAVOR")]
    assert encode("quotes", None) is None  # a missing list stays missing
    assert encode("doc_id", "d1") == "d1"  # no label inside: values pass through untouched
    with pytest.raises(ValueError, match="FOR"):  # an unknown name is refused, not written as a string
        encode("stance", "FOR")
    assert encode("stance", "AGAINST") == STANCE_VALUES.index("AGAINST")


def test_the_dataset_is_written_in_batches_of_documents_with_the_same_rows(corpus, tmp_path):
    # the configs are made a batch of documents at a time (flat memory); batches of 3 documents
    # over the 10-document sample must give the very rows of one batch, in the same order
    import shutil

    from newsspan.dataset.config import BuildOptions
    from newsspan.dataset.hub.stage import write_dataset
    from newsspan.dataset.layout import BuildFolder

    stage = tmp_path / "stage"
    shutil.copytree(corpus, stage)
    summary = write_dataset(BuildFolder(stage), BuildOptions(), batch=3)
    for config in CONFIGS:
        for path in sorted((corpus / config).glob("*.parquet")):
            assert pq.read_table(stage / config / path.name).equals(pq.read_table(path)), f"{config}/{path.name}"
    built = {config: sum(counts.values()) for config, counts in summary["rows"].items()}
    assert built["documents"] == 10 and built["quotes"] > 0 and built["ner"] > 0
    assert not list(stage.glob(".dataset-scratch-*")), "the parts and story traces are removed"


def test_a_story_syndicated_to_a_hundred_outlets_stays_one_story_and_a_stock_phrase_joins_nothing():
    import random

    rng = random.Random(7)
    words = [f"w{i}" for i in range(3000)]
    wire = (
        "The fisheries ministry said on Monday that the new quota for the northern coast would cut the catch "
        "of cod by a fifth next year after scientists warned that stocks had fallen to their lowest level."
    )
    stock = "said in a statement on Monday that the talks would continue"
    texts = {}
    for i in range(100):  # one wire story, each outlet with its own headline and a line of its own
        own = " ".join(rng.choice(words) for _ in range(20))
        texts[f"copy{i:03d}"] = f"Headline {i}\n\n{wire}\n\n{own}"
    for i in range(60):  # unrelated articles sharing only a stock phrase
        own = " ".join(rng.choice(words) for _ in range(25))
        texts[f"other{i:03d}"] = f"Other {i}\n\nThe spokesman {stock} {own}"
    stories = group_stories(texts)
    assert len({stories[d] for d in texts if d.startswith("copy")}) == 1, "a hundred copies, one story"
    assert len({stories[d] for d in texts if d.startswith("other")}) == 60, "a stock phrase is no shared copy"
    plan = assign_splits(stories)
    assert len({plan.splits[d] for d in texts if d.startswith("copy")}) == 1, "the copies never straddle splits"
