"""The 4.x surface beyond single-key KV, run unchanged by our SDK and by the official 4.x SDK
(side-by-side test): sub-document, projections, preserve-expiry, replica reads, the multi
operations, data structures, management, diagnostics, the services this cluster does not
run, MutationState, error contexts, option validation and keyword names.

Usage: python scenario_modern.py CONNSTR NODES. Prints one JSON line per step,
``OUT [step, outcome]``, the outcome a plain value or ``"EXC:<exception class name>"``;
``DONE`` at the end.
"""
import json
import sys
from datetime import timedelta
from enum import Enum

import couchbase.subdocument as SD
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.diagnostics import ClusterState, PingState, ServiceType
from couchbase.durability import Durability, DurabilityLevel, ServerDurability
from couchbase.management.buckets import BucketSettings, BucketType, ConflictResolutionType, CreateBucketSettings
from couchbase.management.collections import CreateCollectionSettings, UpdateCollectionSettings
from couchbase.management.users import Group, Role, User
from couchbase.mutation_state import MutationState
from couchbase.options import (
    ClusterOptions, ClusterTimeoutOptions, GetOptions, LookupInOptions, MutateInOptions, PingOptions, QueryOptions,
    UpsertOptions, WaitUntilReadyOptions,
)

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


def run(step, fn):
    try:
        value = norm(fn())
    except Exception as e:  # the class name is the outcome
        value = "EXC:" + type(e).__name__
    out(step, value)
    return value


def subdoc(coll):
    coll.upsert("sd", {"name": "x", "n": 1, "tags": ["a", "b"], "nested": {"k": 1.5}, "s": "str"})
    look = [SD.get("name"), SD.exists("tags"), SD.exists("nope"), SD.count("tags"), SD.get("nested.k"),
            SD.get_full()]
    run("lookup_get", lambda: coll.lookup_in("sd", look).content_as[str](0))
    run("lookup_exists", lambda: coll.lookup_in("sd", look).exists(1))
    run("lookup_exists_missing", lambda: coll.lookup_in("sd", look).exists(2))
    run("lookup_exists_content", lambda: coll.lookup_in("sd", look).content_as[bool](2))
    run("lookup_count", lambda: coll.lookup_in("sd", look).content_as[int](3))
    run("lookup_nested", lambda: coll.lookup_in("sd", look).content_as[float](4))
    run("lookup_full", lambda: coll.lookup_in("sd", look).content_as[dict](5))
    run("lookup_missing_path_content", lambda: coll.lookup_in("sd", [SD.get("nope")]).content_as[int](0))
    run("lookup_mismatch", lambda: coll.lookup_in("sd", [SD.get("tags.x")]).content_as[int](0))
    run("lookup_bad_index", lambda: coll.lookup_in("sd", look).content_as[int](9))
    run("lookup_bad_index_exists", lambda: coll.lookup_in("sd", look).exists(-1))
    run("lookup_value_shape", lambda: [(f["path"], f["status"], f["value"]) for f in
                                       coll.lookup_in("sd", look[:4]).value])
    run("lookup_cas", lambda: coll.lookup_in("sd", look).cas == coll.get("sd").cas)
    run("lookup_key", lambda: coll.lookup_in("sd", look).key)
    run("lookup_doc_missing", lambda: coll.lookup_in("nope-doc", look))
    run("lookup_no_specs", lambda: coll.lookup_in("sd", []))
    run("lookup_17_specs", lambda: coll.lookup_in("sd", [SD.get("n")] * 17))
    run("lookup_mutation_spec", lambda: coll.lookup_in("sd", [SD.upsert("n", 2)]))
    run("lookup_vattr_deleted", lambda: coll.lookup_in("sd", [SD.get(SD.LookupInMacro.is_deleted(), xattr=True)])
        .content_as[bool](0))
    run("lookup_vattr_exptime", lambda: coll.lookup_in("sd", [SD.with_expiry()]).content_as[int](0))
    run("lookup_access_deleted_live", lambda: coll.lookup_in("sd", [SD.get("n")], LookupInOptions(access_deleted=True))
        .content_as[int](0))
    run("lookup_not_json", lambda: coll.upsert("plain", "just text") and
        coll.lookup_in("plain", [SD.get("a")]).content_as[int](0))

    run("mutate_upsert", lambda: coll.mutate_in("sd", [SD.upsert("n", 2)]).cas > 0)
    run("mutate_insert_exists", lambda: coll.mutate_in("sd", [SD.insert("n", 3)]))
    run("mutate_insert_new", lambda: coll.mutate_in("sd", [SD.insert("m", {"deep": True})]).cas > 0)
    run("mutate_replace_missing", lambda: coll.mutate_in("sd", [SD.replace("nope", 1)]))
    run("mutate_remove_missing", lambda: coll.mutate_in("sd", [SD.remove("nope")]))
    run("mutate_counter", lambda: coll.mutate_in("sd", [SD.increment("c", 5), SD.decrement("c", 2)]).content_as[int](1))
    run("mutate_counter_other", lambda: coll.mutate_in("sd", [SD.upsert("z", 1), SD.increment("c", 1)])
        .content_as[int](0))
    run("mutate_counter_on_string", lambda: coll.mutate_in("sd", [SD.increment("s", 1)]))
    run("mutate_counter_overflow", lambda: coll.mutate_in("sd", [SD.upsert("big", 2 ** 63 - 1),
                                                                 SD.increment("big", 1)]))
    run("mutate_counter_zero", lambda: coll.mutate_in("sd", [SD.increment("c", 0)]))
    run("mutate_array_ops", lambda: coll.mutate_in("sd", [SD.array_append("tags", "c", "d"), SD.array_prepend("tags", "z"),
                                                          SD.array_insert("tags[1]", "y")]) and
        coll.get("sd").content_as[dict]["tags"])
    run("mutate_addunique_dup", lambda: coll.mutate_in("sd", [SD.array_addunique("tags", "a")]))
    run("mutate_addunique_new", lambda: coll.mutate_in("sd", [SD.array_addunique("tags", "q")]) and
        coll.get("sd").content_as[dict]["tags"][-1])
    run("mutate_addunique_object", lambda: coll.mutate_in("sd", [SD.array_addunique("tags", {"o": 1})]))
    run("mutate_array_insert_far", lambda: coll.mutate_in("sd", [SD.array_insert("tags[99]", 1)]))
    run("mutate_create_parents", lambda: coll.mutate_in("sd", [SD.upsert("p.q.r", 1, create_parents=True)]) and
        coll.get("sd").content_as[dict]["p"])
    run("mutate_no_parents", lambda: coll.mutate_in("sd", [SD.upsert("u.v.w", 1)]))
    run("mutate_array_create", lambda: coll.mutate_in("sd", [SD.array_append("arr", 1, create_parents=True)]) and
        coll.get("sd").content_as[dict]["arr"])
    run("mutate_path_mismatch", lambda: coll.mutate_in("sd", [SD.upsert("tags.x", 1)]))
    run("mutate_atomic", lambda: (coll.mutate_in("sd", [SD.upsert("atom", 1), SD.replace("nope", 1)]), 0)[1])
    run("mutate_atomic_after", lambda: "atom" in coll.get("sd").content_as[dict])
    run("mutate_cas_mismatch", lambda: coll.mutate_in("sd", [SD.upsert("n", 9)], MutateInOptions(cas=123)))
    run("mutate_cas_ok", lambda: coll.mutate_in("sd", [SD.upsert("n", 9)], MutateInOptions(cas=coll.get("sd").cas))
        .cas > 0)
    run("mutate_doc_missing", lambda: coll.mutate_in("nope-doc", [SD.upsert("a", 1)]))
    run("mutate_upsert_semantics", lambda: coll.mutate_in("sd-new", [SD.upsert("a", 1)],
                                                          MutateInOptions(store_semantics=SD.StoreSemantics.UPSERT))
        and coll.get("sd-new").content_as[dict])
    run("mutate_insert_semantics_exists", lambda: coll.mutate_in("sd-new", [SD.upsert("a", 1)],
                                                                 store_semantics=SD.StoreSemantics.INSERT))
    run("mutate_insert_semantics_new", lambda: coll.mutate_in("sd-new2", [SD.upsert("a", 1)],
                                                              store_semantics=SD.StoreSemantics.INSERT) and
        coll.get("sd-new2").content_as[dict])
    run("mutate_not_json", lambda: coll.mutate_in("plain", [SD.upsert("a", 1)]))
    run("mutate_replace_doc", lambda: coll.mutate_in("sd-new", [SD.replace("", {"whole": 1})]) and
        coll.get("sd-new").content_as[dict])
    run("mutate_remove_doc", lambda: coll.mutate_in("sd-new", [SD.remove("")]) and coll.exists("sd-new").exists)
    run("mutate_durable", lambda: coll.mutate_in("sd", [SD.upsert("d", 1)], MutateInOptions(
        durability=ServerDurability(Durability.MAJORITY))).cas > 0)
    run("mutate_token", lambda: coll.mutate_in("sd", [SD.upsert("t", 1)]).mutation_token().bucket_name)
    run("mutate_xattr", lambda: coll.mutate_in("sd", [SD.upsert("meta.a", 1, xattr=True, create_parents=True)]) and
        coll.lookup_in("sd", [SD.get("meta", xattr=True)]).content_as[dict](0))
    run("mutate_xattr_body_kept", lambda: coll.get("sd").content_as[dict]["name"])
    run("mutate_xattr_after_body", lambda: coll.mutate_in("sd", [SD.upsert("b1", 1), SD.upsert("meta.b", 2, xattr=True)])
        and coll.lookup_in("sd", [SD.get("meta.b", xattr=True), SD.get("b1")]).content_as[int](1))
    run("mutate_two_xattr_keys", lambda: coll.mutate_in("sd", [SD.upsert("meta.c", 1, xattr=True),
                                                               SD.upsert("other", 1, xattr=True)]))
    run("mutate_vattr", lambda: coll.mutate_in("sd", [SD.upsert("$document.x", 1, xattr=True)]))
    run("mutate_macro_cas", lambda: (lambda r: SD.convert_macro_cas_to_cas(
        coll.lookup_in("sd", [SD.get("meta.cas", xattr=True)]).content_as[str](0)) == r.cas)(
        coll.mutate_in("sd", [SD.upsert("meta.cas", SD.MutationMacro.cas())])))
    run("mutate_expiry", lambda: coll.mutate_in("sd", [SD.upsert("e", 1)], MutateInOptions(expiry=timedelta(hours=1)))
        and coll.get("sd", with_expiry=True).expiry_time is not None)
    run("mutate_preserve_expiry", lambda: coll.mutate_in("sd", [SD.upsert("e", 2)], preserve_expiry=True) and
        coll.get("sd", with_expiry=True).expiry_time is not None)
    run("mutate_resets_expiry", lambda: coll.mutate_in("sd", [SD.upsert("e", 3)]) and
        coll.get("sd", with_expiry=True).expiry_time)
    run("create_as_deleted", lambda: coll.mutate_in("tomb", [SD.upsert("txn", {"id": 1}, xattr=True)],
                                                    MutateInOptions(create_as_deleted=True, access_deleted=True,
                                                                    store_semantics=SD.StoreSemantics.INSERT))
        .cas > 0)
    run("tombstone_get", lambda: coll.get("tomb"))
    run("tombstone_exists", lambda: coll.exists("tomb").exists)
    run("tombstone_lookup", lambda: coll.lookup_in("tomb", [SD.get("txn", xattr=True)]))
    run("tombstone_lookup_deleted", lambda: coll.lookup_in("tomb", [SD.get("txn", xattr=True)],
                                                           LookupInOptions(access_deleted=True)).content_as[dict](0))
    run("tombstone_is_deleted", lambda: coll.lookup_in("tomb", [SD.get(SD.LookupInMacro.is_deleted(), xattr=True)],
                                                       access_deleted=True).content_as[bool](0))
    run("tombstone_mutate", lambda: coll.mutate_in("tomb", [SD.upsert("txn.id", 2, xattr=True)], access_deleted=True)
        .cas > 0)
    run("tombstone_insert", lambda: coll.insert("tomb", {"alive": True}).cas > 0)
    run("tombstone_revived_get", lambda: coll.get("tomb").content_as[dict])
    run("removed_lookup_deleted", lambda: coll.remove("sd-new2") and
        coll.lookup_in("sd-new2", [SD.get("a")], access_deleted=True).exists(0))
    run("spec_counter_negative", lambda: SD.increment("x", -1))
    run("spec_counter_type", lambda: SD.increment("x", 1.5))
    run("spec_counter_compat", lambda: list(SD.counter("x", -3))[1:])
    run("spec_shapes", lambda: [list(SD.upsert("a", 1))[1:], list(SD.remove(""))[1:], list(SD.get_full())[1:],
                                list(SD.array_append("a", 1, 2))[1:-1], list(SD.with_expiry())[1:]])
    run("store_semantics", lambda: [int(s) for s in SD.StoreSemantics])


def project(coll):
    coll.upsert("pj", {"a": 1, "b": {"c": 2, "d": [1, 2, 3]}, "e": "x", **{"f%d" % i: i for i in range(20)}})
    run("project_top", lambda: coll.get("pj", project=["a", "e"]).content_as[dict])
    run("project_nested", lambda: coll.get("pj", project=["b.c"]).content_as[dict])
    run("project_missing", lambda: coll.get("pj", project=["a", "nope"]).content_as[dict])
    run("project_array_elem", lambda: coll.get("pj", GetOptions(project=["b.d[1]"])).content_as[dict])
    run("project_with_expiry", lambda: (lambda r: (r.content_as[dict], r.expiry_time))(
        coll.get("pj", project=["a"], with_expiry=True)))
    run("project_many", lambda: coll.get("pj", project=["f%d" % i for i in range(18)]).content_as[dict])
    run("project_doc_missing", lambda: coll.get("nope-doc", project=["a"]))
    run("project_not_list", lambda: coll.get("pj", project="a"))
    run("project_cas", lambda: coll.get("pj", project=["a"]).cas == coll.get("pj").cas)


def preserve(coll):
    coll.upsert("pe", {"v": 1}, expiry=timedelta(hours=2))
    run("upsert_preserve", lambda: coll.upsert("pe", {"v": 2}, UpsertOptions(preserve_expiry=True)) and
        coll.get("pe", with_expiry=True).expiry_time is not None)
    run("replace_preserve", lambda: coll.replace("pe", {"v": 3}, preserve_expiry=True) and
        coll.get("pe", with_expiry=True).expiry_time is not None)
    run("upsert_no_preserve", lambda: coll.upsert("pe", {"v": 4}) and coll.get("pe", with_expiry=True).expiry_time)
    run("replace_preserve_with_expiry", lambda: coll.replace("pe", {"v": 5}, expiry=timedelta(hours=1),
                                                             preserve_expiry=True))
    run("upsert_preserve_new", lambda: coll.upsert("pe-new", {"v": 1}, preserve_expiry=True) and
        coll.get("pe-new").content_as[dict])


def replicas(coll):
    coll.upsert("rp", {"r": 1})
    run("any_replica", lambda: coll.get_any_replica("rp").content_as[dict])
    run("any_replica_type", lambda: type(coll.get_any_replica("rp")).__name__)
    run("all_replicas", lambda: sorted((r.is_replica, r.content_as[dict]["r"]) for r in coll.get_all_replicas("rp")))
    run("any_replica_missing", lambda: coll.get_any_replica("nope-doc"))
    run("all_replicas_missing", lambda: list(coll.get_all_replicas("nope-doc")))
    run("any_replica_multi", lambda: (lambda r: (sorted(r.results), {k: type(e).__name__ for k, e in
                                                                     r.exceptions.items()}, r.all_ok))(
        coll.get_any_replica_multi(["rp", "nope-doc"])))
    run("all_replicas_multi", lambda: {k: len(list(v)) for k, v in coll.get_all_replicas_multi(["rp"]).results.items()})
    run("lookup_any_replica", lambda: coll.lookup_in_any_replica("rp", [SD.get("r")]).content_as[int](0))
    run("lookup_all_replicas", lambda: sorted(r.is_replica for r in coll.lookup_in_all_replicas("rp", [SD.get("r")])))
    run("lookup_any_replica_missing", lambda: coll.lookup_in_any_replica("nope-doc", [SD.get("r")]))


def multi(coll, binary):
    coll.upsert_multi({"m1": {"v": 1}, "m2": {"v": 2}, "m3": "txt"})
    run("lock_multi", lambda: sorted(coll.lock_multi(["m1", "m2"], timedelta(seconds=5)).results))
    run("lock_multi_locked", lambda: {k: type(e).__name__ for k, e in coll.get_and_lock_multi(
        ["m1"], timedelta(seconds=5), timeout=timedelta(milliseconds=400)).exceptions.items()})
    run("unlock_multi_bad_cas", lambda: {k: type(v).__name__ for k, v in coll.unlock_multi({"m1": 1, "m2": 2}).items()})
    run("unlock_multi", lambda: (lambda locked: {k: v is None for k, v in coll.unlock_multi(locked).items()})(
        coll.get_and_lock_multi(["m3"], timedelta(seconds=5))))
    run("exists_multi", lambda: {k: r.exists for k, r in coll.exists_multi(["m1", "nope-doc"]).results.items()})
    run("touch_multi", lambda: coll.touch_multi(["m3", "nope-doc"], timedelta(hours=1)).all_ok)
    run("append_multi", lambda: (lambda r: (sorted(r.results), sorted(r.exceptions)))(
        binary.append_multi({"m3": "!", "nope-doc": "?"})))
    run("prepend_multi_value", lambda: binary.prepend_multi({"m3": "<"}).all_ok and
        coll.get("m3").content_as[str])
    run("increment_multi", lambda: sorted((k, r.content) for k, r in binary.increment_multi(["ctr1", "ctr2"]).results
                                          .items()))


def structures(coll):
    lst = coll.couchbase_list("ds-list")
    run("list_ops", lambda: [lst.append(1), lst.append(2), lst.prepend(0), lst.set_at(1, 9), lst.get_all()][-1])
    run("list_get_at", lambda: lst.get_at(2))
    run("list_size", lambda: lst.size())
    run("list_index_of", lambda: [lst.index_of(9), lst.index_of(42)])
    run("list_remove_at", lambda: [lst.remove_at(0), list(lst)][-1])
    run("list_get_far", lambda: lst.get_at(10))
    run("list_clear", lambda: [lst.clear(), coll.exists("ds-list").exists][-1])
    mp = coll.couchbase_map("ds-map")
    run("map_ops", lambda: [mp.add("a", 1), mp.add("b", {"x": 2}), mp.get("b"), mp.size(), mp.exists("a"),
                            mp.exists("z"), sorted(mp.keys()), mp.get_all()][2:])
    run("map_remove", lambda: [mp.remove("a"), sorted(mp.keys())][-1])
    run("map_remove_missing", lambda: mp.remove("zz"))
    st = coll.couchbase_set("ds-set")
    run("set_ops", lambda: [st.add(1), st.add(1), st.add("two"), st.contains(1), st.size(), sorted(map(str,
                                                                                                    st.values()))])
    run("set_remove", lambda: [st.remove(1), st.remove(99), st.values()][-1])
    q = coll.couchbase_queue("ds-queue")
    run("queue_ops", lambda: [q.push(1), q.push(2), q.pop(), q.size()][2:])
    run("queue_empty", lambda: [q.pop(), q.pop()])
    run("legacy_list", lambda: [coll.list_append("ds-legacy", 1, create=True).cas > 0,
                                coll.list_prepend("ds-legacy", 0).cas > 0, coll.list_get("ds-legacy", 1),
                                coll.list_size("ds-legacy")])
    run("legacy_list_missing", lambda: coll.list_append("ds-none", 1))
    run("legacy_map", lambda: [coll.map_add("ds-lmap", "k", "v", create=True).cas > 0, coll.map_get("ds-lmap", "k"),
                               coll.map_size("ds-lmap")])
    run("legacy_set", lambda: [coll.set_add("ds-lset", 5, create=True) is not None,
                               coll.set_add("ds-lset", 5) is None, coll.set_contains("ds-lset", 5),
                               coll.set_size("ds-lset")])
    run("legacy_queue", lambda: [coll.queue_push("ds-lq", "a", create=True).cas > 0, coll.queue_push("ds-lq", "b").cas
                                 > 0, coll.queue_pop("ds-lq"), coll.queue_size("ds-lq")])


def management(cluster, bucket):
    bm = cluster.buckets()
    run("mgmt_get_default", lambda: dict(bm.get_bucket("default")))
    run("mgmt_list", lambda: sorted(b.name for b in bm.get_all_buckets()))
    run("mgmt_create", lambda: bm.create_bucket(CreateBucketSettings(name="mb1", bucket_type=BucketType.COUCHBASE,
                                                                     ram_quota_mb=100, num_replicas=0,
                                                                     flush_enabled=True)))
    run("mgmt_create_again", lambda: bm.create_bucket(CreateBucketSettings(name="mb1", ram_quota_mb=100)))
    run("mgmt_get_created", lambda: dict(bm.get_bucket("mb1")))
    run("mgmt_update", lambda: bm.update_bucket(BucketSettings(name="mb1", ram_quota_mb=200,
                                                               max_expiry=timedelta(seconds=60), flush_enabled=False)))
    run("mgmt_get_updated", lambda: dict(bm.get_bucket("mb1")))
    run("mgmt_flush_disabled", lambda: bm.flush_bucket("mb1"))
    run("mgmt_flush_default", lambda: bm.flush_bucket("default"))
    run("mgmt_get_missing", lambda: bm.get_bucket("nope-bucket"))
    run("mgmt_drop_missing", lambda: bm.drop_bucket("nope-bucket"))
    run("mgmt_bad_quota", lambda: bm.create_bucket(CreateBucketSettings(name="mb2", ram_quota_mb=50)))
    run("mgmt_create_lww", lambda: bm.create_bucket(CreateBucketSettings(
        name="mb3", ram_quota_mb=100, conflict_resolution_type=ConflictResolutionType.TIMESTAMP,
        minimum_durability_level=DurabilityLevel.MAJORITY)) or dict(bm.get_bucket("mb3")))
    run("mgmt_settings_name", lambda: BucketSettings(name=""))
    run("mgmt_drop", lambda: [bm.drop_bucket("mb1"), bm.drop_bucket("mb3"),
                              sorted(b.name for b in bm.get_all_buckets())][-1])
    cm = bucket.collections()

    def scopes():
        return sorted((s.name, sorted((c.name, c.scope_name, c.max_expiry) for c in s.collections))
                      for s in cm.get_all_scopes())

    run("coll_scopes", scopes)
    run("coll_create_scope", lambda: cm.create_scope("ms"))
    run("coll_create_scope_again", lambda: cm.create_scope("ms"))
    run("coll_create", lambda: cm.create_collection("ms", "mc", CreateCollectionSettings(max_expiry=timedelta(seconds=30))))
    run("coll_create_again", lambda: cm.create_collection("ms", "mc"))
    run("coll_create_no_scope", lambda: cm.create_collection("nope-scope", "mc"))
    run("coll_update", lambda: cm.update_collection("ms", "mc", UpdateCollectionSettings(max_expiry=timedelta(seconds=90))))
    run("coll_scopes_after", scopes)
    run("coll_kv_in_new", lambda: bucket.scope("ms").collection("mc").upsert("k", {"in": "mc"}) and
        bucket.scope("ms").collection("mc").get("k").content_as[dict])
    run("coll_drop", lambda: cm.drop_collection("ms", "mc"))
    run("coll_drop_again", lambda: cm.drop_collection("ms", "mc"))
    run("coll_drop_no_scope", lambda: cm.drop_collection("nope-scope", "mc"))
    run("coll_drop_scope", lambda: cm.drop_scope("ms"))
    run("coll_drop_scope_again", lambda: cm.drop_scope("ms"))
    um = cluster.users()
    run("users_roles", lambda: len(um.get_roles()) > 0)
    run("users_upsert", lambda: um.upsert_user(User(username="mu1", display_name="M U", password="secret123",
                                                    roles=[Role(name="data_reader", bucket="default"),
                                                           Role(name="admin")])))
    run("users_get", lambda: (lambda u: (u.user.username, u.user.display_name, sorted((r.name, r.bucket or "")
                                                                                      for r in u.user.roles),
                                         u.domain, len(u.effective_roles)))(um.get_user("mu1")))
    run("users_all", lambda: sorted(u.user.username for u in um.get_all_users()))
    run("users_bad_role", lambda: um.upsert_user(User(username="mu2", password="secret123", roles=[Role(name="nope")])))
    run("users_group", lambda: [um.upsert_group(Group(name="mg", description="d", roles=[Role(name="data_writer",
                                                                                              bucket="default")])),
                                (lambda g: (g.name, g.description, [(r.name, r.bucket) for r in g.roles]))(
                                    um.get_group("mg")), [g.name for g in um.get_all_groups()]][1:])
    run("users_login", lambda: Cluster.connect(cluster_connstr, ClusterOptions(PasswordAuthenticator(
        "mu1", "secret123"))).bucket("default").default_collection().exists("x").exists)
    run("users_drop", lambda: [um.drop_user("mu1"), um.drop_group("mg")])
    run("users_get_missing", lambda: um.get_user("mu1"))
    run("users_drop_missing", lambda: um.drop_user("mu1"))
    run("users_group_missing", lambda: um.get_group("mg"))
    run("users_user_class", lambda: User(username=""))


def health(cluster, bucket, coll):
    coll.upsert("h", 1)

    def shape(report):
        return {k.value: (len(v), sorted({e.state.value for e in v}), sorted({str(e.namespace) for e in v}))
                for k, v in report.endpoints.items()}

    run("ping_cluster", lambda: shape(cluster.ping()))
    run("ping_bucket", lambda: shape(bucket.ping()))
    run("ping_kv_only", lambda: shape(cluster.ping(PingOptions(service_types=[ServiceType.KeyValue]))))
    run("ping_query_only", lambda: shape(cluster.ping(service_types=[ServiceType.Query])))
    run("ping_report_id", lambda: cluster.ping(report_id="r-1").id)
    run("ping_json", lambda: sorted(json.loads(cluster.ping().as_json())))
    run("ping_state_enum", lambda: [s.value for s in PingState])
    run("diag_state", lambda: cluster.diagnostics().state)
    run("diag_kv", lambda: shape(cluster.diagnostics()).get("key_value"))
    run("diag_report_id", lambda: cluster.diagnostics(report_id="d-1").id)
    run("wait_until_ready", lambda: cluster.wait_until_ready(timedelta(seconds=5)))
    run("wait_until_ready_kv", lambda: cluster.wait_until_ready(timedelta(seconds=5), WaitUntilReadyOptions(
        service_types=[ServiceType.KeyValue], desired_state=ClusterState.Online)))
    run("wait_until_ready_query", lambda: cluster.wait_until_ready(timedelta(seconds=2),
                                                                   service_types=[ServiceType.Query]))
    run("query_rows", lambda: list(cluster.query("SELECT 1").rows()))
    run("query_execute", lambda: cluster.query("SELECT 1", QueryOptions(metrics=True)).execute())
    run("query_iter", lambda: [r for r in cluster.query("SELECT $1", positional_parameters=[1])])
    run("scope_query", lambda: list(bucket.scope("_default").query("SELECT 1").rows()))
    run("analytics", lambda: list(cluster.analytics_query("SELECT 1").rows()))
    import couchbase.search as search

    run("search_query", lambda: list(cluster.search_query("idx", search.TermQuery("x")).rows()))
    run("search_request", lambda: list(cluster.search("idx", search.SearchRequest.create(search.MatchQuery("x")))
                                       .rows()))
    run("scope_search", lambda: list(bucket.scope("_default").search("idx", search.SearchRequest.create(
        search.MatchAllQuery())).rows()))


def misc(cluster, bucket, coll):
    r1 = coll.upsert("ms1", 1)
    r2 = coll.upsert("ms2", 2)
    run("mutation_state", lambda: len(list(MutationState(r1, r2)._sv)))
    run("mutation_state_query", lambda: QueryOptions(consistent_with=MutationState(r1)) is not None)
    run("mutation_state_missing", lambda: MutationState().add_results())
    import couchbase.exceptions as E

    names = ["KeyValueErrorContext", "SubdocumentErrorContext", "ErrorContext", "HTTPErrorContext",
             "ManagementErrorContext", "QueryErrorContext", "SearchErrorContext", "AnalyticsErrorContext",
             "ViewErrorContext", "PathNotFoundException", "PathExistsException", "PathMismatchException",
             "PathInvalidException", "PathTooBigException", "PathTooDeepException", "ValueTooDeepException",
             "DocumentNotJsonException", "NumberTooBigException", "InvalidValueException",
             "BucketAlreadyExistsException", "BucketDoesNotExistException", "BucketNotFlushableException",
             "ScopeAlreadyExistsException", "CollectionAlreadyExistsException", "UserNotFoundException",
             "GroupNotFoundException", "ServiceUnavailableException", "DocumentUnretrievableException",
             "QueueEmpty", "MissingTokenException", "InvalidIndexException", "FeatureUnavailableException"]
    run("exception_names", lambda: [n for n in names if not hasattr(E, n)])
    run("exception_bases", lambda: [n for n in names if n.endswith("Exception") and
                                    not issubclass(getattr(E, n), E.CouchbaseException)])
    run("kw_bucket", lambda: cluster.bucket(bucket_name="default").name)
    run("kw_collection", lambda: bucket.collection(collection_name="_default").name)
    run("kw_scope", lambda: bucket.scope(name="_default").collection(name="_default").name)
    run("timeout_options", lambda: sorted(ClusterTimeoutOptions(kv_timeout=timedelta(seconds=3))))
    run("connstr_kv_timeout", lambda: Cluster.connect(cluster_connstr + "?kv_timeout=2.5s", ClusterOptions(AUTH))
        .bucket("default").default_collection().exists("x").exists)
    run("connstr_unknown", lambda: Cluster.connect(cluster_connstr + "?no_such_option=1", ClusterOptions(AUTH))
        and "ok")
    run("cluster_option_unknown", lambda: Cluster.connect(cluster_connstr, ClusterOptions(AUTH, no_such_option=1))
        and "ok")
    run("timeout_option_unknown", lambda: ClusterTimeoutOptions(no_such_timeout=timedelta(seconds=1)) and "ok")
    run("timeout_option_type", lambda: ClusterTimeoutOptions(kv_timeout=5) and "ok")


def contexts(coll):
    """What a failure's context and exception say about the request."""
    def failure(fn):
        try:
            fn()
        except Exception as e:  # the failure is the outcome
            return e
        raise AssertionError("no failure")

    def described(e):
        ctx = e.context
        return [type(e).__name__, type(ctx).__name__, ctx.key, ctx.bucket_name, ctx.collection_name,
                "'status_code': %d" % 1 in repr(ctx), ctx.retry_attempts, sorted(ctx.retry_reasons),
                ctx.last_dispatched_to.rsplit(":", 1)[0], ctx.last_dispatched_from.rsplit(":", 1)[0],
                "C Source=" in repr(e), "category=couchbase.key_value" in repr(e)]

    run("ctx_missing", lambda: described(failure(lambda: coll.get("ctx-missing"))))
    run("ctx_missing_lookup", lambda: described(failure(lambda: coll.lookup_in("ctx-missing", [SD.get("a")]))))
    run("ctx_missing_multi", lambda: described(coll.get_multi(["ctx-missing"]).exceptions["ctx-missing"]))
    coll.upsert("ctx-locked", 1)
    coll.get_and_lock("ctx-locked", timedelta(seconds=5))
    e = failure(lambda: coll.upsert("ctx-locked", 2, UpsertOptions(timeout=timedelta(milliseconds=300))))
    run("ctx_locked", lambda: [type(e).__name__, type(e.context).__name__, e.context.retry_attempts > 0,
                               sorted(e.context.retry_reasons), e.context.key])


def main(connstr, nodes):
    global cluster_connstr
    cluster_connstr = connstr
    cluster = Cluster.connect(connstr, ClusterOptions(AUTH))
    bucket = cluster.bucket("default")
    coll = bucket.default_collection()
    coll.upsert("warm", 1)
    out("nodes", int(nodes))
    subdoc(coll)
    project(coll)
    preserve(coll)
    replicas(coll)
    multi(coll, coll.binary())
    structures(coll)
    management(cluster, bucket)
    health(cluster, bucket, coll)
    misc(cluster, bucket, coll)
    contexts(coll)
    cluster.close()
    print("DONE", flush=True)


cluster_connstr = None

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else 1)
