"""ping, diagnostics and wait_until_ready of the asyncio face (couchbase._modern.health on
the event loop): a NOOP per data node over the event-driven sessions, an HTTP request per
node of every other service, all at once; the report is built as the blocking face builds it."""
import asyncio
import time
import uuid
from datetime import timedelta

from couchbase._core import aio_http as _aio_http
from couchbase._core.aio import Request
from couchbase._core.protocol import OP
from couchbase._modern import health as _health
from couchbase._modern.kv import _check_keys, _merge
from couchbase._modern.results import DiagnosticsResult, PingResult
from couchbase.diagnostics import ClusterState, PingState, ServiceType
from couchbase.exceptions import CouchbaseError, InvalidArgumentException, UnAmbiguousTimeoutException
from couchbase.options import DiagnosticsOptions, PingOptions, WaitUntilReadyOptions


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
    entry = {"id": uuid.uuid4().hex[:16], "type": "key_value", "remote": remote, "bucket": bucket_name}
    started = time.perf_counter()
    try:
        rc = (await session.raw_run([Request(OP.NOOP, server=index)], timeout, retry=False))[0].rc
    except CouchbaseError as e:
        rc = getattr(e, "rc", -1) or -1
    entry["latency_us"] = int((time.perf_counter() - started) * 1e6)
    if rc:
        timed_out = entry["latency_us"] >= timeout * 1e6 * 0.99
        entry["state"] = (PingState.TIMEOUT if timed_out else PingState.ERROR).value
        entry["error"] = "core code 0x%X" % rc
    else:
        entry["state"] = PingState.OK.value
    return entry


async def _ping_http(svc, host, port, path, timeout, cluster):
    s = cluster._settings
    entry = {"id": uuid.uuid4().hex[:16], "type": svc.value, "remote": "%s:%d" % (host, port)}
    started = time.perf_counter()
    try:
        await _aio_http.request(host, port, "GET", path, s.username, s.password, timeout=timeout, tls=s.security.tls)
        entry["state"] = PingState.OK.value
    except CouchbaseError as e:
        entry["state"] = (PingState.TIMEOUT if "timed out" in str(e) else PingState.ERROR).value
        entry["error"] = str(getattr(e, "message", e))
    entry["latency_us"] = int((time.perf_counter() - started) * 1e6)
    return entry


async def ping(cluster, bucket, opts, kwargs) -> PingResult:
    """PingResult of the requested service types (default: every service the cluster runs)."""
    o = _merge(opts, kwargs)
    if o:
        _check_keys(o, PingOptions._valid, "ping")
    cluster._check_open()
    timeout = o["timeout"].total_seconds() if o and o.get("timeout") else _health._PING_TIMEOUT
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
    return PingResult({"version": 2, "id": (o or {}).get("report_id") or str(uuid.uuid4()), "sdk": _health._SDK,
                       "services": services})


def diagnostics(cluster, opts, kwargs) -> DiagnosticsResult:
    """DiagnosticsResult of the open KV connections (no traffic)."""
    o = _merge(opts, kwargs)
    if o:
        _check_keys(o, DiagnosticsOptions._valid, "diagnostics")
    cluster._check_open()
    eps = []
    kv = cluster._kv
    if kv is not None and not kv.closed:
        eps.append({"id": uuid.uuid4().hex[:16], "type": "key_value", "remote": kv.nodes[0], "state": "connected"})
    for b in [b for b in cluster._buckets.values() if not b._closed and b._session is not None]:
        state = "disconnected" if b._session.closed else "connected"
        for hp in b._session.nodes:
            eps.append({"id": uuid.uuid4().hex[:16], "type": "key_value", "remote": hp, "state": state,
                        "bucket": b.name})
    return DiagnosticsResult({"version": 2, "id": (o or {}).get("report_id") or str(uuid.uuid4()),
                              "sdk": _health._SDK, "services": {"key_value": eps} if eps else {}})


async def wait_until_ready(cluster, timeout, opts, kwargs) -> None:
    """Return once the requested services answer as ``desired_state`` asks;
    UnAmbiguousTimeoutException after `timeout`."""
    o = _merge(opts, kwargs)
    if o:
        _check_keys(o, WaitUntilReadyOptions._valid, "wait_until_ready")
    seconds = timeout.total_seconds() if hasattr(timeout, "total_seconds") else float(timeout)
    desired = (o or {}).get("desired_state", ClusterState.Online)
    if desired not in (ClusterState.Online, ClusterState.Degraded):
        raise InvalidArgumentException("desired_state must be ClusterState.Online or ClusterState.Degraded.")
    deadline = time.monotonic() + seconds
    types = _health._service_types(o)
    last = None
    while True:
        left = deadline - time.monotonic()
        try:
            report = await ping(cluster, None, (), {"service_types": types,
                                                    "timeout": timedelta(seconds=max(0.05, min(left, 2)))})
            states = [e.state for eps in report.endpoints.values() for e in eps]
            if not states or (all(s == PingState.OK for s in states) if desired == ClusterState.Online
                              else any(s == PingState.OK for s in states)):
                return None
        except CouchbaseError as e:
            last = e
        if time.monotonic() >= deadline:
            raise UnAmbiguousTimeoutException("The cluster was not ready within %.3fs" % seconds, inner_cause=last)
        await asyncio.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
