"""After an operation raised, the connection's reference count is back at its baseline without
gc.collect(), even while the caller keeps the exception (as unittest's assertRaises does):
no frame of our layer is kept by the exception, its inner cause or chained exceptions."""
import sys

import pytest

from couchbase import FMT_BYTES, FMT_UTF8
from couchbase.exceptions import CouchbaseError
from couchbase.transcoder import Transcoder


class _EncodeFails(Transcoder):
    def encode_value(self, value, format):
        raise RuntimeError("encode failed")


class _DecodeFails(Transcoder):
    def decode_value(self, value, flags):
        raise RuntimeError("decode failed")


class _KeyFails(Transcoder):
    def encode_key(self, key):
        raise RuntimeError("key failed")


def _kept(fn):
    """The exception fn() raises, as assertRaises keeps it (its own traceback dropped)."""
    try:
        fn()
    except CouchbaseError as e:
        return e.with_traceback(None)
    raise AssertionError("no CouchbaseError raised")


OPERATIONS = {
    "get_missing": lambda c, k: c.get(k + "missing"),
    "get_empty_key": lambda c, k: c.get(""),
    "get_bad_key_type": lambda c, k: c.get(None),
    "get_bytes_key": lambda c, k: c.get(b"bytes"),
    "get_negative_ttl": lambda c, k: c.get(k, ttl=-1),
    "get_multi_missing": lambda c, k: c.get_multi([k + "m1", k + "m2"]),
    "get_multi_negative_ttl": lambda c, k: c.get_multi([k], ttl=-1),
    "get_multi_str": lambda c, k: c.get_multi("abc"),
    "set_negative_ttl": lambda c, k: c.set(k, 1, ttl=-1),
    "set_unserializable": lambda c, k: c.set(k, object()),
    "set_bad_format_value": lambda c, k: c.set(k, {"a": 1}, format=FMT_BYTES),
    "set_format_not_int": lambda c, k: c.set(k, 1, format="json"),
    "set_multi_unserializable": lambda c, k: c.set_multi({k: object(), k + "2": 1}),
    "set_multi_not_dict": lambda c, k: c.set_multi([k]),
    "set_stale_cas": lambda c, k: c.set(k + "cas", 1, cas=12345),
    "add_exists": lambda c, k: (c.set(k + "x", 1), c.add(k + "x", 1)),
    "replace_missing": lambda c, k: c.replace(k + "missing", 1),
    "append_missing": lambda c, k: c.append(k + "missing", "x"),
    "append_bad_format": lambda c, k: c.append(k, "x", format="utf8"),
    "prepend_missing": lambda c, k: c.prepend(k + "missing", b"x", format=FMT_BYTES),
    "delete_missing": lambda c, k: c.delete(k + "missing"),
    "delete_multi_missing": lambda c, k: c.delete_multi([k + "missing"]),
    "touch_missing": lambda c, k: c.touch(k + "missing", ttl=10),
    "incr_missing": lambda c, k: c.incr(k + "missing"),
    "incr_bad_amount": lambda c, k: c.incr(k, amount="1"),
    "decr_non_numeric": lambda c, k: (c.set(k + "t", "text", format=FMT_UTF8), c.decr(k + "t")),
    "incr_multi_bad_spec": lambda c, k: c.incr_multi({k: "x"}),
    "lock_negative_ttl": lambda c, k: c.lock(k, ttl=-1),
    "unlock_without_cas": lambda c, k: c.unlock(k, 0),
    "stats_bad_group_type": lambda c, k: c.stats(5),
    "pipeline_operational_error": lambda c, k: _pipeline_miss(c, k),
}


def _pipeline_miss(c, k):
    with c.pipeline():
        c.get(k + "missing")


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_refcount_back_at_baseline_after_failing_operation(kv, uniq, name):
    kv.set(uniq, 1)
    base = sys.getrefcount(kv)
    err = _kept(lambda: OPERATIONS[name](kv, uniq))
    assert sys.getrefcount(kv) == base, (name, err)
    del err
    assert sys.getrefcount(kv) == base


@pytest.mark.parametrize("tc,op", [
    (_EncodeFails, lambda c, k: c.set(k, 1)),
    (_EncodeFails, lambda c, k: c.set_multi({k: 1, k + "2": 2})),
    (_DecodeFails, lambda c, k: c.get(k)),
    (_DecodeFails, lambda c, k: c.get_multi([k])),
    (_KeyFails, lambda c, k: c.get(k)),
], ids=["encode_value", "encode_value_multi", "decode_value", "decode_value_multi", "encode_key"])
def test_refcount_back_at_baseline_after_transcoder_failure(kv, uniq, tc, op):
    kv.set(uniq, 1)
    kv.transcoder = tc()
    base = sys.getrefcount(kv)
    err = _kept(lambda: op(kv, uniq))
    assert err.inner_cause is not None
    assert sys.getrefcount(kv) == base
    assert err.inner_cause.__traceback__ is None
    assert err.__context__ is None and err.__cause__ is None


def test_inner_cause_keeps_its_traceback_text(kv, uniq):
    kv.transcoder = _EncodeFails()
    err = _kept(lambda: kv.set(uniq, 1))
    notes = getattr(err.inner_cause, "__notes__", None)
    if sys.version_info >= (3, 11):
        assert notes and "encode_value" in notes[0]


MOCK_ONLY = {
    "rget_missing": lambda c, k: c.rget(k + "missing"),
    "observe_empty_key": lambda c, k: c.observe(""),
    "endure_too_many": lambda c, k: c.endure(k, persist_to=9),
    "endure_timeout": lambda c, k: c.endure(k + "missing", persist_to=1, timeout=0.05),
    "lock_locked": lambda c, k: (c.lock(k + "l", ttl=5) if c.set(k + "l", 1) else None, c.lock(k + "l", ttl=5)),
    "endure_multi_duplicates": lambda c, k: c.endure_multi([k, k]),
}


@pytest.mark.parametrize("name", sorted(MOCK_ONLY))
def test_refcount_back_at_baseline_on_couchbase_bucket_paths(cb, uniq, name):
    cb.set(uniq, 1)
    base = sys.getrefcount(cb)
    err = _kept(lambda: MOCK_ONLY[name](cb, uniq))
    assert sys.getrefcount(cb) == base, (name, err)
