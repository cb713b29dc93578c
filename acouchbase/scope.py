"""AsyncScope: a namespace of collections inside an AsyncBucket."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict

    from acouchbase.bucket import AsyncBucket

from acouchbase.collection import AsyncCollection

__all__ = ["AsyncScope", "Scope"]


class AsyncScope:
    def __init__(self, bucket: AsyncBucket, scope_name: str) -> None:
        self._bucket = bucket
        self._name = scope_name
        self._collections: Dict[str, AsyncCollection] = {}

    @staticmethod
    def default_name() -> str:
        return "_default"

    @property
    def name(self) -> str:
        return self._name

    @property
    def bucket_name(self) -> str:
        return self._bucket.name

    def collection(self, name: str) -> AsyncCollection:
        """AsyncCollection `name` of this scope (no traffic; its id is resolved at its first
        operation)."""
        c = self._collections.get(name)
        if c is None:
            c = self._collections[name] = AsyncCollection(self, name)
        return c

    def __repr__(self) -> str:
        return "AsyncScope(bucket=%r, name=%r)" % (self._bucket.name, self._name)


Scope = AsyncScope
