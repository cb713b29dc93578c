"""Modern KV operations against the embedded cluster, beyond the tutorial and the side-by-side scenario."""
import time
from datetime import datetime, timedelta

import pytest

from modern_cluster import connect
from couchbase import exceptions as E
import couchbase.subdocument as SD
from couchbase._modern.transcoders import (
    FMT_BYTES, FMT_UTF8, LegacyTranscoder, RawBinaryTranscoder, RawJSONTranscoder, RawStringTranscoder,
)
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.durability import ClientDurability, Durability, PersistTo, ReplicateTo, ServerDurability
from couchbase.options import (
    ClusterOptions, ClusterTimeoutOptions, DeltaValue, GetOptions, IncrementOptions, RemoveMultiOptions,
    ReplaceMultiOptions, SignedInt64, UpsertMultiOptions, UpsertOptions,
)


def test_connect_forms(one_node):
    auth = PasswordAuthenticator("Administrator", "password")
    for c in (Cluster(one_node.connstr, ClusterOptions(auth)),
              Cluster.connect(one_node.connstr, authenticator=auth),
              Cluster.connect(one_node.connstr, {"authenticator": auth}),
              Cluster.connect(one_node.connstr, ClusterOptions(auth), kv_timeout=timedelta(seconds=9))):
        b = c.bucket("default")
        assert b.name == "default"
        assert b.default_collection().name == "_default"
        assert b.collection("x").name == "x"
        s = b.scope("inventory")
        assert (s.name, s.bucket_name) == ("inventory", "default")
        c.close()
        c.close()  # idempotent


def test_bad_credentials_and_bucket(one_node):
    with pytest.raises(E.AuthenticationException):
        Cluster.connect(one_node.connstr, ClusterOptions(PasswordAuthenticator("Administrator", "nope")))
    with pytest.raises(E.AuthError):  # the 1.x class catches it too
        Cluster.connect(one_node.connstr, ClusterOptions(PasswordAuthenticator("nobody", "x")))
    c = connect(one_node)
    with pytest.raises(E.BucketNotFoundException):
        c.bucket("no-such-bucket")
    c.close()


def test_closed_cluster(one_node):
    c = connect(one_node)
    coll = c.bucket("default").default_collection()
    coll.upsert("closing", 1)
    c.close()
    with pytest.raises(RuntimeError):
        coll.get("closing")
    with pytest.raises(RuntimeError):
        c.bucket("default")


def test_kwargs_override_options(coll, key):
    coll.upsert(key, 1, UpsertOptions(expiry=timedelta(seconds=100)), expiry=timedelta(seconds=5000))
    exp = coll.get(key, with_expiry=True).expiry_time
    assert timedelta(seconds=4000) < exp - datetime.now() < timedelta(seconds=6000)


def test_absolute_expiry_datetime(coll, key):
    when = datetime.now() + timedelta(hours=2)
    coll.upsert(key, {"a": 1}, expiry=when)
    got = coll.get(key, GetOptions(with_expiry=True))
    assert abs((got.expiry_time - when).total_seconds()) < 2
    assert got.content_as[dict] == {"a": 1}


def test_touch_and_get_and_touch(coll, key):
    coll.upsert(key, "v")
    assert coll.get(key, with_expiry=True).expiry_time is None
    coll.touch(key, timedelta(seconds=100))
    assert coll.get(key, with_expiry=True).expiry_time is not None
    r = coll.get_and_touch(key, timedelta(0))
    assert r.content_as[str] == "v"
    assert coll.get(key, with_expiry=True).expiry_time is None


def test_mutation_tokens(coll, key):
    r = coll.upsert(key, 1)
    t = r.mutation_token()
    assert t.bucket_name == "default" and t.sequence_number > 0 and t.partition_uuid
    assert t == r.mutation_token() and hash(t) == hash(r.mutation_token())
    assert t.as_tuple()[3] == "default" and t.as_dict()["partition_id"] == t.partition_id


def test_lock_unlock_cycle(coll, key):
    coll.upsert(key, {"v": 1})
    r = coll.get_and_lock(key, timedelta(seconds=5))
    with pytest.raises(E.DocumentLockedException):
        coll.replace(key, {"v": 2}, timeout=timedelta(milliseconds=200))
    with pytest.raises(E.TemporaryFailError):  # 1.x class of the same meaning
        coll.remove(key, timeout=timedelta(milliseconds=200))
    assert coll.unlock(key, r.cas) is None
    coll.replace(key, {"v": 2}, cas=coll.get(key).cas)
    with pytest.raises(E.DocumentNotFoundException):
        coll.unlock(key + "-missing", 123)
    with pytest.raises(E.InvalidArgumentException):
        coll.get_and_lock(key, 5)


def test_counters(coll, key):
    b = coll.binary()
    assert b.increment(key).content == 0  # created with the default initial 0
    assert b.increment(key, IncrementOptions(delta=DeltaValue(10))).content == 10
    assert b.decrement(key, delta=DeltaValue(3)).content == 7
    assert b.decrement(key, delta=DeltaValue(100)).content == 0  # stops at 0
    assert b.increment(key, delta=5).content == 5  # plain ints are accepted here
    r = b.increment(key)
    assert r.cas and r.mutation_token() is not None
    with pytest.raises(E.DocumentNotFoundException):
        b.decrement(key + "x", initial=SignedInt64(-1))
    assert coll.get(key).content_as[int] == 6


def test_append_prepend(coll, key):
    b = coll.binary()
    coll.upsert(key, b"mid", transcoder=RawBinaryTranscoder())
    b.append(key, b"-end")
    b.prepend(key, bytearray(b"start-"))
    assert coll.get(key, transcoder=RawBinaryTranscoder()).content_as[bytes] == b"start-mid-end"
    with pytest.raises(ValueError):
        b.append(key, 5)
    with pytest.raises(E.DocumentNotFoundException):
        b.prepend(key + "-missing", "x")


def test_transcoders_over_the_wire(coll, key):
    coll.upsert(key, "text", transcoder=RawStringTranscoder())
    r = coll.get(key, transcoder=RawStringTranscoder())
    assert r.value == "text" and r.flags == FMT_UTF8
    coll.upsert(key, b"\x00\xff", transcoder=RawBinaryTranscoder())
    r = coll.get(key, transcoder=RawBinaryTranscoder())
    assert r.value == b"\x00\xff" and r.flags == FMT_BYTES
    with pytest.raises(E.ValueFormatException):
        coll.get(key).value
    coll.upsert(key, '{"raw": true}', transcoder=RawJSONTranscoder())
    assert coll.get(key).content_as[dict] == {"raw": True}
    assert coll.get(key, transcoder=RawJSONTranscoder()).value == b'{"raw": true}'
    coll.upsert(key, {3, 4}, transcoder=LegacyTranscoder())
    assert coll.get(key, transcoder=LegacyTranscoder()).value == {3, 4}


def test_cluster_default_transcoder(one_node, key):
    c = connect(one_node, transcoder=LegacyTranscoder())
    coll = c.bucket("default").default_collection()
    coll.upsert(key, b"bytes")
    assert coll.get(key).value == b"bytes"
    assert coll.get_multi([key]).results[key].value == b"bytes"
    c.close()


def test_kv_timeout_from_cluster_options(one_node, key):
    c = connect(one_node, timeout_options=ClusterTimeoutOptions(kv_timeout=timedelta(milliseconds=200)))
    coll = c.bucket("default").default_collection()
    coll.upsert(key, 1)
    one_node.hooks.delay(1.0, opcode=0x00, count=1)
    try:
        t0 = time.monotonic()
        with pytest.raises(E.UnAmbiguousTimeoutException):
            coll.get(key)
        assert time.monotonic() - t0 < 0.9
    finally:
        one_node.hooks.clear()
    time.sleep(1.0)
    c.close()


def test_multi_operations(coll, key):
    keys = ["%s-%d" % (key, i) for i in range(50)]
    r = coll.insert_multi({k: {"i": i} for i, k in enumerate(keys)})
    assert r.all_ok and len(r.results) == 50
    r = coll.insert_multi({keys[0]: 1, key + "-new": 2})
    assert not r.all_ok
    assert isinstance(r.exceptions[keys[0]], E.DocumentExistsException)
    g = coll.get_multi(keys + [key + "-missing"])
    assert {k: v.content_as[dict]["i"] for k, v in g.results.items()} == {k: i for i, k in enumerate(keys)}
    assert isinstance(g.exceptions[key + "-missing"], E.DocumentNotFoundException)
    with pytest.raises(E.DocumentNotFoundException):
        coll.get_multi([key + "-missing"], return_exceptions=False)
    cas = {k: v.cas for k, v in g.results.items()}
    r = coll.replace_multi({keys[0]: "a", keys[1]: "b"},
                           ReplaceMultiOptions(per_key_options={keys[0]: {"cas": cas[keys[0]]},
                                                                keys[1]: {"cas": 1}}))
    assert keys[0] in r.results and isinstance(r.exceptions[keys[1]], E.CasMismatchException)
    r = coll.upsert_multi({k: i for i, k in enumerate(keys)}, UpsertMultiOptions(expiry=timedelta(seconds=60)))
    assert r.all_ok and all(m.mutation_token() for m in r.results.values())
    assert coll.get(keys[3], with_expiry=True).expiry_time is not None
    r = coll.remove_multi(keys[:10] + [key + "-missing"], RemoveMultiOptions())
    assert len(r.results) == 10 and list(r.exceptions) == [key + "-missing"]
    t = coll.touch_multi(keys[10:20], timedelta(seconds=30))
    assert t.all_ok
    c = coll.binary().increment_multi([key + "-c1", key + "-c2"], delta=DeltaValue(2), initial=SignedInt64(5))
    assert {k: v.content for k, v in c.results.items()} == {key + "-c1": 5, key + "-c2": 5}
    with pytest.raises(E.InvalidArgumentException):
        coll.get_multi(tuple(keys))
    with pytest.raises(E.InvalidArgumentException):
        coll.upsert_multi(keys)
    e = coll.exists_multi([keys[20], key + "-missing"])
    assert e.results[keys[20]].exists and not e.results[key + "-missing"].exists


def test_multi_is_one_batch(coll, key, monkeypatch):
    """upsert_multi and get_multi fill one batch and run it once."""
    from couchbase._core.session import Session

    calls = []
    real = Session.execute

    def spy(self, keys, *a, **kw):
        calls.append(len(keys))
        return real(self, keys, *a, **kw)

    monkeypatch.setattr(Session, "execute", spy)
    keys = ["%s-%d" % (key, i) for i in range(30)]
    coll.upsert_multi({k: 1 for k in keys})
    coll.get_multi(keys)
    assert calls == [30, 30]


def test_named_collections(cluster, key):
    b = cluster.bucket("default")
    airline = b.scope("inventory").collection("airline")
    default = b.default_collection()
    airline.upsert(key, {"where": "airline"})
    default.upsert(key, {"where": "default"})
    assert airline.get(key).content_as[dict] == {"where": "airline"}
    assert default.get(key).content_as[dict] == {"where": "default"}
    assert airline.get_multi([key]).results[key].content_as[dict] == {"where": "airline"}
    assert airline.exists(key).exists
    assert airline.binary().increment(key + "-n").content == 0
    with pytest.raises(E.ScopeNotFoundException):
        b.scope("nope").collection("airline").get(key)
    with pytest.raises(E.CollectionNotFoundException):
        b.scope("inventory").collection("nope").upsert(key, 1)


def test_collection_dropped_and_recreated(one_node, key):
    """UNKNOWN_COLLECTION refreshes the id once and retries; a dropped collection then
    raises CollectionNotFoundException."""
    one_node.create_collection("default", "tmp", "c1")
    c = connect(one_node)
    coll = c.bucket("default").scope("tmp").collection("c1")
    coll.upsert(key, 1)
    old = coll._cid
    one_node.drop_collection("default", "tmp", "c1")
    one_node.create_collection("default", "tmp", "c1")
    coll.upsert(key, 2)  # stale id -> UNKNOWN_COLLECTION -> new id -> retried
    assert coll._cid != old
    assert coll.get(key).value == 2
    one_node.drop_collection("default", "tmp", "c1")
    with pytest.raises(E.CollectionNotFoundException):
        coll.get(key)
    c.close()


def test_server_durability_three_nodes(cluster3, key):
    coll = cluster3.bucket("default").default_collection()
    for level in (Durability.MAJORITY, Durability.MAJORITY_AND_PERSIST_TO_ACTIVE, Durability.PERSIST_TO_MAJORITY):
        assert coll.upsert(key, {"l": int(level)}, durability=ServerDurability(level)).cas
    assert coll.binary().increment(key + "-n", durability=ServerDurability(Durability.MAJORITY)).content == 0
    assert coll.remove(key, durability=ServerDurability(Durability.MAJORITY)).cas


def test_client_durability(cluster3, cluster, key):
    coll = cluster3.bucket("default").default_collection()
    r = coll.upsert(key, 1, durability=ClientDurability(replicate_to=ReplicateTo.ONE, persist_to=PersistTo.ONE))
    assert r.cas
    assert coll.remove(key, durability=ClientDurability(ReplicateTo.ONE)).cas
    with pytest.raises(E.DurabilityImpossibleException):
        coll.upsert(key, 1, durability=ClientDurability(replicate_to=ReplicateTo.TWO))
    one = cluster.bucket("default").default_collection()  # one node: the replica is not placed
    with pytest.raises(E.DurabilityImpossibleException):
        one.upsert(key, 1, durability=ClientDurability(replicate_to=ReplicateTo.ONE))


def test_failover_keeps_working(key):
    from modern_cluster import new_mock

    with new_mock(3, 1) as m:
        c = connect(m)
        coll = c.bucket("default").default_collection()
        keys = ["%s-%d" % (key, i) for i in range(40)]
        coll.upsert_multi({k: 1 for k in keys})
        m.failover(1)
        g = coll.get_multi(keys)
        assert g.all_ok, g.exceptions
        for k in keys[:10]:
            coll.upsert(k, 2)
        c.close()


def test_argument_errors(coll, key):
    with pytest.raises(E.InvalidArgumentException):
        coll.get(5)
    with pytest.raises(E.InvalidArgumentException):
        coll.get("")
    with pytest.raises(E.InvalidArgumentException):
        coll.get("k" * 300)
    with pytest.raises(E.InvalidArgumentException):
        coll.upsert(key, 1, foo=1)
    with pytest.raises(E.InvalidArgumentException):
        coll.replace(key, 1, expiry=timedelta(seconds=1), preserve_expiry=True)
    with pytest.raises(E.InvalidArgumentException):
        coll.upsert(key, 1, durability="majority")
    with pytest.raises(E.ValueFormatException):
        coll.upsert(key, b"x")
    with pytest.raises(E.ValueFormatError):  # 1.x class
        coll.insert(key, object())


def test_classic_except_clauses_catch_modern_errors(coll, key):
    with pytest.raises(E.NotFoundError):
        coll.get(key + "-missing")
    coll.upsert(key, 1)
    with pytest.raises(E.KeyExistsError):
        coll.insert(key, 1)
    with pytest.raises(E.KeyExistsError):
        coll.replace(key, 2, cas=1)
    with pytest.raises(E.CouchbaseError):
        coll.remove(key + "-missing")
    try:
        coll.get(key + "-missing")
    except E.CouchbaseException as e:
        assert e.error_code == 101 and e.key == key + "-missing" and e.rc == 0xD


def test_wait_until_ready_returns_for_a_running_cluster(cluster):
    from datetime import timedelta

    assert cluster.wait_until_ready(timedelta(seconds=5)) is None


def test_a_key_value_failure_carries_a_key_value_error_context_naming_its_key(coll, key):
    with pytest.raises(E.DocumentNotFoundException) as info:
        coll.get(key + "-absent")
    assert isinstance(info.value.context, E.KeyValueErrorContext)
    assert info.value.context.key == key + "-absent"
    assert info.value.error_context is info.value.context


def test_a_key_value_error_context_names_the_bucket_scope_and_collection(cluster, key):
    users = cluster.bucket("travel-sample").scope("tenant_agent_00").collection("users")
    with pytest.raises(E.DocumentNotFoundException) as info:
        users.replace(key, {"a": 1})
    ctx = info.value.context
    assert (ctx.bucket_name, ctx.scope_name, ctx.collection_name) == ("travel-sample", "tenant_agent_00", "users")


def test_a_failed_lookup_in_names_where_the_document_was_looked_for(coll, key):
    with pytest.raises(E.DocumentNotFoundException) as info:
        coll.lookup_in(key, [SD.get("a")])
    ctx = info.value.context
    assert isinstance(ctx, E.SubdocumentErrorContext)
    assert (ctx.key, ctx.bucket_name, ctx.scope_name, ctx.collection_name) == (key, "default", "_default", "_default")


def test_each_failed_key_of_a_multi_operation_names_its_collection(coll, key):
    res = coll.get_multi([key + "-1", key + "-2"], return_exceptions=True)
    ctxs = [res.exceptions[k].context for k in (key + "-1", key + "-2")]
    assert [(c.key, c.bucket_name, c.collection_name) for c in ctxs] == [(key + "-1", "default", "_default"),
                                                                          (key + "-2", "default", "_default")]
