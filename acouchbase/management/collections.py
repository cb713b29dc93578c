"""CollectionManager of the asyncio face (``bucket.collections()``): the blocking manager's
requests and answers (couchbase.management.collections), sent on the event loop."""
from couchbase.management import collections as _blocking
from couchbase.management.collections import (  # noqa: F401 (the 4.x import paths)
    CollectionSpec, CreateCollectionSettings, ScopeSpec, UpdateCollectionSettings,
)

from acouchbase._rest import AsyncManager

__all__ = ["CollectionManager"]


class CollectionManager(AsyncManager):
    """The scopes and collections of one bucket."""

    _blocking = _blocking.CollectionManager
    _methods = ("get_all_scopes", "create_scope", "drop_scope", "create_collection", "drop_collection",
                "update_collection")
