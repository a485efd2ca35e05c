"""The label side of the schema: layers and labels, relations, stance values, origins.

Re-exported by :mod:`newsspan.dataset.schema`, which adds the tables; import from there. The
quote layer's roles (``QUOTE``, ``SPEAKER``, ``CUE``) and relations (``said_by``, ``cued_by``)
are named once here, as constants, so no other module spells them. The module refuses to import
if two layers share a label or a relation names an unknown label.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

__all__ = [
    "ADJUDICATED",
    "CUE",
    "CUED_BY",
    "ITEM_PROVENANCES",
    "LABEL_LAYERS",
    "LAYERS",
    "ORIGINS",
    "PROVENANCES",
    "QUOTE",
    "REFERS_TO",
    "RELATION_TYPES",
    "SAID_BY",
    "SOURCE_FORMATS",
    "SPEAKER",
    "STANCE_QUOTE_LABEL",
    "STANCE_SCOPES",
    "STANCE_VALUES",
    "Label",
    "Layer",
    "LayerName",
    "Origin",
    "RelationType",
    "StanceScope",
    "StanceValue",
    "all_labels",
    "layer_of",
]

LayerName = Literal["entity", "quote", "boilerplate"]
Origin = Literal["human", "prediction", "review", "gold"]
StanceScope = Literal["document", "quote"]
StanceValue = Literal["FAVOR", "AGAINST", "NEUTRAL", "UNCLEAR"]

# The roles of the quote layer's labels and of its relations, named once: code that reads quotes
# (conversion, gold, scoring, the dataset rows, the gate, the analyses) uses these names.
QUOTE: Final = "QUOTE"
SPEAKER: Final = "SPEAKER"
CUE: Final = "CUE"
SAID_BY: Final = "said_by"
CUED_BY: Final = "cued_by"
REFERS_TO: Final = "refers_to"


@dataclass(frozen=True, slots=True)
class Label:
    """One span label: its name (unique across all layers) and the guideline it stands for."""

    name: str
    description: str


@dataclass(frozen=True, slots=True)
class Layer:
    """A family of span labels annotated together (one Label Studio ``Labels`` control)."""

    name: LayerName
    description: str
    labels: tuple[Label, ...]
    # Whether a span of this layer may start inside boilerplate and end in the article (or the
    # reverse). Entities and quotes belong to one side; boilerplate spans are the boundary.
    may_cross_boilerplate: bool = False

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)


@dataclass(frozen=True, slots=True)
class RelationType:
    """A directed link between two regions of the same annotation, by label."""

    name: str
    from_label: str
    to_label: str
    description: str


LAYERS: Final[tuple[Layer, ...]] = (
    Layer(
        name="entity",
        description="Named entities mentioned in the article, following OntoNotes categories.",
        labels=(
            Label("PERSON", "A named person, with titles excluded: 'Kim Jong Un', not 'leader Kim Jong Un'."),
            Label("ORG", "An organisation: ministries, agencies, companies, monitoring groups, outlets."),
            Label("GPE", "A geopolitical entity with a government: countries, cities, states."),
            Label("LOC", "A location without a government: seas, straits, regions, mountains."),
            Label("NORP", "A nationality, religious or political group used as a modifier: 'Russian'."),
            Label("DATE", "An absolute or relative date or period: 'June 2', 'last week', 'in April'."),
            Label("LAW", "A named treaty, law, charter or resolution: 'UN Charter', 'Article 51'."),
            Label("EVENT", "A named event: summits, wars, elections."),
            Label("MISC", "Any other named thing worth tagging that fits no label above."),
        ),
    ),
    Layer(
        name="quote",
        description="Direct quotations with who said them and the word that introduces them.",
        labels=(
            Label(QUOTE, "The quoted words, inside the quotation marks, marks excluded."),
            Label(SPEAKER, "The mention of who is quoted (a name, 'the ministry', or a pronoun)."),
            Label(CUE, "The verb or phrase that attributes the quote: 'said', 'according to'."),
        ),
    ),
    Layer(
        name="boilerplate",
        may_cross_boilerplate=True,
        description="Text that is not part of the article itself; kept in the text, labeled here.",
        labels=(
            Label("PROMO", "Newsletter, channel, app or subscription promotion."),
            Label("RELATED", "Related-article lists and teasers, including other stories' full text."),
            Label("NAVIGATION", "Navigation and widget text: 'Comments', 'Hashtags', 'Share'."),
            Label("CAPTION", "A photo or video caption, with its credit."),
            Label("CREDIT", "An agency or author credit line: '(RT.com)', 'REUTERS'."),
            Label("METADATA", "Outlet, timestamp and date lines printed around the article."),
        ),
    ),
)

RELATION_TYPES: Final[tuple[RelationType, ...]] = (
    RelationType(SAID_BY, QUOTE, SPEAKER, "The quote is attributed to this speaker mention."),
    RelationType(CUED_BY, QUOTE, CUE, "The quote is introduced by this cue."),
    RelationType(REFERS_TO, SPEAKER, SPEAKER, "This speaker mention (a pronoun: 'he') names the speaker there."),
)

STANCE_VALUES: Final[tuple[StanceValue, ...]] = ("FAVOR", "AGAINST", "NEUTRAL", "UNCLEAR")
STANCE_SCOPES: Final[tuple[StanceScope, ...]] = ("document", "quote")
# human: an annotator's; prediction: a model's; review: a reviewer's adjudication in the review
# project (`label review`), not an independent annotation, so never in agreement; gold: the layer.
ORIGINS: Final[tuple[Origin, ...]] = ("human", "prediction", "review", "gold")
# How a human (or review) row came to be, from the export's own ``origin`` of each result item:
# drawn by hand, a prediction accepted unchanged, or a prediction the annotator changed.
ITEM_PROVENANCES: Final[tuple[str, ...]] = ("manual", "prediction", "prediction-changed")
# ... and for gold rows also: taken from a reviewer's adjudication in the review project.
ADJUDICATED: Final = "adjudicated"
PROVENANCES: Final[tuple[str, ...]] = (*ITEM_PROVENANCES, ADJUDICATED)
SOURCE_FORMATS: Final = ("txt", "jsonl", "html", "label-studio")  # ingest's files, or a Label Studio task's data
STANCE_QUOTE_LABEL: Final = QUOTE  # a quote-scope stance is attached to a region with this label


def all_labels() -> tuple[str, ...]:
    """Every span label of every layer, in declaration order."""
    return tuple(name for layer in LAYERS for name in layer.label_names)


def layer_of(label: str) -> LayerName:
    """The layer a label belongs to; raises ``KeyError`` listing the known labels otherwise."""
    if label not in LABEL_LAYERS:
        raise KeyError(f"unknown label {label!r}; known labels: {', '.join(all_labels())}")
    return LABEL_LAYERS[label]


def _check_unique_labels() -> None:
    names = all_labels()
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise RuntimeError(f"labels must be unique across layers; repeated: {', '.join(duplicates)}")
    for relation in RELATION_TYPES:
        for end in (relation.from_label, relation.to_label):
            if end not in names:
                raise RuntimeError(f"relation {relation.name!r} names unknown label {end!r}")


_check_unique_labels()
LABEL_LAYERS: Final = MappingProxyType({label.name: layer.name for layer in LAYERS for label in layer.labels})
