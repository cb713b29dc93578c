"""ping, diagnostics and wait_until_ready of the modern API.

ping sends a NOOP to each data node (a bucket's connections for ``bucket.ping()``, the
cluster's bucket-less connection for ``cluster.ping()``) and an HTTP request to each node of
every other service the cluster runs (views, management, query, search, analytics,
eventing); diagnostics reports the open KV connections without any traffic.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:

    from couchbase._modern.results import DiagnosticsResult, PingResult

import time
import uuid
from datetime import timedelta

from couchbase._core import http as _http
from couchbase._core.protocol import AGENT, OP
from couchbase._core.session import Request
from couchbase._modern.kv import _check_keys, _merge
from couchbase._modern.results import DiagnosticsResult, PingResult
from couchbase.diagnostics import ClusterState, PingState, ServiceType
from couchbase.exceptions import CouchbaseError, InvalidArgumentException, UnAmbiguousTimeoutException
from couchbase.options import DiagnosticsOptions, PingOptions, WaitUntilReadyOptions

#: ServiceType -> (cluster_nodes service key, ping path)
_HTTP = {ServiceType.View: ("views", "/"), ServiceType.Management: ("mgmt", "/pools"),
         ServiceType.Query: ("query", "/admin/ping"), ServiceType.Search: ("search", "/api/ping"),
         ServiceType.Analytics: ("analytics", "/admin/ping"), ServiceType.Eventing: ("eventing", "/api/v1/config")}
_SDK = AGENT.decode()
_PING_TIMEOUT = 10.0


def _service_types(o, default=None):
    types = o.get("service_types") if o else None
    if types is None:
        return list(default or ServiceType)
    if isinstance(types, ServiceType):
        types = [types]
    if not all(isinstance(t, ServiceType) for t in types):
        raise InvalidArgumentException("service_types must be ServiceType values.")
    return list(types)


def _kv_targets(cluster, bucket):
    """[(session, server index, "host:port", bucket name)] of the KV endpoints to ping: a
    bucket's connections, or the cluster's own and those of every open bucket."""
    if bucket is not None:
        session = bucket._connection()
        return [(session, i, hp, bucket.name) for i, hp in enumerate(session.nodes)]
    session = cluster._nodes.kv_session()
    out = [(session, 0, session.nodes[0], None)]
    for b in list(cluster._buckets.values()):
        if not b._closed:
            out += [(b._session, i, hp, b.name) for i, hp in enumerate(b._session.nodes)]
    return out


def kv_entry(remote, bucket_name, rc, started, timeout):
    """A KV ping report entry: a NOOP to `remote` started at `started` (perf_counter) that
    answered with core code `rc` (0: it answered)."""
    entry = {"id": uuid.uuid4().hex[:16], "type": "key_value", "remote": remote, "bucket": bucket_name,
             "latency_us": int((time.perf_counter() - started) * 1e6)}
    if rc:
        timed_out = entry["latency_us"] >= timeout * 1e6 * 0.99
        entry["state"] = (PingState.TIMEOUT if timed_out else PingState.ERROR).value
        entry["error"] = "core code 0x%X" % rc
    else:
        entry["state"] = PingState.OK.value
    return entry


def http_entry(svc, host, port, started, error):
    """An HTTP ping report entry of service `svc` at host:port, started at `started`
    (perf_counter); `error` is the CouchbaseError it met, or None."""
    entry = {"id": uuid.uuid4().hex[:16], "type": svc.value, "remote": "%s:%d" % (host, port)}
    if error is None:
        entry["state"] = PingState.OK.value
    else:
        entry["state"] = (PingState.TIMEOUT if "timed out" in str(error) else PingState.ERROR).value
        entry["error"] = str(getattr(error, "message", error))
    entry["latency_us"] = int((time.perf_counter() - started) * 1e6)
    return entry


def ping_options(cluster, opts, kwargs):
    """(options, timeout in seconds) of a ping, checked."""
    o = _merge(opts, kwargs)
    if o:
        _check_keys(o, PingOptions._valid, "ping")
    cluster._check_open()
    return o, (o["timeout"].total_seconds() if o and o.get("timeout") else _PING_TIMEOUT)


def ping_result(o, services) -> PingResult:
    return PingResult({"version": 2, "id": (o or {}).get("report_id") or str(uuid.uuid4()), "sdk": _SDK,
                       "services": services})


def diagnostics_result(cluster, opts, kwargs, kv, buckets) -> DiagnosticsResult:
    """DiagnosticsResult of the cluster's bucket-less connection `kv` (or None) and the
    sessions of the open `buckets` (no traffic)."""
    o = _merge(opts, kwargs)
    if o:
        _check_keys(o, DiagnosticsOptions._valid, "diagnostics")
    cluster._check_open()
    eps = []
    if kv is not None and not kv.closed:
        eps.append({"id": uuid.uuid4().hex[:16], "type": "key_value", "remote": kv.nodes[0], "state": "connected"})
    for b in buckets:
        if b._closed or b._session is None:
            continue
        state = "disconnected" if b._session.closed else "connected"
        for hp in b._session.nodes:
            eps.append({"id": uuid.uuid4().hex[:16], "type": "key_value", "remote": hp, "state": state,
                        "bucket": b.name})
    return DiagnosticsResult({"version": 2, "id": (o or {}).get("report_id") or str(uuid.uuid4()), "sdk": _SDK,
                              "services": {"key_value": eps} if eps else {}})


def ready_options(timeout, opts, kwargs):
    """(seconds, desired state, service types) of wait_until_ready, checked."""
    o = _merge(opts, kwargs)
    if o:
        _check_keys(o, WaitUntilReadyOptions._valid, "wait_until_ready")
    seconds = timeout.total_seconds() if hasattr(timeout, "total_seconds") else float(timeout)
    desired = (o or {}).get("desired_state", ClusterState.Online)
    if desired not in (ClusterState.Online, ClusterState.Degraded):
        raise InvalidArgumentException("desired_state must be ClusterState.Online or ClusterState.Degraded.")
    return seconds, desired, _service_types(o)


def is_ready(report, desired):
    """Whether a ping report shows the cluster in the `desired` state; services the
    cluster does not run have no endpoints: nothing to wait for."""
    states = [e.state for eps in report.endpoints.values() for e in eps]
    return not states or (all(s == PingState.OK for s in states) if desired == ClusterState.Online
                          else any(s == PingState.OK for s in states))


def _ping_kv(session, index, remote, timeout, bucket_name):
    started = time.perf_counter()
    try:
        rc = session.raw_run([Request(OP.NOOP, server=index)], timeout, retry=False)[0].rc
    except CouchbaseError as e:
        rc = getattr(e, "rc", -1) or -1
    return kv_entry(remote, bucket_name, rc, started, timeout)


def _ping_http(svc, host, port, path, timeout, cluster):
    s = cluster._settings
    started = time.perf_counter()
    try:
        _http.request(host, port, "GET", path, s.username, s.password, timeout=timeout, tls=s.security.tls)
        error = None
    except CouchbaseError as e:
        error = e
    return http_entry(svc, host, port, started, error)


def ping(cluster, bucket, opts, kwargs) -> PingResult:
    """PingResult of the requested service types (default: every service the cluster runs)."""
    o, timeout = ping_options(cluster, opts, kwargs)
    services = {}
    # a bucket's ping is about its data connections; the cluster's about every service
    for svc in _service_types(o, [ServiceType.KeyValue] if bucket is not None else None):
        if svc == ServiceType.KeyValue:
            services["key_value"] = [_ping_kv(s, i, hp, timeout, name)
                                     for s, i, hp, name in _kv_targets(cluster, bucket)]
            continue
        key, path = _HTTP[svc]
        eps = [_ping_http(svc, n.host, n.services[key], path, timeout, cluster)
               for n in cluster._nodes.nodes() if key in n.services]
        if eps:
            services[svc.value] = eps
    return ping_result(o, services)


def diagnostics(cluster, opts, kwargs) -> DiagnosticsResult:
    """DiagnosticsResult of the open KV connections (no traffic)."""
    return diagnostics_result(cluster, opts, kwargs, cluster._nodes._session, list(cluster._buckets.values()))


def wait_until_ready(cluster, timeout, opts, kwargs) -> None:
    """Return once the requested services (default: KV and every service the cluster runs)
    answer as ``desired_state`` asks; UnAmbiguousTimeoutException after `timeout`."""
    seconds, desired, types = ready_options(timeout, opts, kwargs)
    deadline = time.monotonic() + seconds
    last = None
    while True:
        left = deadline - time.monotonic()
        try:
            if is_ready(ping(cluster, None, (), {"service_types": types,
                                                  "timeout": timedelta(seconds=max(0.05, min(left, 2)))}), desired):
                return None
        except CouchbaseError as e:
            last = e
        if time.monotonic() >= deadline:
            raise UnAmbiguousTimeoutException("The cluster was not ready within %.3fs" % seconds, inner_cause=last)
        time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
