"""Management REST for the asyncio face: the cluster's nodes found on the event loop, the
blocking managers' requests sent with the event loop's HTTP client, and their answers read
by the blocking managers' own code; the HTTP services of a bucket's nodes (views) on the
event loop.

A manager method of the blocking face (couchbase.management.*) is a pure function of its
arguments and of the answers of the requests it makes. ``replay`` runs it with a Rest (or,
for design documents, an HTTP hook) that either returns the answer already fetched for that
request or stops the method (``_NeedAnswer``); the request is then sent on the event loop
and the method runs again, until it returns or raises. Nothing blocks and no thread is used.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Tuple

    from acouchbase.cluster import AsyncCluster

import asyncio
import json
import time

from couchbase._core import aio_http as _aio_http
from couchbase._core import connstr as _connstr
from couchbase._core import http as _http
from couchbase._core.aio import Request
from couchbase._core.binding import C
from couchbase._core.protocol import OP
from couchbase._modern.cluster_nodes import parse_nodes
from couchbase._modern.rest import Rest
from couchbase.exceptions import (
    MODERN, AuthenticationException, CouchbaseError, TLSError, UnAmbiguousTimeoutException, exception_for,
)
from urllib.parse import urlencode

__all__ = ["AioNodes", "replay", "Answers", "AsyncManager", "BucketHttp"]


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
                                                             body=body, timeout=left, tls=s.security.tls,
                                                             pool=cluster._http_pool)
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
    """A replayed manager method reached a request whose answer is not fetched yet (a
    BaseException, so that no handler of the method takes it for its own)."""


class Answers:
    """The answers fetched so far for a replayed method's requests, in the order it makes
    them: ``take(*request)`` returns the next one, or stops the method to fetch it."""

    def __init__(self, fetched):
        self._fetched = fetched
        self._next = 0

    def take(self, *request):
        if self._next < len(self._fetched):
            answer = self._fetched[self._next]
            self._next += 1
            return answer
        raise _NeedAnswer(*request)


class _Replay(Rest):
    def __init__(self, cluster, answers):
        Rest.__init__(self, cluster)
        self._answers = answers

    def call(self, method, path, form=None, options=None):
        return self._answers.take(method, path, form, options)


async def replay(make, name, args, kwargs, fetch):
    """Method `name`(*args, **kwargs) of the blocking manager `make(answers)` builds (its
    requests answered from `answers`, an Answers), each request it makes awaited with
    ``fetch(*request)`` (a manager of its own per call: concurrent calls share nothing)."""
    fetched = []
    while True:
        manager = make(Answers(fetched))
        try:
            return getattr(manager, name)(*args, **kwargs)
        except _NeedAnswer as need:
            fetched.append(await fetch(*need.args))


class AsyncManager:
    """The async form of a blocking manager: subclasses name it (``_blocking``) and its REST
    methods (``_methods``), which become coroutines; everything else is its own. The
    blocking manager's REST calls are answered by ``call`` (a subclass whose manager makes
    other requests overrides ``_make`` and ``_fetch``)."""

    _blocking: Any = None
    _methods: Tuple[str, ...] = ()

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        for name in cls._methods:
            setattr(cls, name, _coroutine(name, getattr(cls._blocking, name)))

    def __init__(self, cluster: AsyncCluster, *args: Any) -> None:
        self._cluster = cluster
        self._args = args

    def _make(self, answers):
        manager = self._blocking(self._cluster, *self._args)
        manager._rest = _Replay(self._cluster, answers)
        return manager

    async def _fetch(self, *request):
        return await call(self._cluster, *request)


def _coroutine(name, blocking):
    async def method(self, *args, **kwargs):
        return await replay(self._make, name, args, kwargs, self._fetch)

    method.__name__ = name
    method.__qualname__ = name
    method.__doc__ = blocking.__doc__
    return method


class BucketHttp:
    """An HTTP service of an AsyncBucket's nodes (``capi``: views and design documents;
    ``mgmt``: management REST) with the bucket's credentials, its nodes those of the
    current config: the blocking face's HttpClient (couchbase._core.http) on the event
    loop -- round-robin node choice, the next node when one cannot be reached (or when an
    idempotent request broke off), one config refresh when every node failed, one deadline.
    Connections are kept alive between requests (``pool``, closed with the bucket).
    Failures raise the modern exceptions."""

    def __init__(self, bucket, service):
        self._bucket = bucket
        self._field = "capi" if service == "capi" else "rest"
        self._rr = 0
        self.pool = _aio_http.Pool()

    def _topology(self):
        topo = self._bucket._connection().topology
        if topo is None:
            raise exception_for(MODERN, C.NOT_SUPPORTED, "This connection has no %s service" % self._field)
        return topo

    def _order(self, topo):
        nodes = [n for n in (getattr(topo.config, self._field, None) or []) if n]
        if not nodes:
            raise exception_for(MODERN, C.NO_MATCHING_SERVER, "No node runs the service this request needs")
        start = self._rr % len(nodes)
        self._rr += 1
        return nodes[start:] + nodes[:start]

    @staticmethod
    def error(failure):
        """The modern exception for an internal failure."""
        return exception_for(MODERN, failure.rc, failure.message, inner_cause=failure.cause)

    async def open(self, method, path, body=None, content_type=None, timeout=2.5, idempotent=True):
        """Send the request and read the answer's head within `timeout` seconds: (exchange,
        status, lower-case headers, headers as sent); the caller reads the body
        (``couchbase._core.aio_http``) and closes the exchange."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        topo = self._topology()
        last = None
        refreshed = False
        while True:
            for host, port in self._order(topo):
                try:
                    return await _aio_http.begin(host, port, method, path, topo.user, topo.password or "", body,
                                                 content_type, deadline, topo.tls, self.pool)
                except _aio_http._Failure as f:
                    last = f
                    if f.rc == C.PROTOCOL_ERROR or f.rc in _http._TLS_REFUSALS or loop.time() >= deadline:
                        raise self.error(f) from None
                    if f.sent and not idempotent:
                        raise self.error(f) from None
            if refreshed or loop.time() >= deadline:
                raise self.error(last)
            refreshed = True
            try:
                await topo.refresh(-1, time.monotonic() + max(0.0, deadline - loop.time()))
            except CouchbaseError:
                pass

    async def request(self, method, path, body=None, content_type=None, timeout=2.5, idempotent=True,
                      limit=_http.MAX_BODY):
        """A whole exchange: (status, headers as sent, body bytes); a body that breaks off is
        asked for again (from the next node) when the request is `idempotent`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            ex, status, lower, raw = await self.open(method, path, body, content_type,
                                                     max(0.001, deadline - loop.time()), idempotent)
            try:
                return status, raw, await _aio_http.read_body(ex, method, status, lower, limit)
            except _aio_http._Failure as f:
                if f.rc == C.PROTOCOL_ERROR or not idempotent or loop.time() >= deadline:
                    raise self.error(f) from None
            finally:
                ex.close()
