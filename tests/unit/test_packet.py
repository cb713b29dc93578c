"""C core packet framing (csrc/packet.c) against known byte vectors (docs/protocol.md 1, 2, 12)."""
import struct

import pytest


def _load_core():
    from couchbase._core.binding import ffi, lib

    return ffi, lib


@pytest.fixture(scope="module")
def core():
    return _load_core()


def _codes(core):
    ffi, lib = core
    n = ffi.new("size_t*")
    t = lib.cbc_err_table(n)
    return {ffi.string(t[i].name).decode(): t[i].code for i in range(n[0])}


def encode(core, opcode, key=b"", value=b"", vbucket=0, opaque=0, collections=0, nout=None, **fields):
    ffi, lib = core
    req = ffi.new("cbc_REQUEST*")
    req.opcode = opcode
    req.server = -1
    keep = []
    for name, data in (("key", key), ("value", value), ("extras", fields.pop("extras", b""))):
        buf = ffi.new("char[]", data) if data else ffi.NULL
        keep.append(buf)
        setattr(req, name, buf)
        setattr(req, "n" + name, len(data))
    for k, v in fields.items():
        setattr(req, k, v)
    size = 4096 if nout is None else nout
    out = ffi.new("char[]", max(size, 1))
    written = ffi.new("size_t*")
    err = ffi.new("cbc_ERROR*")
    rc = lib.cbc_pkt_encode(req, vbucket, opaque, collections, out, size, written, err)
    if rc:
        return rc, written[0], err
    return 0, ffi.buffer(out, written[0])[:], err


def parse(core, data):
    ffi, lib = core
    hdr = ffi.new("cbc_PKTHDR*")
    err = ffi.new("cbc_ERROR*")
    buf = ffi.new("char[]", data) if data else ffi.NULL
    rc = lib.cbc_pkt_parse_header(buf, len(data), hdr, err)
    return rc, hdr, err


def header(magic, opcode, nkey, nextras, datatype, vb_or_status, nbody, opaque, cas):
    return struct.pack(">BBHBBHIIQ", magic, opcode, nkey, nextras, datatype, vb_or_status, nbody, opaque, cas)


def test_durability_worked_example_matches_protocol_md(core):
    rc, pkt, _ = encode(
        core, 0x01, key=b"k1", value=b"{}", datatype=1, flags=0x02000000, expiry=0,
        opaque=0xDEADBEEF, durability=1, durability_timeout_ms=10000,
    )
    assert rc == 0
    expected = bytes.fromhex(
        "08 01 04 02 08 01 00 00 00 00 00 10 de ad be ef 00 00 00 00 00 00 00 00"
        " 13 01 27 10"
        " 02 00 00 00 00 00 00 00"
        " 6b 31"
        " 7b 7d"
    )
    assert pkt == expected
    assert len(pkt) == 40


def test_durability_without_timeout_sends_one_byte_frame(core):
    rc, pkt, _ = encode(core, 0x04, key=b"k", durability=3)
    assert rc == 0
    assert pkt[0] == 0x08 and pkt[2] == 2 and pkt[3] == 1
    assert pkt[24:26] == b"\x11\x03"
    assert pkt[26:] == b"k"


def test_preserve_ttl_alone_is_a_one_byte_frame_with_id_5(core):
    rc, pkt, _ = encode(core, 0x03, key=b"k", value=b"1", flags=0, expiry=0, preserve_ttl=1)
    assert rc == 0
    assert pkt[0] == 0x08 and pkt[2] == 1 and pkt[3] == 1
    assert pkt[24] == 0x50
    assert struct.unpack(">I", pkt[8:12])[0] == 1 + 8 + 1 + 1


def test_preserve_ttl_follows_the_durability_frame(core):
    rc, pkt, _ = encode(core, 0x01, key=b"k", value=b"1", durability=1, durability_timeout_ms=500, preserve_ttl=1)
    assert rc == 0
    assert pkt[2] == 5
    assert pkt[24:29] == b"\x13\x01\x01\xf4\x50"


def test_subdoc_multi_mutation_sends_raw_extras_and_value(core):
    rc, pkt, _ = encode(core, 0xD1, key=b"k", value=b"\xc8\x00\x00\x01\x00\x00\x00\x01a1",
                        extras=b"\x00\x00\x00\x0a\x01")
    assert rc == 0
    assert pkt[:2] == b"\x80\xd1" and pkt[4] == 5
    assert pkt[24:29] == b"\x00\x00\x00\x0a\x01" and pkt[29:30] == b"k"


def test_get_has_no_extras_and_carries_vbucket_opaque_cas(core):
    rc, pkt, _ = encode(core, 0x00, key=b"hello", vbucket=528, opaque=7, cas=0x0102030405060708)
    assert rc == 0
    assert pkt == header(0x80, 0x00, 5, 0, 0, 528, 5, 7, 0x0102030405060708) + b"hello"


def test_set_extras_are_flags_then_expiry(core):
    rc, pkt, _ = encode(core, 0x01, key=b"a", value=b"xyz", flags=0x11223344, expiry=3600)
    assert rc == 0
    assert pkt[:24] == header(0x80, 0x01, 1, 8, 0, 0, 12, 0, 0)
    assert pkt[24:32] == struct.pack(">II", 0x11223344, 3600)
    assert pkt[32:] == b"axyz"


@pytest.mark.parametrize("opcode", [0x02, 0x03])
def test_add_and_replace_share_the_set_extras(core, opcode):
    rc, pkt, _ = encode(core, opcode, key=b"k", value=b"v", flags=1, expiry=2)
    assert rc == 0
    assert pkt[4] == 8 and pkt[24:32] == struct.pack(">II", 1, 2)


def test_incr_without_create_sends_expiry_all_ones(core):
    rc, pkt, _ = encode(core, 0x05, key=b"c", delta=5, initial=10, expiry=60, create=0)
    assert rc == 0
    assert pkt[4] == 20
    assert pkt[24:44] == struct.pack(">QQI", 5, 10, 0xFFFFFFFF)


def test_decr_with_create_sends_the_expiry(core):
    rc, pkt, _ = encode(core, 0x06, key=b"c", delta=1, initial=99, expiry=60, create=1)
    assert rc == 0
    assert pkt[24:44] == struct.pack(">QQI", 1, 99, 60)


@pytest.mark.parametrize("opcode", [0x1C, 0x1D])
def test_touch_and_gat_send_expiry(core, opcode):
    rc, pkt, _ = encode(core, opcode, key=b"t", expiry=30)
    assert rc == 0
    assert pkt[4] == 4 and pkt[24:28] == struct.pack(">I", 30) and pkt[28:] == b"t"


def test_get_locked_sends_lock_time_only_when_set(core):
    rc, pkt, _ = encode(core, 0x94, key=b"l", expiry=0)
    assert rc == 0 and pkt[4] == 0 and len(pkt) == 25
    rc, pkt, _ = encode(core, 0x94, key=b"l", expiry=15)
    assert rc == 0 and pkt[4] == 4 and pkt[24:28] == struct.pack(">I", 15)


def test_other_opcodes_send_raw_extras(core):
    extras = bytes(range(16))
    rc, pkt, _ = encode(core, 0xB5, extras=extras)
    assert rc == 0
    assert pkt[:24] == header(0x80, 0xB5, 0, 16, 0, 0, 16, 0, 0)
    assert pkt[24:] == extras


def test_built_extras_ignore_raw_extras(core):
    rc, pkt, _ = encode(core, 0x01, key=b"k", extras=b"zzzz", flags=1, expiry=0)
    assert rc == 0 and pkt[4] == 8 and pkt[24:32] == struct.pack(">II", 1, 0)


LEB128 = [
    (0x00, "00"), (0x01, "01"), (0x08, "08"), (0x7F, "7f"), (0x80, "80 01"),
    (0x22B, "ab 04"), (0x7FFF, "ff ff 01"), (0x8000, "80 80 02"), (0xFFFF, "ff ff 03"),
    (0xCAFEF00, "80 de bf 65"), (0xCAFEF00D, "8d e0 fb d7 0c"), (0xFFFFFFFF, "ff ff ff ff 0f"),
]


@pytest.mark.parametrize("cid,hexbytes", LEB128)
def test_collection_prefix_is_leb128_and_counts_in_key_length(core, cid, hexbytes):
    prefix = bytes.fromhex(hexbytes)
    rc, pkt, _ = encode(core, 0x00, key=b"doc", collection=cid, collections=1)
    assert rc == 0
    nkey = struct.unpack(">H", pkt[2:4])[0]
    assert nkey == len(prefix) + 3
    assert pkt[24:] == prefix + b"doc"
    assert struct.unpack(">I", pkt[8:12])[0] == len(prefix) + 3


def test_collection_prefix_follows_extras(core):
    rc, pkt, _ = encode(core, 0x01, key=b"k", value=b"v", collection=8, collections=1)
    assert rc == 0
    assert pkt[24:32] == bytes(8) and pkt[32:] == b"\x08kv"


def test_no_prefix_when_collections_are_off(core):
    rc, pkt, _ = encode(core, 0x00, key=b"doc", collection=8, collections=0)
    assert rc == 0 and pkt[24:] == b"doc"


def test_no_prefix_for_opcodes_without_a_document(core):
    rc, pkt, _ = encode(core, 0x10, key=b"memory", collection=8, collections=1)
    assert rc == 0 and pkt[24:] == b"memory"


def test_prefix_with_durability_uses_one_byte_key_length(core):
    rc, pkt, _ = encode(core, 0x01, key=b"k1", collection=0x80, collections=1, durability=1)
    assert rc == 0
    assert pkt[0] == 0x08 and pkt[2] == 2 and pkt[3] == 4
    assert pkt[24:26] == b"\x11\x01" and pkt[34:] == b"\x80\x01k1"


def test_small_buffer_is_e2big_and_reports_size_needed(core):
    codes = _codes(core)
    rc, needed, err = encode(core, 0x00, key=b"hello", nout=10)
    assert rc == codes["E2BIG"] and needed == 29
    assert err.code == rc and err.line > 0


def test_key_too_long_for_flexible_framing_is_einval(core):
    codes = _codes(core)
    rc, _, err = encode(core, 0x01, key=b"k" * 251, collection=0xFFFFFFFF, collections=1, durability=1)
    assert rc == codes["EINVAL"]


def test_parse_response_header(core):
    data = header(0x81, 0x00, 0, 4, 1, 0x0001, 13, 42, 99)
    rc, h, _ = parse(core, data)
    assert rc == 0
    assert (h.magic, h.opcode, h.nframe, h.nkey, h.nextras, h.datatype) == (0x81, 0, 0, 0, 4, 1)
    assert (h.status, h.nbody, h.opaque, h.cas) == (1, 13, 42, 99)


def test_parse_alt_response_splits_key_length(core):
    data = bytes([0x18, 0x01, 3, 2]) + bytes([0, 0]) + struct.pack(">HIIQ", 0, 5, 1, 2)
    rc, h, _ = parse(core, data)
    assert rc == 0 and (h.nframe, h.nkey, h.nbody) == (3, 2, 5)


def test_parse_round_trips_an_encoded_request(core):
    rc, pkt, _ = encode(core, 0x01, key=b"k1", value=b"{}", flags=1, opaque=5, durability=2,
                        durability_timeout_ms=100, vbucket=3)
    rc, h, _ = parse(core, pkt)
    assert rc == 0
    assert (h.magic, h.opcode, h.nframe, h.nkey, h.nextras, h.status) == (0x08, 1, 4, 2, 8, 3)
    assert h.nbody == len(pkt) - 24 and h.opaque == 5


def test_parse_bad_magic_is_protocol_error(core):
    codes = _codes(core)
    rc, _, err = parse(core, b"\x42" + bytes(23))
    assert rc == codes["PROTOCOL_ERROR"]
    assert err.code == rc and ffi_str(core, err.file).endswith("packet.c") and err.line > 0
    assert b"magic" in core[0].string(err.msg)


def test_parse_lengths_exceeding_body_is_protocol_error(core):
    codes = _codes(core)
    rc, _, _ = parse(core, header(0x81, 0, 10, 4, 0, 0, 8, 0, 0))
    assert rc == codes["PROTOCOL_ERROR"]


def test_parse_short_buffer_is_einval(core):
    codes = _codes(core)
    rc, _, _ = parse(core, b"\x81\x00")
    assert rc == codes["EINVAL"]


def ffi_str(core, p):
    return core[0].string(p).decode()
