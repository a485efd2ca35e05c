"""The dataset card, rendered from ``templates/`` and from a build's own numbers.

Nothing here is implemented yet: this subpackage is filled by the card issue. It may import
``newsspan.dataset`` and nothing else of newsspan.
"""

__all__: list[str] = []
