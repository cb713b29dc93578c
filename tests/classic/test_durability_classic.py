"""endure/endure_multi and durability(): their timeouts and errors, and observe's view of a
deleted key (OBS_LOGICALLY_DELETED while its tombstone exists)."""
import time

import pytest

import couchbase._libcouchbase as LCB
from couchbase import OBS_LOGICALLY_DELETED, OBS_NOTFOUND
from couchbase.exceptions import ArgumentError, TimeoutError
from couchbase.items import Item, ItemSequence
from couchbase.result import OperationResult


def _mock_keeps_tombstones():
    from couchbase.mock import store

    return any(hasattr(cls, "tombstone") for cls in vars(store).values() if isinstance(cls, type))


def test_endure_returns_an_operation_result(cb, uniq):
    r = cb.set(uniq, 1)
    out = cb.endure(uniq, persist_to=1, replicate_to=1, cas=r.cas)
    assert isinstance(out, OperationResult) and out.success and out.cas == r.cas


def test_endure_times_out_with_timeout_error_and_all_results(cb, uniq):
    started = time.monotonic()
    with pytest.raises(TimeoutError) as ei:
        cb.endure(uniq + "missing", persist_to=1, replicate_to=0, timeout=0.2, interval=0.02)
    assert 0.2 <= time.monotonic() - started < 2.0
    assert ei.value.rc == LCB.LCB_ETIMEDOUT and ei.value.all_results[uniq + "missing"].rc == LCB.LCB_ETIMEDOUT


def test_endure_with_a_stale_cas_times_out(cb, uniq):
    old = cb.set(uniq, 1).cas
    cb.set(uniq, 2)
    with pytest.raises(TimeoutError):
        cb.endure(uniq, persist_to=1, replicate_to=0, cas=old, timeout=0.1)


def test_endure_check_removed_waits_for_deletion(cb, uniq):
    cb.set(uniq, 1)
    with pytest.raises(TimeoutError):
        cb.endure(uniq, persist_to=1, replicate_to=1, check_removed=True, timeout=0.1)
    cb.delete(uniq)
    assert cb.endure(uniq, persist_to=1, replicate_to=1, check_removed=True).success


@pytest.mark.parametrize("form", ["list", "dict", "multiresult", "results", "items"])
def test_endure_multi_accepts_every_key_form(cb, uniq, form):
    res = cb.set_multi({uniq + "a": 1, uniq + "b": 2})
    keys = {"list": [uniq + "a", uniq + "b"], "dict": {k: r.cas for k, r in res.items()}, "multiresult": res,
            "results": list(res.values()),
            "items": ItemSequence([Item(uniq + "a", 1), Item(uniq + "b", 2)])}[form]
    out = cb.endure_multi(keys, persist_to=2, replicate_to=1)
    assert set(out) == {uniq + "a", uniq + "b"} and out.all_ok


def test_endure_asking_for_too_many_nodes_is_argument_error_0x21(cb, uniq):
    cb.set(uniq, 1)
    for kw in ({"persist_to": 3}, {"replicate_to": 2}):
        with pytest.raises(ArgumentError) as ei:
            cb.endure(uniq, **kw)
        assert ei.value.rc == LCB.LCB_DURABILITY_ETOOMANY == 0x21


def test_negative_counts_mean_as_many_as_the_cluster_has(cb, uniq):
    cb.set(uniq, 1)
    assert cb.endure(uniq, persist_to=-1, replicate_to=-1).success


def test_durability_context_applies_to_mutations_inside_it(cb, uniq, monkeypatch):
    from couchbase._classic import endure as _endure

    seen = []
    real = _endure.endure

    def spy(conn, cas_by_key, persist_to, replicate_to, timeout, interval, check_removed=False):
        seen.append((sorted(cas_by_key), persist_to, replicate_to, timeout))
        return real(conn, cas_by_key, persist_to, replicate_to, timeout, interval, check_removed)

    monkeypatch.setattr(_endure, "endure", spy)
    with cb.durability(persist_to=1, replicate_to=1, timeout=3.0) as ctx:
        assert ctx is None
        cb.set(uniq, 1)
        cb.set(uniq + "b", 1, persist_to=2, replicate_to=0)
    cb.set(uniq, 2)
    assert seen == [([uniq], 1, 1, 3.0), ([uniq + "b"], 2, 0, 3.0)]


def test_durability_context_refuses_impossible_requirements(cb):
    with pytest.raises(ArgumentError):
        cb.durability(persist_to=5)


def test_durability_timeout_setting_bounds_a_store_wait(cb, uniq, monkeypatch):
    from couchbase._classic import replicas

    cb._cntl(LCB.LCB_CNTL_DURABILITY_TIMEOUT, 0.2)
    real = replicas.observe

    def never_persisted(conn, keys, wire, master_only, single):
        out = real(conn, keys, wire, master_only, single)
        for r in (out.values() if not single else [out]):
            for info in r.value:
                info.flags = 0  # found, not persisted
        return out

    monkeypatch.setattr("couchbase._classic.endure.observe", never_persisted)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        cb.set(uniq, 1, persist_to=1)
    assert time.monotonic() - started < 2.0


@pytest.mark.xfail(not _mock_keeps_tombstones(), strict=True,
                   reason="the embedded cluster on this branch forgets deleted keys (no tombstones yet)")
def test_deleted_key_is_observed_as_logically_deleted(cb, uniq):
    cb.set(uniq, 1)
    cb.delete(uniq)
    infos = cb.observe(uniq).value
    assert infos and all(i.flags == OBS_LOGICALLY_DELETED for i in infos)
    assert OBS_LOGICALLY_DELETED == OBS_NOTFOUND | 0x01
