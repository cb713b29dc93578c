"""What the modern face builds without a server: sub-document request bodies and extras,
projection paths, connection-string options and cluster option keys."""
import struct
from datetime import timedelta

import pytest

import couchbase.subdocument as SD
from couchbase._modern import cluster_options as copts
from couchbase._modern import subdoc
from couchbase.exceptions import InvalidArgumentException
from couchbase.options import ClusterOptions, ClusterTimeoutOptions


def test_lookup_body_is_opcode_flags_pathlen_path():
    body, order, _specs = subdoc.lookup_request([SD.get("a.b"), SD.exists("c", xattr=True)])
    # the xattr spec goes first on the wire; order maps wire positions back
    assert body == struct.pack(">BBH", 0xC6, 0x04, 1) + b"c" + struct.pack(">BBH", 0xC5, 0, 3) + b"a.b"
    assert order == (1, 0)


def test_lookup_in_caller_order_when_xattrs_lead():
    _body, order, _specs = subdoc.lookup_request([SD.get("x", xattr=True), SD.get_full()])
    assert order is None


def test_lookup_encodings_are_reused():
    specs = [SD.get("reuse"), SD.count("reuse")]
    assert subdoc.lookup_request(specs) is subdoc.lookup_request(list(specs))


@pytest.mark.parametrize("spec,flags,value", [
    (SD.upsert("p", {"a": 1}, create_parents=True), 0x01, b'{"a":1}'),
    (SD.insert("p", "é"), 0x00, '"é"'.encode()),
    (SD.array_append("p", 1, "two"), 0x00, b'1,"two"'),
    (SD.increment("p", 3), 0x00, b"3"),
    (SD.decrement("p", 3), 0x00, b"-3"),
    (SD.remove("p"), 0x00, b""),
    (SD.upsert("p", SD.MutationMacro.cas()), 0x14, b'"${Mutation.CAS}"'),
])
def test_mutation_spec_encoding(spec, flags, value):
    body, _order, _specs = subdoc.mutation_request([spec])
    op, got_flags, plen, vlen = struct.unpack_from(">BBHI", body)
    assert (op, got_flags, body[8:8 + plen], body[8 + plen:]) == (int(spec[0]), flags, b"p", value)
    assert vlen == len(value)


def test_whole_document_specs_use_the_plain_opcodes():
    body, _o, _s = subdoc.mutation_request([SD.replace("", {"a": 1}), SD.remove("")])
    assert body[0] == 0x01 and body[body.index(b'{"a":1}') + 7] == 0x04


@pytest.mark.parametrize("args,extras", [
    ((0, None, False, False), b""),
    ((30, None, False, False), struct.pack(">I", 30)),
    ((0, SD.StoreSemantics.UPSERT, False, False), b"\x01"),
    ((5, SD.StoreSemantics.INSERT, True, True), struct.pack(">I", 5) + b"\x0e"),
    ((0, SD.StoreSemantics.REPLACE, True, False), b"\x04"),
])
def test_mutation_extras(args, extras):
    assert subdoc.mutation_extras(*args) == extras


def test_unencodable_values_raise_before_sending():
    with pytest.raises(Exception) as e:
        subdoc.mutation_request([SD.upsert("a", object())])
    assert type(e.value).__name__ == "ValueFormatException"


def test_projection_paths():
    assert subdoc._path_parts("a.b[2].`c.d`") == ["a", "b", 2, "c.d"]
    doc = {}
    subdoc._place(doc, ["a", "b"], 1)
    subdoc._place(doc, ["l", 0], "x")
    assert doc == {"a": {"b": 1}, "l": ["x"]}


@pytest.mark.parametrize("text,seconds", [("2.5s", 2.5), ("1500ms", 1.5), ("1m30s", 90), ("250", 0.25),
                                          ("100us", 0.0001), ("1h", 3600)])
def test_durations(text, seconds):
    assert copts.parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "abc", "1x", "s2"])
def test_bad_durations(text):
    with pytest.raises(InvalidArgumentException):
        copts.parse_duration(text)


def test_connstr_options_map_to_cluster_options():
    got = copts.parse_connstr_options([("kv_timeout", "2.5s"), ("enable_tls", "true"), ("network", "external")])
    assert got == {"kv_timeout": timedelta(seconds=2.5), "enable_tls": True, "network": "external"}
    with pytest.raises(InvalidArgumentException):
        copts.parse_connstr_options([("kv_timout", "1s")])


def test_every_accepted_key_acts_or_says_why_not():
    assert copts.VALID_KEYS - copts.EFFECTIVE <= set(copts.IGNORED)


def test_cluster_options_refuse_unknown_keys():
    ClusterOptions(None, kv_timeout=timedelta(seconds=1), enable_tracing=False, show_queries=True)
    with pytest.raises(InvalidArgumentException):
        ClusterOptions(None, kv_timout=timedelta(seconds=1))
    with pytest.raises(InvalidArgumentException):
        ClusterTimeoutOptions(kv_timout=timedelta(seconds=1))
