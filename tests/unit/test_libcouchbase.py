"""couchbase._libcouchbase: the 1.x C extension's module, as applications import it."""
import json
import pickle

import pytest

import couchbase
import couchbase._libcouchbase as LCB
from couchbase import connection, result, transcoder
from couchbase._core.binding import C
from couchbase.exceptions import ArgumentError, CouchbaseError

LCB_CODES = {
    "SUCCESS": 0x00, "AUTH_CONTINUE": 0x01, "AUTH_ERROR": 0x02, "DELTA_BADVAL": 0x03, "E2BIG": 0x04,
    "EBUSY": 0x05, "EINTERNAL": 0x06, "EINVAL": 0x07, "ENOMEM": 0x08, "ERANGE": 0x09, "ERROR": 0x0A,
    "ETMPFAIL": 0x0B, "KEY_EEXISTS": 0x0C, "KEY_ENOENT": 0x0D, "DLOPEN_FAILED": 0x0E, "DLSYM_FAILED": 0x0F,
    "NETWORK_ERROR": 0x10, "NOT_MY_VBUCKET": 0x11, "NOT_STORED": 0x12, "NOT_SUPPORTED": 0x13,
    "UNKNOWN_COMMAND": 0x14, "UNKNOWN_HOST": 0x15, "PROTOCOL_ERROR": 0x16, "ETIMEDOUT": 0x17,
    "CONNECT_ERROR": 0x18, "BUCKET_ENOENT": 0x19, "CLIENT_ENOMEM": 0x1A, "CLIENT_ETMPFAIL": 0x1B,
    "EBADHANDLE": 0x1C, "SERVER_BUG": 0x1D, "PLUGIN_VERSION_MISMATCH": 0x1E, "INVALID_HOST_FORMAT": 0x1F,
    "INVALID_CHAR": 0x20, "DURABILITY_ETOOMANY": 0x21, "DUPLICATE_COMMANDS": 0x22, "NO_MATCHING_SERVER": 0x23,
    "BAD_ENVIRONMENT": 0x24, "BUSY": 0x25, "INVALID_USERNAME": 0x26, "CONFIG_CACHE_INVALID": 0x27,
    "SASLMECH_UNAVAILABLE": 0x28,
}


@pytest.mark.parametrize("name,code", sorted(LCB_CODES.items()))
def test_lcb_error_constants_have_the_libcouchbase_2_numbers(name, code):
    assert getattr(LCB, "LCB_" + name) == code


@pytest.mark.parametrize("name", sorted(n for n in LCB_CODES if n != "SUCCESS"))
def test_lcb_error_constants_are_the_codes_the_core_reports(name):
    assert getattr(C, name) == getattr(LCB, "LCB_" + name)


def test_lcb_key_enoent_maps_to_not_found_error():
    assert CouchbaseError.rc_to_exctype(LCB.LCB_KEY_ENOENT).__name__ == "NotFoundError"


def test_http_and_storage_constants():
    assert (LCB.LCB_HTTP_METHOD_GET, LCB.LCB_HTTP_METHOD_POST, LCB.LCB_HTTP_METHOD_PUT,
            LCB.LCB_HTTP_METHOD_DELETE) == (0, 1, 2, 3)
    assert (LCB.LCB_HTTP_TYPE_VIEW, LCB.LCB_HTTP_TYPE_MANAGEMENT) == (0, 1)
    assert (LCB.LCB_TYPE_BUCKET, LCB.LCB_TYPE_CLUSTER) == (0, 1)
    assert (LCB.LCB_ADD, LCB.LCB_REPLACE, LCB.LCB_SET, LCB.LCB_APPEND, LCB.LCB_PREPEND) == (1, 2, 3, 4, 5)


def test_connection_flags_and_internal_exception_kinds():
    assert LCB.PYCBC_CONN_F_WARNEXPLICIT == 1
    assert (LCB.PYCBC_CONN_F_CLOSED, LCB.PYCBC_CONN_F_ASYNC, LCB.PYCBC_CONN_F_ASYNC_DTOR) == (4, 8, 32)
    assert [LCB.PYCBC_EXC_ARGUMENTS, LCB.PYCBC_EXC_ENCODING, LCB.PYCBC_EXC_LCBERR, LCB.PYCBC_EXC_INTERNAL,
            LCB.PYCBC_EXC_HTTP, LCB.PYCBC_EXC_THREADING, LCB.PYCBC_EXC_DESTROYED,
            LCB.PYCBC_EXC_PIPELINE] == list(range(8))


def test_format_observe_and_lockmode_constants():
    assert (LCB.FMT_JSON, LCB.FMT_PICKLE, LCB.FMT_BYTES, LCB.FMT_UTF8, LCB.FMT_MASK) == (0, 1, 2, 4, 7)
    assert LCB.FMT_AUTO is couchbase.FMT_AUTO
    assert (LCB.OBS_FOUND, LCB.OBS_PERSISTED, LCB.OBS_NOTFOUND, LCB.OBS_LOGICALLY_DELETED,
            LCB.OBS_MASK) == (0, 1, 0x80, 0x81, 0x81)
    assert (LCB.LOCKMODE_NONE, LCB.LOCKMODE_EXC, LCB.LOCKMODE_WAIT) == (0, 1, 2)


def test_base_classes_under_their_original_names():
    assert LCB.Connection is connection.Connection
    for name in ("Result", "OperationResult", "ValueResult", "MultiResult", "HttpResult", "ObserveInfo"):
        assert getattr(LCB, name) is getattr(result, name)
    assert LCB.Transcoder is transcoder.Transcoder
    assert issubclass(LCB.ValueResult, LCB.OperationResult) and issubclass(LCB.OperationResult, LCB.Result)


def test_strerror_and_errtype():
    assert isinstance(LCB._strerror(LCB.LCB_KEY_ENOENT), str) and LCB._strerror(LCB.LCB_KEY_ENOENT)
    assert LCB._get_errtype(LCB.LCB_KEY_ENOENT) & LCB.LCB_ERRTYPE_DATAOP
    assert LCB._get_errtype(LCB.LCB_ETIMEDOUT) & LCB.LCB_ERRTYPE_TRANSIENT
    assert LCB._get_errtype(0x7777) == 0


@pytest.mark.parametrize("name,expect", [("json_encode", None), ("json_decode", json.loads),
                                         ("pickle_encode", pickle.dumps), ("pickle_decode", pickle.loads)])
def test_get_helper_returns_the_active_converters(name, expect):
    fn = LCB._get_helper(name)
    assert callable(fn)
    if expect is not None:
        assert fn is expect
    else:
        assert fn({"a": 1}) == '{"a":1}'


def test_get_helper_unknown_name_raises_key_error():
    with pytest.raises(KeyError):
        LCB._get_helper("no_such_helper")


def test_modify_helpers_returns_old_ones_and_applies_everywhere():
    enc = lambda v: json.dumps(v, sort_keys=True)  # noqa: E731
    old = LCB._modify_helpers(json_encode=enc)
    try:
        assert LCB._get_helper("json_encode") is enc
        assert transcoder._json_encode is enc
    finally:
        back = LCB._modify_helpers(**old)
    assert back == {"json_encode": enc}
    assert LCB._get_helper("json_encode") is old["json_encode"]


def test_set_json_converters_and_modify_helpers_agree():
    old = couchbase.set_json_converters(json.dumps, json.loads)
    try:
        assert LCB._get_helper("json_encode") is json.dumps
    finally:
        couchbase.set_json_converters(*old)


def test_modify_helpers_refuses_non_callables_and_unknown_names():
    with pytest.raises(ArgumentError):
        LCB._modify_helpers(json_encode=3)
    with pytest.raises(KeyError):
        LCB._modify_helpers(bogus=json.dumps)


def test_module_map_names():
    assert couchbase.OBS_LOGICALLY_DELETED == 0x81
    assert not isinstance(couchbase.FMT_AUTO, int)
    assert connection.Pipeline and connection.DurabilityContext
    assert connection.NotFoundError is couchbase.exceptions.NotFoundError
    from couchbase.items import Item, ItemCollection, ItemOptionDict, ItemSequence  # noqa: F401
    assert issubclass(Item, result.ValueResult)
