"""Scope of the modern API: a namespace of collections inside a bucket."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict

    from couchbase._modern.services import AnalyticsResult, QueryResult, SearchResult
    from couchbase.bucket import Bucket
    from couchbase.options import AnalyticsOptions, QueryOptions, SearchOptions

from couchbase._modern import services as _services
from couchbase.collection import Collection

__all__ = ["Scope"]


class Scope:
    def __init__(self, bucket: Bucket, name: str) -> None:
        self._bucket = bucket
        self._name = name
        self._collections: Dict[str, Collection] = {}

    @staticmethod
    def default_name() -> str:
        return "_default"

    @property
    def name(self) -> str:
        return self._name

    @property
    def bucket_name(self) -> str:
        return self._bucket.name

    def collection(self, name: str) -> Collection:
        """Collection `name` of this scope; its id is resolved at its first operation."""
        c = self._collections.get(name)
        if c is None:
            c = self._collections[name] = Collection(self, name)
        return c

    # ---- services this SDK does not run (couchbase._modern.services) ----

    def _context(self) -> str:
        return "default:`%s`.`%s`" % (self._bucket.name, self._name)

    def query(self, statement: str, *options: QueryOptions, **kwargs: Any) -> QueryResult:
        """QueryResult; using it raises ServiceUnavailableException without a query service."""
        return _services.query(self._bucket._cluster, statement, options, kwargs, self._context())

    def analytics_query(self, statement: str, *options: AnalyticsOptions, **kwargs: Any) -> AnalyticsResult:
        return _services.analytics_query(self._bucket._cluster, statement, options, kwargs, self._context())

    def search_query(self, index: str, query: Any, *options: SearchOptions, **kwargs: Any) -> SearchResult:
        return _services.search(self._bucket._cluster, index, query, options, kwargs, self._name)

    def search(self, index: str, request: Any, *options: SearchOptions, **kwargs: Any) -> SearchResult:
        return _services.search(self._bucket._cluster, index, request, options, kwargs, self._name)

    def __repr__(self) -> str:
        return "Scope(bucket=%r, name=%r)" % (self._bucket.name, self._name)
