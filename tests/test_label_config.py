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


def test_a_relation_takes_one_label_and_says_what_it_means():
    (relations,) = _root().iter("Relations")
    assert relations.get("choice") == "single", "Label Studio lets a relation carry several labels otherwise"
    assert [r.get("hint") for r in relations.iter("Relation")] == [r.description for r in RELATION_TYPES]


def test_the_quote_stance_has_its_own_heading_and_both_stances_are_radio_buttons():
    root = _root()
    (quote_view,) = [v for v in root.iter("View") if v.get("visibleWhen") == "region-selected"]
    (heading,) = quote_view.iter("Header")
    assert heading.get("value").startswith("Stance of the selected quote"), "a heading of its own"
    assert [c.get("name") for c in quote_view.iter("Choices")] == [QUOTE_STANCE]
    assert (quote_view.get("whenTagName"), quote_view.get("whenLabelValue")) == ("quote", "QUOTE")
    headers = [h.get("value") for h in root.iter("Header")]
    assert "Stance of the whole article toward: $stance_target" in headers, "the document stance is told apart"
    assert {c.get("choice") for c in root.iter("Choices")} == {"single-radio"}, "one value: radio buttons"


def test_the_instructions_come_from_the_schema_and_escape_its_strings(monkeypatch):
    from newsspan.labeling import config

    html = config.instructions_html()
    for layer in LAYERS:
        for label in layer.labels:
            assert f"<b>{label.name}</b>" in html, f"{label.name} has its guideline in the instructions"
    assert all(f"<b>{r.name}</b>" in html for r in RELATION_TYPES)
    assert "untouched counts as accepted" in html, "annotators learn what Submit does with predictions"
    hostile = type(LAYERS[0])(name="entity", description="<script>alert(1)</script>", labels=LAYERS[0].labels)
    monkeypatch.setattr(config, "LAYERS", (hostile, *LAYERS[1:]))
    assert "<script>" not in config.instructions_html() and "&lt;script&gt;" in config.instructions_html()
