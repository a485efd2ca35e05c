"""Label Studio: the labeling config generated from the schema, the local server, project sync,
export conversion to span tables, agreement and the adjudicated gold layer.

Nothing here is implemented yet: this subpackage is filled by the labeling issues. It may import
``newsspan.dataset`` and nothing else of newsspan.
"""

__all__: list[str] = []
