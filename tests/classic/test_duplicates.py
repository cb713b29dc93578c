"""Duplicate keys in a _multi call: every copy is sent, the MultiResult keeps one entry, a
RuntimeWarning("Found duplicate key") is issued, through warnings.warn_explicit (module
couchbase._libcouchbase) under PYCBC_CONN_F_WARNEXPLICIT; observe does not warn and endure
refuses duplicates with ArgumentError (LCB_DUPLICATE_COMMANDS)."""
import warnings

import pytest

import couchbase._libcouchbase as LCB
from couchbase.exceptions import ArgumentError


def _duplicate_warnings(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    return out, [w for w in caught if issubclass(w.category, RuntimeWarning)
                 and str(w.message) == "Found duplicate key"]


@pytest.mark.parametrize("op", ["get_multi", "touch_multi", "delete_multi"])
def test_duplicate_keys_warn_and_keep_one_entry(kv, uniq, op):
    kv.set(uniq, 1)
    out, dupes = _duplicate_warnings(lambda: getattr(kv, op)([uniq, uniq], quiet=True) if op != "touch_multi"
                                     else kv.touch_multi([uniq, uniq]))
    assert len(out) == 1 and len(dupes) == 1


def test_warn_explicit_under_the_flag_comes_from_libcouchbase(kv, uniq):
    kv.set(uniq, 1)
    kv._privflags = LCB.PYCBC_CONN_F_WARNEXPLICIT
    assert kv._privflags & LCB.PYCBC_CONN_F_WARNEXPLICIT
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=RuntimeWarning, module="couchbase._libcouchbase")
        with pytest.raises(RuntimeWarning):
            kv.get_multi([uniq, uniq])


def test_without_the_flag_a_libcouchbase_filter_does_not_apply(kv, uniq):
    kv.set(uniq, 1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("error", category=RuntimeWarning, module="couchbase._libcouchbase")
        assert len(kv.get_multi([uniq, uniq])) == 1
    assert [str(w.message) for w in caught] == ["Found duplicate key"]


def test_observe_does_not_warn_about_duplicates(cb, uniq):
    cb.set(uniq, 1)
    out, dupes = _duplicate_warnings(lambda: cb.observe_multi([uniq, uniq]))
    assert len(out) == 1 and not dupes


def test_endure_multi_with_duplicates_is_an_argument_error_with_its_code(cb, uniq):
    cb.set(uniq, 1)
    with pytest.raises(ArgumentError) as ei:
        cb.endure_multi([uniq, uniq], persist_to=1, replicate_to=0)
    assert ei.value.rc == LCB.LCB_DUPLICATE_COMMANDS == 0x22
