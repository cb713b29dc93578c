"""Cluster: the entry point of the modern API.

    cluster = Cluster.connect("couchbase://host", ClusterOptions(PasswordAuthenticator("u", "p")))
    collection = cluster.bucket("travel-sample").scope("inventory").collection("airline")
"""
import time

from couchbase._core import connstr as _connstr
from couchbase._core.topology import probe_credentials
from couchbase.auth import PasswordAuthenticator
from couchbase.bucket import Bucket
from couchbase.exceptions import (
    InvalidArgumentException, UnAmbiguousTimeoutException,
)
from couchbase.options import ClusterOptions, ClusterTimeoutOptions, cluster_timeouts  # noqa: F401 (3.x imports)

__all__ = ["Cluster", "ClusterOptions", "ClusterTimeoutOptions"]

_QUERY_FLAGS = {"enable_tls", "enable_mutation_tokens", "enable_compression", "enable_tcp_keep_alive",
                "enable_dns_srv", "enable_unordered_execution", "network", "enable_lazy_connections"}


class _Settings:
    """What the buckets of a cluster need: credentials, timeouts (seconds), default transcoder."""

    def __init__(self, options):
        auth = options.get("authenticator")
        self.username = auth["username"]
        self.password = auth["password"]
        t = cluster_timeouts(options)
        sec = {k: v.total_seconds() for k, v in t.items()}
        self.kv_timeout = sec["kv_timeout"]
        self.kv_durable_timeout = sec["kv_durable_timeout"]
        self.bootstrap_timeout = sec["bootstrap_timeout"]
        self.connect_timeout = sec["connect_timeout"]
        self.views_timeout = sec["views_timeout"]
        self.management_timeout = sec["management_timeout"]
        self.transcoder = options.get("transcoder")
        self.enable_mutation_tokens = options.get("enable_mutation_tokens", True)
        #: bytes a server may announce for one response (None: the core's default, 21 MiB)
        self.max_response_size = options.get("max_response_size")


class Cluster:
    """A connection to a cluster. ``Cluster(connstr, ClusterOptions(auth))`` checks the
    credentials against the first reachable node; ``bucket(name)`` opens a bucket."""

    def __init__(self, connstr, *options, **kwargs):
        if not isinstance(connstr, str):
            raise InvalidArgumentException("The connection string must be a str.")
        opts = dict(options[0]) if options and isinstance(options[0], dict) else {}
        if options and isinstance(options[0], PasswordAuthenticator):
            raise InvalidArgumentException("Authenticator is mandatory.")
        base, _, query = connstr.partition("?")
        if query:
            for part in query.split("&"):
                name, _, value = part.partition("=")
                if name in _QUERY_FLAGS:
                    opts[name] = {"true": True, "false": False}.get(value, int(value) if value.isdigit() else value)
        opts.update({k: v for k, v in kwargs.items() if v is not None})
        opts = ClusterOptions(**opts)  # validates types
        auth = opts.get("authenticator")
        if auth is None or "username" not in auth:
            raise InvalidArgumentException("Authenticator is mandatory.")
        if "//" not in base:
            base = "couchbase://" + base
        self._connstr = base
        self._options = opts
        self._settings = _Settings(opts)
        self._closed = False
        self._buckets = {}
        self._spec = _connstr.parse(base)
        self._check_credentials()

    @staticmethod
    def connect(connstr, *options, **kwargs):
        """Same as ``Cluster(connstr, *options, **kwargs)``."""
        return Cluster(connstr, *options, **kwargs)

    def _check_credentials(self):
        """HELLO and SASL PLAIN on one node, so bad credentials surface here as in 4.x."""
        if self._spec.scheme != "couchbase":
            return
        s = self._settings
        last = probe_credentials([(h, p or 11210) for h, p in self._spec.hosts], s.username, s.password,
                                 s.connect_timeout)
        if last is not None:
            raise UnAmbiguousTimeoutException("Failed to connect (core code 0x%X)" % last, rc=last)

    def wait_until_ready(self, timeout, *options, **kwargs):
        """Return once a data node accepts these credentials (and every open bucket has a
        config); UnAmbiguousTimeoutException after `timeout` (a timedelta)."""
        self._check_open()
        seconds = timeout.total_seconds() if hasattr(timeout, "total_seconds") else float(timeout)
        deadline = time.monotonic() + seconds
        while True:
            try:
                self._check_credentials()
                if all(getattr(b, "_closed", False) is False for b in self._buckets.values()):
                    return
            except UnAmbiguousTimeoutException:
                if time.monotonic() >= deadline:
                    raise UnAmbiguousTimeoutException("The cluster was not ready within %.3fs" % seconds)
                time.sleep(0.05)

    def bucket(self, name):
        """Open bucket `name` (BucketNotFoundException when it does not exist)."""
        self._check_open()
        b = self._buckets.get(name)
        if b is None or b._closed:
            b = self._buckets[name] = Bucket(self, name)
        return b

    def close(self):
        """Close every bucket; idempotent. Later operations raise RuntimeError."""
        if self._closed:
            return
        self._closed = True
        for b in self._buckets.values():
            b.close()
        self._buckets.clear()

    def _check_open(self):
        if self._closed:
            raise RuntimeError("Cannot perform operations on a closed cluster.")

    @property
    def connected(self):
        return not self._closed

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "Cluster(%r)" % (self._connstr,)
