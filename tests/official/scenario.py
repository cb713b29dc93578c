"""One KV scenario, run unchanged by our SDK and by the official 4.x SDK (side-by-side test).

Usage: python scenario.py CONNSTR [CA_FILE] (the CA for couchbases://). Prints one JSON line per step, ``OUT [step, outcome]``,
where the outcome is a plain value or ``"EXC:<exception class name>"``. When a step needs
a fault injected into the embedded cluster, it prints ``HOOK <name>`` and waits for a
line on stdin (the parent installs the fault, then answers).
"""
import json
import sys
import time
from datetime import timedelta

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.durability import Durability, ServerDurability
from couchbase.options import (
    ClusterOptions, DecrementOptions, DeltaValue, GetOptions, IncrementOptions, InsertOptions, RemoveOptions,
    ReplaceOptions, SignedInt64, UpsertOptions,
)

from couchbase.transcoder import RawStringTranscoder

SHORT = timedelta(milliseconds=600)


def out(step, value):
    print("OUT " + json.dumps([step, value]), flush=True)


def hook(name):
    print("HOOK " + name, flush=True)
    sys.stdin.readline()


def run(step, fn):
    try:
        value = fn()
    except Exception as e:  # the class name is the outcome
        value = "EXC:" + type(e).__name__
    out(step, value)
    return value


def main(connstr, ca=None):
    tls = {"cert_path": ca} if ca else {}
    auth = PasswordAuthenticator("Administrator", "password", **tls)
    run("connect_bad_password",
        lambda: Cluster.connect(connstr, ClusterOptions(PasswordAuthenticator("Administrator", "wrong", **tls)))
        and "ok")
    cluster = Cluster.connect(connstr, ClusterOptions(auth))
    run("bucket_missing", lambda: cluster.bucket("no-such-bucket").name)
    bucket = cluster.bucket("default")
    coll = bucket.default_collection()

    # CRUD
    run("upsert", lambda: coll.upsert("doc", {"a": 1}).cas > 0)
    run("get", lambda: coll.get("doc").content_as[dict])
    run("get_value", lambda: coll.get("doc").value)
    run("insert_existing", lambda: coll.insert("doc", {"a": 2}))
    run("insert_new", lambda: coll.insert("doc2", {"b": [1, 2]}, InsertOptions(timeout=timedelta(seconds=5)),
                                          expiry=timedelta(seconds=30)).cas > 0)
    run("get_missing", lambda: coll.get("missing"))
    run("replace_missing", lambda: coll.replace("missing", {}))
    run("remove_missing", lambda: coll.remove("missing"))
    run("exists_yes", lambda: coll.exists("doc").exists)
    run("exists_no", lambda: coll.exists("missing").exists)
    run("get_str", lambda: coll.upsert("strdoc", "hello") and coll.get("strdoc").content_as[str])
    run("get_int", lambda: coll.upsert("intdoc", 42) and coll.get("intdoc").content_as[int])
    run("get_float", lambda: coll.upsert("fdoc", 1.5) and coll.get("fdoc").content_as[float])

    # CAS
    cas = coll.get("doc").cas
    run("replace_bad_cas", lambda: coll.replace("doc", {"a": 3}, ReplaceOptions(cas=cas + 1)))
    run("replace_good_cas", lambda: coll.replace("doc", {"a": 3}, cas=cas).cas != cas)
    run("remove_bad_cas", lambda: coll.remove("doc", RemoveOptions(cas=12345)))
    run("after_replace", lambda: coll.get("doc").content_as[dict])

    # lock / unlock
    locked = coll.get_and_lock("doc", timedelta(seconds=10))
    out("lock_cas_differs", locked.cas != cas)
    run("upsert_locked", lambda: coll.upsert("doc", {"a": 4}, timeout=SHORT))
    run("lock_again", lambda: coll.get_and_lock("doc", timedelta(seconds=1), timeout=SHORT))
    run("get_locked", lambda: coll.get("doc").content_as[dict])
    run("unlock_wrong_cas", lambda: coll.unlock("doc", locked.cas + 1, timeout=SHORT))
    run("unlock", lambda: coll.unlock("doc", locked.cas))
    run("unlock_not_locked", lambda: coll.unlock("doc", locked.cas))
    run("upsert_unlocked", lambda: coll.upsert("doc", {"a": 5}).cas > 0)
    run("lock_missing", lambda: coll.get_and_lock("missing", timedelta(seconds=1)))

    # counters
    binary = coll.binary()
    run("incr_create", lambda: binary.increment("ctr", IncrementOptions(delta=DeltaValue(5),
                                                                         initial=SignedInt64(10))).content)
    run("incr", lambda: binary.increment("ctr", delta=DeltaValue(5)).content)
    run("decr", lambda: binary.decrement("ctr", DecrementOptions(delta=DeltaValue(3))).content)
    run("incr_default", lambda: binary.increment("ctr").content)
    run("counter_get", lambda: coll.get("ctr").content_as[int])
    run("incr_no_create", lambda: binary.increment("ctr-missing", initial=SignedInt64(-1)))
    run("incr_not_number", lambda: binary.increment("doc"))

    # append / prepend with the string transcoder
    tc = RawStringTranscoder()
    run("upsert_str", lambda: coll.upsert("s", "abc", UpsertOptions(transcoder=tc)).cas > 0)
    run("append", lambda: binary.append("s", "def").cas > 0)
    run("prepend", lambda: binary.prepend("s", b"x").cas > 0)
    run("get_str_tc", lambda: coll.get("s", GetOptions(transcoder=tc)).content_as[str])
    run("get_str_default_tc", lambda: coll.get("s").value)
    run("append_missing", lambda: binary.append("missing", "x"))

    # expiry
    run("with_expiry", lambda: coll.get("doc2", GetOptions(with_expiry=True)).expiry_time is not None)
    run("no_expiry", lambda: coll.get("doc", with_expiry=True).expiry_time is None)
    run("touch", lambda: coll.touch("doc", timedelta(seconds=1)).cas > 0)
    run("get_and_touch", lambda: coll.get_and_touch("doc2", timedelta(seconds=60)).content_as[dict])
    time.sleep(2.2)
    run("expired", lambda: coll.get("doc"))
    run("touch_missing", lambda: coll.touch("missing", timedelta(seconds=5)))

    # durability on one node with one replica configured
    run("durable_majority", lambda: coll.upsert("d", {"x": 1}, UpsertOptions(
        durability=ServerDurability(Durability.MAJORITY))))
    run("durable_remove", lambda: coll.remove("doc2", RemoveOptions(
        durability=ServerDurability(Durability.PERSIST_TO_MAJORITY))))

    # a named collection
    users = bucket.scope("tenant_agent_00").collection("users")
    run("coll_upsert", lambda: users.upsert("user-key", {"name": "John Doe"}).cas > 0)
    run("coll_get", lambda: users.get("user-key").content_as[dict])
    run("coll_isolated", lambda: coll.get("user-key"))
    run("coll_insert_existing", lambda: users.insert("user-key", {}))

    # errors raised before sending
    run("bytes_default_tc", lambda: coll.upsert("b", b"\x00\x01"))
    run("object_default_tc", lambda: coll.upsert("b", object()))
    run("int_timeout", lambda: coll.get("doc2", timeout=5))
    run("int_expiry", lambda: coll.upsert("b", 1, expiry=30))
    run("decode_str_as_json", lambda: coll.upsert("raw", "t", transcoder=tc) and coll.get("raw").value)

    # faults injected by the parent
    hook("tmpfail_get")
    run("tmpfail", lambda: coll.get("doc2", timeout=SHORT))
    hook("clear")
    hook("ambiguous_set")
    run("sync_write_ambiguous", lambda: coll.upsert("d2", {}, durability=ServerDurability(Durability.MAJORITY)))
    hook("clear")
    hook("invalid_level_set")
    run("durability_invalid_level", lambda: coll.upsert("d2", {}, durability=ServerDurability(Durability.MAJORITY)))
    hook("clear")
    hook("delay_get")
    run("timeout_get", lambda: coll.get("doc2", timeout=timedelta(milliseconds=300)))
    hook("clear")
    time.sleep(1.2)
    hook("delay_set")
    run("timeout_upsert", lambda: coll.upsert("doc3", {}, timeout=timedelta(milliseconds=300)))
    hook("clear")
    time.sleep(1.2)
    run("after_faults", lambda: coll.get("doc2").content_as[dict])

    # multi operations (ours: one batch; the official SDK has the same names)
    if hasattr(coll, "upsert_multi"):
        run("upsert_multi", lambda: coll.upsert_multi({"m1": 1, "m2": 2}).all_ok)
        run("get_multi", lambda: sorted(
            (k, v.content_as[int]) for k, v in coll.get_multi(["m1", "m2"]).results.items()))
        run("get_multi_missing", lambda: sorted(
            (k, type(e).__name__) for k, e in coll.get_multi(["m1", "nope"]).exceptions.items()))
        run("remove_multi", lambda: coll.remove_multi(["m1", "m2"]).all_ok)
    cluster.close()
    run("after_close", lambda: coll.get("doc2"))
    print("DONE", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:3])
