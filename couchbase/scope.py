"""Scope of the modern API: a namespace of collections inside a bucket."""
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

    def __repr__(self):
        return "Scope(bucket=%r, name=%r)" % (self._bucket.name, self._name)
