"""CRC32 vBucket hashing and vBucket-map routing in the C core (docs/protocol.md section 6)."""
import random
import zlib

import pytest


def _load_core():
    from couchbase._core.binding import ffi, lib

    return ffi, lib


@pytest.fixture(scope="module")
def core():
    return _load_core()


EXAMPLES = [
    (b"hello", 0x3610A686, 528, 0),
    (b"foo", 0x8C736521, 115, 3),
    (b"Hello", 0xF7D18982, 977, 1),
    (b"user::1", 0x63E571B2, 997, 1),
    (b"beer", 0x58F666AD, 246, 2),
    (b"a", 0xE8B7BE43, 183, 3),
    (b"123456789", 0xCBF43926, 1012, 0),
    (b"airline_10", 0x0D694EA7, 361, 1),
]


@pytest.mark.parametrize("key,crc,vb1024,vb4", EXAMPLES)
def test_protocol_md_table(core, key, crc, vb1024, vb4):
    ffi, lib = core
    assert lib.cbc_vb_crc32(key, len(key)) == crc
    assert lib.cbc_vb_key_to_vbucket(key, len(key), 1024) == vb1024
    assert lib.cbc_vb_key_to_vbucket(key, len(key), 4) == vb4


def test_crc32_matches_zlib_on_random_bytes(core):
    ffi, lib = core
    rnd = random.Random(7)
    for n in [0, 1, 2, 3, 7, 64, 250, 1000]:
        data = bytes(rnd.randrange(256) for _ in range(n))
        assert lib.cbc_vb_crc32(data, len(data)) == zlib.crc32(data)


def test_key_to_vbucket_is_the_15_bit_hash_modulo_map_size(core):
    ffi, lib = core
    for i in range(200):
        key = b"key-%d" % i
        h = (zlib.crc32(key) >> 16) & 0x7FFF
        for nvb in (1, 48, 64, 128, 1024):
            assert lib.cbc_vb_key_to_vbucket(key, len(key), nvb) == h % nvb


def _conn(core, nservers, vbmap, ncopies):
    ffi, lib = core
    err = ffi.new("cbc_ERROR*")
    conn = ffi.gc(lib.cbc_conn_new(), lib.cbc_conn_free)
    hosts = [ffi.new("char[]", b"10.0.0.%d" % (i + 1)) for i in range(nservers)]
    assert lib.cbc_conn_set_servers(conn, ffi.new("const char*[]", hosts), ffi.new("int[]", [11210] * nservers), nservers, err) == 0
    flat = [s for row in vbmap for s in row]
    assert lib.cbc_conn_use_vbmap(conn, ffi.new("int16_t[]", flat), len(vbmap), ncopies, err) == 0
    return conn


def map_key(core, conn, key, replica=0):
    ffi, lib = core
    vb, srv, err = ffi.new("int*"), ffi.new("int*"), ffi.new("cbc_ERROR*")
    assert lib.cbc_conn_map_key(conn, key, len(key), replica, vb, srv, err) == 0
    return vb[0], srv[0]


def test_map_key_follows_the_vbucket_map_rows(core):
    vbmap = [[0, 1], [1, -1], [1, 0], [0, 1]]
    conn = _conn(core, 2, vbmap, 2)
    for key, _, _, vb4 in EXAMPLES:
        vb, srv = map_key(core, conn, key)
        assert vb == vb4 and srv == vbmap[vb4][0]
        vb, srv = map_key(core, conn, key, replica=1)
        assert vb == vb4 and srv == vbmap[vb4][1]


def test_map_key_missing_copy_or_unknown_server_is_minus_one(core):
    conn = _conn(core, 2, [[0, 1], [1, -1], [5, 0], [0, 1]], 2)
    assert map_key(core, conn, b"Hello", replica=1) == (1, -1)   # row says -1
    assert map_key(core, conn, b"beer") == (2, -1)               # server 5 does not exist
    assert map_key(core, conn, b"foo", replica=2)[1] == -1       # no such copy


def test_vbmap_rejects_empty_shapes(core):
    ffi, lib = core
    err = ffi.new("cbc_ERROR*")
    conn = ffi.gc(lib.cbc_conn_new(), lib.cbc_conn_free)
    assert lib.cbc_conn_use_vbmap(conn, ffi.new("int16_t[]", [0]), 0, 1, err) != 0
    assert err.line > 0
