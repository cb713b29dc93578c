"""The asyncio face (``acouchbase``), run unchanged by our SDK and by the official 4.x SDK
(side-by-side test): connecting, CRUD with options, CAS, locks, counters, append/prepend,
expiry, durability, a named collection, sub-document lookups and mutations with their
errors, replica reads, concurrency through asyncio.gather, cancellation, argument errors,
management, views and design documents, ping, diagnostics and wait_until_ready.

Usage: python scenario_async.py CONNSTR NODES. Prints one JSON line per step,
``OUT [step, outcome]``, the outcome a plain value or ``"EXC:<exception class name>"``;
``DONE`` at the end.
"""
import asyncio
import json
import sys
from datetime import timedelta
from enum import Enum

import couchbase.subdocument as SD
from acouchbase.cluster import Cluster
from couchbase.auth import PasswordAuthenticator
from couchbase.diagnostics import PingState, ServiceType
from couchbase.durability import Durability, ServerDurability
from couchbase.management.collections import CollectionSpec
from couchbase.management.views import DesignDocument, DesignDocumentNamespace, View
from couchbase.options import (
    ClusterOptions, DecrementOptions, DeltaValue, GetOptions, IncrementOptions, InsertOptions, LookupInOptions,
    MutateInOptions, PingOptions, RemoveOptions, ReplaceOptions, SignedInt64, UpsertOptions, ViewOptions,
)
from couchbase.views import ViewOrdering, ViewScanConsistency

AUTH = PasswordAuthenticator("Administrator", "password")


def norm(v):
    """A JSON-comparable form of an outcome."""
    if isinstance(v, Enum):
        return "%s.%s" % (type(v).__name__, v.name)
    if isinstance(v, timedelta):
        return "timedelta(%s)" % v.total_seconds()
    if isinstance(v, dict):
        return {str(k): norm(x) for k, x in sorted(v.items(), key=lambda kv: str(kv[0]))}
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    if isinstance(v, set):
        return sorted(norm(x) for x in v)
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return "<%s>" % type(v).__name__


def out(step, value):
    print("OUT " + json.dumps([step, value]), flush=True)


async def run(step, fn):
    try:
        value = norm(await fn())
    except Exception as e:  # the class name is the outcome
        value = "EXC:" + type(e).__name__
    out(step, value)
    return value


async def kv(coll):
    doc = {"name": "x", "n": 1, "tags": ["a", "b"]}
    await run("insert", lambda: then(coll.insert("k1", doc), lambda r: r.cas > 0))
    await run("insert_exists", lambda: coll.insert("k1", doc))
    await run("insert_opts", lambda: then(coll.insert("k2", doc, InsertOptions(timeout=timedelta(seconds=5)),
                                                      expiry=timedelta(seconds=30)), lambda r: r.cas > 0))
    await run("get", lambda: then(coll.get("k1"), lambda r: r.content_as[dict]))
    await run("get_opts", lambda: then(coll.get("k1", GetOptions(timeout=timedelta(seconds=5))),
                                       lambda r: r.content_as[dict]))
    await run("get_missing", lambda: coll.get("nope"))
    await run("get_with_expiry", lambda: then(coll.get("k2", with_expiry=True), lambda r: r.expiry_time is not None))
    await run("get_project", lambda: then(coll.get("k1", project=["name", "tags"]), lambda r: r.content_as[dict]))
    await run("exists", lambda: then(coll.exists("k1"), lambda r: r.exists))
    await run("exists_missing", lambda: then(coll.exists("nope"), lambda r: r.exists))
    await run("upsert", lambda: then(coll.upsert("k1", {"v": 2}), lambda r: r.cas > 0))
    await run("upsert_str", lambda: then(coll.upsert("s1", "text"), lambda r: r.cas > 0))
    await run("get_str", lambda: then(coll.get("s1"), lambda r: r.content_as[str]))
    await run("upsert_expiry", lambda: then(coll.upsert("k3", 1, UpsertOptions(expiry=timedelta(seconds=60))),
                                            lambda r: r.cas > 0))
    await run("replace", lambda: then(coll.replace("k1", {"v": 3}), lambda r: r.cas > 0))
    await run("replace_missing", lambda: coll.replace("nope", 1))
    await run("replace_cas_mismatch", lambda: coll.replace("k1", 1, ReplaceOptions(cas=12345)))

    async def replace_with_cas():
        cas = (await coll.get("k1")).cas
        return (await coll.replace("k1", {"v": 4}, ReplaceOptions(cas=cas))).cas != cas

    await run("replace_cas_ok", replace_with_cas)
    await run("remove_cas_mismatch", lambda: coll.remove("k1", RemoveOptions(cas=12345)))
    await run("remove", lambda: then(coll.remove("k1"), lambda r: r.cas > 0))
    await run("remove_missing", lambda: coll.remove("k1"))
    await run("touch", lambda: then(coll.touch("k2", timedelta(seconds=100)), lambda r: r.cas > 0))
    await run("touch_missing", lambda: coll.touch("nope", timedelta(seconds=100)))
    await run("get_and_touch", lambda: then(coll.get_and_touch("k2", timedelta(seconds=100)),
                                            lambda r: r.content_as[dict]))

    async def lock_cycle():
        r = await coll.get_and_lock("k2", timedelta(seconds=10))
        try:
            await coll.upsert("k2", 1, UpsertOptions(timeout=timedelta(milliseconds=300)))
            locked = "written"
        except Exception as e:
            locked = type(e).__name__
        try:
            await coll.unlock("k2", r.cas + 1)
            bad = "unlocked"
        except Exception as e:
            bad = type(e).__name__
        await coll.unlock("k2", r.cas)
        return [locked, bad, (await coll.upsert("k2", 2)).cas > 0]

    await run("lock_cycle", lock_cycle)
    await run("unlock_not_locked", lambda: then(coll.get("k2"), lambda r: coll.unlock("k2", r.cas)))
    await run("key_int", lambda: coll.get(12))
    await run("key_empty", lambda: coll.get(""))
    await run("key_long", lambda: coll.upsert("x" * 251, 1))
    await run("value_unserializable", lambda: coll.upsert("bad", object()))
    await run("option_unknown_kwarg", lambda: coll.get("k2", bogus=1))


async def binary(coll):
    b = coll.binary()
    await run("increment_create", lambda: then(b.increment("ctr", IncrementOptions(initial=SignedInt64(10))),
                                               lambda r: r.content))
    await run("increment", lambda: then(b.increment("ctr", IncrementOptions(delta=DeltaValue(5))),
                                        lambda r: r.content))
    await run("decrement", lambda: then(b.decrement("ctr", DecrementOptions(delta=DeltaValue(3))),
                                        lambda r: r.content))
    await run("increment_no_create", lambda: b.increment("ctr-none", IncrementOptions(initial=SignedInt64(-1))))
    await run("increment_non_numeric", lambda: then(coll.upsert("txt", "abc"), lambda _r: b.increment("txt")))
    await run("append", lambda: then(b.append("txt", "def"), lambda r: r.cas > 0))
    await run("prepend", lambda: then(b.prepend("txt", b"xyz"), lambda r: r.cas > 0))
    await run("get_appended", lambda: then(coll.get("txt"), lambda r: r.content_as[str]))
    await run("append_missing", lambda: b.append("nope", "x"))


async def subdoc(coll):
    await coll.upsert("sd", {"name": "x", "n": 1, "tags": ["a", "b"], "nested": {"k": 1.5}})
    look = [SD.get("name"), SD.exists("tags"), SD.exists("nope"), SD.count("tags"), SD.get("nested.k")]
    await run("lookup", lambda: then(coll.lookup_in("sd", look), lambda r: [
        r.content_as[str](0), r.exists(1), r.exists(2), r.content_as[int](3), r.content_as[float](4)]))
    await run("lookup_missing_path", lambda: then(coll.lookup_in("sd", [SD.get("nope")]),
                                                  lambda r: r.content_as[int](0)))
    await run("lookup_doc_missing", lambda: coll.lookup_in("nope", look))
    await run("lookup_access_deleted", lambda: then(coll.lookup_in("sd", [SD.get("n")],
                                                                   LookupInOptions(access_deleted=True)),
                                                    lambda r: r.content_as[int](0)))
    await run("mutate_upsert", lambda: then(coll.mutate_in("sd", [SD.upsert("n", 2)]), lambda r: r.cas > 0))
    await run("mutate_insert_exists", lambda: coll.mutate_in("sd", [SD.insert("n", 3)]))
    await run("mutate_replace_missing", lambda: coll.mutate_in("sd", [SD.replace("nope", 1)]))
    await run("mutate_counter", lambda: then(coll.mutate_in("sd", [SD.increment("c", 5), SD.decrement("c", 2)]),
                                             lambda r: r.content_as[int](1)))
    await run("mutate_array", lambda: then(coll.mutate_in("sd", [SD.array_append("tags", "c"),
                                                                 SD.array_prepend("tags", "z")]),
                                           lambda _r: then(coll.get("sd"), lambda g: g.content_as[dict]["tags"])))
    await run("mutate_path_mismatch", lambda: coll.mutate_in("sd", [SD.upsert("tags.x", 1)]))
    await run("mutate_cas_mismatch", lambda: coll.mutate_in("sd", [SD.upsert("n", 9)], MutateInOptions(cas=123)))
    await run("mutate_doc_missing", lambda: coll.mutate_in("nope", [SD.upsert("a", 1)]))
    await run("mutate_insert_semantics", lambda: then(
        coll.mutate_in("sd-new", [SD.upsert("a", 1)], MutateInOptions(store_semantics=SD.StoreSemantics.INSERT)),
        lambda _r: then(coll.get("sd-new"), lambda g: g.content_as[dict])))
    await run("mutate_xattr", lambda: then(
        coll.mutate_in("sd", [SD.upsert("meta.a", 1, xattr=True, create_parents=True)]),
        lambda _r: then(coll.lookup_in("sd", [SD.get("meta.a", xattr=True)]), lambda r: r.content_as[int](0))))


async def replicas(coll):
    await coll.upsert("rep", {"r": 1})
    await asyncio.sleep(0.2)  # replicated
    await run("any_replica", lambda: then(coll.get_any_replica("rep"), lambda r: r.content_as[dict]))
    await run("all_replicas", lambda: then(coll.get_all_replicas("rep"),
                                           lambda rs: sorted([r.is_replica, r.content_as[dict]["r"]] for r in rs)))
    await run("any_replica_missing", lambda: coll.get_any_replica("nope"))
    await run("lookup_any_replica", lambda: then(coll.lookup_in_any_replica("rep", [SD.get("r")]),
                                                 lambda r: r.content_as[int](0)))


async def durability(coll):
    await run("durable_majority", lambda: then(coll.upsert("dur", 1, UpsertOptions(
        durability=ServerDurability(Durability.MAJORITY))), lambda r: r.cas > 0))
    await run("durable_persist_majority", lambda: then(coll.upsert("dur", 2, UpsertOptions(
        durability=ServerDurability(Durability.PERSIST_TO_MAJORITY))), lambda r: r.cas > 0))


async def concurrency(coll):
    keys = ["many-%d" % i for i in range(500)]
    await run("gather_upserts", lambda: then(asyncio.gather(*[coll.upsert(k, {"k": k}) for k in keys]),
                                             lambda rs: all(r.cas > 0 for r in rs)))
    await run("gather_gets", lambda: then(asyncio.gather(*[coll.get(k) for k in keys]),
                                          lambda rs: [r.content_as[dict]["k"] for r in rs] == keys))
    await run("gather_mixed_errors", lambda: then(
        asyncio.gather(coll.get(keys[0]), coll.get("nope"), coll.insert(keys[1], 1), return_exceptions=True),
        lambda rs: [type(r).__name__ for r in rs]))

    async def cancel():
        t = asyncio.ensure_future(coll.get(keys[2]))
        await asyncio.sleep(0)
        t.cancel()
        try:
            await t
            first = "completed"
        except asyncio.CancelledError:
            first = "cancelled"
        return [first, (await coll.get(keys[3])).content_as[dict]["k"]]

    await run("cancel_then_use", cancel)


async def collections(cluster, bucket):
    mgr = bucket.collections()
    await run("create_scope", lambda: mgr.create_scope("sc1"))
    await run("create_scope_again", lambda: mgr.create_scope("sc1"))
    await run("create_collection", lambda: mgr.create_collection(CollectionSpec("c1", scope_name="sc1")))
    await run("list_scopes", lambda: then(mgr.get_all_scopes(), lambda ss: sorted(
        [s.name, sorted(c.name for c in s.collections)] for s in ss)))

    async def use_named():
        c = bucket.scope("sc1").collection("c1")
        await c.upsert("in-c1", {"c": 1})
        return (await c.get("in-c1")).content_as[dict]

    await run("named_collection", use_named)
    await run("named_missing", lambda: bucket.scope("sc1").collection("nope").get("x"))
    await run("drop_collection", lambda: mgr.drop_collection(CollectionSpec("c1", scope_name="sc1")))
    await run("drop_scope_missing", lambda: mgr.drop_scope("nope"))
    await run("buckets", lambda: then(cluster.buckets().get_all_buckets(), lambda bs: sorted(b.name for b in bs)))
    await run("bucket_get", lambda: then(cluster.buckets().get_bucket("default"), lambda b: b.name))
    await run("bucket_missing", lambda: cluster.buckets().get_bucket("nope"))


async def health(cluster, bucket):
    await run("ping_kv_states", lambda: then(cluster.ping(PingOptions(service_types=[ServiceType.KeyValue])),
                                             lambda r: sorted({e.state.value for eps in r.endpoints.values()
                                                               for e in eps})))
    await run("bucket_ping", lambda: then(bucket.ping(), lambda r: [k.value for k in r.endpoints]))
    await run("diagnostics_state", lambda: then(cluster.diagnostics(), lambda r: r.state))
    await run("wait_until_ready", lambda: cluster.wait_until_ready(timedelta(seconds=10),
                                                                   service_types=[ServiceType.KeyValue]))
    out("ping_ok", PingState.OK.value)


async def views(bucket):
    coll = bucket.default_collection()
    await asyncio.gather(*[coll.upsert("view-%02d" % i, {"vtype": "scenario", "n": i, "kind": "k%d" % (i % 3)})
                           for i in range(12)])
    mgr = bucket.view_indexes()
    dev, prod = DesignDocumentNamespace.DEVELOPMENT, DesignDocumentNamespace.PRODUCTION
    ddoc = DesignDocument("scenario", {
        "by_n": View("function (doc, meta) { if (doc.vtype == 'scenario') emit(doc.n, doc.kind); }"),
        "by_kind": View("function (doc, meta) { if (doc.vtype == 'scenario') emit([doc.kind, doc.n], doc.n); }",
                        "_sum")})

    def described(d):
        return [d.name, sorted(d.views), d.views["by_kind"].reduce, bool(d.views["by_n"].map)]

    await run("view_ddoc_upsert", lambda: mgr.upsert_design_document(ddoc, dev))
    await run("view_ddoc_get", lambda: then(mgr.get_design_document("scenario", dev), described))
    await run("view_ddoc_get_production_missing", lambda: mgr.get_design_document("scenario", prod))
    await run("view_ddoc_get_all", lambda: then(mgr.get_all_design_documents(dev),
                                                lambda ds: sorted(d.name for d in ds)))
    await run("view_ddoc_publish", lambda: mgr.publish_design_document("scenario"))
    await run("view_ddoc_get_production", lambda: then(mgr.get_design_document("scenario", prod), described))
    await run("view_ddoc_publish_missing", lambda: mgr.publish_design_document("nosuch"))

    async def query(view, **kw):
        res = bucket.view_query("scenario", view, ViewOptions(namespace=prod,
                                                              scan_consistency=ViewScanConsistency.REQUEST_PLUS,
                                                              **kw))
        rows = [[r.key, r.id, r.value] async for r in res.rows()]
        return [rows, res.metadata().total_rows()]

    # the first query of the new index: REQUEST_PLUS brings it up to date first
    await run("view_request_plus_new_index", lambda: query("by_n"))
    for _ in range(100):     # the index built either way (4.6.3: by the update its first query started)
        if (await query("by_n"))[0]:
            break
        await asyncio.sleep(0.1)
    await run("view_rows", lambda: query("by_n"))
    await run("view_limit_skip", lambda: query("by_n", skip=2, limit=3))
    await run("view_key_range", lambda: query("by_n", startkey=3, endkey=6))
    await run("view_keys", lambda: query("by_n", keys=[7, 1]))
    await run("view_descending", lambda: query("by_n", order=ViewOrdering.DESCENDING, limit=4))
    await run("view_reduce", lambda: query("by_kind"))
    await run("view_reduce_off", lambda: query("by_kind", reduce=False, limit=2))
    await run("view_group_level", lambda: query("by_kind", group_level=1))

    async def async_for_result():
        res = bucket.view_query("scenario", "by_n", namespace=prod, limit=2,
                                scan_consistency=ViewScanConsistency.REQUEST_PLUS)
        return [r.id async for r in res]

    await run("view_async_for_result", async_for_result)

    async def iterate_twice():
        res = bucket.view_query("scenario", "by_n", namespace=prod, limit=1)
        [r async for r in res.rows()]
        return [r async for r in res.rows()]

    await run("view_iterate_twice", iterate_twice)

    async def sync_for():
        return [r for r in bucket.view_query("scenario", "by_n", namespace=prod)]

    await run("view_sync_for", sync_for)
    await run("view_missing_ddoc", lambda: query_missing(bucket, "nosuch", "by_n", prod))
    await run("view_missing_view", lambda: query_missing(bucket, "scenario", "nosuch", prod))
    await run("view_ddoc_drop", lambda: mgr.drop_design_document("scenario", dev))
    await run("view_ddoc_get_dropped", lambda: mgr.get_design_document("scenario", dev))
    await run("view_ddoc_drop_again", lambda: mgr.drop_design_document("scenario", dev))
    await run("view_ddoc_drop_production", lambda: mgr.drop_design_document("scenario", prod))


async def query_missing(bucket, ddoc, view, namespace):
    return [r async for r in bucket.view_query(ddoc, view, namespace=namespace).rows()]


async def then(awaitable, fn):
    """fn(result of awaitable), awaited when it is itself awaitable."""
    v = fn(await awaitable)
    if hasattr(v, "__await__"):
        v = await v
    return v


async def main(connstr, nodes):
    await run("bad_password", lambda: Cluster.connect(connstr, ClusterOptions(PasswordAuthenticator(
        "Administrator", "wrong"))))
    cluster = await Cluster.connect(connstr, ClusterOptions(AUTH))

    async def missing_bucket():
        b = cluster.bucket("nosuchbucket")
        await b.on_connect()

    await run("missing_bucket", missing_bucket)
    bucket = cluster.bucket("default")
    await bucket.on_connect()
    coll = bucket.default_collection()
    await kv(coll)
    await binary(coll)
    await subdoc(coll)
    await replicas(coll)
    await durability(coll)
    await concurrency(coll)
    await collections(cluster, bucket)
    await views(bucket)
    await health(cluster, bucket)
    await cluster.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
    print("DONE", flush=True)
