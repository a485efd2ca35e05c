"""Ingest: raw articles (.txt as scraped, .html pages, .jsonl) → the ``documents`` table and its quarantine.

``readers`` finds and reads the input files (I/O); ``normalize`` decodes and normalizes text;
``html`` turns a web page into its text, boilerplate regions and metadata, and ``pages`` holds
its steps; ``dates``, ``headlines`` and ``metadata`` read the metadata an article prints about
itself and ``outlets`` makes outlet names canonical; ``steps`` holds the row-level steps a batch
runs through (``rowsteps`` how they run, ``duplicates`` the last one); ``stage`` is the ingest
stage of a build. The modules are
imported where they are used, so importing this package stays cheap (``newsspan --help``).
"""

__all__: list[str] = []
