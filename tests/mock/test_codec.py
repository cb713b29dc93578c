"""codec.py: framing, flexible framing, LEB128, vbucket hash (docs/protocol.md vectors)."""

import pytest

from couchbase.mock import codec


def test_durable_set_matches_worked_example():
    pkt = codec.encode_request(codec.SET, key=b"k1", value=b"{}", opaque=0xDEADBEEF,
                               extras=bytes.fromhex("0200000000000000"), datatype=1,
                               framing=codec.durability_frame(1, 10000))
    assert pkt.hex() == ("0801040208010000000000" "10deadbeef" + "00" * 8 +
                         "13012710" "0200000000000000" "6b31" "7b7d")
    assert len(pkt) == 40


def test_decode_roundtrip_alt_request():
    raw = codec.encode_request(codec.SET, key=b"abc", value=b"v", extras=b"\0" * 8,
                               vbucket=7, opaque=9, cas=5, framing=b"\x50")
    pkt, end = codec.decode(raw)
    assert end == len(raw)
    assert (pkt.magic, pkt.key, pkt.value, pkt.framing, pkt.vbucket, pkt.cas) == \
        (0x08, b"abc", b"v", b"\x50", 7, 5)


def test_decoder_handles_split_and_pipelined_packets():
    raw = b"".join(codec.encode_response(codec.GET, 0, value=b"x%d" % i, opaque=i)
                   for i in range(5))
    d = codec.Decoder()
    got = []
    for i in range(0, len(raw), 7):
        got += d.feed(raw[i:i + 7])
    assert [p.opaque for p in got] == list(range(5))
    assert got[3].value == b"x3"


def test_decode_rejects_bad_magic():
    with pytest.raises(ValueError):
        codec.decode(b"\x42" + b"\0" * 23)


@pytest.mark.parametrize("value,hexed", [
    (0, "00"), (1, "01"), (8, "08"), (0x7F, "7f"), (0x80, "8001"), (0x22B, "ab04"),
    (0x7FFF, "ffff01"), (0x8000, "808002"), (0xFFFF, "ffff03"), (0xCAFEF00, "80debf65"),
    (0xCAFEF00D, "8de0fbd70c"), (0xFFFFFFFF, "ffffffff0f")])
def test_leb128_table(value, hexed):
    assert codec.leb128_encode(value).hex() == hexed
    assert codec.leb128_decode(bytes.fromhex(hexed) + b"key") == (value, len(hexed) // 2)


@pytest.mark.parametrize("bad", ["8100", "80", "ffffffffff0f"])
def test_leb128_rejects_noncanonical_and_unterminated(bad):
    with pytest.raises(ValueError):
        codec.leb128_decode(bytes.fromhex(bad))


@pytest.mark.parametrize("key,vb1024,vb4", [
    ("hello", 528, 0), ("foo", 115, 3), ("Hello", 977, 1), ("user::1", 997, 1),
    ("beer", 246, 2), ("a", 183, 3), ("123456789", 1012, 0), ("airline_10", 361, 1)])
def test_vbucket_hash(key, vb1024, vb4):
    assert codec.vbucket_of(key, 1024) == vb1024
    assert codec.vbucket_of(key, 4) == vb4


def test_frames_parse_escapes():
    data = codec.encode_frame(20, b"x" * 20) + codec.encode_frame(1, b"\x01")
    assert codec.parse_frames(data) == [(20, b"x" * 20), (1, b"\x01")]
    with pytest.raises(ValueError):
        codec.parse_frames(b"\x13\x01")


@pytest.mark.parametrize("micros,encoded", [(100, 21), (1000, 79), (10000, 296),
                                            (1_000_000, 4181)])
def test_duration_encoding(micros, encoded):
    assert codec.encode_duration(micros) == encoded
