"""Result classes (couchbase/result.py): reprs, success, all_ok, and the data layout."""
import gc
import os
import subprocess
import sys
import textwrap

import pytest

from couchbase import result
from couchbase.result import HttpResult, MultiResult, ObserveInfo, OperationResult, Result, ValueResult

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def _value(**kw):
    r = ValueResult()
    for k, v in kw.items():
        setattr(r, k, v)
    return r


def test_base_is_the_native_type_when_built():
    try:
        from couchbase._core import _fastpath
    except ImportError:
        pytest.skip("couchbase._core._fastpath is not built")
    assert result.ResultBase is _fastpath.ResultBase
    assert result.NATIVE
    assert issubclass(ValueResult, _fastpath.ResultBase)


def test_operation_result_repr():
    r = OperationResult(key="demo_key", cas=0x3222E0F096E80000)
    assert repr(r) == "OperationResult<RC=0x0, Key=demo_key, CAS=0x3222e0f096e80000>"
    assert str(r) == repr(r)


def test_value_result_repr():
    r = _value(key="demo_key", value="demo_value", cas=0x3222E0F096E80000)
    assert repr(r) == "ValueResult<RC=0x0, Key=demo_key, Value='demo_value', CAS=0x3222e0f096e80000, Flags=0x0>"
    assert str(r) == repr(r)


def test_failed_value_result_repr_has_errstr():
    pytest.importorskip("couchbase._core.binding")  # the core teaches the exceptions their texts
    r = _value(key="foo", rc=0xD)
    assert repr(r) == "ValueResult<RC=0xD[No such key], Key=foo, Value=None, CAS=0x0, Flags=0x0>"
    assert r.errstr == "No such key"
    assert not r.success


def test_bare_result_repr():
    assert repr(Result()) == "Result<RC=0x0>"
    assert str(Result()) == "Result<RC=0x0>"


def test_rc_hex_is_upper_and_cas_flags_lower():
    r = _value(key="k", rc=0x1A, cas=0xABC, flags=0x4000004)
    text = repr(r)
    assert text.startswith("ValueResult<RC=0x1A[")
    assert text.endswith("CAS=0xabc, Flags=0x4000004>")


def test_key_printed_with_str():
    r = OperationResult(key=b"raw")
    assert "Key=b'raw'" in repr(r)
    assert "Key=k\u00e9" in repr(OperationResult(key="k\u00e9"))


def test_subclass_repr_uses_its_name():
    class Mine(ValueResult):
        __slots__ = ()

    assert repr(Mine()).startswith("Mine<RC=0x0, Key=None,")


def test_success_follows_rc():
    r = OperationResult()
    assert r.success is True
    r.rc = 0x17
    assert r.success is False


def test_defaults_and_unset_key():
    r = ValueResult()
    with pytest.raises(AttributeError):
        r.key
    assert r.value is None and r.cas == 0 and r.flags == 0 and r.rc == 0
    assert r._vbuuid == 0 and r._seqno == 0 and r._vbucket == 0 and r._extra is None
    assert Result().value is None and Result().cas == 0


def test_a_result_made_in_python_has_no_server_and_no_answer():
    r = ValueResult()
    assert (r._server, r._status) == (-1, 0xFFFF)


def test_keyword_constructor():
    r = ValueResult(rc=0xD, key="k", value=[1], cas=2**64 - 1, flags=2**32 - 1)
    assert (r.rc, r.key, r.value, r.cas, r.flags) == (0xD, "k", [1], 2**64 - 1, 2**32 - 1)


def test_fields_are_slots_only():
    r = ValueResult()
    with pytest.raises(AttributeError):
        r.something_else = 1
    assert ValueResult.__slots__ == () and OperationResult.__slots__ == () and Result.__slots__ == ()


def test_modern_style_subclass_with_dict():
    class GetResultLike(ValueResult):
        def __init__(self, key, value):
            self.key = key
            self.value = value
            self.expiry = None

    r = GetResultLike("k", {"a": 1})
    assert r.key == "k" and r.value == {"a": 1} and r.expiry is None and r.success


def test_cycle_through_extra_is_collected():
    freed = []

    class Marker:
        def __del__(self):
            freed.append(True)

    r = ValueResult()
    r._extra = (r, Marker())
    del r
    gc.collect()
    assert freed == [True]


def test_multiresult_all_ok_is_int():
    m = MultiResult()
    m["a"] = OperationResult(key="a")
    m["b"] = OperationResult(key="b")
    assert m.all_ok == 1 and type(m.all_ok) is int
    m["b"].rc = 0xD
    assert m.all_ok == 0 and type(m.all_ok) is int


def test_multiresult_repr_is_the_dict_repr():
    m = MultiResult({"a": 1})
    assert repr(m) == "{'a': 1}"
    assert isinstance(m, dict)


def test_multiresult_takes_attributes():
    m = MultiResult()
    m._parent = object()


def test_observe_info_repr():
    o = ObserveInfo(flags=0x0, from_master=1, cas=0x1A2B3C)
    assert repr(o) == "ObserveInfo<Status=[OBS_FOUND (0x0)], Master=True, CAS=0x1A2B3C>"
    assert repr(ObserveInfo(0x81, 0, 5)) == "ObserveInfo<Status=[OBS_LOGICALLY_DELETED (0x81)], Master=False, CAS=0x5>"
    assert repr(ObserveInfo(0x01, 0, 5)).startswith("ObserveInfo<Status=[OBS_PERSISTED (0x1)]")


def test_observe_info_is_not_subclassable():
    with pytest.raises(TypeError):
        class Sub(ObserveInfo):
            pass


def test_http_result():
    h = HttpResult(rc=0, http_status=200, value={"rows": []}, url="_design/dev_x")
    assert repr(h) == "HttpResult<RC=0x0, Value={'rows': []}, HTTP=200, URL=_design/dev_x>"
    assert h.success and h.headers is None
    h.http_status = 404
    assert not h.success
    h.http_status = 0
    assert h.success
    assert isinstance(h, Result)


def test_pure_python_base_when_native_missing():
    code = textwrap.dedent(
        """
        import sys
        sys.modules["couchbase._core._fastpath"] = None  # import fails as if not built
        from couchbase import result
        from couchbase._core import results as base
        from couchbase.result import ValueResult, OperationResult, Result
        assert not result.NATIVE and result.ResultBase is base._PyResultBase
        r = ValueResult()
        try:
            r.key
        except AttributeError:
            pass
        else:
            raise SystemExit("key should be unset")
        assert (r.rc, r.value, r.cas, r.flags, r._extra) == (0, None, 0, 0, None)
        assert (r._server, r._status) == (-1, 0xFFFF)
        r = ValueResult(key="demo_key", value="demo_value", cas=0x3222e0f096e80000)
        print(repr(r))
        print(repr(OperationResult(key="demo_key", cas=1)))
        print(repr(Result()))
        try:
            r.other = 1
        except AttributeError:
            print("slots")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [
        "ValueResult<RC=0x0, Key=demo_key, Value='demo_value', CAS=0x3222e0f096e80000, Flags=0x0>",
        "OperationResult<RC=0x0, Key=demo_key, CAS=0x1>",
        "Result<RC=0x0>",
        "slots",
    ]
