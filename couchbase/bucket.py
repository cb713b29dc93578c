"""Bucket of the modern API: it opens the session every collection of it shares."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional

    from couchbase._core.tls import Security
    from couchbase._modern.results import PingResult
    from couchbase._modern.views import ViewResult
    from couchbase.cluster import Cluster
    from couchbase.collection import Collection
    from couchbase.management.views import ViewIndexManager
    from couchbase.options import PingOptions, ViewOptions

from couchbase._core import connstr as _connstr
from couchbase._core.collection_ids import CollectionIds
from couchbase._core.protocol import modern_features
from couchbase._core.session import Session
from couchbase._modern import health as _health
from couchbase.exceptions import (
    MODERN, AuthenticationException, BucketNotFoundException, CouchbaseException, InvalidArgumentException,
    TLSException, UnAmbiguousTimeoutException,
)
from couchbase.management.collections import CollectionManager
from couchbase.scope import Scope

__all__ = ["Bucket"]


def open_session(connstr: str, name: str, username: Optional[str], password: Optional[str], bootstrap_timeout: float,
                 security: Optional[Security] = None, unordered: bool = True) -> Session:
    """A modern-face Session bootstrapped on bucket `name` (HELLO with XERROR and
    Collections, the collection-id prefix on; UnorderedExecution when `unordered`). Any
    failure other than bad credentials, a missing bucket, a bad argument or a refused
    certificate means the bucket could not be reached in time."""
    spec = _connstr.parse(connstr)
    if spec.scheme not in ("couchbase", "couchbases", "http", "https"):
        raise InvalidArgumentException("Unsupported connection string scheme %r" % spec.scheme)
    session = Session(MODERN, timeout=bootstrap_timeout)
    try:
        session.bootstrap(spec, name, username, password, modern_features(unordered), collections=True,
                          security=security)
    except (AuthenticationException, BucketNotFoundException, InvalidArgumentException, TLSException):
        raise
    except CouchbaseException as e:
        raise bootstrap_failure(name, e) from None
    return session


def bootstrap_failure(name: str, e: CouchbaseException) -> UnAmbiguousTimeoutException:
    """What a bucket whose bootstrap failed with `e` (not a refusal) raises: it could not be
    reached in time."""
    return UnAmbiguousTimeoutException("Failed to connect to bucket %r%s" % (name, ": %s" % e.message if e.message
                                                                                 else ""), inner_cause=e)


class Bucket:
    """One bucket of a Cluster: opened (bootstrapped) when created."""

    def __init__(self, cluster: Cluster, name: str) -> None:
        self._cluster = cluster
        self._name = name
        self._closed = False
        opts = cluster._settings
        self._session = open_session(cluster._connstr, name, opts.username, opts.password, opts.bootstrap_timeout,
                                     opts.security, opts.unordered_execution)
        self._session.timeout = opts.kv_timeout
        self._session.max_response_size = opts.max_response_size
        self.collection_ids = CollectionIds(self._session)
        self._default_scope: Optional[Scope] = None

    @property
    def name(self) -> str:
        return self._name

    def scope(self, name: str) -> Scope:
        """The named scope (no network traffic)."""
        return Scope(self, name)

    def default_scope(self) -> Scope:
        if self._default_scope is None:
            self._default_scope = Scope(self, Scope.default_name())
        return self._default_scope

    def default_collection(self) -> Collection:
        """``_default._default``."""
        return self.default_scope().collection("_default")

    def collection(self, collection_name: str) -> Collection:
        """Collection `collection_name` of the ``_default`` scope."""
        return self.default_scope().collection(collection_name)

    def collections(self) -> CollectionManager:
        """CollectionManager: the scopes and collections of this bucket."""
        return CollectionManager(self._cluster, self._name)

    def ping(self, *opts: PingOptions, **kwargs: Any) -> PingResult:
        """PingResult: a NOOP to each data node of this bucket, and a request to every node of
        the other services."""
        return _health.ping(self._cluster, self, opts, kwargs)

    # ---- views (couchbase._modern.views, couchbase.management.views) ----

    @property
    def _views_timeout(self) -> float:
        return self._cluster._settings.views_timeout

    @property
    def _management_timeout(self) -> float:
        return self._cluster._settings.management_timeout

    def view_query(self, design_doc: str, view_name: str, *view_options: ViewOptions, **kwargs: Any) -> ViewResult:
        """A lazy ViewResult of ``design_doc/view_name`` (rows streamed on iteration)."""
        from couchbase._modern.views import ViewResult, query_options
        opts = query_options(design_doc, view_name, view_options, kwargs)
        self._connection()
        return ViewResult(self, design_doc, view_name, opts)

    def view_indexes(self) -> ViewIndexManager:
        """The ViewIndexManager of this bucket's design documents."""
        from couchbase.management.views import ViewIndexManager
        return ViewIndexManager(self)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._session.close()

    def _connection(self) -> Session:
        """The session, or RuntimeError once the bucket or its cluster is closed."""
        if self._closed or self._cluster._closed:
            raise RuntimeError("Cannot perform operations on a closed cluster or bucket.")
        return self._session

    def __repr__(self) -> str:
        return "Bucket(name=%r)" % (self._name,)
