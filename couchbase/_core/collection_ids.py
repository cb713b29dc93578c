"""Collection-id resolution: GET_COLLECTION_ID (0xbb) with a per-bucket cache.

The request's value is ``scope.collection``; a successful answer carries the manifest
uid (u64) and the collection id (u32) in its extras, which the core reports in the
result's ``seqno`` and ``counter`` fields. The id then travels in every request of that
collection and the core prefixes the key with its LEB128 form.
"""
import threading

from couchbase._core.binding import C
from couchbase._core.protocol import OP
from couchbase._core.session import Request
from couchbase.exceptions import (
    AmbiguousTimeoutException, AuthenticationException, BucketNotFoundException, CollectionNotFoundException,
    CouchbaseException, InvalidArgumentException, ScopeNotFoundException, UnAmbiguousTimeoutException,
)

DEFAULT = "_default"


class CollectionIds:
    """``{(scope, collection): id}`` for one bucket connection; lookups go to server 0
    (any node answers from the same manifest)."""

    def __init__(self, session):
        self._session = session
        self._ids = {(DEFAULT, DEFAULT): 0}
        self._manifest_uid = 0
        self._lock = threading.Lock()

    def cached(self, scope, collection):
        return self._ids.get((scope, collection))

    def resolve(self, scope, collection, timeout, refresh=False):
        """The collection id, from the cache unless `refresh`; raises Scope/CollectionNotFoundException."""
        key = (scope, collection)
        if not refresh:
            cid = self._ids.get(key)
            if cid is not None:
                return cid
        if key == (DEFAULT, DEFAULT):
            return 0
        r = self._session.raw_run([self.request(scope, collection)], timeout)[0]
        return self.answer(scope, collection, r)

    @staticmethod
    def request(scope, collection):
        """The GET_COLLECTION_ID request of a collection."""
        return Request(OP.GET_COLLECTION_ID, value=("%s.%s" % (scope, collection)).encode(), server=0)

    def answer(self, scope, collection, r):
        """The id in answer `r` to ``request(scope, collection)`` (cached), or its exception."""
        key = (scope, collection)
        # the answer's extras (manifest uid u64, collection id u32) arrive as seqno and counter
        rc, uid, cid = r.rc, r.seqno, r.counter
        if rc == 0:
            with self._lock:
                self._ids[key] = cid
                self._manifest_uid = max(self._manifest_uid, uid)
            return cid
        with self._lock:
            self._ids.pop(key, None)
        where = "%s.%s" % (scope, collection)
        if rc == C.UNKNOWN_SCOPE:
            raise ScopeNotFoundException("Scope %r not found" % scope, key=where)
        if rc == C.UNKNOWN_COLLECTION:
            raise CollectionNotFoundException("Collection %r not found" % where, key=where)
        if rc in (C.AUTH_ERROR, C.ACCESS_DENIED):
            raise AuthenticationException("Not allowed to resolve %s" % where, key=where)
        if rc in (C.NO_BUCKET, C.BUCKET_ENOENT):
            raise BucketNotFoundException("No bucket selected", key=where)
        if rc == C.EINVAL:
            raise InvalidArgumentException("Invalid collection path %r" % where, key=where)
        if rc == C.ETIMEDOUT:
            raise UnAmbiguousTimeoutException("Timed out resolving collection %s" % where, key=where)
        if rc in (C.NETWORK_ERROR, C.CONNECT_ERROR, C.NO_MATCHING_SERVER):
            raise AmbiguousTimeoutException("No node answered the collection lookup for %s" % where, key=where)
        raise CouchbaseException("Collection lookup failed (core code 0x%X)" % rc, key=where, rc=rc)

