"""Scope of the modern API: a namespace of collections inside a bucket."""
from couchbase._modern import services as _services
from couchbase.collection import Collection

__all__ = ["Scope"]


class Scope:
    def __init__(self, bucket, name):
        self._bucket = bucket
        self._name = name
        self._collections = {}

    @staticmethod
    def default_name():
        return "_default"

    @property
    def name(self):
        return self._name

    @property
    def bucket_name(self):
        return self._bucket.name

    def collection(self, name):
        """Collection `name` of this scope; its id is resolved at its first operation."""
        c = self._collections.get(name)
        if c is None:
            c = self._collections[name] = Collection(self, name)
        return c

    # ---- services this SDK does not run (couchbase._modern.services) ----

    def _context(self):
        return "default:`%s`.`%s`" % (self._bucket.name, self._name)

    def query(self, statement, *options, **kwargs):
        """QueryResult; using it raises ServiceUnavailableException without a query service."""
        return _services.query(self._bucket._cluster, statement, options, kwargs, self._context())

    def analytics_query(self, statement, *options, **kwargs):
        return _services.analytics_query(self._bucket._cluster, statement, options, kwargs, self._context())

    def search_query(self, index, query, *options, **kwargs):
        return _services.search(self._bucket._cluster, index, query, options, kwargs, self._name)

    def search(self, index, request, *options, **kwargs):
        return _services.search(self._bucket._cluster, index, request, options, kwargs, self._name)

    def __repr__(self):
        return "Scope(bucket=%r, name=%r)" % (self._bucket.name, self._name)
