"""engine.py: KV semantics without sockets."""

import json
import struct

import pytest

from couchbase.mock import codec
from couchbase.mock import status as st
from couchbase.mock.engine import Engine, Session
from couchbase.mock.hooks import DATA_OPCODES
from couchbase.mock.response import Deferred
from couchbase.mock.sasl import ScramClient
from couchbase.mock.store import LOCKED_CAS, ManualClock
from couchbase.mock.topology import Topology

NVB = 16
DOC_OPS = DATA_OPCODES - {codec.OBSERVE, codec.OBSERVE_SEQNO}
ALL = [codec.F_XERROR, codec.F_JSON, codec.F_MUTATION_SEQNO, codec.F_COLLECTIONS,
       codec.F_XATTR, codec.F_VATTR, codec.F_SELECT_BUCKET, codec.F_ALT_REQUEST,
       codec.F_SYNC_REPLICATION, codec.F_PRESERVE_TTL]


class Harness:
    def __init__(self, nodes=1, replicas=0, buckets=(("default", None),)):
        self.clock = ManualClock()
        self.topo = Topology(num_vbuckets=NVB, replicas=replicas, clock=self.clock)
        for _ in range(nodes):
            self.topo.new_node().running = True
        self.topo.activate_initial()
        for name, pw in buckets:
            self.topo.create_bucket(name, pw)
        self.engine = Engine(self.topo)

    def session(self, features=ALL, user="Administrator", bucket="default", node=0):
        s = Session(node)
        self.run(s, codec.HELLO, value=codec.hello_features(features))
        if user:
            r = self.run(s, codec.SASL_AUTH, key=b"PLAIN",
                         value=b"\0%s\0password" % user.encode())
            assert r.status == 0
        if bucket:
            assert self.run(s, codec.SELECT_BUCKET, key=bucket.encode()).status == 0
        return s

    def run(self, s, opcode, key=b"", extras=b"", value=b"", cas=0, vbucket=None,
            framing=b"", datatype=0, cid=None):
        if isinstance(key, str):
            key = key.encode()
        if vbucket is None:
            vbucket = codec.vbucket_of(key, NVB) if key else 0
        if cid is not None or (s.collections and key and opcode in DOC_OPS):
            key = codec.leb128_encode(cid or 0) + key
        pkt = codec.Packet(0x08 if framing else 0x80, opcode, datatype, vbucket, 1, cas,
                           framing, extras, key, value)
        return self.engine.execute(s, pkt)

    def owner(self, key):
        return self.topo.maps["default"].map[codec.vbucket_of(key, NVB)]


def SET(flags=0, exp=0):
    return struct.pack(">II", flags, exp)


@pytest.fixture
def h():
    return Harness()


@pytest.fixture
def s(h):
    return h.session()


def test_hello_acks_only_implemented_features(h):
    s = Session()
    r = h.run(s, codec.HELLO, value=codec.hello_features([0x03, 0x0A, 0x07, 0x99, 0x12]))
    assert r.value == codec.hello_features([0x03, 0x07, 0x12])
    assert s.xerror and s.collections and not s.json


def test_hello_prerequisite_missing_is_einval(h):
    r = h.run(Session(), codec.HELLO, value=codec.hello_features([codec.F_CLUSTERMAP_NOTIF]))
    assert r.status == st.EINVAL


def test_set_get_roundtrip_with_flags_and_json_datatype(h, s):
    r = h.run(s, codec.SET, "k", SET(0x02000000), b'{"a":1}')
    assert r.status == 0 and r.cas and len(r.extras) == 16
    g = h.run(s, codec.GET, "k")
    assert (g.value, g.cas, struct.unpack(">I", g.extras)[0], g.datatype) == \
        (b'{"a":1}', r.cas, 0x02000000, codec.DT_JSON)


def test_add_existing_and_replace_missing(h, s):
    h.run(s, codec.SET, "k", SET(), b"1")
    assert h.run(s, codec.ADD, "k", SET(), b"2").status == st.KEY_EEXISTS
    assert h.run(s, codec.REPLACE, "nope", SET(), b"2").status == st.KEY_ENOENT
    assert h.run(s, codec.ADD, "k2", SET(), b"2", cas=5).status == st.EINVAL


def test_cas_mismatch_and_match(h, s):
    cas = h.run(s, codec.SET, "k", SET(), b"1").cas
    assert h.run(s, codec.REPLACE, "k", SET(), b"2", cas=cas + 1).status == st.KEY_EEXISTS
    assert h.run(s, codec.REPLACE, "k", SET(), b"2", cas=cas).status == 0
    assert h.run(s, codec.SET, "missing", SET(), b"2", cas=cas).status == st.KEY_ENOENT


def test_delete_and_quiet_variants(h, s):
    assert h.run(s, codec.SETQ, "k", SET(), b"1") is None
    assert h.run(s, codec.GETQ, "zz") is None
    assert h.run(s, codec.GETKQ, "k").key == b"\x00k"
    assert h.run(s, codec.DELETE, "k").status == 0
    assert h.run(s, codec.DELETE, "k").status == st.KEY_ENOENT
    assert h.run(s, codec.GET, "k").status == st.KEY_ENOENT


def test_relative_and_absolute_expiry(h, s):
    h.run(s, codec.SET, "rel", SET(0, 10), b"x")
    h.run(s, codec.SET, "abs", SET(0, int(h.clock.now()) + 100), b"x")
    h.run(s, codec.SET, "past", SET(0, int(h.clock.now()) - 100), b"x")
    assert h.run(s, codec.GET, "past").status == st.KEY_ENOENT
    h.clock.advance(11)
    assert h.run(s, codec.GET, "rel").status == st.KEY_ENOENT
    assert h.run(s, codec.GET, "abs").status == 0
    h.clock.advance(100)
    assert h.run(s, codec.GET, "abs").status == st.KEY_ENOENT


def test_touch_and_gat(h, s):
    h.run(s, codec.SET, "k", SET(7), b"v")
    assert h.run(s, codec.TOUCH, "k", struct.pack(">I", 5)).status == 0
    g = h.run(s, codec.GAT, "k", struct.pack(">I", 0))
    assert g.value == b"v" and struct.unpack(">I", g.extras)[0] == 7
    h.clock.advance(10)
    assert h.run(s, codec.GET, "k").status == 0      # GAT with 0 cleared the expiry
    assert h.run(s, codec.TOUCH, "nope", struct.pack(">I", 5)).status == st.KEY_ENOENT


def test_counters(h, s):
    ext = struct.pack(">QQI", 5, 100, 0)
    r = h.run(s, codec.INCREMENT, "c", ext)
    assert struct.unpack(">Q", r.value)[0] == 100      # created with initial
    r = h.run(s, codec.INCREMENT, "c", ext)
    assert struct.unpack(">Q", r.value)[0] == 105
    r = h.run(s, codec.DECREMENT, "c", struct.pack(">QQI", 1000, 0, 0))
    assert struct.unpack(">Q", r.value)[0] == 0        # never negative
    assert h.run(s, codec.GET, "c").value == b"0"
    nocreate = struct.pack(">QQI", 1, 0, 0xFFFFFFFF)
    assert h.run(s, codec.INCREMENT, "nc", nocreate).status == st.KEY_ENOENT
    h.run(s, codec.SET, "max", SET(), str(2 ** 64 - 1).encode())
    r = h.run(s, codec.INCREMENT, "max", struct.pack(">QQI", 2, 0, 0))
    assert struct.unpack(">Q", r.value)[0] == 1        # wraps
    h.run(s, codec.SET, "txt", SET(), b"abc")
    assert h.run(s, codec.INCREMENT, "txt", ext).status == st.DELTA_BADVAL


def test_append_prepend(h, s):
    assert h.run(s, codec.APPEND, "k", value=b"x").status == st.NOT_STORED
    h.run(s, codec.SET, "k", SET(3), b"mid")
    h.run(s, codec.APPEND, "k", value=b">")
    h.run(s, codec.PREPEND, "k", value=b"<")
    g = h.run(s, codec.GET, "k")
    assert g.value == b"<mid>" and struct.unpack(">I", g.extras)[0] == 3


def test_getl_semantics_xerror(h, s):
    h.run(s, codec.SET, "k", SET(), b"v")
    l = h.run(s, codec.GET_LOCKED, "k", struct.pack(">I", 10))
    assert l.status == 0
    assert h.run(s, codec.GET, "k").cas == LOCKED_CAS
    assert h.run(s, codec.GET_LOCKED, "k").status == st.LOCKED
    assert h.run(s, codec.SET, "k", SET(), b"w").status == st.LOCKED
    assert h.run(s, codec.DELETE, "k").status == st.LOCKED
    assert h.run(s, codec.UNLOCK_KEY, "k", cas=l.cas + 1).status == st.LOCKED
    assert h.run(s, codec.SET, "k", SET(), b"w", cas=l.cas).status == 0   # unlocks
    assert h.run(s, codec.UNLOCK_KEY, "k", cas=1).status == st.NOT_LOCKED
    assert h.run(s, codec.UNLOCK_KEY, "k").status == st.EINVAL


def test_getl_default_and_max_lock_time(h, s):
    h.run(s, codec.SET, "k", SET(), b"v")
    h.run(s, codec.GET_LOCKED, "k", struct.pack(">I", 999))   # above max: default 15 s
    h.clock.advance(14)
    assert h.run(s, codec.GET_LOCKED, "k").status == st.LOCKED
    h.clock.advance(1.5)
    l = h.run(s, codec.GET_LOCKED, "k", struct.pack(">I", 30))
    assert l.status == 0
    h.clock.advance(29)
    assert h.run(s, codec.GET, "k").cas == LOCKED_CAS
    h.clock.advance(2)
    assert h.run(s, codec.GET, "k").cas == l.cas


def test_legacy_remapping_without_xerror(h):
    s = h.session(features=[codec.F_JSON])
    h.run(s, codec.SET, "k", SET(), b"v")
    l = h.run(s, codec.GET_LOCKED, "k")
    assert h.run(s, codec.SET, "k", SET(), b"w").status == st.KEY_EEXISTS
    assert h.run(s, codec.GET_LOCKED, "k").status == st.ETMPFAIL
    assert h.run(s, codec.DELETE, "k").status == st.ETMPFAIL
    assert h.run(s, codec.UNLOCK_KEY, "k", cas=l.cas + 1).status == st.ETMPFAIL
    assert h.run(s, codec.UNLOCK_KEY, "k", cas=l.cas).status == 0
    assert h.run(s, codec.UNLOCK_KEY, "k", cas=l.cas).status == st.ETMPFAIL


def test_legacy_client_without_bucket_access_is_disconnected(h):
    s = h.session(features=[], bucket=None)
    assert h.run(s, codec.SELECT_BUCKET, key=b"nope") is None
    assert s.close


def test_not_my_vbucket_carries_config(h):
    h2 = Harness(nodes=2)
    s = h2.session(node=0)
    key = next(k for k in ("a%d" % i for i in range(100)) if h2.owner(k)[0] == 1)
    r = h2.run(s, codec.GET, key)
    assert r.status == st.NOT_MY_VBUCKET
    cfg = json.loads(r.value)
    assert cfg["rev"] == h2.topo.rev and len(cfg["nodesExt"]) == 2
    assert cfg["nodesExt"][0]["hostname"] == "$HOST"


def test_nmv_dedupe(h):
    h2 = Harness(nodes=2)
    s = h2.session(features=ALL + [codec.F_DEDUPE_NMV])
    key = next(k for k in ("a%d" % i for i in range(100)) if h2.owner(k)[0] == 1)
    assert h2.run(s, codec.GET, key).value
    assert h2.run(s, codec.GET, key).value == b""


def test_sasl_scram_and_bucket_password_selects_bucket():
    h2 = Harness(buckets=(("default", None), ("secret", "s3cret")))
    s = Session()
    h2.run(s, codec.HELLO, value=codec.hello_features([codec.F_XERROR]))
    sc = ScramClient("SCRAM-SHA512", "secret", "s3cret")
    r = h2.run(s, codec.SASL_AUTH, key=b"SCRAM-SHA512", value=sc.first())
    assert r.status == st.AUTH_CONTINUE
    r = h2.run(s, codec.SASL_STEP, key=b"SCRAM-SHA512", value=sc.final(r.value))
    assert r.status == 0 and sc.verify(r.value)
    assert s.bucket == "secret"
    assert h2.run(s, codec.SELECT_BUCKET, key=b"default").status == st.EACCESS
    bad = Session()
    r = h2.run(bad, codec.SASL_AUTH, key=b"PLAIN", value=b"\0secret\0nope")
    assert r.status == st.AUTH_ERROR


def test_select_unknown_bucket_is_eaccess(h):
    s = h.session(bucket=None)
    assert h.run(s, codec.SELECT_BUCKET, key=b"nope").status == st.EACCESS


def test_error_map_and_cluster_config(h, s):
    em = json.loads(h.run(s, codec.GET_ERROR_MAP, value=b"\x00\x02").value)
    assert em["version"] == 2 and em["errors"]["a1"]["name"] == "DURABILITY_IMPOSSIBLE"
    cfg = json.loads(h.run(s, codec.GET_CLUSTER_CONFIG).value)
    assert cfg["name"] == "default" and len(cfg["vBucketServerMap"]["vBucketMap"]) == NVB
    bare = h.session(bucket=None)
    cfg = json.loads(h.run(bare, codec.GET_CLUSTER_CONFIG).value)
    assert "vBucketServerMap" not in cfg and cfg["nodesExt"]


def test_collections(h, s):
    b = h.topo.buckets["default"]
    b.manifest.add_scope("inv")
    cid = b.manifest.add_collection("inv", "air")
    r = h.run(s, codec.GET_COLLECTION_ID, value=b"inv.air")
    assert struct.unpack(">QI", r.extras) == (b.manifest.uid, cid)
    assert h.run(s, codec.GET_COLLECTION_ID, value=b"nope.air").status == st.UNKNOWN_SCOPE
    assert h.run(s, codec.GET_COLLECTION_ID, value=b"inv.x").status == st.UNKNOWN_COLLECTION
    assert h.run(s, codec.SET, "k", SET(), b"in-coll", cid=cid).status == 0
    assert h.run(s, codec.GET, "k").status == st.KEY_ENOENT       # default collection
    assert h.run(s, codec.GET, "k", cid=cid).value == b"in-coll"
    r = h.run(s, codec.GET, "k", cid=99)
    assert r.status == st.UNKNOWN_COLLECTION
    assert json.loads(r.value) == {"manifest_uid": "%x" % b.manifest.uid}
    m = json.loads(h.run(s, codec.GET_COLLECTIONS_MANIFEST).value)
    assert [sc["name"] for sc in m["scopes"]] == ["_default", "inv"]


def test_durability_impossible_invalid_and_ok():
    one = Harness(nodes=1, replicas=1)
    s = one.session()
    fr = codec.durability_frame(1, 5000)
    assert one.run(s, codec.SET, "k", SET(), b"v", framing=fr).status == \
        st.DURABILITY_IMPOSSIBLE
    bad = codec.durability_frame(9)
    assert one.run(s, codec.SET, "k", SET(), b"v", framing=bad).status == \
        st.DURABILITY_INVALID_LEVEL
    three = Harness(nodes=3, replicas=1)
    key = "dk"
    s3 = three.session(node=three.owner(key)[0])
    assert three.run(s3, codec.SET, key, SET(), b"v", framing=fr).status == 0
    three.topo.nodes[three.owner(key)[1]].running = False
    d = three.run(s3, codec.SET, key, SET(), b"v", framing=fr)
    assert isinstance(d, Deferred) and d.fail.status == st.SYNC_WRITE_AMBIGUOUS


def test_durability_frame_on_get_is_einval(h, s):
    assert h.run(s, codec.GET, "k", framing=codec.durability_frame(1)).status == st.EINVAL
    assert h.run(s, codec.GET, "k", framing=b"\xe0").status == st.UNKNOWN_FRAME_INFO


def test_preserve_ttl(h, s):
    h.run(s, codec.SET, "k", SET(0, 50), b"v")
    h.run(s, codec.SET, "k", SET(0, 0), b"w", framing=b"\x50")
    h.clock.advance(60)
    assert h.run(s, codec.GET, "k").status == st.KEY_ENOENT
    assert h.run(s, codec.ADD, "z", SET(), b"w", framing=b"\x50").status == st.NOT_SUPPORTED


def test_get_replica_and_observe():
    three = Harness(nodes=3, replicas=1)
    key = "rk"
    active, replica = three.owner(key)
    sa = three.session(node=active)
    cas = three.run(sa, codec.SET, key, SET(), b"v").cas
    sr = three.session(node=replica)
    assert three.run(sr, codec.GET_REPLICA, key).value == b"v"
    assert three.run(sa, codec.GET_REPLICA, key).status == st.NOT_MY_VBUCKET
    vb = codec.vbucket_of(key, NVB)
    body = struct.pack(">HH", vb, 3) + b"\x00rk"
    r = three.run(sr, codec.OBSERVE, value=body)
    assert r.value == body + struct.pack(">BQ", 1, cas)
    r = three.run(sa, codec.OBSERVE_SEQNO, value=struct.pack(
        ">Q", three.topo.buckets["default"].vbuckets[vb].uuid), vbucket=vb)
    fmt, rvb, uuid, persisted, current = struct.unpack(">BHQQQ", r.value)
    assert fmt == 0 and rvb == vb and current >= 1


def test_failover_promotes_replica_and_observe_seqno_reports_old_branch():
    three = Harness(nodes=3, replicas=1)
    key = "fk"
    active, replica = three.owner(key)
    vb = codec.vbucket_of(key, NVB)
    sa = three.session(node=active)
    three.run(sa, codec.SET, key, SET(), b"v")
    old_uuid = three.topo.buckets["default"].vbuckets[vb].uuid
    three.topo.failover(active)
    assert three.owner(key)[0] == replica
    sr = three.session(node=replica)
    assert three.run(sr, codec.GET, key).value == b"v"
    r = three.run(sr, codec.OBSERVE_SEQNO, value=struct.pack(">Q", old_uuid), vbucket=vb)
    assert r.value[0] == 1


def test_subdoc_lookup_document_vattrs(h, s):
    h.run(s, codec.SET, "sd", SET(0x02000000, 100), b'{"a":{"b":[1,2,3]},"n":"x"}')
    specs = b""
    for op, flags, path in [(0xC5, 4, b"$document.exptime"), (0xC5, 4, b"$document.flags"),
                            (0xC5, 0, b"a.b[1]"), (0xC6, 0, b"zz"), (0xD2, 0, b"a.b"),
                            (0x00, 0, b"")]:
        specs += struct.pack(">BBH", op, flags, len(path)) + path
    r = h.run(s, codec.SUBDOC_MULTI_LOOKUP, "sd", value=specs)
    assert r.status == st.SUBDOC_MULTI_PATH_FAILURE
    out, i = [], 0
    while i < len(r.value):
        code, ln = struct.unpack_from(">HI", r.value, i)
        out.append((code, r.value[i + 6:i + 6 + ln]))
        i += 6 + ln
    exp = int(h.clock.now()) + 100
    assert out == [(0, str(exp).encode()), (0, str(0x02000000).encode()), (0, b"2"),
                   (st.SUBDOC_PATH_ENOENT, b""), (0, b"3"),
                   (0, b'{"a":{"b":[1,2,3]},"n":"x"}')]
    assert h.run(s, codec.SUBDOC_MULTI_LOOKUP, "missing", value=specs).status == st.KEY_ENOENT


def test_get_meta(h, s):
    cas = h.run(s, codec.SET, "m", SET(9), b"{}").cas
    r = h.run(s, codec.GET_META, "m", b"\x02")
    deleted, flags, exp, seqno = struct.unpack_from(">IIIQ", r.extras)
    assert (deleted, flags, r.cas, r.extras[-1]) == (0, 9, cas, codec.DT_JSON)


def test_stat_and_misc(h, s):
    out = h.run(s, codec.STAT)
    assert out[-1].key == b"" and any(r.key == b"curr_items" for r in out)
    vbs = h.run(s, codec.STAT, key=b"vbucket")
    assert len(vbs) == NVB + 1
    assert h.run(s, codec.STAT, key=b"bogus").status == st.KEY_ENOENT
    assert h.run(s, codec.NOOP).status == 0
    assert h.run(s, codec.VERSION).value
    assert h.run(s, 0x77).status == st.UNKNOWN_COMMAND
    assert h.run(s, codec.QUIT).status == 0 and s.close


def test_unauthenticated_uses_passwordless_default(h):
    s = Session()
    assert h.run(s, codec.SET, "k", SET(), b"v").status == 0
    guarded = Harness(buckets=(("default", "pw"),))
    assert guarded.run(Session(), codec.GET, "k").status == st.NO_BUCKET


def test_xattr_datatype_requires_negotiation(h):
    s = h.session(features=[codec.F_XERROR])
    assert h.run(s, codec.SET, "k", SET(), b"v", datatype=codec.DT_XATTR).status == st.EINVAL
    assert h.run(s, codec.SET, "k", SET(), b"v", datatype=codec.DT_SNAPPY).status == st.EINVAL
