"""The Label Studio labeling config, generated from :mod:`newsspan.dataset.schema`.

Never written by hand: one ``Labels`` control per layer (named after the layer), the relations
(one label each: ``choice="single"``), a per-region ``quote_stance`` choice under its own heading
shown when a QUOTE region is selected, a document ``doc_stance`` choice toward the task's
``$stance_target`` (both radio buttons: one value), and the title, outlet and date of the
article as context headers.

Task data keys the config reads are listed in :data:`TASK_DATA_KEYS`; task import fills every
one of them (an empty string when the document has no value) so Label Studio never shows a raw
``$variable``.
"""

from __future__ import annotations

from html import escape
from typing import Final
from xml.etree import ElementTree as ET

from newsspan.dataset.schema import LAYERS, RELATION_TYPES, STANCE_QUOTE_LABEL, STANCE_VALUES

__all__ = [
    "DOC_STANCE",
    "QUOTE_STANCE",
    "TASK_DATA_KEYS",
    "TEXT_NAME",
    "instructions_html",
    "label_colors",
    "label_config_xml",
]

TEXT_NAME: Final = "text"  # the Text object every control labels
DOC_STANCE: Final = "doc_stance"
QUOTE_STANCE: Final = "quote_stance"
TASK_DATA_KEYS: Final = ("text", "doc_id", "title", "outlet", "published", "stance_target", "text_sha256")

# Colours readable on white, one per label, cycled in declaration order.
_PALETTE: Final = (
    "#e6194b",
    "#3cb44b",
    "#4363d8",
    "#f58231",
    "#911eb4",
    "#42d4f4",
    "#f032e6",
    "#9a6324",
    "#469990",
    "#800000",
    "#808000",
    "#000075",
    "#bfef45",
    "#fabed4",
    "#ffd8b1",
    "#dcbeff",
    "#aaffc3",
    "#a9a9a9",
)


def label_colors() -> dict[str, str]:
    """A stable colour per label, so screenshots and guidelines stay comparable."""
    names = [label.name for layer in LAYERS for label in layer.labels]
    return {name: _PALETTE[i % len(_PALETTE)] for i, name in enumerate(names)}


def label_config_xml() -> str:
    """The Label Studio XML config for newsspan's schema, as a string."""
    colors = label_colors()
    view = ET.Element("View")
    ET.SubElement(view, "Header", value="$title", size="4")
    ET.SubElement(view, "Header", value="$outlet $published", size="6")
    for layer in LAYERS:
        ET.SubElement(view, "Header", value=f"{layer.name}: {layer.description}", size="6")
        labels = ET.SubElement(view, "Labels", name=layer.name, toName=TEXT_NAME)
        for label in layer.labels:
            ET.SubElement(labels, "Label", value=label.name, background=colors[label.name], hint=label.description)
    ET.SubElement(view, "Text", name=TEXT_NAME, value="$text", granularity="symbol")
    relations = ET.SubElement(view, "Relations", choice="single")  # one label per relation
    for relation in RELATION_TYPES:
        ET.SubElement(relations, "Relation", value=relation.name, hint=relation.description)
    quote = ET.SubElement(view, "View", _when_quote_selected())
    ET.SubElement(quote, "Header", value="Stance of the selected quote toward: $stance_target", size="5")
    _stance(quote, QUOTE_STANCE, per_region=True)
    ET.SubElement(view, "Header", value="Stance of the whole article toward: $stance_target", size="5")
    _stance(view, DOC_STANCE, per_region=False)
    ET.indent(view)
    return ET.tostring(view, encoding="unicode") + "\n"


def _when_quote_selected() -> dict[str, str]:
    return {
        "visibleWhen": "region-selected",
        "whenTagName": _layer_of_quote_label(),
        "whenLabelValue": STANCE_QUOTE_LABEL,
    }


def _stance(view: ET.Element, name: str, *, per_region: bool) -> None:
    """One stance value, as radio buttons ("single-radio": Label Studio's "single" draws checkboxes)."""
    attributes = {"name": name, "toName": TEXT_NAME, "choice": "single-radio"}
    if per_region:
        attributes |= {"perRegion": "true", **_when_quote_selected()}
    choices = ET.SubElement(view, "Choices", attributes)
    for value in STANCE_VALUES:
        ET.SubElement(choices, "Choice", value=value)


def _layer_of_quote_label() -> str:
    return next(layer.name for layer in LAYERS if STANCE_QUOTE_LABEL in layer.label_names)


def instructions_html() -> str:
    """The project's instructions, shown before the first task: every layer and label with its
    guideline, the relations, the stance scopes and values, and what pre-filled predictions mean.
    Generated from the schema like the config; every string is HTML-escaped."""
    parts = [
        "<h2>How to annotate</h2>",
        "<p>Regions proposed by the rules are already in your annotation: check each one, correct or "
        "delete what is wrong, and add what is missing; what you submit untouched counts as accepted.</p>",
        "<p>To mark a span, pick its label first (button or hotkey), then drag over the text.</p>",
    ]
    for layer in LAYERS:
        parts.append(f"<h3>{escape(layer.name)}</h3><p>{escape(layer.description)}</p><ul>")
        parts += [f"<li><b>{escape(label.name)}</b>: {escape(label.description)}</li>" for label in layer.labels]
        parts.append("</ul>")
    parts.append("<h3>Relations</h3><p>Select the first region, then the second; one label per relation.</p><ul>")
    parts += [
        f"<li><b>{escape(r.name)}</b> ({escape(r.from_label)} → {escape(r.to_label)}): {escape(r.description)}</li>"
        for r in RELATION_TYPES
    ]
    parts.append("</ul>")
    values = ", ".join(escape(v) for v in STANCE_VALUES)
    parts.append(
        f"<h3>Stance</h3><p>Of a selected QUOTE toward the task's stance target, and of the whole article "
        f"toward it: one of {values}.</p>"
    )
    return "".join(parts)
