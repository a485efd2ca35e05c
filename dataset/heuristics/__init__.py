"""The text heuristics: a text in, proposed spans out (no tables, no I/O).

``boilerplate`` (line rules and the article's end), ``quotes`` (quotation marks, speakers,
cues), ``entities`` (known strings, dates, an optional spaCy pipeline); ``proposals`` holds the
:class:`~newsspan.dataset.heuristics.proposals.Proposal` they all return. Ingest and
pre-annotation use them.
"""

__all__: list[str] = []
