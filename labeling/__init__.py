"""Label Studio: the labeling config generated from the schema, the local server, project sync,
export conversion to span tables, agreement and the adjudicated gold layer.

The build's stages of this package: ``convert_stage`` (exports → converted tables),
``gold_stage`` (the gold layer and the corpus annotation tables), ``agreement_stage``
(inter-annotator agreement) and ``quality_stage`` (the pre-annotation rules scored against
gold); ``cli`` is ``newsspan label``. It may import ``newsspan.dataset`` and nothing else of
newsspan.
"""

__all__: list[str] = []
