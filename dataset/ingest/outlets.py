"""One name per news source, however the source is printed.

``canonical_outlet`` maps a printed outlet or agency name to its canonical name, one document at
a time: it reads nothing but the name and the shipped table (``newsspan/dataset/outlets.toml``),
so the result never depends on which other documents are in the corpus or in the same batch.

The rules, in order; the first that gives a name in the table wins:

1. ``known``: the name is a canonical name or an alias of the table (``Thomson Reuters`` →
   ``Reuters``, ``Russia Today`` → ``RT``). Names are compared without case, surrounding quotes
   and brackets, a leading ``The``, and with spaces and hyphens alike.
2. ``domain``: a domain becomes its site name (``www.reuters.com`` → ``reuters``, ``RT.com`` →
   ``RT``, ``express.co.uk`` → ``express``); a site name in lower case is capitalised.
3. ``suffix``: a trailing ``Wire``, ``News Agency``, ``News Service``, ``Newswire`` or ``News``
   is dropped when a name remains (``Meridian Wire`` → ``Meridian``).
4. ``case``: an all-caps name of more than four letters is title-cased (``MERIDIAN`` →
   ``Meridian``); acronyms stay (``TASS``, ``KNA``, and short vowel-less words inside a longer
   name: ``BBC``).

A name none of these change is kept as printed. :class:`CanonicalName` records the rules that
applied, so a caller can say why a value changed.

``source_columns`` (through :func:`outlet_and_agency`) fills a document's ``outlet`` and
``agency`` columns from what its text prints, canonical both. The agency stays its own column: a
newspaper's story crediting Reuters has the newspaper as outlet (when printed) and Reuters as
agency. An agency's own story names no outlet but carries the agency in its dateline, in the
agency's style (``SEOUL, June 2. /TASS/.``, ``SEOUL (Reuters) -``): its outlet is that agency,
with no span of its own (the agency's span is where it is printed). An agency named only in an
end credit (``(With inputs from Reuters)``) does not make it the outlet: the story may be another
outlet's rewrite.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from newsspan.dataset.errors import ConfigError
from newsspan.dataset.ingest.metadata import ArticleMetadata

__all__ = ["CanonicalName", "Rule", "canonical_outlet", "outlet_and_agency", "outlet_table", "source_columns"]

Rule = Literal["known", "domain", "suffix", "case"]
Kind = Literal["agency", "outlet"]
_SECTIONS: dict[str, Kind] = {"agencies": "agency", "outlets": "outlet"}
_TABLE_FILE = "outlets.toml"

_EDGES = " \t\"'“”‘’«»()[]{}<>,;:!?*|/"
_DOMAIN = re.compile(
    r"(?:https?://)?(?:www\d?\.)?(?P<host>[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,6})/?",
)
# Second-level labels of country domains (co.uk, com.cn, or.jp): never the site's name.
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "ac", "gov", "edu", "or", "ne", "go"})
# Trailing words that name the kind of source, not the source; shortest first.
_SUFFIXES: tuple[tuple[str, ...], ...] = (
    ("wire",),
    ("newswire",),
    ("news", "agency"),
    ("news", "service"),
    ("news",),
)
_SEPARATORS = re.compile(r"[\s\-‐-―_]+")
_LETTERS = re.compile(r"[^\W\d_]")
_VOWELS = frozenset("AEIOUY")
_ACRONYM_MAX_LETTERS = 4  # TASS, KCNA: all-caps names this short are acronyms, not shouting


@dataclass(frozen=True, slots=True)
class CanonicalName:
    """A source's canonical ``name``, the name as ``printed``, and why they differ.

    ``rules`` are the rules of the module docstring that applied, in order (empty when the
    printed name is kept); ``kind`` is the table's kind for a known source, else None.
    """

    name: str
    printed: str
    rules: tuple[Rule, ...] = ()
    kind: Kind | None = None


def canonical_outlet(printed: str) -> CanonicalName:
    """The canonical name of the outlet or agency printed as ``printed``; see the module docstring."""
    name = _clean(printed)
    rules: list[Rule] = []
    table = outlet_table()
    for rule, step in _STEPS:
        known = table.get(_key(name))
        if known is not None:
            return CanonicalName(known[0], printed, (*rules, "known"), known[1])
        if step is not None and (changed := step(name)) != name:
            name = changed
            rules.append(rule)
    return CanonicalName(name or printed.strip(), printed, tuple(rules))


def outlet_and_agency(
    outlet: str | None, agency: str | None, *, agency_in_dateline: bool
) -> tuple[CanonicalName | None, CanonicalName | None]:
    """(outlet, agency) of a document from the names its text prints, canonical; see the module
    docstring for when the agency is also the outlet."""
    canonical_agency = canonical_outlet(agency) if agency else None
    if outlet:
        return canonical_outlet(outlet), canonical_agency
    if agency_in_dateline and canonical_agency is not None:
        return canonical_agency, canonical_agency
    return None, canonical_agency


def source_columns(found: ArticleMetadata) -> dict[str, str | None]:
    """The ``outlet`` and ``agency`` columns of a document whose text printed ``found``.

    The printed names stay where ``found``'s spans point; an outlet taken from the dateline's
    agency has no span of its own (the agency's span is where it is printed).
    """
    outlet, agency = outlet_and_agency(
        found.outlet.value if found.outlet else None,
        found.agency.value if found.agency else None,
        agency_in_dateline=found.agency_in_dateline,
    )
    return {"outlet": outlet.name if outlet else None, "agency": agency.name if agency else None}


@functools.cache
def outlet_table() -> dict[str, tuple[str, Kind]]:
    """The shipped table as lookup key → (canonical name, kind); read once.

    Raises :class:`ConfigError` when the file is malformed or an alias names two sources.
    """
    resource = importlib.resources.files("newsspan.dataset").joinpath(_TABLE_FILE)
    try:
        data = tomllib.loads(resource.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{_TABLE_FILE}: {exc}; fix the file", path=str(resource)) from exc
    table: dict[str, tuple[str, Kind]] = {}
    for section, kind in _SECTIONS.items():
        for canonical, aliases in data.get(section, {}).items():
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise ConfigError(
                    f"{_TABLE_FILE}: [{section}] {canonical!r} must be a list of alias strings, not {aliases!r}",
                    path=str(resource),
                )
            for alias in (canonical, *aliases):
                key = _key(_clean(alias))
                if key in table and table[key][0] != canonical:
                    raise ConfigError(
                        f"{_TABLE_FILE}: alias {alias!r} names both {table[key][0]!r} and "
                        f"{canonical!r}; keep it under one of them",
                        path=str(resource),
                    )
                table[key] = (canonical, kind)
    return table


def _clean(printed: str) -> str:
    """Spaces collapsed, surrounding quotes, brackets and punctuation dropped; a final full stop
    too unless it ends an abbreviation (``Bloomberg L.P.``)."""
    name = " ".join(printed.split()).strip(_EDGES)
    if name.endswith(".") and not re.search(r"(?:^|[\s.])\w\.$", name):
        name = name.rstrip(".").rstrip(_EDGES)
    return name


def _key(name: str) -> str:
    key = _SEPARATORS.sub(" ", name.casefold()).strip()
    return key[4:] if key.startswith("the ") else key


def _site_name(name: str) -> str:
    match = _DOMAIN.fullmatch(name)
    if match is None:
        return name
    labels = match["host"].split(".")[:-1]  # the top-level domain goes
    if len(labels) > 1 and labels[-1].casefold() in _SECOND_LEVEL:
        labels = labels[:-1]
    site = labels[-1]
    known = outlet_table().get(_key(match["host"]))
    if known is not None:  # a host of the table ('news.cn'): keep it whole for the lookup
        return match["host"]
    return site[0].upper() + site[1:] if site.islower() else site


def _without_suffix(name: str) -> str:
    """Drop trailing suffixes one at a time, stopping at a name of the table ('Fox News Wire' →
    'Fox News', not 'Fox') or when only the suffix would be left."""
    words = name.split(" ")
    stripped = True
    while stripped:
        stripped = False
        for suffix in _SUFFIXES:
            tail = tuple(w.casefold() for w in words[-len(suffix) :])
            if len(words) > len(suffix) and tail == suffix:
                words = words[: -len(suffix)]
                stripped = True
                if _key(" ".join(words)) in outlet_table():
                    return " ".join(words)
                break
    return " ".join(words).rstrip(_EDGES)


def _title_case(name: str) -> str:
    letters = _LETTERS.findall(name)
    if len(letters) <= _ACRONYM_MAX_LETTERS or any(not c.isupper() for c in letters):
        return name
    return " ".join(_title_word(word) for word in name.split(" "))


def _title_word(word: str) -> str:
    letters = _LETTERS.findall(word)
    if len(letters) <= 3 and not _VOWELS.intersection(letters):
        return word  # BBC, CNN, NBC inside a longer name
    parts = re.split(r"([-‐/])", word)
    return "".join(part[:1] + part[1:].lower() for part in parts)


# (rule, step) in the module docstring's order; the table is asked before each step and after
# the last (the final entry has no step).
_STEPS: tuple[tuple[Rule, Callable[[str], str] | None], ...] = (
    ("domain", _site_name),
    ("suffix", _without_suffix),
    ("case", _title_case),
    ("known", None),
)
