"""Connection.pipeline(): operations queued in the block, run together when it ends."""
import pytest

from couchbase.exceptions import ArgumentError, KeyExistsError, NotFoundError, PipelineError
from couchbase.result import MultiResult, OperationResult, ValueResult


def test_enter_returns_none_and_operations_return_none(kv, uniq):
    with kv.pipeline() as p:
        assert p is None
        assert kv.set(uniq + "a", 1) is None
        assert kv.get(uniq + "a") is None


def test_results_are_in_call_order_with_single_and_multi_results(kv, uniq):
    pipe = kv.pipeline()
    with pipe:
        kv.set(uniq + "a", 1)
        kv.set_multi({uniq + "b": 2, uniq + "c": 3})
        kv.get(uniq + "a")
        kv.get_multi([uniq + "b", uniq + "c"])
        kv.incr(uniq + "n", initial=5)
        kv.delete(uniq + "c")
    r = pipe.results
    assert [type(x) for x in r] == [OperationResult, MultiResult, ValueResult, MultiResult, ValueResult,
                                    OperationResult]
    assert r[0].key == uniq + "a" and r[0].cas
    assert set(r[1]) == {uniq + "b", uniq + "c"}
    assert r[2].value == 1
    assert {k: v.value for k, v in r[3].items()} == {uniq + "b": 2, uniq + "c": 3}
    assert r[4].value == 5
    assert r[5].success


def test_operations_run_only_when_the_block_ends(kv, uniq):
    with kv.pipeline():
        kv.set(uniq + "a", "queued")
        outside = kv._session  # the engine is not asked to run anything inside the block
        assert outside is kv._core
    assert kv.get(uniq + "a").value == "queued"


def test_first_operational_error_is_raised_on_exit_and_results_kept(kv, uniq):
    pipe = kv.pipeline()
    kv.set(uniq + "exists", 1)
    with pytest.raises(NotFoundError) as ei:
        with pipe:
            kv.set(uniq + "a", 1)
            kv.get(uniq + "missing")
            kv.add(uniq + "exists", 2)
    assert ei.value.key == uniq + "missing"
    assert len(pipe.results) == 3
    assert pipe.results[0].success and not pipe.results[1].success
    assert pipe.results[2].rc == KeyExistsError.rc or not pipe.results[2].success
    assert kv.get(uniq + "a").value == 1


def test_quiet_miss_in_a_pipeline_raises_nothing(kv, uniq):
    pipe = kv.pipeline()
    with pipe:
        kv.get(uniq + "missing", quiet=True)
    assert pipe.results[0].success is False and pipe.results[0].value is None


def test_argument_error_is_raised_at_once_and_earlier_ops_still_run(kv, uniq):
    pipe = kv.pipeline()
    with pytest.raises(ArgumentError):
        with pipe:
            kv.set(uniq + "a", 1)
            kv.set_multi({uniq + "b": 2, uniq + "c": 3})
            kv.set("", 1)
    assert len(pipe.results) == 2
    assert kv.get(uniq + "a").value == 1 and kv.get(uniq + "c").value == 3


def test_bad_value_raises_at_once_and_later_ops_still_queue(kv, uniq):
    pipe = kv.pipeline()
    with pipe:
        kv.set(uniq + "a", 1)
        with pytest.raises(Exception):
            kv.set(uniq + "b", object())
        kv.set(uniq + "c", 3)
    assert [r.key for r in pipe.results] == [uniq + "a", uniq + "c"]
    assert kv.get(uniq + "b", quiet=True).success is False


def test_nested_pipeline_raises_pipeline_error(kv):
    with kv.pipeline():
        with pytest.raises(PipelineError):
            with kv.pipeline():
                pass


def test_pipeline_is_reusable_and_results_reset(kv, uniq):
    pipe = kv.pipeline()
    with pipe:
        kv.set(uniq + "a", 1)
    with pipe:
        kv.get(uniq + "a")
        kv.get(uniq + "a")
    assert len(pipe.results) == 2 and pipe.results[1].value == 1


def test_empty_pipeline_has_no_results(kv):
    pipe = kv.pipeline()
    with pipe:
        pass
    assert pipe.results == []


def test_connection_works_normally_after_a_pipeline(kv, uniq):
    with kv.pipeline():
        kv.set(uniq + "a", 1)
    assert kv.set(uniq + "a", 2).success
    assert kv.get(uniq + "a").value == 2


def test_pipeline_on_a_closed_connection_raises(kv):
    from couchbase.exceptions import ClientTemporaryFailError

    kv._close()
    with pytest.raises(ClientTemporaryFailError):
        with kv.pipeline():
            pass


# ---- operations that take more than one round: kept in order between the batches ----

def test_stats_observe_and_rget_run_in_place(cb, uniq):
    pipe = cb.pipeline()
    with pipe:
        cb.set(uniq + "a", 1)
        cb.observe(uniq + "a")
        cb.rget(uniq + "a")
        cb.stats("memory")
        cb.get(uniq + "a")
    r = pipe.results
    assert len(r) == 5
    assert r[1].value and all(i.cas == r[0].cas for i in r[1].value if i.flags != 0x80)
    assert r[2].value == 1
    assert "mem_used" in r[3]
    assert r[4].value == 1


def test_durable_store_in_a_pipeline(cb, uniq):
    pipe = cb.pipeline()
    with pipe:
        cb.set(uniq + "a", 1, persist_to=1, replicate_to=1)
        cb.get(uniq + "a")
    assert pipe.results[0].success and pipe.results[1].value == 1


def test_pipeline_batch_is_one_run(cb, uniq):
    cb._start_timings()
    with cb.pipeline():
        for i in range(20):
            cb.set(uniq + str(i), i)
    runs = sum(t["count"] for t in cb._get_timings())
    cb._stop_timings()
    assert runs == 1
