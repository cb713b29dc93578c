"""AsyncCluster (``acouchbase.cluster.Cluster``): the entry point of the asyncio face.

    cluster = await Cluster.connect("couchbase://host", ClusterOptions(PasswordAuthenticator("u", "p")))
    bucket = cluster.bucket("travel-sample")
    await bucket.on_connect()
    collection = bucket.scope("inventory").collection("airline")
    result = await collection.get("airline_10")

The arguments are the blocking Cluster's (couchbase.cluster.parse_arguments: connection-
string options, ClusterOptions, keyword arguments). Connecting checks the credentials on the
first node that answers (HELLO and SASL, or the client certificate), on the event loop.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional

    from datetime import timedelta

    from couchbase._core.aio import AioSession
    from couchbase._modern.results import DiagnosticsResult, PingResult
    from couchbase.options import DiagnosticsOptions, PingOptions, WaitUntilReadyOptions

import asyncio

from couchbase._core import aio_http as _aio_http
from couchbase._core.aio_topology import probe_credentials
from couchbase.cluster import parse_arguments
from couchbase.exceptions import MODERN, UnAmbiguousTimeoutException
from couchbase.options import ClusterOptions, ClusterTimeoutOptions  # noqa: F401 (4.x imports)

from acouchbase import _health, get_event_loop
from acouchbase._rest import AioNodes
from acouchbase.bucket import AsyncBucket
from acouchbase.management.buckets import BucketManager
from acouchbase.management.users import UserManager

__all__ = ["AsyncCluster", "Cluster", "ClusterOptions", "ClusterTimeoutOptions"]


def _retrieve(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()


class AsyncCluster:
    """A connection to a cluster on the event loop. ``await Cluster.connect(...)``, or
    ``Cluster(...)`` then ``await cluster.on_connect()``."""

    def __init__(self, connstr: str, *options: ClusterOptions, **kwargs: Any) -> None:
        self._connstr, self._options, self._spec, self._settings = parse_arguments(connstr, options, kwargs)
        self._loop = get_event_loop()
        self._closed = False
        self._buckets: Dict[str, AsyncBucket] = {}
        self._kv: Optional[AioSession] = None  # the authenticated bucket-less session (nodes, ping)
        self._connecting: Optional[asyncio.Task[None]] = None
        self._nodes = AioNodes(self)
        #: kept-alive connections of the cluster's management requests
        self._http_pool = _aio_http.Pool()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    @staticmethod
    async def connect(connstr: str, *options: ClusterOptions, **kwargs: Any) -> AsyncCluster:
        """``AsyncCluster(connstr, *options, **kwargs)``, connected."""
        cluster = AsyncCluster(connstr, *options, **kwargs)
        await cluster.on_connect()
        return cluster

    async def on_connect(self) -> None:
        """Wait until the credentials were accepted by a node (AuthenticationException,
        UnAmbiguousTimeoutException ...)."""
        if self._connecting is None:
            self._connecting = self._loop.create_task(self._probe())
            self._connecting.add_done_callback(_retrieve)
        await asyncio.shield(self._connecting)

    async def _probe(self) -> None:
        if self._spec.scheme not in ("couchbase", "couchbases"):
            return
        s = self._settings
        port = 11207 if s.security.tls is not None else 11210
        last, session = await probe_credentials(self._loop, [(h, p or port) for h, p in self._spec.hosts],
                                                s.username, s.password, s.connect_timeout, MODERN, s.security)
        if last is not None:
            rc, detail = last
            raise UnAmbiguousTimeoutException("Failed to connect: %s" % (detail or "core code 0x%X" % rc), rc=rc)
        if self._closed:
            session.close()
        else:
            self._kv = session

    async def _kv_session(self) -> Optional[AioSession]:
        """The bucket-less session (connected at on_connect)."""
        await self.on_connect()
        self._check_open()
        return self._kv

    def bucket(self, bucket_name: str) -> AsyncBucket:
        """AsyncBucket `bucket_name`; it starts connecting now (``await bucket.on_connect()``)."""
        self._check_open()
        b = self._buckets.get(bucket_name)
        if b is None or b._closed:
            b = self._buckets[bucket_name] = AsyncBucket(self, bucket_name)
        return b

    # ---- management ----

    def buckets(self) -> BucketManager:
        """BucketManager (async): create, update, drop, flush and list buckets."""
        return BucketManager(self)

    def users(self) -> UserManager:
        """UserManager (async): users, groups and roles."""
        return UserManager(self)

    # ---- health ----

    async def ping(self, *opts: PingOptions, **kwargs: Any) -> PingResult:
        """PingResult: a NOOP to a data node and a request to every node of the other services."""
        await self.on_connect()
        return await _health.ping(self, None, opts, kwargs)

    async def diagnostics(self, *opts: DiagnosticsOptions, **kwargs: Any) -> DiagnosticsResult:
        """DiagnosticsResult of the open connections (no traffic)."""
        return _health.diagnostics(self, opts, kwargs)

    async def wait_until_ready(self, timeout: timedelta, *opts: WaitUntilReadyOptions, **kwargs: Any) -> None:
        """Return once the requested services answer; UnAmbiguousTimeoutException after
        `timeout` (a timedelta)."""
        self._check_open()
        await self.on_connect()
        return await _health.wait_until_ready(self, timeout, opts, kwargs)

    # ---- lifecycle ----

    async def close(self) -> None:
        """Close every bucket and the cluster's own connection; idempotent."""
        if self._closed:
            return
        self._closed = True
        for b in list(self._buckets.values()):
            await b.close()
        self._buckets.clear()
        self._http_pool.close()
        if self._kv is not None:
            self._kv.close()
            self._kv = None
        if self._connecting is not None and not self._connecting.done():
            self._connecting.cancel()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("Cannot perform operations on a closed cluster.")

    @property
    def connected(self) -> bool:
        return not self._closed and self._kv is not None

    def __repr__(self) -> str:
        return "AsyncCluster(%r)" % (self._connstr,)


Cluster = AsyncCluster
