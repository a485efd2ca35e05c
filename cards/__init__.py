"""The dataset card, rendered from ``templates/`` and from a build's own numbers.

``render`` (the card), ``metadata`` (Hub front matter, validated offline), ``plots``, ``stage``
(the build's card stage) and ``cli`` (``newsspan card``). It may import ``newsspan.dataset`` and
nothing else of newsspan.
"""

__all__: list[str] = []
