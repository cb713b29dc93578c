"""CollectionManager of the asyncio face (``bucket.collections()``): the blocking manager's
requests and answers (couchbase.management.collections), sent on the event loop."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, List

    from couchbase.management.options import (
        CreateScopeOptions, DropScopeOptions, GetAllScopesOptions, UpdateCollectionOptions,
    )

from couchbase.management import collections as _blocking
from couchbase.management.collections import (  # noqa: F401 (the 4.x import paths)
    CollectionSpec, CreateCollectionSettings, ScopeSpec, UpdateCollectionSettings,
)

from acouchbase._rest import AsyncManager

__all__ = ["CollectionManager", "CollectionSpec", "CreateCollectionSettings", "ScopeSpec",
           "UpdateCollectionSettings"]


class CollectionManager(AsyncManager):
    """The scopes and collections of one bucket."""

    _blocking = _blocking.CollectionManager
    _methods = ("get_all_scopes", "create_scope", "drop_scope", "create_collection", "drop_collection",
                "update_collection")

    if TYPE_CHECKING:  # the coroutines AsyncManager makes of the blocking manager's methods
        async def get_all_scopes(self, *options: GetAllScopesOptions, **kwargs: Any) -> List[ScopeSpec]: ...

        async def create_scope(self, scope_name: str, *options: CreateScopeOptions, **kwargs: Any) -> None: ...

        async def drop_scope(self, scope_name: str, *options: DropScopeOptions, **kwargs: Any) -> None: ...

        async def create_collection(self, *args: Any, **kwargs: Any) -> None:
            """``create_collection(scope_name, collection_name, settings=None, *options)``."""

        async def drop_collection(self, *args: Any, **kwargs: Any) -> None:
            """``drop_collection(scope_name, collection_name, *options)``."""

        async def update_collection(self, scope_name: str, collection_name: str, settings: UpdateCollectionSettings,
                                    *options: UpdateCollectionOptions, **kwargs: Any) -> None: ...
