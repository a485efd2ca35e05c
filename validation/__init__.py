"""Great Expectations suites (reviewed JSON files under ``suites/``, generated from ``rules``) and
the publish gate. Great Expectations is imported only when a gate runs.

It may import ``newsspan.dataset`` and nothing else of newsspan.
"""

__all__: list[str] = []
