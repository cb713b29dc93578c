"""_multi operations of the classic API against a real memcached."""
import warnings

import pytest

from couchbase import FMT_BYTES
from couchbase.exceptions import ArgumentError, KeyExistsError, NotFoundError
from couchbase.result import MultiResult

pytestmark = pytest.mark.memcached


def test_set_multi_then_get_multi_round_trip(mc_conn, uniq):
    kv = {uniq + str(i): {"n": i} for i in range(100)}
    mc_conn.set_multi(kv)
    res = mc_conn.get_multi(list(kv))
    assert isinstance(res, MultiResult) and res.all_ok
    assert {k: r.value for k, r in res.items()} == kv


def test_get_multi_with_missing_key_raises_with_all_results(mc_conn, uniq):
    mc_conn.set(uniq + "a", 1)
    with pytest.raises(NotFoundError) as ei:
        mc_conn.get_multi([uniq + "a", uniq + "b"])
    e = ei.value
    assert e.key == uniq + "b"
    assert e.all_results[uniq + "a"].value == 1
    assert e.all_results[uniq + "b"].rc == 0xD


def test_get_multi_quiet_reports_misses_in_all_ok(mc_conn, uniq):
    mc_conn.set(uniq + "a", 1)
    res = mc_conn.get_multi([uniq + "a", uniq + "b"], quiet=True)
    assert not res.all_ok
    assert res[uniq + "a"].value == 1 and res[uniq + "b"].value is None


def test_add_multi_existing_key_raises_key_exists(mc_conn, uniq):
    mc_conn.set(uniq + "a", 1)
    with pytest.raises(KeyExistsError) as ei:
        mc_conn.add_multi({uniq + "a": 2, uniq + "b": 3})
    assert ei.value.all_results[uniq + "b"].success


def test_replace_multi_updates_existing(mc_conn, uniq):
    mc_conn.set_multi({uniq + "a": 1, uniq + "b": 2})
    mc_conn.replace_multi({uniq + "a": 10, uniq + "b": 20})
    assert mc_conn.get(uniq + "b").value == 20


def test_append_multi_and_prepend_multi(mc_conn, uniq):
    mc_conn.set_multi({uniq + "a": "m", uniq + "b": "m"}, format=4)
    mc_conn.append_multi({uniq + "a": "z", uniq + "b": "y"})
    mc_conn.prepend_multi({uniq + "a": "a", uniq + "b": "b"})
    assert mc_conn.get(uniq + "a").value == "amz" and mc_conn.get(uniq + "b").value == "bmy"


def test_delete_multi_removes_all(mc_conn, uniq):
    keys = [uniq + str(i) for i in range(10)]
    mc_conn.set_multi(dict.fromkeys(keys, 1))
    mc_conn.delete_multi(keys)
    assert not any(r.success for r in mc_conn.get_multi(keys, quiet=True).values())


def test_delete_multi_with_results_from_set_multi_checks_cas(mc_conn, uniq):
    res = mc_conn.set_multi({uniq + "a": 1, uniq + "b": 2})
    mc_conn.set(uniq + "b", 3)
    with pytest.raises(KeyExistsError) as ei:
        mc_conn.delete_multi(res)
    assert ei.value.key == uniq + "b"
    assert ei.value.all_results[uniq + "a"].success


def test_get_multi_dict_values_are_per_key_ttls(mc_conn, uniq):
    mc_conn.set_multi({uniq + "a": 1, uniq + "b": 2})
    res = mc_conn.get_multi({uniq + "a": 100, uniq + "b": {"ttl": 100}})
    assert res[uniq + "a"].value == 1 and res[uniq + "b"].value == 2


def test_touch_multi_touches_all(mc_conn, uniq):
    mc_conn.set_multi({uniq + "a": 1, uniq + "b": 2})
    assert mc_conn.touch_multi([uniq + "a", uniq + "b"], ttl=100).all_ok


def test_incr_multi_with_initial(mc_conn, uniq):
    res = mc_conn.incr_multi([uniq + "a", uniq + "b"], initial=7)
    assert [r.value for r in res.values()] == [7, 7]
    res = mc_conn.incr_multi([uniq + "a", uniq + "b"], amount=3)
    assert [r.value for r in res.values()] == [10, 10]


def test_incr_multi_dict_per_key_amounts(mc_conn, uniq):
    mc_conn.incr_multi([uniq + "a", uniq + "b"], initial=10)
    res = mc_conn.incr_multi({uniq + "a": 5, uniq + "b": {"delta": -2}})
    assert res[uniq + "a"].value == 15 and res[uniq + "b"].value == 8


def test_decr_multi_negates_int_amounts(mc_conn, uniq):
    mc_conn.incr_multi([uniq + "a"], initial=10)
    assert mc_conn.decr_multi({uniq + "a": 4})[uniq + "a"].value == 6


def test_get_multi_1000_keys_of_16k(mc_conn, uniq):
    blob = bytes(range(256)) * 64
    kv = {uniq + str(i): blob for i in range(1000)}
    mc_conn.set_multi(kv, format=FMT_BYTES)
    res = mc_conn.get_multi(list(kv))
    assert len(res) == 1000 and all(r.value == blob for r in res.values())


def test_duplicate_keys_warn_and_keep_one_entry(mc_conn, uniq):
    mc_conn.set(uniq + "a", 1)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        res = mc_conn.get_multi([uniq + "a", uniq + "a"])
    assert len(res) == 1
    assert any(issubclass(x.category, RuntimeWarning) and "duplicate" in str(x.message) for x in w)


def test_empty_key_list_raises_argument_error(mc_conn):
    with pytest.raises(ArgumentError):
        mc_conn.get_multi([])


def test_bare_string_to_multi_raises_argument_error(mc_conn):
    with pytest.raises(ArgumentError):
        mc_conn.get_multi("abc")


def test_set_multi_requires_dict(mc_conn, uniq):
    with pytest.raises(ArgumentError):
        mc_conn.set_multi([uniq + "a"])


def test_keys_from_generator_with_len_object(mc_conn, uniq):
    mc_conn.set_multi({uniq + "a": 1, uniq + "b": 2})
    assert len(mc_conn.get_multi({uniq + "a", uniq + "b"})) == 2
