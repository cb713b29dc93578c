"""Application code with deliberate type errors: ``mypy --strict`` must report each line marked
``# error: [<code>]`` (one marker per expected error) and nothing else.

tests/typing/test_mypy.py checks it; it is never run.
"""
from datetime import timedelta

import couchbase.subdocument as SD
from acouchbase.cluster import AsyncCluster
from acouchbase.collection import AsyncCollection
from couchbase import Couchbase
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.collection import Collection
from couchbase.management.options import GetUserOptions
from couchbase.management.views import DesignDocumentNamespace
from couchbase.options import (
    ClusterOptions, GetOptions, IncrementOptions, InsertOptions, RemoveOptions, UpsertOptions,
)
from couchbase.result import CounterResult, GetResult, MutationResult


def modern(cluster: Cluster, coll: Collection) -> None:
    coll.get(123, GetOptions(timeout="5s"))  # error: [arg-type] # error: [arg-type]
    GetOptions(timeout=5)  # error: [arg-type]
    GetOptions(timeot=timedelta(seconds=1))  # error: [call-arg]
    cluster.bucket(5)  # error: [arg-type]
    result = coll.get("key")
    result.content_as[dict].nonexistent  # error: [attr-defined]
    result.content_as[int] + "x"  # error: [operator]
    result.cas.upper()  # error: [attr-defined]
    result.expiry_time.year  # error: [union-attr]
    coll.upsert("key", {}, GetOptions())  # error: [arg-type]
    InsertOptions(expiry=30)  # error: [arg-type]
    RemoveOptions(cas="abc")  # error: [arg-type]
    UpsertOptions(durability="majority")  # error: [arg-type]
    wrong: MutationResult = coll.get("key")  # error: [assignment]
    ClusterOptions(PasswordAuthenticator("user", "pass"), kv_timeout=2.5)  # error: [arg-type]
    PasswordAuthenticator("user", 123)  # error: [arg-type]
    coll.lookup_in("key", [SD.get(1)])  # error: [arg-type]
    coll.get_multi("abc")  # error: [arg-type]
    coll.binary().increment("key", IncrementOptions(delta="1"))  # error: [arg-type]
    cluster.query(123)  # error: [arg-type]
    cluster.users().get_user(5, GetUserOptions())  # error: [arg-type]
    coll.touch("key", 10)  # error: [arg-type]
    value: str = coll.get("key").content_as[dict]  # error: [assignment]
    copy: GetResult = coll.insert("key", {})  # error: [assignment]


async def asyncio_face(cluster: AsyncCluster, coll: AsyncCollection) -> None:
    await coll.get(123)  # error: [arg-type]
    coll.upsert("key", {})  # error: [unused-coroutine]
    not_awaited: GetResult = coll.get("key")  # error: [assignment]
    wrong: MutationResult = await coll.get("key")  # error: [assignment]
    (await coll.get("key")).content_as[dict].nonexistent  # error: [attr-defined]
    await coll.upsert("key", {}, GetOptions())  # error: [arg-type]
    await coll.touch("key", 10)  # error: [arg-type]
    await coll.get_multi("abc")  # error: [arg-type]
    (await coll.get_multi(["a"])).results["a"].content_as[int] + "x"  # error: [operator]
    await coll.lookup_in("key", [SD.get(1)])  # error: [arg-type]
    counter: str = (await coll.binary().increment("key")).content  # error: [assignment]
    await coll.binary().increment("key", IncrementOptions(delta="1"))  # error: [arg-type]
    copy: CounterResult = await coll.insert("key", {})  # error: [assignment]
    await cluster.bucket(5).on_connect()  # error: [arg-type]
    await cluster.users().get_user(5, GetUserOptions())  # error: [arg-type]
    await cluster.buckets().get_bucket("default").name  # error: [attr-defined]
    [row async for row in cluster.bucket("default").view_query("d", 1)]  # error: [arg-type]
    [row for row in await cluster.bucket("default").view_query("d", "v")]  # error: [misc]
    await cluster.bucket("default").view_indexes().get_design_document("d", "production")  # error: [arg-type]
    (await cluster.bucket("default").view_indexes().get_all_design_documents(  # error: [attr-defined]
        DesignDocumentNamespace.PRODUCTION)).name
    cluster.close()  # error: [unused-coroutine]


def classic() -> None:
    Couchbase.connect(bucket=1)  # error: [arg-type]
    c = Couchbase.connect(bucket="default")
    c.set("key", "value", ttl="10")  # error: [arg-type]
    c.get_multi(123)  # error: [arg-type]
    c.get("key").value_that_does_not_exist  # error: [attr-defined]
    c.incr("counter", amount="1")  # error: [arg-type]
    c.delete("key", cas="x")  # error: [arg-type]
    c.lock("key", ttl=timedelta(seconds=5))  # error: [arg-type]
