"""Typed application code of the asyncio face (acouchbase): connect, open a bucket, store and
read documents, a multi read, a sub-document lookup, a counter, a manager, a design document
and a view query, close -- written as a user checking it with ``mypy --strict`` would.

tests/typing/test_mypy.py checks this file with ``mypy --strict`` (no errors allowed) and
runs it against the embedded cluster, so it stays both well typed and correct.
"""
from datetime import timedelta
from typing import Any, Dict, List, Optional

import couchbase.subdocument as SD
from acouchbase.bucket import AsyncBucket
from acouchbase.cluster import AsyncCluster, Cluster
from acouchbase.collection import AsyncCollection
from acouchbase.management.collections import ScopeSpec
from acouchbase.management.views import ViewIndexManager
from acouchbase.views import AsyncViewResult
from couchbase.auth import PasswordAuthenticator
from couchbase.exceptions import DocumentNotFoundException
from couchbase.management.views import DesignDocument, DesignDocumentNamespace, View
from couchbase.options import (
    ClusterOptions, ClusterTimeoutOptions, GetOptions, IncrementOptions, UpsertOptions, ViewOptions,
)
from couchbase.result import (
    CounterResult, ExistsResult, GetResult, LookupInResult, MultiGetResult, MutationResult, ViewResult,
)
from couchbase.views import ViewRow, ViewScanConsistency


async def connect(connstr: str, username: str, password: str) -> AsyncCluster:
    timeouts = ClusterTimeoutOptions(kv_timeout=timedelta(seconds=5))
    return await Cluster.connect(connstr, ClusterOptions(PasswordAuthenticator(username, password),
                                                         timeout_options=timeouts))


async def tutorial(cluster: AsyncCluster) -> Dict[str, Any]:
    seen: Dict[str, Any] = {}
    bucket: AsyncBucket = cluster.bucket("travel-sample")
    await bucket.on_connect()
    collection: AsyncCollection = bucket.default_collection()

    # store and read a document
    mutation: MutationResult = await collection.upsert("async-key", {"foo": "bar"},
                                                       UpsertOptions(expiry=timedelta(minutes=5)))
    token = mutation.mutation_token()
    seen["token_bucket"] = token.bucket_name if token is not None else None
    got: GetResult = await collection.get("async-key", GetOptions(timeout=timedelta(seconds=5)))
    doc: Dict[str, Any] = got.content_as[dict]
    seen["get"] = doc
    seen["cas_matches"] = got.cas == mutation.cas

    # several documents in one batch: the missing one lands in `exceptions`
    await collection.upsert("async-key-2", {"n": 2})
    many: MultiGetResult = await collection.get_multi(["async-key", "async-key-2", "async-missing"])
    seen["multi"] = {k: r.content_as[dict] for k, r in many.results.items()}
    seen["multi_failed"] = sorted(many.exceptions)

    # sub-document lookup
    looked: LookupInResult = await collection.lookup_in("async-key", [SD.get("foo"), SD.exists("missing")])
    foo: str = looked.content_as[str](0)
    seen["lookup"] = (foo, looked.exists(1))

    # a counter: created with its initial value, then incremented
    binary = collection.binary()
    counter: CounterResult = await binary.increment("async-counter", IncrementOptions(initial=10))
    again = await binary.increment("async-counter", IncrementOptions(delta=5))
    total: int = again.content
    seen["counter"] = (counter.content, total)

    # a named collection
    users = bucket.scope("tenant_agent_00").collection("users")
    await users.upsert("user-key", {"name": "John Doe"})
    found: ExistsResult = await users.exists("user-key")
    seen["exists"] = found.exists

    try:
        await collection.get("async-missing")
    except DocumentNotFoundException:
        seen["missing"] = True

    # a manager: every method is a coroutine
    scopes: List[ScopeSpec] = await bucket.collections().get_all_scopes()
    seen["scopes"] = sorted(s.name for s in scopes)

    # a design document made with the view-index manager, then a view query read with async for
    views: ViewIndexManager = bucket.view_indexes()
    await views.upsert_design_document(DesignDocument("typed", {
        "by_foo": View("function (doc, meta) { if (doc.foo) emit(doc.foo, null); }")}),
        DesignDocumentNamespace.DEVELOPMENT)
    ddoc: DesignDocument = await views.get_design_document("typed", DesignDocumentNamespace.DEVELOPMENT)
    seen["views"] = sorted(ddoc.views)
    result: AsyncViewResult = bucket.view_query("typed", "by_foo", ViewOptions(
        namespace=DesignDocumentNamespace.DEVELOPMENT, scan_consistency=ViewScanConsistency.REQUEST_PLUS))
    seen["view_keys"] = [row.key async for row in result.rows()]
    view_total: Optional[int] = result.metadata().total_rows()
    seen["view_total"] = view_total
    seen["view_is_result"] = isinstance(result, ViewResult)
    seen["view_ids"] = [row.id async for row in bucket.view_query(
        "typed", "by_foo", namespace=DesignDocumentNamespace.DEVELOPMENT, limit=5)]
    rows: List[ViewRow] = await bucket.view_query("typed", "by_foo",
                                                  namespace=DesignDocumentNamespace.DEVELOPMENT).execute()
    seen["view_rows"] = len(rows)
    await views.drop_design_document("typed", DesignDocumentNamespace.DEVELOPMENT)
    return seen


async def run(connstr: str, username: str, password: str) -> Dict[str, Any]:
    """Connect, run the tutorial, close the cluster (whatever happened)."""
    cluster: Optional[AsyncCluster] = None
    try:
        cluster = await connect(connstr, username, password)
        return await tutorial(cluster)
    finally:
        if cluster is not None:
            await cluster.close()
