"""Bucket config JSON -> server list and vBucket map, and routing by the C core."""
import json

import pytest

from couchbase._core import config as _config
from couchbase._core.binding import ffi, lib
from couchbase.exceptions import ProtocolError

EXAMPLE = {  # docs/protocol.md section 8.3
    "rev": 16, "revEpoch": 1, "name": "default", "nodeLocator": "vbucket",
    "vBucketServerMap": {"hashAlgorithm": "CRC", "numReplicas": 1,
                         "serverList": ["127.0.0.1:12000", "127.0.0.1:12002"],
                         "vBucketMap": [[0, 1], [1, 0], [0, 1], [1, 0]]},
    "nodes": [{"couchApiBase": "http://127.0.0.1:9500/default", "hostname": "127.0.0.1:9000",
               "ports": {"direct": 12000}},
              {"couchApiBase": "http://127.0.0.1:9501/default", "hostname": "127.0.0.1:9001",
               "ports": {"direct": 12002}}],
    "nodesExt": [{"services": {"mgmt": 9000, "kv": 12000, "capi": 9500}, "hostname": "127.0.0.1"},
                 {"services": {"mgmt": 9001, "kv": 12002, "capi": 9501}, "hostname": "127.0.0.1"}],
}


def test_nodes_ext_gives_servers_in_map_order():
    cfg = _config.parse(json.dumps(EXAMPLE), "127.0.0.1")
    assert cfg.servers == [("127.0.0.1", 12000), ("127.0.0.1", 12002)]
    assert cfg.rest == [("127.0.0.1", 9000), ("127.0.0.1", 9001)]


def test_server_list_used_without_nodes_ext():
    doc = dict(EXAMPLE)
    del doc["nodesExt"]
    assert _config.parse(json.dumps(doc), "h").servers == [("127.0.0.1", 12000), ("127.0.0.1", 12002)]


def test_host_placeholder_replaced_by_origin():
    doc = json.loads(json.dumps(EXAMPLE).replace("127.0.0.1", "$HOST"))
    del doc["nodesExt"][0]["hostname"]
    assert _config.parse(json.dumps(doc), "10.0.0.5").servers[0] == ("10.0.0.5", 12000)


def test_revision_orders_configs():
    a = _config.parse(json.dumps(EXAMPLE), "h")
    b = _config.parse(json.dumps(dict(EXAMPLE, rev=17)), "h")
    assert b.newer_than(a) and not a.newer_than(b)


def test_flat_map_pads_short_rows():
    doc = json.loads(json.dumps(EXAMPLE))
    doc["vBucketServerMap"]["vBucketMap"] = [[0], [1, 0], [0, 1], [1, 0]]
    assert _config.parse(json.dumps(doc), "h").flat_map()[:2] == [0, -1]


@pytest.mark.parametrize("bad", [b"not json", b"[]", b'{"nodeLocator": "vbucket", "nodes": []}'])
def test_garbage_config_raises_protocol_error(bad):
    with pytest.raises(ProtocolError):
        _config.parse(bad, "h")


@pytest.mark.parametrize("key,vb,server", [("hello", 0, 0), ("user::1", 1, 1), ("beer", 2, 0), ("foo", 3, 1)])
def test_core_routes_keys_by_the_example_map(key, vb, server):
    cfg = _config.parse(json.dumps(EXAMPLE), "127.0.0.1")
    conn = lib.cbc_conn_new()
    err = ffi.new("cbc_ERROR *")
    try:
        names = [ffi.new("char[]", h.encode()) for h, _ in cfg.servers]
        assert lib.cbc_conn_set_servers(conn, ffi.new("const char *[]", names),
                                        ffi.new("int[]", [p for _, p in cfg.servers]), 2, err) == 0
        assert lib.cbc_conn_use_vbmap(conn, ffi.new("int16_t[]", cfg.flat_map()), 4, 2, err) == 0
        out_vb, out_srv = ffi.new("int *"), ffi.new("int *")
        assert lib.cbc_conn_map_key(conn, key.encode(), len(key), 0, out_vb, out_srv, err) == 0
        assert (out_vb[0], out_srv[0]) == (vb, server)
        assert lib.cbc_conn_map_key(conn, key.encode(), len(key), 1, out_vb, out_srv, err) == 0
        assert out_srv[0] == 1 - server
    finally:
        lib.cbc_conn_free(conn)
