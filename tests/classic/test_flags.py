"""Flags per face: the classic face stores what the 1.x client stored (format & FMT_MASK:
JSON 0, pickle 1, bytes 2, UTF-8 4); ``common_flags=True`` switches it to RFC 0020 common
flags; both faces read both."""
import pytest

from couchbase import FMT_AUTO, FMT_BYTES, FMT_JSON, FMT_PICKLE, FMT_UTF8, Couchbase
from couchbase.transcoder import Transcoder

VALUES = {FMT_JSON: {"a": [1, None]}, FMT_PICKLE: {1, 2}, FMT_BYTES: b"\x00\xff", FMT_UTF8: "h\u00e9"}
COMMON = {FMT_JSON: 0x02000000, FMT_PICKLE: 0x01000001, FMT_BYTES: 0x03000002, FMT_UTF8: 0x04000004}


@pytest.mark.parametrize("fmt", sorted(VALUES))
def test_each_format_stores_the_1x_flags(kv, uniq, fmt):
    kv.set(uniq, VALUES[fmt], format=fmt)
    r = kv.get(uniq)
    assert r.flags == fmt and r.value == VALUES[fmt]


@pytest.mark.parametrize("fmt", sorted(VALUES))
def test_multi_stores_the_1x_flags(kv, uniq, fmt):
    kv.set_multi({uniq + "a": VALUES[fmt], uniq + "b": VALUES[fmt]}, format=fmt)
    assert {r.flags for r in kv.get_multi([uniq + "a", uniq + "b"]).values()} == {fmt}


def test_format_is_stored_masked(kv, uniq):
    kv.set(uniq + "p", 1.5, format=12345)  # 12345 & 7 == 1: pickle
    r = kv.get(uniq + "p")
    assert r.flags == 1 and r.value == 1.5
    kv.set(uniq + "b", b"raw", format=3)  # bytes (bit 2 is tested before bit 1), stored as 3
    r = kv.get(uniq + "b")
    assert r.flags == 3 and r.value == b"raw"


@pytest.mark.parametrize("value,fmt", [("s", FMT_UTF8), (b"b", FMT_BYTES), ([1], FMT_JSON), (2.5, FMT_PICKLE)])
def test_fmt_auto_stores_the_chosen_formats_code(kv, uniq, value, fmt):
    kv.set(uniq, value, format=FMT_AUTO)
    r = kv.get(uniq)
    assert r.flags == fmt and r.value == value


def test_default_format_setting_applies(kv, uniq):
    kv.default_format = FMT_UTF8
    kv.set(uniq, "text")
    assert kv.get(uniq).flags == FMT_UTF8


@pytest.mark.parametrize("fmt", sorted(VALUES))
def test_common_flags_option_writes_common_flags(request, kv, uniq, fmt):
    kv.common_flags = True
    kv.set(uniq, VALUES[fmt], format=fmt)
    kv.set_multi({uniq + "m": VALUES[fmt]}, format=fmt)
    assert kv.get(uniq).flags == COMMON[fmt] and kv.get(uniq + "m").flags == COMMON[fmt]


def test_common_flags_constructor_argument(memcached, uniq):
    c = Couchbase.connect(host="memcached://%s" % memcached.address, common_flags=True)
    assert c.common_flags is True
    c.set(uniq, {"a": 1})
    assert c.get(uniq).flags == 0x02000000


@pytest.mark.parametrize("fmt", sorted(VALUES))
def test_classic_reads_common_flags(kv, uniq, fmt):
    kv.common_flags = True
    kv.set(uniq, VALUES[fmt], format=fmt)
    kv.common_flags = False
    assert kv.get(uniq).value == VALUES[fmt]


def test_builtin_transcoder_follows_the_connections_flags_style(kv, uniq):
    kv.transcoder = Transcoder()
    kv.set(uniq + "a", "x", format=FMT_UTF8)
    kv.common_flags = True
    kv.set(uniq + "b", "x", format=FMT_UTF8)
    assert kv.get(uniq + "a").flags == FMT_UTF8 and kv.get(uniq + "b").flags == 0x04000004


def test_custom_transcoder_flags_are_stored_unmasked(kv, uniq):
    class Marked(Transcoder):
        def encode_value(self, value, format):
            data, flags = super().encode_value(value, format)
            return data, flags | 0x10000

    kv.transcoder = Marked()
    kv.set(uniq, "x", format=FMT_UTF8)
    assert kv.get(uniq).flags == 0x10004


def test_modern_face_reads_1x_flags_and_classic_reads_modern(mock_cluster, cb, uniq):
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    cb.set(uniq + "j", {"a": 1})
    cb.set(uniq + "u", "text", format=FMT_UTF8)
    cluster = Cluster.connect(mock_cluster.connstr, ClusterOptions(PasswordAuthenticator("Administrator", "password")))
    try:
        coll = cluster.bucket("default").default_collection()
        assert coll.get(uniq + "j").content_as[dict] == {"a": 1}
        coll.upsert(uniq + "m", {"b": 2})
        assert coll.get(uniq + "m").flags == 0x02000000
    finally:
        cluster.close()
    r = cb.get(uniq + "m")
    assert r.value == {"b": 2} and r.flags == 0x02000000
