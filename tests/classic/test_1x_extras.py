"""Replica reads, the 1.0 Arguments values, and the small 1.2 modules (experimental, AsyncResult)."""
import pytest

from couchbase.exceptions import ArgumentError, NotFoundError, NotSupportedError
from couchbase.result import Arguments, AsyncResult, MultiResult


def test_rget_reads_the_first_replica_or_the_one_asked(cb, uniq):
    cb.set(uniq, {"v": 1})
    assert cb.rget(uniq).value == {"v": 1}
    assert cb.rget(uniq, replica_index=0).value == {"v": 1}
    assert cb.get(uniq, replica=True).value == {"v": 1}


def test_rget_multi_and_get_multi_replica(cb, uniq):
    cb.set_multi({uniq + "a": 1, uniq + "b": 2})
    out = cb.rget_multi([uniq + "a", uniq + "b"])
    assert isinstance(out, MultiResult) and {k: r.value for k, r in out.items()} == {uniq + "a": 1, uniq + "b": 2}
    assert cb.get_multi([uniq + "a"], replica=True)[uniq + "a"].value == 1


def test_rget_quiet_miss_and_loud_miss(cb, uniq):
    assert cb.rget(uniq + "missing", quiet=True).success is False
    assert not cb.rget_multi([uniq + "missing"], quiet=True).all_ok
    with pytest.raises(NotFoundError):
        cb.rget(uniq + "missing")


@pytest.mark.parametrize("index", [1, -1, "0", 1.0])
def test_rget_replica_index_out_of_range_is_an_argument_error(cb, uniq, index):
    with pytest.raises(ArgumentError):
        cb.rget(uniq, replica_index=index)


def test_replica_read_with_ttl_is_an_argument_error(cb, uniq):
    with pytest.raises(ArgumentError):
        cb.get(uniq, replica=True, ttl=5)


def test_replica_reads_on_memcached_raise_not_supported(mc_conn, uniq):
    with pytest.raises(NotSupportedError):
        mc_conn.rget(uniq)


def test_set_multi_with_1_0_arguments_values(kv, uniq):
    first = kv.set(uniq + "a", "old")
    kv.set_multi({uniq + "a": Arguments(value="new", cas=first.cas), uniq + "b": Arguments(value=2, ttl=100),
                  uniq + "c": 3})
    assert kv.get(uniq + "a").value == "new" and kv.get(uniq + "b").value == 2 and kv.get(uniq + "c").value == 3


def test_arguments_with_a_stale_cas_fails_that_key(kv, uniq):
    from couchbase.exceptions import KeyExistsError

    kv.set(uniq + "a", "old")
    with pytest.raises(KeyExistsError):
        kv.set_multi({uniq + "a": Arguments(value="new", cas=1)})


def test_arguments_without_value_is_an_argument_error(kv, uniq):
    with pytest.raises(ArgumentError):
        kv.set_multi({uniq: Arguments(cas=1)})


def test_experimental_switch():
    from couchbase import experimental

    experimental._enabled = False
    with pytest.raises(ImportError):
        experimental.enabled_or_raise()
    experimental.enable()
    experimental.enabled_or_raise()


def test_async_result_is_a_multi_result_with_callbacks():
    r = AsyncResult()
    r.set_callbacks(print, repr)
    assert isinstance(r, MultiResult) and (r.callback, r.errback, r.remaining) == (print, repr, 0)


def test_lock_without_ttl_uses_the_server_default_as_the_manual_says(cb, uniq):
    from couchbase.exceptions import KeyExistsError, TemporaryFailError

    cb.set(uniq, {"friends": {}})
    r = cb.lock(uniq)
    assert r.value == {"friends": {}}
    with pytest.raises(TemporaryFailError):
        cb.lock(uniq)
    with pytest.raises(KeyExistsError):
        cb.set(uniq, 1)
    cb.set(uniq, 2, cas=r.cas)  # storing with the lock's CAS releases it
    locked = cb.lock_multi([uniq])
    cb.unlock_multi(locked)
    assert cb.set(uniq, 3).success
