"""The nodes of a cluster and the services each runs (``nodesExt`` of a config), for the
management API, ping, diagnostics and the services this SDK does not run.

Where they come from: the config of an open bucket, else a cluster-level config fetched over
KV (GET_CLUSTER_CONFIG on a connection that authenticates but selects no bucket), else the
REST port's ``/pools/default``. The bucket-less connection is kept for the cluster's ping.
Over TLS (``couchbases://``, ``enable_tls``) the ports are the TLS ones the nodes advertise
(``kvSSL``, ``mgmtSSL``, ``capiSSL`` ...) and REST goes over HTTPS.
"""
import json
import time

from couchbase._core import connstr as _connstr
from couchbase._core import http as _http
from couchbase._core.protocol import FEATURE_TCPNODELAY, FEATURE_XERROR, OP, hello
from couchbase._core.session import Request, Session
from couchbase.exceptions import MODERN, CouchbaseError, UnAmbiguousTimeoutException

#: nodesExt service names -> the 4.x ServiceType values
SERVICE_NAMES = {"kv": "kv", "mgmt": "mgmt", "capi": "views", "n1ql": "query", "fts": "search", "cbas": "analytics",
                 "eventingAdminPort": "eventing"}
#: the same services' TLS ports
TLS_SERVICE_NAMES = {"kvSSL": "kv", "mgmtSSL": "mgmt", "capiSSL": "views", "n1qlSSL": "query", "ftsSSL": "search",
                     "cbasSSL": "analytics", "eventingSSL": "eventing"}


class Node:
    """One node: its host and {service: port} (kv, mgmt, views, query, search, analytics, eventing)."""

    __slots__ = ("host", "services")

    def __init__(self, host, services):
        self.host = host
        self.services = services

    def __repr__(self):
        return "Node(%r, %r)" % (self.host, self.services)


def _host(name, origin):
    if not name or name == "$HOST":
        return origin
    if name.startswith("[") and name.endswith("]"):
        return name[1:-1]
    return name


def parse_nodes(doc, origin, tls=False):
    """[Node] of a config document (nodesExt; the ``nodes`` list of /pools/default otherwise);
    with `tls` the services' TLS ports."""
    out = []
    names = TLS_SERVICE_NAMES if tls else SERVICE_NAMES
    ext = doc.get("nodesExt")
    if ext:
        for n in ext:
            svc = n.get("services") or {}
            out.append(Node(_host(n.get("hostname"), origin),
                            {names[k]: int(v) for k, v in svc.items() if k in names}))
        return out
    for n in doc.get("nodes") or []:
        host, _, port = (n.get("hostname") or "").rpartition(":")
        ports = n.get("ports") or {}
        services = {"mgmt": int(port)} if port.isdigit() and not tls else {}
        if tls and ports.get("httpsMgmt"):
            services["mgmt"] = int(ports["httpsMgmt"])
        if ports.get("direct") and not tls:
            services["kv"] = int(ports["direct"])
        out.append(Node(_host(host, origin), services))
    return out


class ClusterNodes:
    """The nodes of one Cluster, found on first use and kept until refreshed."""

    def __init__(self, cluster):
        self._cluster = cluster
        self._nodes = None
        self._session = None

    def nodes(self, refresh=False):
        if self._nodes is None or refresh:
            self._nodes = self._fetch()
        return self._nodes

    def rest_endpoints(self):
        """[(host, mgmt port)] of the nodes that run the management service."""
        eps = [(n.host, n.services["mgmt"]) for n in self.nodes() if "mgmt" in n.services]
        if not eps:
            eps = [(n.host, n.services["mgmt"]) for n in self.nodes(refresh=True) if "mgmt" in n.services]
        return eps

    def has_service(self, name):
        return any(name in n.services for n in self.nodes())

    def kv_session(self):
        """The bucket-less KV session (created on first use), pointed at one data node."""
        if self._session is None or self._session.closed:
            s = self._cluster._settings
            spec = self._cluster._spec
            session = Session(MODERN, timeout=s.connect_timeout)
            tls = s.security.tls is not None
            host = spec.hosts[0][0]
            port = spec.hosts[0][1] or _connstr.DEFAULT_PORTS["couchbases" if tls else "couchbase"]
            session.set_servers([(host, port)])
            session.set_prelude(hello((FEATURE_TCPNODELAY, FEATURE_XERROR)))
            s.security.apply(session.conn, s.username, s.password, MODERN)
            self._session = session
        return self._session

    def close(self):
        if self._session is not None:
            self._session.close()
            self._session = None

    def _fetch(self):
        cluster = self._cluster
        s = cluster._settings
        tls = s.security.tls is not None
        for b in list(cluster._buckets.values()):
            topo = getattr(b._session, "topology", None) if not b._closed else None
            cfg = topo.config if topo is not None else None
            if cfg is not None and getattr(cfg, "raw", None) and cfg.raw.get("nodesExt"):
                return parse_nodes(cfg.raw, cfg.servers[0][0] if cfg.servers else "127.0.0.1", tls)
        last = None
        if cluster._spec.scheme in ("couchbase", "couchbases"):
            try:
                session = self.kv_session()
                r = session.raw_run([Request(OP.GET_CLUSTER_CONFIG, server=0)], s.connect_timeout, retry=False)[0]
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
                status, _h, body = _http.request(host, port or rest_port, "GET", "/pools/default", s.username,
                                                 s.password, timeout=max(0.05, deadline - time.monotonic()),
                                                 tls=s.security.tls)
                if status == 200:
                    return parse_nodes(json.loads(body), host, tls)
            except CouchbaseError as e:
                last = e
        raise UnAmbiguousTimeoutException("Could not read the cluster's nodes", inner_cause=last)
