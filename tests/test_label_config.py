"""The Label Studio config is generated from the schema: everything in it, nothing else."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from newsspan.dataset.schema import LAYERS, RELATION_TYPES, STANCE_VALUES
from newsspan.labeling.config import DOC_STANCE, QUOTE_STANCE, TASK_DATA_KEYS, label_config_xml


def _root() -> ET.Element:
    return ET.fromstring(label_config_xml())


def test_one_labels_control_per_layer_with_exactly_its_labels():
    controls = {node.get("name"): node for node in _root().iter("Labels")}
    assert set(controls) == {layer.name for layer in LAYERS}
    for layer in LAYERS:
        values = [label.get("value") for label in controls[layer.name].iter("Label")]
        assert tuple(values) == layer.label_names
        assert controls[layer.name].get("toName") == "text"


def test_relations_are_exactly_the_schema_relations():
    assert [r.get("value") for r in _root().iter("Relation")] == [r.name for r in RELATION_TYPES]


def test_stance_choices_per_quote_region_and_per_document():
    choices = {node.get("name"): node for node in _root().iter("Choices")}
    assert set(choices) == {QUOTE_STANCE, DOC_STANCE}
    for node in choices.values():
        assert [c.get("value") for c in node.iter("Choice")] == list(STANCE_VALUES)
    quote = choices[QUOTE_STANCE]
    assert (quote.get("perRegion"), quote.get("whenTagName"), quote.get("whenLabelValue")) == ("true", "quote", "QUOTE")
    assert choices[DOC_STANCE].get("perRegion") is None


def test_nothing_outside_the_schema_is_labelable():
    root = _root()
    values = {node.get("value") for tag in ("Label", "Relation", "Choice") for node in root.iter(tag)}
    schema = {n for layer in LAYERS for n in layer.label_names} | {r.name for r in RELATION_TYPES} | set(STANCE_VALUES)
    assert values == schema
    assert [t.get("name") for t in root.iter("Text")] == ["text"]


def test_config_reads_only_task_keys_that_push_fills():
    import re

    variables = set(re.findall(r"\$(\w+)", label_config_xml()))
    assert variables <= set(TASK_DATA_KEYS)
    assert {"text", "title", "outlet", "published", "stance_target"} <= variables


def test_label_config_command_prints_it(runner):
    from newsspan.dataset.cli import cli

    result = runner.invoke(cli, ["label", "config"])
    assert result.exit_code == 0
    assert result.stdout == label_config_xml()
