"""Views on the embedded cluster: the CAPI service of every node.

| module | concern |
|---|---|
| `service.py` | HTTP routes of the CAPI port: design documents, queries, errors, streaming |
| `index.py` | one design document's index, updated incrementally from mutation notifications |
| `query.py` | query parameters, key ranges, grouping |
| `reduce.py` | `_count`, `_sum`, `_stats` and JavaScript reduces with rereduce |
| `collation.py` | view collation (ICU root order for strings) |
| `jsengine.py` | the JavaScript engine (V8 through mini-racer), documents in batches |
"""

from .service import ViewService  # noqa: F401
