"""The embedded cluster's sub-document mutations (SUBDOC_MULTI_MUTATION), tombstones and
the sub-document statuses (docs/protocol.md sections 2.2.18 and 3.1)."""
import json
import struct

import pytest

from couchbase.mock import codec
from couchbase.mock import status as st
from couchbase.mock.subdoc import crc32c
from test_engine import SET, Harness

MUT = codec.SUBDOC_MULTI_MUTATION
LOOKUP = codec.SUBDOC_MULTI_LOOKUP
XATTR, MKDIR, MACROS = 0x04, 0x01, 0x10
MKDOC, ADD, ACCESS_DELETED, CREATE_AS_DELETED = 0x01, 0x02, 0x04, 0x08


def spec(op, path, value=b"", flags=0):
    path = path.encode()
    if not isinstance(value, bytes):
        value = json.dumps(value).encode()
    return struct.pack(">BBHI", op, flags, len(path), len(value)) + path + value


def lspec(op, path, flags=0):
    path = path.encode()
    return struct.pack(">BBH", op, flags, len(path)) + path


def lookup_fields(value):
    out, pos = [], 0
    while pos < len(value):
        status, n = struct.unpack_from(">HI", value, pos)
        out.append((status, value[pos + 6:pos + 6 + n]))
        pos += 6 + n
    return out


@pytest.fixture
def h():
    return Harness()


@pytest.fixture
def s(h):
    return h.session()


def store(h, s, key, doc):
    assert h.run(s, codec.SET, key=key, extras=SET(), value=json.dumps(doc).encode()).status == 0


def doc(h, s, key):
    r = h.run(s, codec.GET, key=key)
    return json.loads(r.value) if r.status == 0 else r.status


def test_statuses_are_numbered_as_kv_engine_numbers_them():
    assert st.SUBDOC_DOC_NOT_JSON == 0xC6
    assert st.SUBDOC_NUM_ERANGE == 0xC7
    assert st.SUBDOC_INVALID_XATTR_ORDER == 0xD4
    assert st.SUBDOC_XATTR_CANT_MODIFY_VATTR == 0xD2


def test_upsert_insert_and_counter_apply_together(h, s):
    store(h, s, "k", {"a": 1})
    r = h.run(s, MUT, key="k", value=spec(0xC8, "a", 2) + spec(0xC7, "b", "x") + spec(0xCF, "n", 5))
    assert r.status == 0
    index, status, n = struct.unpack_from(">BHI", r.value)
    assert (index, status, r.value[7:7 + n]) == (2, 0, b"5")
    assert doc(h, s, "k") == {"a": 2, "b": "x", "n": 5}


def test_a_failing_spec_applies_nothing_and_names_its_index(h, s):
    store(h, s, "k", {"a": 1})
    r = h.run(s, MUT, key="k", value=spec(0xC8, "z", 1) + spec(0xC7, "a", 2))
    assert r.status == st.SUBDOC_MULTI_PATH_FAILURE
    assert struct.unpack(">BH", r.value) == (1, st.SUBDOC_PATH_EEXISTS)
    assert doc(h, s, "k") == {"a": 1}


@pytest.mark.parametrize("specs,status", [
    ([(0xCA, "nope", 1)], st.SUBDOC_PATH_ENOENT),
    ([(0xC9, "nope", b"")], st.SUBDOC_PATH_ENOENT),
    ([(0xCF, "s", 1)], st.SUBDOC_PATH_MISMATCH),
    ([(0xCF, "n", 0)], st.SUBDOC_DELTA_EINVAL),
    ([(0xCF, "big", 1)], st.SUBDOC_NUM_ERANGE),
    ([(0xCE, "arr", 1)], st.SUBDOC_PATH_EEXISTS),
    ([(0xCE, "arr", {"o": 1})], st.SUBDOC_VALUE_CANTINSERT),
    ([(0xCD, "arr[9]", 1)], st.SUBDOC_PATH_ENOENT),
    ([(0xC8, "x.y", 1)], st.SUBDOC_PATH_ENOENT),
    ([(0xC8, "arr.y", 1)], st.SUBDOC_PATH_MISMATCH),
])
def test_path_failures(h, s, specs, status):
    store(h, s, "k", {"s": "str", "n": 1, "big": 2 ** 63 - 1, "arr": [1, 2]})
    r = h.run(s, MUT, key="k", value=b"".join(spec(*x) for x in specs))
    assert r.status == st.SUBDOC_MULTI_PATH_FAILURE
    assert struct.unpack(">BH", r.value)[1] == status


def test_array_operations_and_create_parents(h, s):
    store(h, s, "k", {"arr": [2]})
    value = (spec(0xCB, "arr", b"3,4") + spec(0xCC, "arr", b"1") + spec(0xCD, "arr[1]", b"9") +
             spec(0xCE, "arr", b"5") + spec(0xC8, "p.q", 1, MKDIR) + spec(0xCB, "new", b"1", MKDIR))
    assert h.run(s, MUT, key="k", value=value).status == 0
    assert doc(h, s, "k") == {"arr": [1, 9, 2, 3, 4, 5], "p": {"q": 1}, "new": [1]}


def test_document_flags_decide_creation(h, s):
    assert h.run(s, MUT, key="new", value=spec(0xC8, "a", 1)).status == st.KEY_ENOENT
    assert h.run(s, MUT, key="new", extras=bytes([MKDOC]), value=spec(0xC8, "a.b", 1)).status == 0
    assert doc(h, s, "new") == {"a": {"b": 1}}
    assert h.run(s, MUT, key="new", extras=bytes([ADD]), value=spec(0xC8, "a", 1)).status == st.KEY_EEXISTS
    assert h.run(s, MUT, key="new", extras=bytes([MKDOC | ADD]), value=spec(0xC8, "a", 1)).status == st.EINVAL


def test_cas_mismatch_is_key_eexists(h, s):
    store(h, s, "k", {"a": 1})
    assert h.run(s, MUT, key="k", cas=1, value=spec(0xC8, "a", 2)).status == st.KEY_EEXISTS


@pytest.mark.parametrize("value,status", [
    (spec(0xC8, "a", 1) + spec(0xC8, "x", 1, XATTR), st.SUBDOC_INVALID_XATTR_ORDER),
    (spec(0xC8, "x", 1, XATTR) + spec(0xC8, "y", 1, XATTR), st.SUBDOC_XATTR_INVALID_KEY_COMBO),
    (spec(0xC8, "$document.x", 1, XATTR), st.SUBDOC_XATTR_CANT_MODIFY_VATTR),
    (spec(0xC8, "a", "${Mutation.CAS}", MACROS), st.SUBDOC_XATTR_INVALID_FLAG_COMBO),
    (spec(0xC5, "a"), st.SUBDOC_INVALID_COMBO),
])
def test_request_level_failures(h, s, value, status):
    store(h, s, "k", {"a": 1})
    assert h.run(s, MUT, key="k", value=value).status == status


def test_macros_expand_to_the_new_cas_seqno_and_crc(h, s):
    store(h, s, "k", {"a": 1})
    value = (spec(0xC8, "m.cas", "${Mutation.CAS}", XATTR | MACROS | MKDIR) +
             spec(0xC8, "m.crc", "${Mutation.value_crc32c}", XATTR | MACROS) + spec(0xC8, "b", 2))
    r = h.run(s, MUT, key="k", value=value)
    assert r.status == 0
    got = h.run(s, LOOKUP, key="k", value=lspec(0xC5, "m", XATTR))
    m = json.loads(lookup_fields(got.value)[0][1])
    assert m["cas"] == "0x" + r.cas.to_bytes(8, "little").hex()
    body = h.run(s, codec.GET, key="k").value
    assert m["crc"] == "0x%08x" % crc32c(body)


def test_expiry_is_set_reset_or_preserved(h, s):
    store(h, s, "k", {"a": 1})
    item = lambda: h.topo.buckets["default"].item("k")  # noqa: E731
    assert h.run(s, MUT, key="k", extras=struct.pack(">I", 100), value=spec(0xC8, "a", 2)).status == 0
    exp = item().expiry
    assert exp > 0
    preserve = codec.encode_frame(codec.FRAME_PRESERVE_TTL, b"")
    assert h.run(s, MUT, key="k", framing=preserve, value=spec(0xC8, "a", 3)).status == 0
    assert item().expiry == exp
    assert h.run(s, MUT, key="k", value=spec(0xC8, "a", 4)).status == 0
    assert item().expiry == 0


def test_delete_leaves_a_tombstone_observe_reports_0x81(h, s):
    store(h, s, "k", {"a": 1})
    assert h.run(s, codec.DELETE, key="k").status == 0
    kb = b"\x00k"  # collection 0 prefix
    vb = codec.vbucket_of(b"k", 16)
    r = h.run(s, codec.OBSERVE, value=struct.pack(">HH", vb, len(kb)) + kb)
    state = r.value[4 + len(kb)]
    assert state == 0x81
    missing = b"\x00nope"
    vb2 = codec.vbucket_of(b"nope", 16)
    r = h.run(s, codec.OBSERVE, value=struct.pack(">HH", vb2, len(missing)) + missing)
    assert r.value[4 + len(missing)] == 0x80


def test_create_as_deleted_and_access_deleted(h, s):
    value = spec(0xC8, "txn", {"id": 1}, XATTR)
    assert h.run(s, MUT, key="t", extras=bytes([ADD | CREATE_AS_DELETED | ACCESS_DELETED]),
                 value=value).status == st.SUBDOC_SUCCESS_DELETED
    assert h.run(s, codec.GET, key="t").status == st.KEY_ENOENT
    assert h.run(s, LOOKUP, key="t", value=lspec(0xC5, "txn", XATTR)).status == st.KEY_ENOENT
    r = h.run(s, LOOKUP, key="t", extras=bytes([ACCESS_DELETED]),
              value=lspec(0xC5, "txn", XATTR) + lspec(0xC5, "$document.deleted", XATTR))
    assert r.status == st.SUBDOC_SUCCESS_DELETED
    assert [json.loads(v) for _s, v in lookup_fields(r.value)] == [{"id": 1}, True]
    body = spec(0xC8, "a", 1)
    assert h.run(s, MUT, key="t", extras=bytes([ADD | CREATE_AS_DELETED]),
                 value=body).status == st.SUBDOC_DELETED_DOC_CANT_HAVE_VALUE


def test_a_new_document_revives_a_tombstone(h, s):
    store(h, s, "k", {"a": 1})
    h.run(s, codec.DELETE, key="k")
    assert h.run(s, codec.ADD, key="k", extras=SET(), value=b'{"b":2}').status == 0
    assert doc(h, s, "k") == {"b": 2}
    assert h.topo.buckets["default"].tombstone(codec.vbucket_of(b"k", 16), 0, b"k") is None


def test_lookup_of_a_non_json_body_is_doc_not_json(h, s):
    assert h.run(s, codec.SET, key="p", extras=SET(), value=b"plain").status == 0
    r = h.run(s, LOOKUP, key="p", value=lspec(0xC5, "a"))
    assert lookup_fields(r.value)[0][0] == st.SUBDOC_DOC_NOT_JSON


# ---- tombstones live in each node's copy; sub-document writes go through it ----

def replicated():
    """Two nodes, one replica: (harness, session on the active node of "k", active id,
    replica id). Without an event loop replication delivers at once."""
    h = Harness(nodes=2, replicas=1)
    active, replica = h.owner(b"k")
    return h, h.session(node=active), active, replica


def copy(h, nid, key=b"k"):
    """Node nid's copy of the key's vbucket."""
    return h.topo.buckets["default"].node(nid).vbuckets[codec.vbucket_of(key, 16)]


def observe_state(h, s, key=b"k"):
    kb = b"\x00" + key
    r = h.run(s, codec.OBSERVE, value=struct.pack(">HH", codec.vbucket_of(key, 16), len(kb)) + kb)
    return struct.unpack_from(">BQ", r.value, 4 + len(kb))


def test_a_deletion_replicates_as_a_tombstone_that_the_replica_reports_as_0x81():
    h, s, active, replica = replicated()
    store(h, s, "k", {"a": 1})
    cas = h.run(s, codec.DELETE, key="k").cas
    for nid in (active, replica):
        c = copy(h, nid)
        assert (0, b"k") not in c.items
        assert c.tombstones[(0, b"k")].cas == cas
    assert observe_state(h, h.session(node=replica)) == (0x81, cas)


def test_a_tombstone_is_persisted_and_read_back_by_a_restarted_node():
    h, s, active, _replica = replicated()
    store(h, s, "k", {"a": 1})
    cas = h.run(s, codec.DELETE, key="k").cas
    h.topo.replication.kill(active)
    c = copy(h, active)
    assert (0, b"k") not in c.items
    assert c.tombstones[(0, b"k")].cas == cas


def test_a_sub_document_mutation_replicates_and_reaches_the_mutation_listeners():
    h, s, active, replica = replicated()
    seen = []
    h.topo.buckets["default"].add_mutation_listener(lambda cid, key: seen.append((cid, key)))
    store(h, s, "k", {"a": 1})
    assert h.run(s, MUT, key="k", value=spec(0xC8, "b", 2)).status == 0
    assert json.loads(copy(h, replica).items[(0, b"k")].value) == {"a": 1, "b": 2}
    assert copy(h, replica).disk[(0, b"k")].value == copy(h, active).items[(0, b"k")].value
    assert seen == [(0, b"k"), (0, b"k")]


def test_a_sub_document_delete_replicates_its_tombstone_with_the_system_xattrs():
    h, s, _active, replica = replicated()
    store(h, s, "k", {"a": 1})
    assert h.run(s, MUT, key="k", value=spec(0xC8, "_sys", 1, XATTR)).status == 0
    assert h.run(s, MUT, key="k", value=spec(0xC8, "usr", 2, XATTR)).status == 0
    r = h.run(s, MUT, key="k", value=spec(0x04, ""))   # DELETE_DOC
    assert r.status == 0
    tomb = copy(h, replica).tombstones[(0, b"k")]
    assert (tomb.cas, sorted(tomb.xattrs)) == (r.cas, ["_sys"])
    assert h.run(h.session(node=replica), codec.GET_REPLICA, key="k").status == st.KEY_ENOENT


def test_a_create_as_deleted_tombstone_replicates_with_its_xattrs():
    h, s, _active, replica = replicated()
    r = h.run(s, MUT, key="k", extras=bytes([ADD | CREATE_AS_DELETED | ACCESS_DELETED]),
              value=spec(0xC8, "txn", {"id": 1}, XATTR))
    assert r.status == st.SUBDOC_SUCCESS_DELETED
    tomb = copy(h, replica).tombstones[(0, b"k")]
    assert (tomb.cas, json.loads(tomb.xattrs["txn"])) == (r.cas, {"id": 1})


# ---- values nested deeper than the parser recurses: a clear answer, never a dropped connection

def test_an_unclosed_deep_value_is_stored_as_raw_bytes(h, s):
    assert h.run(s, codec.SET, key="deep", extras=SET(), value=b"[" * 65536).status == 0
    r = h.run(s, codec.GET, key="deep")
    assert (r.status, r.datatype & codec.DT_JSON, len(r.value)) == (0, 0, 65536)


def test_a_deep_but_valid_json_value_is_stored_as_json(h, s):
    value = b"[" * 65536 + b"]" * 65536
    assert h.run(s, codec.SET, key="deep", extras=SET(), value=value).status == 0
    assert h.run(s, codec.GET, key="deep").datatype & codec.DT_JSON


def test_a_path_lookup_in_a_too_deep_document_answers_doc_too_deep(h, s):
    h.run(s, codec.SET, key="deep", extras=SET(), value=b"[" * 65536 + b"]" * 65536)
    r = h.run(s, LOOKUP, key="deep", value=lspec(0xC5, "a"))
    assert lookup_fields(r.value)[0][0] == st.SUBDOC_DOC_E2DEEP


def test_a_mutation_of_a_too_deep_document_answers_doc_too_deep(h, s):
    h.run(s, codec.SET, key="deep", extras=SET(), value=b"[" * 65536 + b"]" * 65536)
    r = h.run(s, MUT, key="deep", value=spec(0xC8, "a", 1))
    assert (r.status, struct.unpack(">BH", r.value)) == (st.SUBDOC_MULTI_PATH_FAILURE, (0, st.SUBDOC_DOC_E2DEEP))


def test_a_too_deep_value_for_a_path_answers_value_too_deep(h, s):
    store(h, s, "k", {"a": 1})
    r = h.run(s, MUT, key="k", value=spec(0xC8, "b", b"[" * 65536 + b"]" * 65536))
    assert (r.status, struct.unpack(">BH", r.value)) == (st.SUBDOC_MULTI_PATH_FAILURE, (0, st.SUBDOC_VALUE_ETOODEEP))
