"""Canonical outlet and agency names: the rules with their reasons, the table, ingest and the card."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsspan.dataset.build import ingest_to_folder
from newsspan.dataset.config import IngestOptions
from newsspan.dataset.ingest import outlets
from newsspan.dataset.ingest.outlets import canonical_outlet, outlet_and_agency, outlet_table

BODY = (
    "The harbour authority said on Tuesday that the ferry would resume service next week after "
    "engineers finished their inspection of the damaged hull, officials said."
)


@pytest.mark.parametrize(
    ("printed", "name", "rules", "kind"),
    [
        ("Reuters", "Reuters", ("known",), "agency"),
        ("REUTERS", "Reuters", ("known",), "agency"),
        ("Thomson Reuters", "Reuters", ("known",), "agency"),
        ("www.reuters.com", "Reuters", ("domain", "known"), "agency"),
        ("The Associated Press", "AP", ("known",), "agency"),
        ("Agence France-Presse", "AFP", ("known",), "agency"),
        ("ITAR-TASS", "TASS", ("known",), "agency"),
        ("RT.com", "RT", ("known",), "outlet"),
        ("Russia Today", "RT", ("known",), "outlet"),
        ("Xinhua News Agency", "Xinhua", ("known",), "agency"),
        ("AP News Wire", "AP", ("suffix", "known"), "agency"),
        ("Fox News Wire", "Fox News", ("suffix", "known"), "outlet"),
        ("Meridian Wire", "Meridian", ("suffix",), None),
        ("MERIDIAN", "Meridian", ("case",), None),
        ("KESTREL NEWS AGENCY", "Kestrel", ("suffix", "case"), None),
        ("Valmont News Service", "Valmont", ("suffix",), None),
        ("Lismar Newswire", "Lismar", ("suffix",), None),
        ("Harbour Gazette.com", "Harbour Gazette.com", (), None),
        ("harbourgazette.co.uk", "Harbourgazette", ("domain",), None),
        ("HarbourGazette.com", "HarbourGazette", ("domain",), None),
        ("KNA", "KNA", (), None),
        ("LISMAR HERALD", "Lismar Herald", ("case",), None),
        ("NBC LISMAR", "NBC Lismar", ("case",), None),
        ("(Portside Times)", "Portside Times", (), None),
        ("The Coastal Observer", "The Coastal Observer", (), None),
        ("News", "News", (), None),
    ],
    ids=[
        "known-as-is",
        "known-all-caps",
        "known-alias",
        "known-domain",
        "alias-with-the",
        "alias-long-form",
        "alias-hyphenated",
        "alias-domain",
        "alias-old-name",
        "alias-with-suffix",
        "suffix-then-known",
        "suffix-one-at-a-time",
        "unknown-suffix-wire",
        "unknown-all-caps",
        "unknown-suffix-and-caps",
        "unknown-news-service",
        "unknown-newswire",
        "spaces-are-no-domain",
        "unknown-lower-case-domain",
        "unknown-domain-keeps-its-case",
        "acronym-kept",
        "all-caps-words",
        "vowel-less-acronym-kept-in-name",
        "brackets-dropped",
        "kept-as-printed",
        "suffix-alone-kept",
    ],
)
def test_canonical_outlet_gives_the_name_and_the_rules_that_applied(printed, name, rules, kind):
    result = canonical_outlet(printed)
    assert (result.name, result.rules, result.kind) == (name, rules, kind)
    assert result.printed == printed


def test_canonical_names_are_fixpoints():
    names = {canonical for canonical, _kind in outlet_table().values()}
    names |= {canonical_outlet(p).name for p in ("Meridian Wire", "MERIDIAN", "harbourgazette.co.uk", "NBC LISMAR")}
    for name in names:
        assert canonical_outlet(name).name == name, name


def test_every_alias_of_the_table_maps_to_its_canonical_name():
    import importlib.resources
    import tomllib

    data = tomllib.loads(importlib.resources.files("newsspan.dataset").joinpath("outlets.toml").read_text())
    for section in ("agencies", "outlets"):
        for canonical, aliases in data[section].items():
            for alias in (canonical, *aliases):
                assert canonical_outlet(alias).name == canonical, alias


def test_an_alias_naming_two_sources_is_refused(monkeypatch, tmp_path):
    from newsspan.dataset.errors import ConfigError

    class Resource:
        def joinpath(self, _name: str) -> Path:
            path = tmp_path / "outlets.toml"
            path.write_text('[agencies]\n"Meridian" = ["MW"]\n\n[outlets]\n"Meridian Times" = ["mw"]\n')
            return path

    monkeypatch.setattr(outlets.importlib.resources, "files", lambda _package: Resource())
    outlet_table.cache_clear()
    try:
        with pytest.raises(ConfigError, match=r"alias 'mw' names both 'Meridian' and 'Meridian Times'"):
            outlet_table()
    finally:
        outlet_table.cache_clear()


@pytest.mark.parametrize(
    ("outlet", "agency", "in_dateline", "expected"),
    [
        (None, "TASS", True, ("TASS", "TASS")),
        (None, "Reuters", True, ("Reuters", "Reuters")),
        (None, "Reuters", False, (None, "Reuters")),
        ("HarbourGazette.com", "REUTERS", True, ("HarbourGazette", "Reuters")),
        ("RT.com", "RT.com", False, ("RT", "RT")),
        (None, None, False, (None, None)),
    ],
    ids=[
        "agency-own-story",
        "reuters-style-dateline",
        "end-credit-is-not-the-outlet",
        "printed-outlet-wins",
        "both-printed",
        "nothing-printed",
    ],
)
def test_an_agencys_own_story_has_the_agency_as_outlet(outlet, agency, in_dateline, expected):
    got = outlet_and_agency(outlet, agency, agency_in_dateline=in_dateline)
    assert tuple(c.name if c else None for c in got) == expected


def _ingest(folder: Path, out: Path, **options) -> list[dict]:
    ingest_to_folder([folder], out, options=IngestOptions(min_body_words=0, **options))
    return pq.read_table(out / "documents.parquet").to_pylist()


@pytest.fixture
def articles(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(f"Ferry service resumes\nLISMAR, March 4. /KNA/. {BODY}\n{BODY}\n")
    (folder / "b.txt").write_text(
        f"Harbour repairs finish early\nLISMAR - {BODY}\n{BODY}\n(With inputs from Meridian Wire)\n"
    )
    (folder / "c.txt").write_text(f"Dock strike ends\nLISMAR - {BODY}\n{BODY} MERIDIAN\n")
    (folder / "d.txt").write_text(f"HarbourGazette.com\n04 Mar 2026, 09:40 GMT+2\nCouncil votes on port\n{BODY}\n")
    record = {"text": f"Fish prices steady\nPORTSIDE - {BODY}", "outlet": "PORTSIDE TIMES NEWS", "agency": "Reuters"}
    (folder / "e.jsonl").write_text(json.dumps(record) + "\n")
    return folder


def test_ingest_writes_canonical_names_and_keeps_spans_on_the_printed_ones(articles, tmp_path):
    documents = {Path(d["source"]).name: d for d in _ingest(articles, tmp_path / "out")}
    columns = {name: (d["outlet"], d["agency"]) for name, d in documents.items()}
    assert columns == {
        "a.txt": ("KNA", "KNA"),
        "b.txt": (None, "Meridian"),
        "c.txt": (None, "Meridian"),
        "d.txt": ("HarbourGazette", None),
        "e.jsonl:1": ("Portside Times", "Reuters"),
    }
    printed = {
        (name, s["field"]): d["text"][s["start"] : s["end"]]
        for name, d in documents.items()
        for s in d["meta_spans"]
        if s["field"] in ("outlet", "agency")
    }
    assert printed == {
        ("a.txt", "agency"): "KNA",  # the agency's own story: no outlet span of its own
        ("b.txt", "agency"): "Meridian Wire",
        ("c.txt", "agency"): "MERIDIAN",
        ("d.txt", "outlet"): "HarbourGazette.com",
    }


def test_canonical_names_do_not_depend_on_batches(articles, tmp_path):
    whole = _ingest(articles, tmp_path / "whole")
    one_by_one = _ingest(articles, tmp_path / "single", batch_size=1)
    key = [(d["source"], d["outlet"], d["agency"]) for d in whole]
    assert key == [(d["source"], d["outlet"], d["agency"]) for d in one_by_one]


def test_the_sample_counts_each_outlet_once(tmp_path):
    from newsspan.dataset.build import sample_articles

    with sample_articles() as folder:
        documents = _ingest(folder, tmp_path / "out")
    outlets_seen = Counter(d["outlet"] or d["agency"] or "(unknown)" for d in documents)  # the card's count
    assert outlets_seen["Meridian"] == 4
    assert not {"Meridian Wire", "MERIDIAN"} & set(outlets_seen)
    assert outlets_seen["KNA"] == 2
