"""Bad arguments get the classic exceptions, are refused before anything is sent, and leave
the connection working (api-1x.md sections 3.1 and 9)."""
import pytest

from couchbase import FMT_AUTO, FMT_BYTES, FMT_JSON, FMT_UTF8
from couchbase.exceptions import ArgumentError, ValueFormatError
from couchbase.transcoder import Transcoder


def _nothing_stored(conn, *keys):
    return all(not r.success for r in conn.get_multi(list(keys), quiet=True).values())


MULTI_NEGATIVE_TTL = {
    "get_multi": lambda c, k: c.get_multi([k], ttl=-1),
    "get_multi_per_key": lambda c, k: c.get_multi({k: -5}),
    "touch_multi": lambda c, k: c.touch_multi([k], ttl=-1),
    "touch_multi_per_key": lambda c, k: c.touch_multi({k: {"ttl": -1}}),
    "set_multi": lambda c, k: c.set_multi({k: 1}, ttl=-1),
    "add_multi": lambda c, k: c.add_multi({k: 1}, ttl=-1),
    "replace_multi": lambda c, k: c.replace_multi({k: 1}, ttl=-1),
    "append_multi": lambda c, k: c.append_multi({k: "x"}, ttl=-1),
    "prepend_multi": lambda c, k: c.prepend_multi({k: "x"}, ttl=-1),
    "incr_multi": lambda c, k: c.incr_multi([k], initial=1, ttl=-1),
    "decr_multi": lambda c, k: c.decr_multi([k], initial=1, ttl=-1),
    "incr_multi_per_key": lambda c, k: c.incr_multi({k: {"delta": 1, "initial": 1, "ttl": -1}}),
    "arithmetic_multi": lambda c, k: c.arithmetic_multi({k: 1}, initial=1, ttl=-1),
}


@pytest.mark.parametrize("name", sorted(MULTI_NEGATIVE_TTL))
def test_negative_ttl_in_every_multi_is_an_argument_error(kv, uniq, name):
    with pytest.raises(ArgumentError):
        MULTI_NEGATIVE_TTL[name](kv, uniq)
    assert _nothing_stored(kv, uniq)
    assert kv.set(uniq + "alive", 1).success


@pytest.mark.parametrize("ttl", [-1, 2**100, 1.5, "10", [1], {}, [], "", 0.0])
def test_bad_ttl_on_single_ops(kv, uniq, ttl):
    for op in (lambda: kv.set(uniq, 1, ttl=ttl), lambda: kv.get(uniq, ttl=ttl), lambda: kv.touch(uniq, ttl=ttl),
               lambda: kv.incr(uniq, initial=0, ttl=ttl)):
        with pytest.raises(ArgumentError):
            op()
    assert _nothing_stored(kv, uniq)


@pytest.mark.parametrize("value", [None, False, True, "json", 1.5, -1, 2**40])
def test_default_format_refuses_non_formats(kv, value):
    with pytest.raises(ArgumentError):
        kv.default_format = value
    assert kv.default_format == FMT_JSON


def test_default_format_accepts_ints_and_fmt_auto(kv):
    kv.default_format = FMT_AUTO
    assert kv.default_format is FMT_AUTO
    kv.default_format = FMT_UTF8
    assert kv.default_format == FMT_UTF8


@pytest.mark.parametrize("fmt", ["utf8", 1.5, [4], FMT_JSON, FMT_AUTO])
@pytest.mark.parametrize("op", ["append", "prepend"])
def test_append_prepend_with_a_bad_format_is_an_argument_error(kv, uniq, fmt, op):
    kv.set(uniq, "base", format=FMT_UTF8)
    with pytest.raises(ArgumentError):
        getattr(kv, op)(uniq, "x", format=fmt)
    assert kv.get(uniq).value == "base"


@pytest.mark.parametrize("fmt", ["json", 1.5, -1, 2**40, [0]])
def test_store_with_a_bad_format_is_an_argument_error(kv, uniq, fmt):
    with pytest.raises(ArgumentError):
        kv.set(uniq, 1, format=fmt)
    with pytest.raises(ArgumentError):
        kv.set_multi({uniq: 1}, format=fmt)
    assert _nothing_stored(kv, uniq)


class _NoMethods:
    pass


class _OnlyKeys:
    def encode_key(self, key):
        return key.encode()

    def decode_key(self, key):
        return key.decode()


@pytest.mark.parametrize("tc,op", [
    (_NoMethods, "set"), (_NoMethods, "get"), (_OnlyKeys, "set"), (_OnlyKeys, "set_multi"), (_OnlyKeys, "get"),
])
def test_transcoder_missing_methods_raise_value_format_error_not_attribute_error(kv, uniq, tc, op):
    kv.set(uniq, 1)
    kv.transcoder = tc()
    with pytest.raises(ValueFormatError) as ei:
        {"set": lambda: kv.set(uniq, 2), "set_multi": lambda: kv.set_multi({uniq: 2}),
         "get": lambda: kv.get(uniq)}[op]()
    assert "transcoder method" in str(ei.value)
    kv.transcoder = None
    assert kv.get(uniq).value == 1


@pytest.mark.parametrize("ret", ["text", ["list"], None, b"", 5])
def test_encode_key_returning_a_wrong_type_is_a_value_format_error(kv, uniq, ret):
    class Bad(Transcoder):
        def encode_key(self, key):
            return ret

    kv.transcoder = Bad()
    with pytest.raises(ValueFormatError):
        kv.set(uniq, 1)
    with pytest.raises(ValueFormatError):
        kv.get_multi([uniq])


def test_decode_key_returning_an_unhashable_key_is_a_value_format_error(kv, uniq):
    class Bad(Transcoder):
        def decode_key(self, key):
            return [key]

    kv.transcoder = Bad()
    with pytest.raises(ValueFormatError):
        kv.set(uniq, 1)


def test_result_keys_come_from_decode_key(kv, uniq):
    class Prefixed(Transcoder):
        def encode_key(self, key):
            return ("p:" + key).encode()

        def decode_key(self, key):
            return key.decode()[2:]

    kv.transcoder = Prefixed()
    kv.set_multi({uniq + "a": 1})
    assert list(kv.get_multi([uniq + "a"])) == [uniq + "a"]
    kv.transcoder = None
    assert kv.get("p:" + uniq + "a").value == 1


@pytest.mark.parametrize("key", ["", None, 5])
def test_observe_refuses_bad_keys_before_sending(cb, key):
    exc = ArgumentError if key == "" else ValueFormatError
    with pytest.raises(exc):
        cb.observe(key)
    with pytest.raises(exc):
        cb.observe_multi(["ok", key])


def test_observe_key_over_250_bytes_is_an_argument_error(cb):
    with pytest.raises(ArgumentError):
        cb.observe("k" * 251)


def test_transcoder_class_falsy_values_remove_it(kv):
    kv.transcoder = Transcoder
    assert isinstance(kv.transcoder, Transcoder)
    for falsy in (None, False, 0):
        kv.transcoder = Transcoder()
        kv.transcoder = falsy
        assert kv.transcoder is None


def test_bytes_format_value_mismatch_sends_nothing(kv, uniq):
    with pytest.raises(ValueFormatError):
        kv.set_multi({uniq + "a": b"ok", uniq + "b": "text"}, format=FMT_BYTES)
    assert _nothing_stored(kv, uniq + "a", uniq + "b")
