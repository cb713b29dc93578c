"""ping, diagnostics and wait_until_ready of the asyncio face (couchbase._modern.health on
the event loop): a NOOP per data node over the event-driven sessions, an HTTP request per
node of every other service, all at once; the report is built as the blocking face builds it."""
import asyncio
import time
from datetime import timedelta

from couchbase._core import aio_http as _aio_http
from couchbase._core.aio import Request
from couchbase._core.protocol import OP
from couchbase._modern import health as _health
from couchbase._modern.results import DiagnosticsResult, PingResult
from couchbase.diagnostics import ServiceType
from couchbase.exceptions import CouchbaseError, UnAmbiguousTimeoutException


async def _kv_targets(cluster, bucket):
    if bucket is not None:
        session = bucket._connection()
        return [(session, i, hp, bucket.name) for i, hp in enumerate(session.nodes)]
    session = await cluster._kv_session()
    out = [(session, 0, session.nodes[0], None)]
    for b in list(cluster._buckets.values()):
        if not b._closed and b._session is not None:
            out += [(b._session, i, hp, b.name) for i, hp in enumerate(b._session.nodes)]
    return out


async def _ping_kv(session, index, remote, timeout, bucket_name):
    started = time.perf_counter()
    try:
        rc = (await session.raw_run([Request(OP.NOOP, server=index)], timeout, retry=False))[0].rc
    except CouchbaseError as e:
        rc = getattr(e, "rc", -1) or -1
    return _health.kv_entry(remote, bucket_name, rc, started, timeout)


async def _ping_http(svc, host, port, path, timeout, cluster):
    s = cluster._settings
    started = time.perf_counter()
    try:
        await _aio_http.request(host, port, "GET", path, s.username, s.password, timeout=timeout, tls=s.security.tls)
        error = None
    except CouchbaseError as e:
        error = e
    return _health.http_entry(svc, host, port, started, error)


async def ping(cluster, bucket, opts, kwargs) -> PingResult:
    """PingResult of the requested service types (default: every service the cluster runs)."""
    o, timeout = _health.ping_options(cluster, opts, kwargs)
    services = {}
    for svc in _health._service_types(o, [ServiceType.KeyValue] if bucket is not None else None):
        if svc == ServiceType.KeyValue:
            services["key_value"] = list(await asyncio.gather(
                *[_ping_kv(s, i, hp, timeout, name) for s, i, hp, name in await _kv_targets(cluster, bucket)]))
            continue
        key, path = _health._HTTP[svc]
        eps = await asyncio.gather(*[_ping_http(svc, n.host, n.services[key], path, timeout, cluster)
                                     for n in await cluster._nodes.nodes() if key in n.services])
        if eps:
            services[svc.value] = list(eps)
    return _health.ping_result(o, services)


def diagnostics(cluster, opts, kwargs) -> DiagnosticsResult:
    """DiagnosticsResult of the open KV connections (no traffic)."""
    return _health.diagnostics_result(cluster, opts, kwargs, cluster._kv, list(cluster._buckets.values()))


async def wait_until_ready(cluster, timeout, opts, kwargs) -> None:
    """Return once the requested services answer as ``desired_state`` asks;
    UnAmbiguousTimeoutException after `timeout`."""
    seconds, desired, types = _health.ready_options(timeout, opts, kwargs)
    deadline = time.monotonic() + seconds
    last = None
    while True:
        left = deadline - time.monotonic()
        try:
            report = await ping(cluster, None, (), {"service_types": types,
                                                    "timeout": timedelta(seconds=max(0.05, min(left, 2)))})
            if _health.is_ready(report, desired):
                return None
        except CouchbaseError as e:
            last = e
        if time.monotonic() >= deadline:
            raise UnAmbiguousTimeoutException("The cluster was not ready within %.3fs" % seconds, inner_cause=last)
        await asyncio.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
