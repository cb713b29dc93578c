"""AsyncScope: a namespace of collections inside an AsyncBucket."""
from acouchbase.collection import AsyncCollection

__all__ = ["AsyncScope", "Scope"]


class AsyncScope:
    def __init__(self, bucket, scope_name):
        self._bucket = bucket
        self._name = scope_name
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
        """AsyncCollection `name` of this scope (no traffic; its id is resolved at its first
        operation)."""
        c = self._collections.get(name)
        if c is None:
            c = self._collections[name] = AsyncCollection(self, name)
        return c

    def __repr__(self):
        return "AsyncScope(bucket=%r, name=%r)" % (self._bucket.name, self._name)


Scope = AsyncScope
