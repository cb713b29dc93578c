"""Management REST for the asyncio face: the cluster's nodes found on the event loop, the
blocking managers' requests sent with the event loop's HTTP client, and their answers read
by the blocking managers' own code.

A manager method of the blocking face (couchbase.management.*) is a pure function of its
arguments and of the answers of the REST calls it makes. ``replay`` runs it with a Rest
whose ``call`` either returns the answer already fetched for that call or stops the method
(``_NeedAnswer``); the request is then sent on the event loop and the method runs again,
until it returns or raises. Nothing blocks and no thread is used.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Tuple

    from acouchbase.cluster import AsyncCluster

import json
import time

from couchbase._core import aio_http as _aio_http
from couchbase._core import connstr as _connstr
from couchbase._core.aio import Request
from couchbase._core.protocol import OP
from couchbase._modern.cluster_nodes import parse_nodes
from couchbase._modern.rest import Rest
from couchbase.exceptions import (
    MODERN, AuthenticationException, CouchbaseError, TLSError, UnAmbiguousTimeoutException, exception_for,
)
from urllib.parse import urlencode

__all__ = ["AioNodes", "replay", "AsyncManager"]


class AioNodes:
    """The nodes of one AsyncCluster (couchbase._modern.cluster_nodes on the event loop):
    from an open bucket's config, else the cluster's bucket-less KV connection, else the
    REST port's /pools/default."""

    def __init__(self, cluster: AsyncCluster) -> None:
        self._cluster = cluster
        self._nodes = None

    async def nodes(self, refresh=False):
        if self._nodes is None or refresh:
            self._nodes = await self._fetch()
        return self._nodes

    async def rest_endpoints(self):
        eps = [(n.host, n.services["mgmt"]) for n in await self.nodes() if "mgmt" in n.services]
        if not eps:
            eps = [(n.host, n.services["mgmt"]) for n in await self.nodes(refresh=True) if "mgmt" in n.services]
        return eps

    async def has_service(self, name):
        return any(name in n.services for n in await self.nodes())

    async def _fetch(self):
        cluster = self._cluster
        s = cluster._settings
        tls = s.security.tls is not None
        for b in list(cluster._buckets.values()):
            topo = getattr(b._session, "topology", None) if not b._closed and b._session is not None else None
            cfg = topo.config if topo is not None else None
            if cfg is not None and getattr(cfg, "raw", None) and cfg.raw.get("nodesExt"):
                return parse_nodes(cfg.raw, cfg.servers[0][0] if cfg.servers else "127.0.0.1", tls)
        last = None
        if cluster._spec.scheme in ("couchbase", "couchbases"):
            try:
                session = await cluster._kv_session()
                r = (await session.raw_run([Request(OP.GET_CLUSTER_CONFIG, server=0)], s.connect_timeout,
                                           retry=False))[0]
                if not r.rc:
                    host = cluster._spec.hosts[0][0]
                    return parse_nodes(json.loads(r.value.decode().replace("$HOST", host)), host, tls)
                last = r.rc
            except CouchbaseError as e:
                last = e
        deadline = time.monotonic() + s.connect_timeout
        rest_port = _connstr.DEFAULT_PORTS["https" if tls else "http"]
        for host, port in cluster._spec.hosts:
            if cluster._spec.scheme in ("couchbase", "couchbases"):
                port = rest_port
            try:
                status, _h, body = await _aio_http.request(host, port or rest_port, "GET", "/pools/default",
                                                           s.username, s.password,
                                                           timeout=max(0.05, deadline - time.monotonic()),
                                                           tls=s.security.tls)
                if status == 200:
                    return parse_nodes(json.loads(body), host, tls)
            except CouchbaseError as e:
                last = e
        raise UnAmbiguousTimeoutException("Could not read the cluster's nodes", inner_cause=last)


async def call(cluster, method, path, form=None, options=None):
    """Rest.call on the event loop: (status, body text) of the first node that answers."""
    cluster._check_open()
    s = cluster._settings
    t = options.get("timeout") if options else None
    timeout = t.total_seconds() if t is not None else s.management_timeout
    deadline = time.monotonic() + timeout
    body = urlencode(form) if form is not None else None
    last = None
    for host, port in await cluster._nodes.rest_endpoints():
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            status, _headers, data = await _aio_http.request(host, port, method, path, s.username, s.password,
                                                             body=body, timeout=left, tls=s.security.tls)
        except CouchbaseError as e:
            if isinstance(e, TLSError):
                raise exception_for(MODERN, e.rc, e.message, inner_cause=e) from None
            last = e
            continue
        text = data.decode("utf-8", "replace")
        if status == 401:
            raise AuthenticationException("The management request was not authorized.",
                                          context=Rest.context(status, path, text))
        return status, text
    raise UnAmbiguousTimeoutException("No management node answered %s %s." % (method, path), inner_cause=last)


class _NeedAnswer(BaseException):
    """A replayed manager method reached a REST call whose answer is not fetched yet (a
    BaseException, so that no handler of the method takes it for its own)."""


class _Replay(Rest):
    def __init__(self, cluster, answers):
        Rest.__init__(self, cluster)
        self._answers = answers
        self._next = 0

    def call(self, method, path, form=None, options=None):
        if self._next < len(self._answers):
            answer = self._answers[self._next]
            self._next += 1
            return answer
        raise _NeedAnswer(method, path, form, options)


async def replay(cluster, make, name, args, kwargs):
    """Method `name`(*args, **kwargs) of the blocking manager `make()` builds, its REST
    calls awaited (a manager of its own per call: concurrent calls share nothing)."""
    answers = []
    manager = make()
    while True:
        manager._rest = _Replay(cluster, answers)
        try:
            return getattr(manager, name)(*args, **kwargs)
        except _NeedAnswer as need:
            answers.append(await call(cluster, *need.args))


class AsyncManager:
    """The async form of a blocking manager: subclasses name it (``_blocking``) and its REST
    methods (``_methods``), which become coroutines; everything else is its own."""

    _blocking: Any = None
    _methods: Tuple[str, ...] = ()

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        for name in cls._methods:
            setattr(cls, name, _coroutine(name, getattr(cls._blocking, name)))

    def __init__(self, cluster: AsyncCluster, *args: Any) -> None:
        self._cluster = cluster
        self._args = args

    def _make(self):
        return self._blocking(self._cluster, *self._args)


def _coroutine(name, blocking):
    async def method(self, *args, **kwargs):
        return await replay(self._cluster, self._make, name, args, kwargs)

    method.__name__ = name
    method.__qualname__ = name
    method.__doc__ = blocking.__doc__
    return method
