"""Bucket of the modern API, and the bucket connection every collection of it shares."""
import time

from couchbase import connstr as _connstr
from couchbase._binding import error_from, ffi, lib
from couchbase._bootstrap import MODERN_FEATURES, Bootstrap
from couchbase._collections import CollectionIds, request as _collection_id_request
from couchbase.connection import Connection
from couchbase.exceptions import (
    ArgumentError, AuthError, AuthenticationException, BucketNotFoundError, BucketNotFoundException,
    CouchbaseError, InvalidArgumentException, TimeoutError as _Timeout1, UnAmbiguousTimeoutException,
)
from couchbase.scope import Scope

__all__ = ["Bucket"]


def _noraise(failed, mres):
    """Raiser for Connection._execute: the modern API inspects result codes itself."""


class BucketConnection(Connection):
    """A classic Connection bootstrapped with the modern HELLO features (XERROR,
    Collections) and the collection-id prefix turned on in the core."""

    def _connect(self, bucket, host, port, username, password, text):
        spec = _connstr.parse(text)
        if spec.scheme not in ("couchbase", "http"):
            raise InvalidArgumentException("Unsupported connection string scheme %r" % spec.scheme)
        self._bucket = bucket
        self._bootstrap = Bootstrap(self, spec, bucket, username, password, features=MODERN_FEATURES)
        lib.cbc_conn_set_collections(self._core.conn, 1)
        self._raw_batch = self._core.new_batch()
        self.collection_ids = CollectionIds(self)
        self._bootstrap.connect()

    # ---- the KV path, with a per-call timeout ----

    def run(self, keys, op, add, classes, single, timeout):
        """Connection._execute with `timeout` seconds for this call; failures stay in the results."""
        return self._execute(keys, op, add, single=single, no_format=True, classes=classes, raiser=_noraise,
                             timeout=timeout)

    # ---- requests the batch builder does not describe (control, sub-document, observe) ----

    def raw_run(self, reqs, timeout):
        """Run filled cbc_REQUESTs on the control batch: a list of dicts with rc, status, cas,
        value (bytes), flags, seqno, counter, vbuuid, vbucket, server."""
        timeout_us = max(1000, int(timeout * 1e6))
        self._acquire()
        try:
            b = self._raw_batch
            lib.cbc_batch_reset(b)
            err = self._core.err
            for req in reqs:
                if lib.cbc_batch_add(b, req, err):
                    raise error_from(err)
            started = time.monotonic()
            if lib.cbc_batch_run(b, timeout_us, err):
                raise error_from(err)
            if self._bootstrap is not None:
                self._bootstrap.after_run(b, started, timeout)
            res = lib.cbc_batch_results(b)
            out = []
            for i in range(lib.cbc_batch_size(b)):
                r = res[i]
                out.append({"rc": r.rc, "status": r.status, "cas": r.cas, "flags": r.flags,
                            "value": ffi.unpack(r.value, r.nvalue) if r.nvalue else b"",
                            "seqno": r.seqno, "counter": r.counter, "vbuuid": r.vbuuid,
                            "vbucket": r.vbucket, "server": r.server, "datatype": r.datatype})
            return out
        finally:
            self._release()

    def collection_id_request(self, path, timeout):
        return _collection_id_request(self, path, timeout)


def open_bucket(connstr, name, username, password, timeout, bootstrap_timeout):
    """A BucketConnection, with the classic errors turned into the modern ones."""
    try:
        return BucketConnection(bucket=name, connstr=connstr, username=username, password=password,
                                timeout=bootstrap_timeout)
    except AuthError as e:
        raise AuthenticationException("Authentication failed for bucket %r" % name, inner_cause=e) from e
    except BucketNotFoundError as e:
        raise BucketNotFoundException("Bucket %r not found" % name, inner_cause=e) from e
    except ArgumentError as e:
        raise InvalidArgumentException(str(e.message or e), inner_cause=e) from e
    except (_Timeout1, CouchbaseError) as e:
        if isinstance(e, BucketNotFoundException) or isinstance(e, AuthenticationException):
            raise
        raise UnAmbiguousTimeoutException("Failed to connect to bucket %r" % name, inner_cause=e) from e


class Bucket:
    """One bucket of a Cluster: opened (bootstrapped) when created."""

    def __init__(self, cluster, name):
        self._cluster = cluster
        self._name = name
        self._closed = False
        opts = cluster._settings
        self._conn = open_bucket(cluster._connstr, name, opts.username, opts.password, opts.kv_timeout,
                                 opts.bootstrap_timeout)
        self._conn.timeout = opts.kv_timeout
        self._default_scope = None

    @property
    def name(self):
        return self._name

    def scope(self, name):
        """The named scope (no network traffic)."""
        return Scope(self, name)

    def default_scope(self):
        if self._default_scope is None:
            self._default_scope = Scope(self, Scope.default_name())
        return self._default_scope

    def default_collection(self):
        """``_default._default``."""
        return self.default_scope().collection("_default")

    def collection(self, name):
        """Collection `name` of the ``_default`` scope."""
        return self.default_scope().collection(name)

    def close(self):
        if not self._closed:
            self._closed = True
            self._conn._close()

    def _connection(self):
        if self._closed or self._cluster._closed:
            raise RuntimeError("Cannot perform operations on a closed cluster or bucket.")
        return self._conn

    def __repr__(self):
        return "Bucket(name=%r)" % (self._name,)
