"""Great Expectations suites (reviewed JSON files under ``suites/``, generated from ``rules``) and
the publish gate. Great Expectations is imported only when a gate runs.

``rules`` → ``suite_files`` (the reviewed suites), ``batches`` (tables read and spilled a batch
at a time), ``findings`` (what the cross-row rules need from whole tables, kept small),
``frames`` (each batch with its helper columns, polars), ``gate`` (the suites over the batches,
results summed), ``report`` (the Markdown report), ``stage`` (the build's validation stage) and
``cli`` (``newsspan validate``). It may import ``newsspan.dataset`` and
nothing else of newsspan.
"""

__all__: list[str] = []
