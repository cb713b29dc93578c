"""_multi operations of the classic API, against a real memcached and the embedded cluster."""
import warnings

import pytest

from couchbase import FMT_BYTES
from couchbase.exceptions import ArgumentError, KeyExistsError, NotFoundError
from couchbase.result import MultiResult



def test_set_multi_then_get_multi_round_trip(kv, uniq):
    docs = {uniq + str(i): {"n": i} for i in range(100)}
    kv.set_multi(docs)
    res = kv.get_multi(list(docs))
    assert isinstance(res, MultiResult) and res.all_ok
    assert {k: r.value for k, r in res.items()} == docs


def test_get_multi_with_missing_key_raises_with_all_results(kv, uniq):
    kv.set(uniq + "a", 1)
    with pytest.raises(NotFoundError) as ei:
        kv.get_multi([uniq + "a", uniq + "b"])
    e = ei.value
    assert e.key == uniq + "b"
    assert e.all_results[uniq + "a"].value == 1
    assert e.all_results[uniq + "b"].rc == 0xD


def test_get_multi_quiet_reports_misses_in_all_ok(kv, uniq):
    kv.set(uniq + "a", 1)
    res = kv.get_multi([uniq + "a", uniq + "b"], quiet=True)
    assert not res.all_ok
    assert res[uniq + "a"].value == 1 and res[uniq + "b"].value is None


def test_add_multi_existing_key_raises_key_exists(kv, uniq):
    kv.set(uniq + "a", 1)
    with pytest.raises(KeyExistsError) as ei:
        kv.add_multi({uniq + "a": 2, uniq + "b": 3})
    assert ei.value.all_results[uniq + "b"].success


def test_replace_multi_updates_existing(kv, uniq):
    kv.set_multi({uniq + "a": 1, uniq + "b": 2})
    kv.replace_multi({uniq + "a": 10, uniq + "b": 20})
    assert kv.get(uniq + "b").value == 20


def test_append_multi_and_prepend_multi(kv, uniq):
    kv.set_multi({uniq + "a": "m", uniq + "b": "m"}, format=4)
    kv.append_multi({uniq + "a": "z", uniq + "b": "y"})
    kv.prepend_multi({uniq + "a": "a", uniq + "b": "b"})
    assert kv.get(uniq + "a").value == "amz" and kv.get(uniq + "b").value == "bmy"


def test_delete_multi_removes_all(kv, uniq):
    keys = [uniq + str(i) for i in range(10)]
    kv.set_multi(dict.fromkeys(keys, 1))
    kv.delete_multi(keys)
    assert not any(r.success for r in kv.get_multi(keys, quiet=True).values())


def test_delete_multi_with_results_from_set_multi_checks_cas(kv, uniq):
    res = kv.set_multi({uniq + "a": 1, uniq + "b": 2})
    kv.set(uniq + "b", 3)
    with pytest.raises(KeyExistsError) as ei:
        kv.delete_multi(res)
    assert ei.value.key == uniq + "b"
    assert ei.value.all_results[uniq + "a"].success


def test_get_multi_dict_values_are_per_key_ttls(kv, uniq):
    kv.set_multi({uniq + "a": 1, uniq + "b": 2})
    res = kv.get_multi({uniq + "a": 100, uniq + "b": {"ttl": 100}})
    assert res[uniq + "a"].value == 1 and res[uniq + "b"].value == 2


def test_touch_multi_touches_all(kv, uniq):
    kv.set_multi({uniq + "a": 1, uniq + "b": 2})
    assert kv.touch_multi([uniq + "a", uniq + "b"], ttl=100).all_ok


def test_incr_multi_with_initial(kv, uniq):
    res = kv.incr_multi([uniq + "a", uniq + "b"], initial=7)
    assert [r.value for r in res.values()] == [7, 7]
    res = kv.incr_multi([uniq + "a", uniq + "b"], amount=3)
    assert [r.value for r in res.values()] == [10, 10]


def test_incr_multi_dict_per_key_amounts(kv, uniq):
    kv.incr_multi([uniq + "a", uniq + "b"], initial=10)
    res = kv.incr_multi({uniq + "a": 5, uniq + "b": {"delta": -2}})
    assert res[uniq + "a"].value == 15 and res[uniq + "b"].value == 8


def test_decr_multi_negates_int_amounts(kv, uniq):
    kv.incr_multi([uniq + "a"], initial=10)
    assert kv.decr_multi({uniq + "a": 4})[uniq + "a"].value == 6


def test_get_multi_1000_keys_of_16k(kv, uniq):
    blob = bytes(range(256)) * 64
    docs = {uniq + str(i): blob for i in range(1000)}
    kv.set_multi(docs, format=FMT_BYTES)
    res = kv.get_multi(list(docs))
    assert len(res) == 1000 and all(r.value == blob for r in res.values())


def test_duplicate_keys_warn_and_keep_one_entry(kv, uniq):
    kv.set(uniq + "a", 1)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        res = kv.get_multi([uniq + "a", uniq + "a"])
    assert len(res) == 1
    assert any(issubclass(x.category, RuntimeWarning) and "duplicate" in str(x.message) for x in w)


def test_empty_key_list_raises_argument_error(kv):
    with pytest.raises(ArgumentError):
        kv.get_multi([])


def test_bare_string_to_multi_raises_argument_error(kv):
    with pytest.raises(ArgumentError):
        kv.get_multi("abc")


def test_set_multi_requires_dict(kv, uniq):
    with pytest.raises(ArgumentError):
        kv.set_multi([uniq + "a"])


def test_keys_from_generator_with_len_object(kv, uniq):
    kv.set_multi({uniq + "a": 1, uniq + "b": 2})
    assert len(kv.get_multi({uniq + "a", uniq + "b"})) == 2
