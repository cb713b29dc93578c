"""Management APIs of the 4.x face: design documents (``views``, ``bucket.view_indexes()``)
and the cluster's REST API: ``buckets`` (``cluster.buckets()``), ``collections``
(``bucket.collections()``), ``users`` (``cluster.users()``) and their ``options``."""
