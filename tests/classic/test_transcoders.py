"""The manual's custom transcoder (zlib, a flag above FMT_MASK) and data_passthrough, end to end."""
import zlib

import pytest

from couchbase import FMT_BYTES, FMT_MASK, FMT_UTF8, Couchbase
from couchbase.exceptions import ValueFormatError
from couchbase.transcoder import Transcoder

FMT_ZLIB = (FMT_MASK << 1) & ~FMT_MASK


class ZlibTranscoder(Transcoder):
    """Python 3 form of the manual's example (it tests `flags`, which the manual's text intends)."""

    def encode_value(self, value, format):
        converted, flags = super().encode_value(value, format & FMT_MASK)
        if format & FMT_ZLIB:
            flags |= FMT_ZLIB
            converted = zlib.compress(converted)
        return converted, flags

    def decode_value(self, value, flags):
        if flags & FMT_ZLIB:
            value = zlib.decompress(value)
            flags &= ~FMT_ZLIB
        return super().decode_value(value, flags)


@pytest.fixture
def zconn(kv):
    kv.transcoder = ZlibTranscoder()
    yield kv
    kv.transcoder = None


def test_zlib_transcoder_round_trips_compressed_bytes(zconn, uniq):
    zconn.set(uniq + "foo", b"long value" * 1000, format=FMT_BYTES | FMT_ZLIB)
    assert zconn.get(uniq + "foo").value == b"long value" * 1000


def test_zlib_transcoder_stores_compressed_data_and_its_flag(zconn, uniq):
    zconn.set(uniq + "foo", b"long value" * 1000, format=FMT_BYTES | FMT_ZLIB)
    zconn.data_passthrough = True
    try:
        r = zconn.get(uniq + "foo")
    finally:
        zconn.data_passthrough = False
    assert r.flags & FMT_ZLIB
    assert len(r.value) < 1000 and zlib.decompress(r.value) == b"long value" * 1000


def test_transcoder_without_zlib_flag_stores_plain(zconn, uniq):
    zconn.set(uniq + "foo", "text", format=FMT_UTF8)
    assert zconn.get(uniq + "foo").value == "text"


def test_transcoder_multi_ops_use_it_per_value(zconn, uniq):
    docs = {uniq + str(i): b"v%d" % i * 100 for i in range(20)}
    zconn.set_multi(docs, format=FMT_BYTES | FMT_ZLIB)
    assert {k: r.value for k, r in zconn.get_multi(list(docs)).items()} == docs


def test_transcoder_class_is_instantiated(memcached):
    c = Couchbase.connect(host="memcached://" + memcached.address, transcoder=ZlibTranscoder)
    assert isinstance(c.transcoder, ZlibTranscoder)


def test_failing_transcoder_raises_value_format_error(kv, uniq):
    class Broken(Transcoder):
        def encode_value(self, value, format):
            raise RuntimeError("boom")

    kv.transcoder = Broken()
    try:
        with pytest.raises(ValueFormatError):
            kv.set(uniq + "k", 1)
    finally:
        kv.transcoder = None
    kv.set(uniq + "k", 1)


def test_data_passthrough_returns_the_manual_bytes(kv, uniq):
    kv.set(uniq + "a_dict", {"foo": "bar"})
    kv.data_passthrough = True
    try:
        assert kv.get(uniq + "a_dict").value == b'{"foo":"bar"}'
    finally:
        kv.data_passthrough = False


def test_data_passthrough_keys_are_bytes(kv, uniq):
    kv.set(uniq + "k", 1)
    kv.data_passthrough = True
    try:
        res = kv.get_multi([uniq + "k"])
    finally:
        kv.data_passthrough = False
    assert list(res) == [(uniq + "k").encode()]


def test_undecodable_value_raises_value_format_error_with_raw_bytes(kv, uniq):
    kv.set(uniq + "k", b"\xff\xfe not json", format=FMT_BYTES)
    kv.data_passthrough = False
    # store raw bytes under JSON flags by way of a transcoder that lies about the format
    class Liar(Transcoder):
        def encode_value(self, value, format):
            return value, 0x02000000

    kv.transcoder = Liar()
    try:
        kv.set(uniq + "k", b"\xff\xfe not json")
    finally:
        kv.transcoder = None
    with pytest.raises(ValueFormatError) as ei:
        kv.get(uniq + "k")
    assert ei.value.objextra == b"\xff\xfe not json"
    assert kv.get(uniq + "k", no_format=True).value == b"\xff\xfe not json"
