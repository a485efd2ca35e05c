"""``--engine spark``: the same steps on Apache Spark, for corpora past one machine.

Spark only wires the steps of :mod:`newsspan.dataset`: each row-level step runs unchanged on Arrow
batches inside Spark (``mapInArrow``), the corpus-wide decisions (which copy of a text is the first)
are narrow group-bys, and the tables are written by Spark as Parquet with the schemas' Arrow types.
pyspark is an optional extra: ``pip install 'newsspan[spark]'`` (and a Java 17 or 21 runtime).
"""
