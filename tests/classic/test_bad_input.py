"""Bad input is refused before anything is sent, and the connection keeps working."""
import pytest

from couchbase import FMT_BYTES, FMT_JSON, FMT_PICKLE, FMT_UTF8, Couchbase
from couchbase.exceptions import ArgumentError, CouchbaseError, ValueFormatError



def assert_still_works(conn, uniq):
    conn.set(uniq + "alive", "yes")
    assert conn.get(uniq + "alive").value == "yes"


def test_empty_key_raises_argument_error(kv, uniq):
    with pytest.raises(ArgumentError):
        kv.get("")
    assert_still_works(kv, uniq)


def test_key_of_251_bytes_raises_argument_error(kv, uniq):
    with pytest.raises(ArgumentError):
        kv.set("k" * 251, 1)
    assert_still_works(kv, uniq)


def test_key_of_250_bytes_is_accepted(kv, uniq):
    key = (uniq + "k" * 250)[:250]
    kv.set(key, 1)
    assert kv.get(key).value == 1


def test_multibyte_key_over_250_bytes_raises(kv):
    with pytest.raises(ArgumentError):
        kv.set("\u05e9" * 126, 1)


@pytest.mark.parametrize("key", [None, 42, ("a",), b"bytes", 1.5])
def test_non_str_key_raises_value_format_error(kv, key, uniq):
    with pytest.raises(ValueFormatError):
        kv.get(key)
    assert_still_works(kv, uniq)


def test_bad_key_in_multi_sends_nothing(kv, uniq):
    with pytest.raises(ValueFormatError):
        kv.set_multi({uniq + "a": 1, None: 2})
    assert kv.get(uniq + "a", quiet=True).success is False


def test_unserializable_json_value_raises_value_format_error(kv, uniq):
    with pytest.raises(ValueFormatError):
        kv.set(uniq + "k", object())
    assert_still_works(kv, uniq)


def test_unserializable_value_in_multi_sends_nothing(kv, uniq):
    with pytest.raises(ValueFormatError):
        kv.set_multi({uniq + "a": 1, uniq + "b": object()})
    assert kv.get(uniq + "a", quiet=True).success is False


@pytest.mark.parametrize("fmt,value", [(FMT_BYTES, "text"), (FMT_UTF8, b"bytes"), (FMT_UTF8, None),
                                       (FMT_BYTES, {"a": 1})])
def test_value_not_matching_format_raises_value_format_error(kv, uniq, fmt, value):
    with pytest.raises(ValueFormatError):
        kv.set(uniq + "k", value, format=fmt)


def test_unpicklable_value_raises_value_format_error(kv, uniq):
    with pytest.raises(ValueFormatError):
        kv.set(uniq + "k", lambda: 1, format=FMT_PICKLE)


@pytest.mark.parametrize("fmt", [FMT_JSON, FMT_PICKLE])
def test_append_with_non_string_format_raises_argument_error(kv, uniq, fmt):
    with pytest.raises(ArgumentError):
        kv.append(uniq + "k", "x", format=fmt)


@pytest.mark.parametrize("ttl", [-1, "10", 1.5, [1], 2**40])
def test_bad_ttl_raises_argument_error(kv, uniq, ttl):
    with pytest.raises(ArgumentError):
        kv.set(uniq + "k", 1, ttl=ttl)


@pytest.mark.parametrize("cas", [-1, "1", 2**64, 1.0])
def test_bad_cas_raises_argument_error(kv, uniq, cas):
    with pytest.raises(ArgumentError):
        kv.set(uniq + "k", 1, cas=cas)


def test_lock_with_negative_ttl_raises_argument_error(kv, uniq):
    with pytest.raises(ArgumentError):
        kv.lock(uniq + "k", ttl=-1)


def test_unlock_without_cas_raises_argument_error(kv, uniq):
    with pytest.raises(ArgumentError):
        kv.unlock(uniq + "k", 0)


@pytest.mark.parametrize("amount", ["1", 1.5, None])
def test_bad_counter_amount_raises_argument_error(kv, uniq, amount):
    with pytest.raises(ArgumentError):
        kv.incr(uniq + "c", amount=amount)


def test_unknown_connect_option_raises_argument_error(memcached):
    with pytest.raises(ArgumentError):
        Couchbase.connect(host="memcached://" + memcached.address, bogus=1)


@pytest.mark.parametrize("value", [0, -1])
def test_non_positive_timeout_raises_value_error(kv, value):
    with pytest.raises(ValueError):
        kv.timeout = value


def test_non_number_timeout_raises_type_error(kv):
    with pytest.raises(TypeError):
        kv.timeout = "1"


def test_bool_default_format_raises_argument_error(kv):
    with pytest.raises(ArgumentError):
        kv.default_format = True


def test_invalid_lockmode_raises_argument_error(memcached):
    with pytest.raises(ArgumentError):
        Couchbase.connect(host="memcached://" + memcached.address, lockmode=7)


def test_every_error_is_a_couchbase_error(kv):
    with pytest.raises(CouchbaseError):
        kv.get("")
