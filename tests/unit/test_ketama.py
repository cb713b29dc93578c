"""Ketama continuum in the C core against docs/protocol.md section 7's worked examples."""
import hashlib
import struct

import pytest


def _load_core():
    from couchbase._core.binding import ffi, lib

    return ffi, lib


@pytest.fixture(scope="module")
def core():
    return _load_core()


def ketama_conn(core, hosts, port=11210):
    ffi, lib = core
    err = ffi.new("cbc_ERROR*")
    conn = ffi.gc(lib.cbc_conn_new(), lib.cbc_conn_free)
    cstrs = [ffi.new("char[]", h.encode()) for h in hosts]
    ports = ffi.new("int[]", [port] * len(hosts))
    assert lib.cbc_conn_set_servers(conn, ffi.new("const char*[]", cstrs), ports, len(hosts), err) == 0
    assert lib.cbc_conn_use_ketama(conn, err) == 0
    return conn


def owner(core, conn, key):
    ffi, lib = core
    vb, srv, err = ffi.new("int*"), ffi.new("int*"), ffi.new("cbc_ERROR*")
    assert lib.cbc_conn_map_key(conn, key, len(key), 0, vb, srv, err) == 0
    assert vb[0] == 0
    return srv[0]


def py_ketama(names, key):
    """Independent reference: sdk-rfcs RFC 0026 as docs/protocol.md describes it."""
    points = []
    for i, name in enumerate(names):
        for r in range(40):
            d = hashlib.md5(("%s-%d" % (name, r)).encode()).digest()
            for j in range(4):
                points.append((struct.unpack("<I", d[4 * j:4 * j + 4])[0], i))
    points.sort()
    h = struct.unpack("<I", hashlib.md5(key).digest()[:4])[0]
    for p, i in points:
        if p >= h:
            return i
    return points[0][1]


TWO = ["192.168.1.101", "192.168.1.102"]
FOUR = ["192.168.1.101", "192.168.1.102", "192.168.1.103", "192.168.1.104"]


@pytest.mark.parametrize("key,node", [(b"foo", ".101"), (b"hello", ".102"), (b"user::1", ".102"), (b"beer", ".101")])
def test_two_node_examples(core, key, node):
    conn = ketama_conn(core, TWO)
    assert TWO[owner(core, conn, key)].endswith(node)


@pytest.mark.parametrize("key,node", [(b"foo", ".103"), (b"hello", ".102"), (b"user::1", ".104"), (b"beer", ".101")])
def test_four_node_examples(core, key, node):
    conn = ketama_conn(core, FOUR)
    assert FOUR[owner(core, conn, key)].endswith(node)


def test_owner_follows_the_name_not_the_index(core):
    conn = ketama_conn(core, list(reversed(FOUR)))
    assert list(reversed(FOUR))[owner(core, conn, b"foo")].endswith(".103")


def test_matches_reference_implementation(core):
    names = ["10.1.2.%d:11210" % i for i in range(1, 6)]
    conn = ketama_conn(core, ["10.1.2.%d" % i for i in range(1, 6)])
    for i in range(300):
        key = b"k%d" % i
        assert owner(core, conn, key) == py_ketama(names, key)


def test_port_is_part_of_the_name(core):
    a = ketama_conn(core, FOUR, port=11210)
    b = ketama_conn(core, FOUR, port=11211)
    keys = [b"key%d" % i for i in range(200)]
    assert [owner(core, a, k) for k in keys] != [owner(core, b, k) for k in keys]


def test_continuum_follows_a_new_server_list(core):
    ffi, lib = core
    conn = ketama_conn(core, TWO)
    err = ffi.new("cbc_ERROR*")
    cstrs = [ffi.new("char[]", h.encode()) for h in FOUR]
    assert lib.cbc_conn_set_servers(conn, ffi.new("const char*[]", cstrs), ffi.new("int[]", [11210] * 4), 4, err) == 0
    assert FOUR[owner(core, conn, b"foo")].endswith(".103")


def test_no_servers_maps_nowhere(core):
    conn = ketama_conn(core, [])
    assert owner(core, conn, b"foo") == -1


def test_no_replicas_on_memcached_buckets(core):
    ffi, lib = core
    conn = ketama_conn(core, TWO)
    vb, srv, err = ffi.new("int*"), ffi.new("int*"), ffi.new("cbc_ERROR*")
    assert lib.cbc_conn_map_key(conn, b"foo", 3, 1, vb, srv, err) == 0
    assert srv[0] == -1
