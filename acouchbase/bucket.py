"""AsyncBucket: one bucket of an AsyncCluster, bootstrapped on the event loop (KV first,
then REST, as the blocking Bucket) by ``await bucket.on_connect()`` or its first operation."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional

    from couchbase._modern.results import PingResult
    from couchbase.options import PingOptions, ViewOptions

    from acouchbase.cluster import AsyncCluster
    from acouchbase.collection import AsyncCollection
    from acouchbase.management.views import ViewIndexManager
    from acouchbase.views import AsyncViewResult

import asyncio

from couchbase._core.aio import AioSession
from couchbase._core.aio_topology import PUSH_FEATURES, bootstrap
from couchbase._core.collection_ids import CollectionIds
from couchbase._core.protocol import modern_features
from couchbase.bucket import bootstrap_failure
from couchbase.exceptions import (
    MODERN, AuthenticationException, BucketNotFoundException, CouchbaseException, InvalidArgumentException,
    TLSException,
)

from acouchbase import _health
from acouchbase._rest import BucketHttp
from acouchbase.management.collections import CollectionManager
from acouchbase.scope import AsyncScope

__all__ = ["AsyncBucket", "Bucket"]


def _retrieve(task: asyncio.Task[Any]) -> None:
    """A failure nobody awaited is not reported as lost (on_connect raises it again)."""
    if not task.cancelled():
        task.exception()


class AsyncBucket:
    """``cluster.bucket(name)``: connecting starts at once; ``await bucket.on_connect()``
    waits for it (BucketNotFoundException, AuthenticationException ...)."""

    def __init__(self, cluster: AsyncCluster, bucket_name: str) -> None:
        self._cluster = cluster
        self._name = bucket_name
        self._closed = False
        self._session: Optional[AioSession] = None
        self.collection_ids: Optional[CollectionIds] = None
        self._default_scope: Optional[AsyncScope] = None
        self._services: Dict[str, BucketHttp] = {}
        self._connecting = cluster.loop.create_task(self._open())
        self._connecting.add_done_callback(_retrieve)

    async def _open(self) -> None:
        c = self._cluster
        s = c._settings
        if c._spec.scheme not in ("couchbase", "couchbases", "http", "https"):
            raise InvalidArgumentException("Unsupported connection string scheme %r" % c._spec.scheme)
        session = AioSession(MODERN, c.loop, timeout=s.bootstrap_timeout)
        try:
            features = modern_features(s.unordered_execution) + PUSH_FEATURES
            await bootstrap(session, c._spec, self._name, s.username, s.password, features,
                            collections=True, security=s.security)
        except (AuthenticationException, BucketNotFoundException, InvalidArgumentException, TLSException):
            session.close()
            raise
        except CouchbaseException as e:
            session.close()
            raise bootstrap_failure(self._name, e) from None
        except BaseException:
            session.close()
            raise
        session.timeout = s.kv_timeout
        session.max_response_size = s.max_response_size
        if self._closed:
            session.close()
            raise RuntimeError("Cannot perform operations on a closed cluster or bucket.")
        self.collection_ids = CollectionIds(session)
        self._session = session

    @property
    def name(self) -> str:
        return self._name

    async def on_connect(self) -> None:
        """Wait until the bucket is connected; raises why it could not be."""
        await asyncio.shield(self._connecting)

    def scope(self, name: str) -> AsyncScope:
        """AsyncScope `name` (no traffic)."""
        return AsyncScope(self, name)

    def default_scope(self) -> AsyncScope:
        if self._default_scope is None:
            self._default_scope = AsyncScope(self, AsyncScope.default_name())
        return self._default_scope

    def default_collection(self) -> AsyncCollection:
        """``_default._default``."""
        return self.default_scope().collection("_default")

    def collection(self, collection_name: str) -> AsyncCollection:
        """AsyncCollection `collection_name` of the ``_default`` scope."""
        return self.default_scope().collection(collection_name)

    def collections(self) -> CollectionManager:
        """CollectionManager (async) of this bucket's scopes and collections."""
        return CollectionManager(self._cluster, self._name)

    async def ping(self, *opts: PingOptions, **kwargs: Any) -> PingResult:
        """PingResult: a NOOP to each data node of this bucket."""
        await self.on_connect()
        return await _health.ping(self._cluster, self, opts, kwargs)

    # ---- views (couchbase._modern.views and couchbase.management.views on the event loop) ----

    @property
    def _views_timeout(self) -> float:
        return self._cluster._settings.views_timeout

    @property
    def _management_timeout(self) -> float:
        return self._cluster._settings.management_timeout

    def view_query(self, design_doc: str, view_name: str, *view_options: ViewOptions,
                   **kwargs: Any) -> AsyncViewResult:
        """An AsyncViewResult of ``design_doc/view_name``: the query runs when iteration
        starts (``async for row in result.rows()``), its rows streamed as they arrive."""
        from couchbase._modern.views import query_options

        from acouchbase.views import AsyncViewResult
        opts = query_options(design_doc, view_name, view_options, kwargs)
        if self._closed or self._cluster._closed:
            raise RuntimeError("Cannot perform operations on a closed cluster or bucket.")
        return AsyncViewResult(self, design_doc, view_name, opts)

    def view_indexes(self) -> ViewIndexManager:
        """ViewIndexManager (async) of this bucket's design documents."""
        from acouchbase.management.views import ViewIndexManager
        return ViewIndexManager(self)

    def _service(self, name: str) -> BucketHttp:
        """The HTTP service `name` (``capi``, ``mgmt``) of this bucket's nodes, on the event loop."""
        service = self._services.get(name)
        if service is None:
            service = self._services[name] = BucketHttp(self, name)
        return service

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            for service in self._services.values():
                service.pool.close()
            if self._session is not None:
                self._session.close()
            elif not self._connecting.done():
                self._connecting.cancel()

    def _connection(self) -> AioSession:
        """The session, or RuntimeError once the bucket or its cluster is closed."""
        if self._closed or self._cluster._closed or self._session is None:
            raise RuntimeError("Cannot perform operations on a closed cluster or bucket.")
        return self._session

    def __repr__(self) -> str:
        return "AsyncBucket(name=%r)" % (self._name,)


Bucket = AsyncBucket
