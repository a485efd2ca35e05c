"""Ingest: raw articles (.txt as scraped, .jsonl) → the ``documents`` table and its quarantine.

``readers`` finds and reads the input files (I/O); ``normalize`` decodes and normalizes text;
``dates`` and ``metadata`` read the metadata an article prints about itself; ``steps`` holds the
row-level steps a batch runs through; ``stage`` is the ingest stage of a build. The modules are
imported where they are used, so importing this package stays cheap (``newsspan --help``).
"""

__all__: list[str] = []
