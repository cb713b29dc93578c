"""Cluster: the entry point of the modern API.

    cluster = Cluster.connect("couchbase://host", ClusterOptions(PasswordAuthenticator("u", "p")))
    collection = cluster.bucket("travel-sample").scope("inventory").collection("airline")

Connection-string options (``couchbase://host?kv_timeout=2.5s``) are read as cluster options
(couchbase._modern.cluster_options); options given in code win over them.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Mapping, Optional, Tuple

    from datetime import timedelta

    from couchbase._modern.results import DiagnosticsResult, PingResult
    from couchbase._modern.services import AnalyticsResult, QueryResult, SearchResult
    from couchbase._modern.transcoders import Serializer, Transcoder
    from couchbase.auth import Authenticator
    from couchbase.options import (
        AnalyticsOptions, DiagnosticsOptions, PingOptions, QueryOptions, SearchOptions, WaitUntilReadyOptions,
    )

from couchbase._core import connstr as _connstr
from couchbase._core.tls import Security, TLSSettings
from couchbase._core.topology import probe_credentials
from couchbase._modern import cluster_options as _copts
from couchbase._modern import health as _health
from couchbase._modern import services as _services
from couchbase._modern.cluster_nodes import ClusterNodes
from couchbase.auth import CertificateAuthenticator, PasswordAuthenticator
from couchbase.bucket import Bucket
from couchbase.exceptions import InvalidArgumentException, UnAmbiguousTimeoutException
from couchbase.management.buckets import BucketManager
from couchbase.management.users import UserManager
from couchbase.options import (  # noqa: F401 (3.x imports)
    ClusterOptions, ClusterTimeoutOptions, TLSVerifyMode, cluster_timeouts,
)

__all__ = ["Cluster", "ClusterOptions", "ClusterTimeoutOptions"]


def _security(options: Mapping[str, Any], auth: Authenticator, scheme_tls: bool) -> Security:
    """TLS and SASL settings from the connection string's scheme, ClusterOptions
    (enable_tls, tls_verify, trust_store_path) and the authenticator."""
    cert_auth = isinstance(auth, CertificateAuthenticator)
    if not (scheme_tls or options.get("enable_tls", False)):
        if cert_auth:
            raise InvalidArgumentException("CertificateAuthenticator needs TLS: use couchbases:// or enable_tls=True.")
        return Security(None, auth.get("allowed_sasl_mechanisms"))
    verify = options.get("tls_verify", TLSVerifyMode.PEER) == TLSVerifyMode.PEER
    tls = TLSSettings(options.get("trust_store_path") or auth.get("trust_store_path"), verify,
                      auth.get("cert_path") if cert_auth else None, auth.get("key_path") if cert_auth else None)
    return Security(tls, auth.get("allowed_sasl_mechanisms"), cert_auth)


class _Settings:
    """What the buckets of a cluster need: credentials, TLS and SASL settings, timeouts
    (seconds), default transcoder."""

    def __init__(self, options: Any, spec: Any) -> None:
        auth = options.get("authenticator")
        self.username: Optional[str] = auth.get("username")
        self.password: Optional[str] = auth.get("password")
        self.security = _security(options, auth, spec.tls)
        t = cluster_timeouts(options)
        sec = {k: v.total_seconds() for k, v in t.items()}
        self.kv_timeout: float = sec["kv_timeout"]
        self.kv_durable_timeout = sec["kv_durable_timeout"]
        self.bootstrap_timeout = sec["bootstrap_timeout"]
        self.connect_timeout = sec["connect_timeout"]
        self.views_timeout = sec["views_timeout"]
        self.management_timeout = sec["management_timeout"]
        self.transcoder: Optional[Transcoder] = options.get("transcoder")
        self.serializer: Optional[Serializer] = options.get("serializer")
        #: bytes a server may announce for one response (None: the core's default, 21 MiB)
        self.max_response_size: Optional[int] = options.get("max_response_size")
        #: HELLO UnorderedExecution on the buckets' connections (4.x default: on)
        self.unordered_execution: bool = options.get("enable_unordered_execution") is not False


def parse_arguments(connstr: str, options: Tuple[Any, ...],
                    kwargs: Dict[str, Any]) -> Tuple[str, ClusterOptions, Any, _Settings]:
    """(connection string without its options, ClusterOptions, its parsed spec, _Settings) of
    a Cluster's arguments: connection-string options, then the options object, then kwargs."""
    if not isinstance(connstr, str):
        raise InvalidArgumentException("The connection string must be a str.")
    if options and isinstance(options[0], PasswordAuthenticator):
        raise InvalidArgumentException("Authenticator is mandatory.")
    if "//" not in connstr:
        connstr = "couchbase://" + connstr
    spec = _connstr.parse(connstr)
    opts = _copts.parse_connstr_options(spec.options.items())
    if options and isinstance(options[0], dict):
        opts.update(ClusterOptions(**dict(options[0])))
    opts.update({k: v for k, v in kwargs.items() if v is not None})
    opts = ClusterOptions(**opts)  # validates keys and types
    auth = opts.get("authenticator")
    if auth is None or ("username" not in auth and not isinstance(auth, CertificateAuthenticator)):
        raise InvalidArgumentException("Authenticator is mandatory.")
    base = connstr.partition("?")[0]
    spec = _connstr.parse(base)
    return base, opts, spec, _Settings(opts, spec)


class Cluster:
    """A connection to a cluster. ``Cluster(connstr, ClusterOptions(auth))`` checks the
    credentials against the first reachable node; ``bucket(name)`` opens a bucket."""

    def __init__(self, connstr: str, *options: ClusterOptions, **kwargs: Any) -> None:
        self._connstr, self._options, self._spec, self._settings = parse_arguments(connstr, options, kwargs)
        self._closed = False
        self._buckets: Dict[str, Bucket] = {}
        self._nodes = ClusterNodes(self)
        self._check_credentials()

    @staticmethod
    def connect(connstr: str, *options: ClusterOptions, **kwargs: Any) -> Cluster:
        """Same as ``Cluster(connstr, *options, **kwargs)``."""
        return Cluster(connstr, *options, **kwargs)

    def _check_credentials(self) -> None:
        """HELLO and SASL (or the client certificate) on one node, so bad credentials and
        certificates surface here as in 4.x."""
        if self._spec.scheme not in ("couchbase", "couchbases"):
            return
        s = self._settings
        port = 11207 if s.security.tls is not None else 11210
        last = probe_credentials([(h, p or port) for h, p in self._spec.hosts], s.username, s.password,
                                 s.connect_timeout, security=s.security)
        if last is not None:
            rc, detail = last
            raise UnAmbiguousTimeoutException("Failed to connect: %s" % (detail or "core code 0x%X" % rc), rc=rc)

    def bucket(self, bucket_name: str) -> Bucket:
        """Open bucket `bucket_name` (BucketNotFoundException when it does not exist)."""
        self._check_open()
        b = self._buckets.get(bucket_name)
        if b is None or b._closed:
            b = self._buckets[bucket_name] = Bucket(self, bucket_name)
        return b

    # ---- management (couchbase.management) ----

    def buckets(self) -> BucketManager:
        """BucketManager: create, update, drop, flush and list buckets."""
        return BucketManager(self)

    def users(self) -> UserManager:
        """UserManager: users, groups and roles."""
        return UserManager(self)

    # ---- health (couchbase._modern.health) ----

    def ping(self, *opts: PingOptions, **kwargs: Any) -> PingResult:
        """PingResult: a NOOP to a data node and a request to every node of the other services."""
        return _health.ping(self, None, opts, kwargs)

    def diagnostics(self, *opts: DiagnosticsOptions, **kwargs: Any) -> DiagnosticsResult:
        """DiagnosticsResult of the open connections (no traffic)."""
        return _health.diagnostics(self, opts, kwargs)

    def wait_until_ready(self, timeout: timedelta, *opts: WaitUntilReadyOptions, **kwargs: Any) -> None:
        """Return once the requested services answer (``service_types``, ``desired_state``);
        UnAmbiguousTimeoutException after `timeout` (a timedelta)."""
        self._check_open()
        return _health.wait_until_ready(self, timeout, opts, kwargs)

    # ---- services this SDK does not run (couchbase._modern.services) ----

    def query(self, statement: str, *options: QueryOptions, **kwargs: Any) -> QueryResult:
        """QueryResult; using it raises ServiceUnavailableException without a query service."""
        return _services.query(self, statement, options, kwargs)

    def analytics_query(self, statement: str, *options: AnalyticsOptions, **kwargs: Any) -> AnalyticsResult:
        return _services.analytics_query(self, statement, options, kwargs)

    def search_query(self, index: str, query: Any, *options: SearchOptions, **kwargs: Any) -> SearchResult:
        return _services.search(self, index, query, options, kwargs)

    def search(self, index: str, request: Any, *options: SearchOptions, **kwargs: Any) -> SearchResult:
        return _services.search(self, index, request, options, kwargs)

    # ---- lifecycle ----

    def close(self) -> None:
        """Close every bucket; idempotent. Later operations raise RuntimeError."""
        if self._closed:
            return
        self._closed = True
        for b in self._buckets.values():
            b.close()
        self._buckets.clear()
        self._nodes.close()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("Cannot perform operations on a closed cluster.")

    @property
    def connected(self) -> bool:
        return not self._closed

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return "Cluster(%r)" % (self._connstr,)
