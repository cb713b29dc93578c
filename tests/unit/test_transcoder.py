"""Formats, flags and the Transcoder (couchbase/transcoder.py)."""
import json
import pickle
import zlib

import pytest

from couchbase import transcoder as tc
from couchbase.exceptions import ArgumentError, ValueFormatError
from couchbase.transcoder import (FMT_AUTO, FMT_BYTES, FMT_JSON, FMT_MASK, FMT_PICKLE, FMT_UTF8, Transcoder)


class ZlibTranscoder(Transcoder):
    """The manual's example: compress, and mark it with a flag bit above FMT_MASK."""

    COMPRESSED = 0x10

    def encode_value(self, value, format):
        data, flags = super().encode_value(value, format)
        return zlib.compress(data), flags | self.COMPRESSED

    def decode_value(self, value, flags):
        if flags & self.COMPRESSED:
            value = zlib.decompress(value)
            flags &= ~self.COMPRESSED
        return super().decode_value(value, flags)


@pytest.fixture
def t():
    return Transcoder()


def test_format_constants():
    assert (FMT_JSON, FMT_PICKLE, FMT_BYTES, FMT_UTF8, FMT_MASK) == (0, 1, 2, 4, 7)
    assert not isinstance(FMT_AUTO, int)
    assert repr(FMT_AUTO) == "FMT_AUTO"
    assert (tc.FMT_COMMON_MASK, tc.FMT_LEGACY_MASK) == (0xFF000000, 7)


def test_written_flags_are_common_plus_legacy():
    assert tc.FLAGS_JSON == 0x02000000
    assert tc.FLAGS_PICKLE == 0x01000001
    assert tc.FLAGS_BYTES == 0x03000002
    assert tc.FLAGS_UTF8 == 0x04000004


@pytest.mark.parametrize("value,fmt,data,flags", [
    ({"a": [1, "\u00e9"]}, FMT_JSON, '{"a":[1,"\u00e9"]}'.encode(), 0x02000000),
    ("text", FMT_JSON, b'"text"', 0x02000000),
    (None, FMT_JSON, b"null", 0x02000000),
    (b"\x00\xff", FMT_BYTES, b"\x00\xff", 0x03000002),
    (bytearray(b"ab"), FMT_BYTES, b"ab", 0x03000002),
    ("\u00e9t\u00e9", FMT_UTF8, "\u00e9t\u00e9".encode(), 0x04000004),
])
def test_transcoder_writes_the_1x_flags_and_encode_format_common_ones(t, value, fmt, data, flags):
    out = t.encode_value(value, fmt)
    assert out == (data, fmt)
    assert type(out[0]) is bytes
    assert tc.encode_format(fmt, value) == (data, flags)
    assert tc.encode_format(fmt, value, legacy=True) == (data, fmt)


def test_encode_pickle(t):
    data, flags = t.encode_value({1, 2}, FMT_PICKLE)
    assert flags == FMT_PICKLE == 1 and pickle.loads(data) == {1, 2}


def test_json_is_compact_and_unescaped(t):
    data, _ = t.encode_value({"k": "\u65e5\u672c", "n": [1, 2]}, FMT_JSON)
    assert data == '{"k":"\u65e5\u672c","n":[1,2]}'.encode("utf-8")


@pytest.mark.parametrize("fmt,kind", [
    (3, "bytes"), (5, "utf8"), (6, "utf8"), (7, "utf8"), (0x100, "json"), (12345, "pickle"),
    (0x04000004, "utf8"), (0x03000002, "bytes"), (0x02000000, "json"),
])
def test_int_formats_use_the_low_bits_and_store_them(t, fmt, kind):
    value = {"json": [1], "bytes": b"x", "utf8": "x", "pickle": 1.5}[kind]
    data, flags = t.encode_value(value, fmt)
    assert flags == fmt & FMT_MASK
    assert t.decode_value(data, flags) == value


@pytest.mark.parametrize("value,flags", [
    ("s", 0x04000004), (b"b", 0x03000002), (bytearray(b"b"), 0x03000002), ([1], 0x02000000),
    ((1,), 0x02000000), ({}, 0x02000000), (True, 0x02000000), (None, 0x02000000),
    (1, 0x01000001), (1.5, 0x01000001), ({1}, 0x01000001),
])
def test_fmt_auto(t, value, flags):
    data, f = t.encode_value(value, FMT_AUTO)
    assert f == flags & FMT_MASK
    assert t.decode_value(data, f) == (bytes(value) if isinstance(value, bytearray) else
                                       list(value) if isinstance(value, tuple) else value)
    assert tc.auto_encode(value) == (data, flags)  # the modern rule: common flags


@pytest.mark.parametrize("value", [{"a": [1, None]}, "str\u00e9", b"\x00\x01", 12, 3.25, [1, "x"], None, True])
@pytest.mark.parametrize("fmt", [FMT_JSON, FMT_PICKLE, FMT_BYTES, FMT_UTF8])
def test_roundtrip_every_format(t, value, fmt):
    if fmt == FMT_BYTES and not isinstance(value, bytes) or fmt == FMT_UTF8 and not isinstance(value, str) \
            or fmt == FMT_JSON and isinstance(value, bytes):
        with pytest.raises(ValueFormatError):
            t.encode_value(value, fmt)
        return
    data, flags = t.encode_value(value, fmt)
    assert t.decode_value(data, flags) == value


@pytest.mark.parametrize("flags,expect", [
    # common flags decide when the top byte is set
    (0x02000000, "json"), (0x01000001, "pickle"), (0x03000002, "bytes"), (0x04000004, "utf8"),
    (0x03000000, "bytes"), (0x04000000, "utf8"), (0x01000000, "pickle"),
    (0x03000004, "bytes"),  # common wins over the legacy bits
    # legacy bits otherwise: &4 UTF8, &2 BYTES, &1 PICKLE, else JSON
    (0, "json"), (1, "pickle"), (2, "bytes"), (3, "bytes"), (4, "utf8"), (5, "utf8"), (7, "utf8"),
    (0x100, "json"), (0x10, "json"),
    # an unknown common format falls back to the legacy bits
    (0x05000000, "json"), (0x0F000002, "bytes"),
])
def test_read_rule(flags, expect):
    fmt = tc.format_for_flags(flags)
    assert fmt == {"json": FMT_JSON, "pickle": FMT_PICKLE, "bytes": FMT_BYTES, "utf8": FMT_UTF8}[expect]


def test_decode_by_flags(t):
    assert t.decode_value(b'{"a":1}', 0x02000000) == {"a": 1}
    assert t.decode_value(b'{"a":1}', 0) == {"a": 1}
    assert t.decode_value(b"42", 0) == 42  # counters: flags 0, ASCII digits
    assert t.decode_value("\u00e9".encode(), 0x04000000) == "\u00e9"
    assert t.decode_value(b"raw", 0x03000000) == b"raw"
    assert t.decode_value(b"raw", 2) == b"raw"
    assert t.decode_value(pickle.dumps((1, 2)), 1) == (1, 2)
    assert type(t.decode_value(b"raw", 0x03000002)) is bytes


@pytest.mark.parametrize("value,fmt", [
    ("str", FMT_BYTES), ({"a": 1}, FMT_BYTES), (1, FMT_BYTES),
    (b"bytes", FMT_UTF8), (None, FMT_UTF8), ({"a": 1}, FMT_UTF8),
    (object(), FMT_JSON), ({1, 2}, FMT_JSON), (b"x", FMT_JSON),
    (lambda: 1, FMT_PICKLE),
    ("\ud800", FMT_UTF8),  # lone surrogate: not encodable as UTF-8
])
def test_encode_errors(t, value, fmt):
    with pytest.raises(ValueFormatError) as ei:
        t.encode_value(value, fmt)
    assert ei.value.objextra is value


def test_unserializable_has_inner_cause(t):
    with pytest.raises(ValueFormatError) as ei:
        t.encode_value(object(), FMT_JSON)
    assert isinstance(ei.value.inner_cause, TypeError)


def test_bad_format_argument(t):
    with pytest.raises(ValueFormatError):
        t.encode_value("x", "json")


@pytest.mark.parametrize("data,flags", [(b"{", 0), (b"\xff", 0x04000004), (b"\xff\xfe", 0), (b"garbage", 1)])
def test_decode_errors(t, data, flags):
    with pytest.raises(ValueFormatError) as ei:
        t.decode_value(data, flags)
    assert ei.value.objextra == data
    assert ei.value.inner_cause is not None


def test_keys(t):
    assert t.encode_key("k\u00e9") == "k\u00e9".encode()
    assert t.decode_key("k\u00e9".encode()) == "k\u00e9"
    for bad in (b"bytes", 1, None, ("a",), "\udc80"):
        with pytest.raises(ValueFormatError):
            t.encode_key(bad)
    with pytest.raises(ValueFormatError):
        t.decode_key(b"\xff")


def test_zlib_transcoder_roundtrip():
    z = ZlibTranscoder()
    doc = {"text": "x" * 1000}
    data, flags = z.encode_value(doc, FMT_JSON)
    assert flags == FMT_JSON | 0x10 and len(data) < 100
    assert z.decode_value(data, flags) == doc
    data, flags = z.encode_value("plain", FMT_UTF8)
    assert flags == FMT_UTF8 | 0x10
    assert z.decode_value(data, flags) == "plain"
    # a value written without compression still reads
    assert z.decode_value(b'"x"', 0x02000000) == "x"


def test_partial_override_keeps_builtins():
    class KeysOnly(Transcoder):
        def encode_key(self, key):
            return ("pfx:" + key).encode()

    k = KeysOnly()
    assert k.encode_key("a") == b"pfx:a"
    assert k.encode_value([1], FMT_JSON) == (b"[1]", FMT_JSON)
    assert k.decode_value(b"[1]", 0x02000000) == [1]


def test_set_json_converters_returns_old_pair_and_applies(t):
    calls = []

    def enc(v):
        calls.append(("enc", v))
        return json.dumps(v, sort_keys=True)

    def dec(s):
        calls.append(("dec", type(s)))
        return json.loads(s)

    old = tc.set_json_converters(enc, dec)
    try:
        assert t.encode_value({"b": 1, "a": 2}, FMT_JSON) == (b'{"a": 2, "b": 1}', FMT_JSON)
        assert t.decode_value(b"[1]", 0) == [1]
        assert calls == [("enc", {"b": 1, "a": 2}), ("dec", str)]
    finally:
        back = tc.set_json_converters(*old)
    assert back == (enc, dec)
    assert t.encode_value({"b": 1}, FMT_JSON) == (b'{"b":1}', FMT_JSON)


def test_json_encoder_may_return_bytes(t):
    old = tc.set_json_converters(lambda v: b"[0]", json.loads)
    try:
        assert t.encode_value(["ignored"], FMT_JSON) == (b"[0]", FMT_JSON)
    finally:
        tc.set_json_converters(*old)


def test_set_pickle_converters(t):
    old = tc.set_pickle_converters(lambda v: b"P" + repr(v).encode(), lambda b: ("unpickled", b))
    try:
        assert t.encode_value(5, FMT_PICKLE) == (b"P5", FMT_PICKLE)
        assert t.decode_value(b"P5", 0x01000001) == ("unpickled", b"P5")
    finally:
        tc.set_pickle_converters(*old)
    assert t.decode_value(pickle.dumps(5), 1) == 5


def test_converters_must_be_callable():
    with pytest.raises(ArgumentError):
        tc.set_json_converters(None, json.loads)
    with pytest.raises(ArgumentError):
        tc.set_pickle_converters(pickle.dumps, 3)


def test_package_reexports_converter_setters():
    import couchbase

    assert couchbase.set_json_converters is tc.set_json_converters
    assert couchbase.set_pickle_converters is tc.set_pickle_converters
