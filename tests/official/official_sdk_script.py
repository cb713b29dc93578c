"""Runs under the official Couchbase SDK (separate venv) against two running mock clusters.

argv[1]: JSON {"one": info of a 1-node cluster (bucket with 1 replica),
               "three": info of a 3-node cluster with 1 replica}.
Prints one JSON object: operation name -> outcome string.
"""

import json
import sys
import time
import traceback
from datetime import timedelta

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.durability import Durability, ServerDurability
from couchbase.options import (ClusterOptions, ClusterTimeoutOptions, GetOptions,
                               ReplaceOptions, UpsertOptions)

out = {}


def outcome(name, fn):
    try:
        res = fn()
        out[name] = "ok" if res is None else "ok:%s" % (res,)
    except Exception as e:  # the outcome is the exception class name
        out[name] = type(e).__name__
        if not type(e).__name__.endswith("Exception"):
            out[name + "_trace"] = traceback.format_exc()[-800:]


def connect(info):
    opts = ClusterOptions(PasswordAuthenticator("Administrator", "password"),
                          timeout_options=ClusterTimeoutOptions(
                              kv_timeout=timedelta(seconds=3),
                              kv_durable_timeout=timedelta(seconds=5)))
    return Cluster.connect(info["connstr"], opts)


def main():
    infos = json.loads(sys.argv[1])
    cluster = connect(infos["one"])
    bucket = cluster.bucket("default")
    coll = bucket.default_collection()
    key = "conf-%d" % int(time.time() * 1000)

    outcome("upsert", lambda: coll.upsert(key, {"n": 1}) and None)
    outcome("get", lambda: coll.get(key).content_as[dict]["n"])
    outcome("insert_existing", lambda: coll.insert(key, {"n": 2}) and None)
    stale = coll.get(key).cas
    coll.upsert(key, {"n": 3})
    outcome("replace_stale_cas", lambda: coll.replace(key, {"n": 4}, ReplaceOptions(cas=stale))
            and None)
    outcome("replace_good_cas", lambda: coll.replace(key, {"n": 5},
                                                     ReplaceOptions(cas=coll.get(key).cas))
            and None)
    outcome("remove", lambda: coll.remove(key) and None)
    outcome("get_missing", lambda: coll.get(key) and None)
    outcome("durable_upsert_1node", lambda: coll.upsert(
        key + "-d", {"d": 1}, UpsertOptions(durability=ServerDurability(Durability.MAJORITY)))
        and None)

    coll.upsert(key + "-l", {"l": 1})

    def lock_unlock():
        r = coll.get_and_lock(key + "-l", timedelta(seconds=10))
        plain = coll.get(key + "-l").cas
        coll.unlock(key + "-l", r.cas)
        coll.upsert(key + "-l", {"l": 2})
        return "locked_get_cas_hidden=%s" % (plain == 0xFFFFFFFFFFFFFFFF or plain != r.cas)
    outcome("get_and_lock_unlock", lock_unlock)

    def locked_mutation():
        r = coll.get_and_lock(key + "-l", timedelta(seconds=10))
        try:
            coll.upsert(key + "-l", {"l": 3})
        finally:
            coll.unlock(key + "-l", r.cas)
    outcome("upsert_while_locked", locked_mutation)

    outcome("touch", lambda: coll.touch(key + "-l", timedelta(seconds=100)) and None)

    def with_expiry():
        r = coll.get(key + "-l", GetOptions(with_expiry=True))
        left = (r.expiry_time.timestamp() - time.time()) if r.expiry_time else None
        return "expiry_in_range=%s" % (left is not None and 90 < left <= 101)
    outcome("get_with_expiry", with_expiry)

    def counter():
        binary = coll.binary()
        binary.increment(key + "-c")
        r = binary.increment(key + "-c")
        return r.content
    outcome("increment", counter)

    def named_collection():
        mgr = bucket.collections()
        mgr.create_scope("inventory")
        try:
            from couchbase.management.collections import CreateCollectionSettings
            mgr.create_collection("inventory", "airline", CreateCollectionSettings())
        except (ImportError, TypeError):
            from couchbase.management.collections import CollectionSpec
            mgr.create_collection(CollectionSpec("airline", scope_name="inventory"))
        time.sleep(0.5)
        c2 = bucket.scope("inventory").collection("airline")
        c2.upsert("a1", {"name": "x"})
        return c2.get("a1").content_as[dict]["name"]
    outcome("named_collection", named_collection)

    cluster3 = connect(infos["three"])
    coll3 = cluster3.bucket("default").default_collection()
    outcome("durable_upsert_3nodes", lambda: coll3.upsert(
        key + "-d3", {"d": 3}, UpsertOptions(durability=ServerDurability(Durability.MAJORITY)))
        and None)
    outcome("get_3nodes", lambda: coll3.get(key + "-d3").content_as[dict]["d"])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
