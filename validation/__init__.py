"""Great Expectations suites (reviewed JSON files under ``suites/``, generated from ``rules``) and
the publish gate. Great Expectations is imported only when a gate runs.

``rules`` → ``suite_files`` (the reviewed suites), ``derive`` (helper columns, polars), ``gate``
(the suites over the tables), ``report`` (the Markdown report), ``stage`` (the build's
validation stage) and ``cli`` (``newsspan validate``). It may import ``newsspan.dataset`` and
nothing else of newsspan.
"""

__all__: list[str] = []
