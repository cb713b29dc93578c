"""Single-key operations of the classic API, against a real memcached and the embedded cluster."""
import time

import pytest

from couchbase import FMT_BYTES, FMT_JSON, FMT_PICKLE, FMT_UTF8
from couchbase.exceptions import (
    DeltaBadvalError, KeyExistsError, NotFoundError, NotStoredError, NotSupportedError,
)
from couchbase.result import OperationResult, ValueResult



def test_set_returns_operation_result_with_cas(kv, uniq):
    r = kv.set(uniq + "k", "v")
    assert isinstance(r, OperationResult)
    assert r.success and r.rc == 0 and r.cas != 0 and r.key == uniq + "k"


def test_get_returns_value_stored_by_set(kv, uniq):
    kv.set(uniq + "k", {"a": [1, 2]})
    r = kv.get(uniq + "k")
    assert isinstance(r, ValueResult)
    assert r.value == {"a": [1, 2]}


def test_get_cas_equals_set_cas(kv, uniq):
    cas = kv.set(uniq + "k", 1).cas
    assert kv.get(uniq + "k").cas == cas


def test_get_missing_key_raises_not_found(kv, uniq):
    with pytest.raises(NotFoundError) as ei:
        kv.get(uniq + "missing")
    e = ei.value
    assert e.rc == 0xD and e.key == uniq + "missing"
    assert e.csrc_info[0].endswith(".c") and e.csrc_info[1] > 0


def test_get_missing_key_quiet_returns_unsuccessful_result(kv, uniq):
    r = kv.get(uniq + "missing", quiet=True)
    assert not r.success and r.rc == 0xD and r.value is None


def test_connection_quiet_property_suppresses_miss(kv, uniq):
    kv.quiet = True
    try:
        assert kv.get(uniq + "missing").success is False
    finally:
        kv.quiet = False


def test_add_existing_key_raises_key_exists(kv, uniq):
    kv.set(uniq + "k", 1)
    with pytest.raises(KeyExistsError) as ei:
        kv.add(uniq + "k", 2)
    assert ei.value.rc == 0xC


def test_add_new_key_stores(kv, uniq):
    kv.add(uniq + "k", "x")
    assert kv.get(uniq + "k").value == "x"


def test_replace_missing_key_raises_not_found(kv, uniq):
    with pytest.raises(NotFoundError):
        kv.replace(uniq + "k", 1)


def test_replace_existing_key_updates(kv, uniq):
    kv.set(uniq + "k", 1)
    kv.replace(uniq + "k", 2)
    assert kv.get(uniq + "k").value == 2


def test_set_with_stale_cas_raises_key_exists(kv, uniq):
    cas = kv.set(uniq + "k", 1).cas
    kv.set(uniq + "k", 2)
    with pytest.raises(KeyExistsError):
        kv.set(uniq + "k", 3, cas=cas)
    assert kv.get(uniq + "k").value == 2


def test_set_with_current_cas_succeeds(kv, uniq):
    cas = kv.set(uniq + "k", 1).cas
    kv.set(uniq + "k", 2, cas=cas)
    assert kv.get(uniq + "k").value == 2


def test_delete_removes_key(kv, uniq):
    kv.set(uniq + "k", 1)
    kv.delete(uniq + "k")
    with pytest.raises(NotFoundError):
        kv.get(uniq + "k")


def test_delete_missing_raises_not_found(kv, uniq):
    with pytest.raises(NotFoundError):
        kv.delete(uniq + "k")


def test_delete_missing_quiet_returns_result(kv, uniq):
    assert kv.delete(uniq + "k", quiet=True).rc == 0xD


def test_delete_with_wrong_cas_raises_key_exists(kv, uniq):
    cas = kv.set(uniq + "k", 1).cas
    with pytest.raises(KeyExistsError):
        kv.delete(uniq + "k", cas=cas + 1)


def test_ttl_expires_item(kv, uniq):
    kv.set(uniq + "k", 1, ttl=1)
    assert kv.get(uniq + "k").value == 1
    time.sleep(2.05)
    with pytest.raises(NotFoundError):
        kv.get(uniq + "k")


def test_touch_extends_expiry(kv, uniq):
    kv.set(uniq + "k", 1, ttl=2)  # 2 s: a 1 s ttl can lapse at the server's next clock tick
    kv.touch(uniq + "k", ttl=30)
    time.sleep(3.05)
    assert kv.get(uniq + "k").value == 1


def test_touch_missing_raises_not_found(kv, uniq):
    with pytest.raises(NotFoundError):
        kv.touch(uniq + "k", ttl=10)


def test_get_with_ttl_touches(kv, uniq):
    kv.set(uniq + "k", "v", ttl=2)  # 2 s: a 1 s ttl can lapse at the server's next clock tick
    assert kv.get(uniq + "k", ttl=30).value == "v"
    time.sleep(3.05)
    assert kv.get(uniq + "k").value == "v"


def test_incr_without_initial_on_missing_raises_not_found(kv, uniq):
    with pytest.raises(NotFoundError):
        kv.incr(uniq + "c")


def test_incr_with_initial_creates_and_returns_initial(kv, uniq):
    r = kv.incr(uniq + "c", amount=5, initial=10)
    assert r.value == 10


def test_incr_adds_amount(kv, uniq):
    kv.incr(uniq + "c", initial=10)
    assert kv.incr(uniq + "c", amount=5).value == 15


def test_decr_subtracts_and_stops_at_zero(kv, uniq):
    kv.incr(uniq + "c", initial=3)
    assert kv.decr(uniq + "c", amount=2).value == 1
    assert kv.decr(uniq + "c", amount=5).value == 0


def test_counter_reads_back_as_int_through_get(kv, uniq):
    kv.incr(uniq + "c", initial=42)
    assert kv.get(uniq + "c").value == 42


def test_incr_on_non_numeric_raises_delta_badval(kv, uniq):
    kv.set(uniq + "c", "text", format=FMT_UTF8)
    with pytest.raises(DeltaBadvalError):
        kv.incr(uniq + "c")


def test_append_concatenates(kv, uniq):
    kv.set(uniq + "k", "hello", format=FMT_UTF8)
    kv.append(uniq + "k", " world")
    assert kv.get(uniq + "k").value == "hello world"


def test_prepend_concatenates(kv, uniq):
    kv.set(uniq + "k", "world", format=FMT_UTF8)
    kv.prepend(uniq + "k", "hello ")
    assert kv.get(uniq + "k").value == "hello world"


def test_append_bytes(kv, uniq):
    kv.set(uniq + "k", b"\x01", format=FMT_BYTES)
    kv.append(uniq + "k", b"\x02", format=FMT_BYTES)
    assert kv.get(uniq + "k").value == b"\x01\x02"


def test_append_missing_raises_not_stored(kv, uniq):
    with pytest.raises(NotStoredError):
        kv.append(uniq + "k", "x")


@pytest.mark.parametrize("fmt,value", [
    (FMT_JSON, {"unicode": "\u05e9\u05dc\u05d5\u05dd!", "list": [1, 2.5, None, True]}),
    (FMT_PICKLE, {1, 2, 3}),
    (FMT_BYTES, b"\x00\x01\xff"),
    (FMT_UTF8, "\u03ee text"),
])
def test_format_round_trip(kv, uniq, fmt, value):
    kv.set(uniq + "k", value, format=fmt)
    assert kv.get(uniq + "k").value == value


def test_json_tuple_reads_back_as_list(kv, uniq):
    kv.set(uniq + "k", ("a", 1))
    assert kv.get(uniq + "k").value == ["a", 1]


def test_default_format_applies_to_set(kv, uniq):
    kv.default_format = FMT_UTF8
    try:
        kv.set(uniq + "k", "plain")
    finally:
        kv.default_format = FMT_JSON
    assert kv.get(uniq + "k", no_format=True).value == b"plain"


def test_data_passthrough_returns_raw_bytes(kv, uniq):
    kv.set(uniq + "k", {"a": 1})
    kv.data_passthrough = True
    try:
        r = kv.get(uniq + "k")
    finally:
        kv.data_passthrough = False
    assert r.value == b'{"a":1}'


def test_json_flags_are_the_1x_clients_by_default(kv, uniq):
    kv.set(uniq + "k", {"a": 1})
    assert kv.get(uniq + "k").flags == FMT_JSON == 0


def test_common_flags_option_writes_common_flags(kv, uniq):
    kv.common_flags = True
    try:
        kv.set(uniq + "k", {"a": 1})
    finally:
        kv.common_flags = False
    assert kv.get(uniq + "k").flags == 0x02000000


def test_lock_on_memcached_raises_not_supported_at_once(mc_conn, uniq):
    mc_conn.set(uniq + "k", 1)
    t0 = time.monotonic()
    with pytest.raises(NotSupportedError):
        mc_conn.lock(uniq + "k", ttl=5)
    assert time.monotonic() - t0 < 0.5


def test_unlock_on_memcached_raises_not_supported(mc_conn, uniq):
    with pytest.raises(NotSupportedError):
        mc_conn.unlock(uniq + "k", 1234)


def test_item_syntax_get_set_delete(kv, uniq):
    kv[uniq + "k"] = "v"
    assert kv[uniq + "k"].value == "v"
    del kv[uniq + "k"]
    assert kv.get(uniq + "k", quiet=True).success is False


def test_stats_maps_stat_name_to_server_values(mc_conn, memcached):
    st = mc_conn.stats()
    assert st["pid"][memcached.address] == memcached.proc.pid


def test_result_repr_matches_manual_form(kv, uniq):
    r = kv.set("demo_key" + uniq, "demo_value")
    assert repr(r) == "OperationResult<RC=0x0, Key=%s, CAS=0x%x>" % ("demo_key" + uniq, r.cas)


def test_exception_str_matches_manual_form(kv, uniq):
    with pytest.raises(NotFoundError) as ei:
        kv.get(uniq + "x")
    s = str(ei.value)
    assert s.startswith("<Key=%r, RC=0xD[No such key], Operational Error, Results=1, C Source=(" % (uniq + "x"))


def test_durability_on_memcached_raises_not_supported(mc_conn, uniq):
    from couchbase.exceptions import NotSupportedError

    with pytest.raises(NotSupportedError):
        mc_conn.set(uniq + "k", 1, persist_to=1)
