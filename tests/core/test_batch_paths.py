"""couchbase._core.batch: the native path (csrc/py/fastpath.c) and the pure-Python path
(couchbase/_batch_py.py) send identical requests, raise identical errors and build
identical results.

Requests are captured on their way into the core: the native module is handed a copy
of the core's cbc_API table whose batch_add records each cbc_REQUEST, and the
fallback's `lib` is wrapped the same way. Results come from one finished batch against
a real memcached, built once by each path.
"""
import contextlib
import gc
import json
import os
import pickle
import subprocess
import sys
import uuid
import warnings
import zlib

import pytest

from couchbase._core import batch as _batch
from couchbase._core import batch_py as _batch_py
from couchbase import transcoder as tc
from couchbase._core.binding import ffi, lib
from couchbase.exceptions import ArgumentError, ValueFormatError
from couchbase.result import MultiResult, OperationResult, ResultBase, ValueResult
from couchbase.transcoder import FMT_AUTO, FMT_BYTES, FMT_JSON, FMT_PICKLE, FMT_UTF8, Transcoder

try:
    from couchbase._core import _fastpath
except ImportError:  # the native tests then fail: a missing build is an error, not a skip
    _fastpath = None

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
IMPLS = ["native", "python"]
OP_GET, OP_SET, OP_ADD, OP_DELETE, OP_INCR, OP_DECR = 0x00, 0x01, 0x02, 0x04, 0x05, 0x06
OP_APPEND, OP_PREPEND, OP_TOUCH, OP_GAT, OP_GET_REPLICA = 0x0E, 0x0F, 0x1C, 0x1D, 0x83


@contextlib.contextmanager
def using(impl):
    old = _batch.use_native(impl == "native")
    try:
        yield
    finally:
        _batch.use_native(old)


@pytest.fixture(params=IMPLS)
def impl(request):
    with using(request.param):
        yield request.param


# ---- request capture ----

def _snap(req):
    """Every field of a cbc_REQUEST, with the key/value bytes copied out."""
    return (
        req.opcode, req.datatype, req.server, req.vbucket, req.replica, req.durability,
        req.durability_timeout_ms, req.collection, ffi.unpack(req.key, req.nkey),
        ffi.unpack(req.value, req.nvalue) if req.nvalue else b"", req.nextras, req.flags, req.expiry,
        req.cas, req.delta, req.initial, req.create,
    )


class _RecordingLib:
    """couchbase._core.batch_py's `lib`, recording what it adds."""

    def __init__(self, reqs):
        self._reqs = reqs

    def __getattr__(self, name):
        return getattr(lib, name)

    def cbc_batch_add(self, batch, req, err):
        self._reqs.append(_snap(req))
        return lib.cbc_batch_add(batch, req, err)


@contextlib.contextmanager
def capturing(impl):
    """Yield the list that receives a snapshot of every request `impl` hands to the core."""
    reqs = []
    if impl == "python":
        saved = _batch_py.lib
        _batch_py.lib = _RecordingLib(reqs)
        try:
            with using("python"):
                yield reqs
        finally:
            _batch_py.lib = saved
        return

    real = lib.cbc_api_table()

    @ffi.callback("int(cbc_BATCH *, const cbc_REQUEST *, cbc_ERROR *)")
    def batch_add(batch, req, err):
        reqs.append(_snap(req))
        return lib.cbc_batch_add(batch, req, err)

    table = ffi.new("cbc_API *")
    table.version = real.version
    table.batch_add = batch_add
    table.batch_size = real.batch_size
    table.batch_results = real.batch_results
    table.batch_reset = real.batch_reset
    table.strerror = real.strerror
    table.batch_run = real.batch_run
    table.batch_undo = real.batch_undo
    with using("native"):
        _batch._addr(ffi.NULL)  # make sure the lazy init has run before replacing the table
        _fastpath.init(int(ffi.cast("uintptr_t", table)), ArgumentError, ValueFormatError, vars(tc),
                       FMT_AUTO, tc.auto_encode)
        try:
            yield reqs
        finally:
            _batch._init()


@pytest.fixture(scope="module")
def offline():
    """A connection without servers: requests can be added, never run."""
    conn = lib.cbc_conn_new()
    batch = lib.cbc_batch_new(conn)
    yield batch
    lib.cbc_batch_free(batch)
    lib.cbc_conn_free(conn)


def _zlib_encoder(value):
    data, flags = Transcoder().encode_value(value, FMT_JSON)
    return zlib.compress(data), flags | 0x10


class _Index:
    """Not an int, but usable as one (operator.index)."""

    def __init__(self, v):
        self.v = v

    def __index__(self):
        return self.v


def _index_that_grows_the_value(b):
    value = bytearray(b"abc")

    class Grow:
        def __index__(self):
            value.extend(b"x" * 100000)  # moves the buffer: it must be read after this
            return 1

    return _batch.add_items(b, ["a"], [value], OP_SET, FMT_BYTES, expiry=[Grow()])


ADD_CASES = {
    "index_that_grows_the_value": _index_that_grows_the_value,
    "get_str_keys": lambda b: _batch.add_keys(b, ["a", "b\u00e9", "\u65e5\u672c"], OP_GET),
    "get_bytes_keys": lambda b: _batch.add_keys(b, [b"a", b"\xff\xfe"], OP_GET),
    "tuple_keys": lambda b: _batch.add_keys(b, ("a", "b"), OP_GET),
    "key_of_250_bytes": lambda b: _batch.add_keys(b, ["k" * 250, "\u00e9" * 125], OP_GET),
    "gat_expiry": lambda b: _batch.add_keys(b, ["a", "b"], OP_GAT, expiry=100),
    "gat_per_key_expiry": lambda b: _batch.add_keys(b, ["a", "b"], OP_GAT, expiry=[1, 2**32 - 1]),
    "touch_bool_expiry": lambda b: _batch.add_keys(b, ["a"], OP_TOUCH, expiry=True),
    "index_numbers": lambda b: _batch.add_keys(b, ["a"], OP_TOUCH, expiry=_Index(7), cas=[_Index(9)]),
    "delete_cas_list": lambda b: _batch.add_keys(b, ["a", "b"], OP_DELETE, cas=[2**64 - 1, 0]),
    "delete_cas_tuple": lambda b: _batch.add_keys(b, ["a", "b"], OP_DELETE, cas=(3, 4)),
    "counters_per_key": lambda b: _batch.add_keys(
        b, ["a", "b", "c"], OP_INCR, expiry=5, delta=[1, 2**64 - 1, 0], initial=[0, 7, 2**64 - 1],
        create=[True, 0, 1]),
    "counter_scalars": lambda b: _batch.add_keys(b, ["a"], OP_DECR, delta=3, initial=10, create=True),
    "all_scalars": lambda b: _batch.add_keys(b, ["a"], OP_GET_REPLICA, expiry=None, cas=None, collection=8,
                                             replica=2, durability=3, durability_timeout=65535),
    "set_bytes": lambda b: _batch.add_items(b, ["a", "b"], [b"x", bytearray(b"yz")], OP_SET, FMT_BYTES,
                                            expiry=10, cas=5),
    "set_utf8": lambda b: _batch.add_items(b, ["a", "b"], ["\u00e9t\u00e9", ""], OP_SET, FMT_UTF8),
    "set_json": lambda b: _batch.add_items(b, ["a", "b", "c", "d"], [{"a": [1, "\u00e9"]}, None, 1.5, "s"],
                                           OP_SET, FMT_JSON),
    "set_pickle": lambda b: _batch.add_items(b, ["a", "b"], [1, (1, "x")], OP_ADD, FMT_PICKLE),
    "set_format_bits": lambda b: _batch.add_items(b, ["a"], [b"x"], OP_SET, 3) + _batch.add_items(
        b, ["b"], ["y"], OP_SET, 0x04000004) + _batch.add_items(b, ["c"], [[1]], OP_SET, 0x100),
    "set_auto": lambda b: _batch.add_items(b, list("abcdefg"), ["s", b"b", bytearray(b"ba"), [1], None, 7, 2.5],
                                           OP_SET, FMT_AUTO),
    "set_auto_encode": lambda b: _batch.add_items(b, ["a", "b", "c"], ["s", {"k": 1}, 3], OP_SET, FMT_AUTO,
                                                  encoder=tc.auto_encode),
    "set_custom_encoder": lambda b: _batch.add_items(b, ["a", "b"], [{"x": "y" * 100}, "s"], OP_SET, FMT_AUTO,
                                                     encoder=_zlib_encoder),
    "custom_flags_unmasked": lambda b: _batch.add_items(b, ["a", "b"], [1, 2], OP_SET, FMT_JSON,
                                                        encoder=lambda v: (b"v%d" % v, 0xFFFFFFFF - v)),
    "append_keeps_flags": lambda b: _batch.add_items(b, ["a"], ["tail"], OP_APPEND, FMT_UTF8),
    "prepend_bytes": lambda b: _batch.add_items(b, ["a"], [b"head"], OP_PREPEND, FMT_BYTES),
    "append_json_format": lambda b: _batch.add_items(b, ["a"], [[1]], OP_APPEND, FMT_JSON),
    "per_key_expiry_and_cas": lambda b: _batch.add_items(
        b, ["a", "b"], [b"1", b"2"], OP_SET, FMT_BYTES, expiry=[1, 2], cas=(3, 4), collection=9, durability=1,
        durability_timeout=100),
    "empty_value": lambda b: _batch.add_items(b, ["a"], [b""], OP_SET, FMT_BYTES),
    "two_calls": lambda b: _batch.add_keys(b, ["a"], OP_GET) + _batch.add_items(b, ["b"], ["v"], OP_SET, FMT_UTF8),
}


def _capture(impl, batch, fn):
    lib.cbc_batch_reset(batch)
    with capturing(impl) as reqs:
        n = fn(batch)
    size = lib.cbc_batch_size(batch)
    lib.cbc_batch_reset(batch)
    return reqs, n, size


@pytest.mark.parametrize("case", sorted(ADD_CASES))
def test_native_and_python_send_identical_requests(offline, case):
    native = _capture("native", offline, ADD_CASES[case])
    python = _capture("python", offline, ADD_CASES[case])
    assert native == python
    reqs, n, size = native
    assert reqs and n == len(reqs) == size


def test_request_fields(offline):
    reqs, _, _ = _capture("native", offline, ADD_CASES["set_json"])
    op, datatype, server, _vb, _rep, _dur, _dto, _coll, key, value, _nex, flags, expiry, cas = reqs[0][:14]
    assert (op, datatype, server, key, value, flags, expiry, cas) == (
        OP_SET, 1, -1, b"a", '{"a":[1,"\u00e9"]}'.encode(), 0x02000000, 0, 0)
    reqs, _, _ = _capture("native", offline, ADD_CASES["set_auto"])
    assert [(r[1], r[11]) for r in reqs] == [
        (0, 0x04000004), (0, 0x03000002), (0, 0x03000002), (1, 0x02000000), (1, 0x02000000),
        (0, 0x01000001), (0, 0x01000001)]
    reqs, _, _ = _capture("native", offline, ADD_CASES["append_keeps_flags"])
    assert reqs[0][1] == 0 and reqs[0][11] == 0 and reqs[0][9] == b"tail"
    reqs, _, _ = _capture("native", offline, ADD_CASES["custom_flags_unmasked"])
    assert [(r[1], r[9], r[11]) for r in reqs] == [(0, b"v1", 0xFFFFFFFE), (0, b"v2", 0xFFFFFFFD)]
    reqs, _, _ = _capture("native", offline, ADD_CASES["counters_per_key"])
    assert [(r[12], r[14], r[15], r[16]) for r in reqs] == [
        (5, 1, 0, 1), (5, 2**64 - 1, 7, 0), (5, 0, 2**64 - 1, 1)]


# ---- bad input: same error, same message, and nothing left in the batch ----

def _raiser(exc):
    def enc(v):
        raise exc
    return enc


BAD_CASES = {
    "int_key": (ValueFormatError, lambda b: _batch.add_keys(b, ["ok", 5], OP_GET)),
    "none_key": (ValueFormatError, lambda b: _batch.add_keys(b, [None], OP_GET)),
    "tuple_key": (ValueFormatError, lambda b: _batch.add_keys(b, [("a",)], OP_GET)),
    "bytearray_key": (ValueFormatError, lambda b: _batch.add_keys(b, [bytearray(b"k")], OP_GET)),
    "empty_key": (ArgumentError, lambda b: _batch.add_keys(b, ["a", ""], OP_GET)),
    "empty_bytes_key": (ArgumentError, lambda b: _batch.add_keys(b, [b""], OP_GET)),
    "key_of_251_bytes": (ArgumentError, lambda b: _batch.add_keys(b, ["k" * 251], OP_GET)),
    "key_of_252_utf8_bytes": (ArgumentError, lambda b: _batch.add_keys(b, ["\u00e9" * 126], OP_GET)),
    "surrogate_key": (ValueFormatError, lambda b: _batch.add_keys(b, ["\udc80"], OP_GET)),
    "keys_str": (ArgumentError, lambda b: _batch.add_keys(b, "abc", OP_GET)),
    "keys_dict": (ArgumentError, lambda b: _batch.add_keys(b, {"a": 1}, OP_GET)),
    "opcode_too_big": (ArgumentError, lambda b: _batch.add_keys(b, ["a"], 256)),
    "expiry_negative": (ArgumentError, lambda b: _batch.add_keys(b, ["a"], OP_GAT, expiry=-1)),
    "expiry_too_big": (ArgumentError, lambda b: _batch.add_keys(b, ["a"], OP_GAT, expiry=2**32)),
    "expiry_huge": (ArgumentError, lambda b: _batch.add_keys(b, ["a"], OP_GAT, expiry=2**100)),
    "expiry_str": (ArgumentError, lambda b: _batch.add_keys(b, ["a"], OP_GAT, expiry="10")),
    "expiry_float": (ArgumentError, lambda b: _batch.add_keys(b, ["a"], OP_GAT, expiry=1.5)),
    "expiry_object": (ArgumentError, lambda b: _batch.add_keys(b, ["a"], OP_GAT, expiry={})),
    "expiry_list_length": (ArgumentError, lambda b: _batch.add_keys(b, ["a", "b"], OP_GAT, expiry=[1])),
    "expiry_list_item": (ArgumentError, lambda b: _batch.add_keys(b, ["a", "b"], OP_GAT, expiry=[1, -1])),
    "cas_too_big": (ArgumentError, lambda b: _batch.add_keys(b, ["a"], OP_DELETE, cas=2**64)),
    "cas_list_item": (ArgumentError, lambda b: _batch.add_keys(b, ["a", "b"], OP_DELETE, cas=[1, "x"])),
    "delta_negative": (ArgumentError, lambda b: _batch.add_keys(b, ["a"], OP_INCR, delta=-1)),
    "replica_too_big": (ArgumentError, lambda b: _batch.add_keys(b, ["a"], OP_GET_REPLICA, replica=256)),
    "durability_timeout_too_big": (ArgumentError,
                                   lambda b: _batch.add_keys(b, ["a"], OP_GET, durability_timeout=65536)),
    "values_length": (ArgumentError, lambda b: _batch.add_items(b, ["a", "b"], [b"x"], OP_SET, FMT_BYTES)),
    "values_not_a_list": (ArgumentError, lambda b: _batch.add_items(b, ["a"], b"x", OP_SET, FMT_BYTES)),
    "format_str": (ArgumentError, lambda b: _batch.add_items(b, ["a"], [b"x"], OP_SET, "json")),
    "format_negative": (ArgumentError, lambda b: _batch.add_items(b, ["a"], [b"x"], OP_SET, -1)),
    "bytes_format_with_str": (ValueFormatError, lambda b: _batch.add_items(b, ["a"], ["x"], OP_SET, FMT_BYTES)),
    "bytes_format_with_dict": (ValueFormatError,
                               lambda b: _batch.add_items(b, ["a"], [{"a": 1}], OP_SET, FMT_BYTES)),
    "utf8_format_with_bytes": (ValueFormatError, lambda b: _batch.add_items(b, ["a"], [b"x"], OP_SET, FMT_UTF8)),
    "utf8_format_with_none": (ValueFormatError, lambda b: _batch.add_items(b, ["a"], [None], OP_SET, FMT_UTF8)),
    "utf8_surrogate": (ValueFormatError, lambda b: _batch.add_items(b, ["a"], ["\ud800"], OP_SET, FMT_UTF8)),
    "json_object": (ValueFormatError, lambda b: _batch.add_items(b, ["a"], [object()], OP_SET, FMT_JSON)),
    "json_set": (ValueFormatError, lambda b: _batch.add_items(b, ["a", "b"], [1, {1, 2}], OP_SET, FMT_JSON)),
    "json_bytes": (ValueFormatError, lambda b: _batch.add_items(b, ["a"], [b"x"], OP_SET, FMT_JSON)),
    "pickle_lambda": (ValueFormatError, lambda b: _batch.add_items(b, ["a"], [lambda: 1], OP_SET, FMT_PICKLE)),
    "auto_unpicklable": (ValueFormatError, lambda b: _batch.add_items(b, ["a"], [lambda: 1], OP_SET, FMT_AUTO)),
    "encoder_not_tuple": (ValueFormatError, lambda b: _batch.add_items(
        b, ["a"], [1], OP_SET, FMT_AUTO, encoder=lambda v: b"x")),
    "encoder_list": (ValueFormatError, lambda b: _batch.add_items(
        b, ["a"], [1], OP_SET, FMT_AUTO, encoder=lambda v: [b"x", 0])),
    "encoder_3_tuple": (ValueFormatError, lambda b: _batch.add_items(
        b, ["a"], [1], OP_SET, FMT_AUTO, encoder=lambda v: (b"x", 0, 0))),
    "encoder_str_data": (ValueFormatError, lambda b: _batch.add_items(
        b, ["a"], [1], OP_SET, FMT_AUTO, encoder=lambda v: ("x", 0))),
    "encoder_bytearray_data": (ValueFormatError, lambda b: _batch.add_items(
        b, ["a"], [1], OP_SET, FMT_AUTO, encoder=lambda v: (bytearray(b"x"), 0))),
    "encoder_flags_too_big": (ValueFormatError, lambda b: _batch.add_items(
        b, ["a"], [1], OP_SET, FMT_AUTO, encoder=lambda v: (b"x", 2**32))),
    "encoder_flags_negative": (ValueFormatError, lambda b: _batch.add_items(
        b, ["a"], [1], OP_SET, FMT_AUTO, encoder=lambda v: (b"x", -1))),
    "encoder_flags_str": (ValueFormatError, lambda b: _batch.add_items(
        b, ["a"], [1], OP_SET, FMT_AUTO, encoder=lambda v: (b"x", "0"))),
    "encoder_flags_float": (ValueFormatError, lambda b: _batch.add_items(
        b, ["a"], [1], OP_SET, FMT_AUTO, encoder=lambda v: (b"x", 1.0))),
    "encoder_raises": (ValueFormatError, lambda b: _batch.add_items(
        b, ["a"], [1], OP_SET, FMT_AUTO, encoder=_raiser(ValueError("boom")))),
    "encoder_raises_value_format_error": (ValueFormatError, lambda b: _batch.add_items(
        b, ["a"], [1], OP_SET, FMT_AUTO, encoder=_raiser(ValueFormatError.pyexc("mine")))),
    "encoder_not_callable": (ArgumentError, lambda b: _batch.add_items(b, ["a"], [1], OP_SET, FMT_AUTO, encoder=5)),
    "bad_key_after_good_values": (ArgumentError, lambda b: _batch.add_items(
        b, ["a", ""], [b"x", b"y"], OP_SET, FMT_BYTES)),
    "bad_key_in_items": (ValueFormatError, lambda b: _batch.add_items(b, [1], [b"y"], OP_SET, FMT_BYTES)),
    "bad_key_and_bad_value": (ArgumentError, lambda b: _batch.add_items(b, [""], [object()], OP_SET, FMT_JSON)),
    "bad_expiry_and_bad_value": (ArgumentError, lambda b: _batch.add_items(
        b, ["a"], [object()], OP_SET, FMT_JSON, expiry=[-1])),
}


def _run_bad(impl, batch, fn):
    lib.cbc_batch_reset(batch)
    with using(impl):
        _batch.add_keys(batch, ["already-there"], OP_GET)
        with pytest.raises(Exception) as ei:
            fn(batch)
    size = lib.cbc_batch_size(batch)
    e = ei.value
    inner = getattr(e, "inner_cause", None)
    obj = getattr(e, "objextra", None)
    return (type(e), getattr(e, "message", str(e)), type(inner), str(inner) if inner else None,
            obj if isinstance(obj, (str, bytes, int, type(None))) else type(obj)), size


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_raises_the_same_and_resets_the_batch(offline, case):
    cls, fn = BAD_CASES[case]
    native, nsize = _run_bad("native", offline, fn)
    python, psize = _run_bad("python", offline, fn)
    assert native == python
    assert native[0] is cls
    assert nsize == psize == 0


def test_bad_input_messages(offline, impl):
    with pytest.raises(ArgumentError) as ei:
        _batch.add_keys(offline, [""], OP_GET)
    assert ei.value.message == "Empty key (i.e. '', empty string) passed"
    with pytest.raises(ArgumentError) as ei:
        _batch.add_keys(offline, ["k" * 251], OP_GET)
    assert "250" in ei.value.message and ei.value.objextra == "k" * 251
    with pytest.raises(ValueFormatError) as ei:
        _batch.add_items(offline, ["a"], [object()], OP_SET, FMT_JSON)
    assert isinstance(ei.value.inner_cause, TypeError)
    with pytest.raises(ValueFormatError) as ei:
        _batch.add_items(offline, ["a"], [1], OP_SET, FMT_AUTO, encoder=_raiser(KeyError("x")))
    assert ei.value.message == "User-Defined transcoder failed"
    assert isinstance(ei.value.inner_cause, KeyError)


def test_base_exceptions_from_an_encoder_propagate(offline, impl):
    lib.cbc_batch_reset(offline)
    with pytest.raises(KeyboardInterrupt):
        _batch.add_items(offline, ["a"], [1], OP_SET, FMT_AUTO, encoder=_raiser(KeyboardInterrupt()))
    assert lib.cbc_batch_size(offline) == 0


def test_null_batch_is_refused(impl):
    with pytest.raises(ValueError):
        _batch.add_keys(ffi.NULL, ["a"], OP_GET)
    with pytest.raises(ValueError):
        _batch.build(ffi.NULL, ["a"], "value", MultiResult, ValueResult, OperationResult)


def test_encoder_that_shrinks_the_key_list(offline, impl):
    keys = ["a", "b"]

    def enc(v):
        keys.clear()
        return b"x", 0

    with pytest.raises(RuntimeError, match="changed size"):
        _batch.add_items(offline, keys, [1, 2], OP_SET, FMT_AUTO, encoder=enc)
    assert lib.cbc_batch_size(offline) == 0


# ---- results, against a real memcached ----

class Server:
    def __init__(self, port):
        self.conn = lib.cbc_conn_new()
        self.err = ffi.new("cbc_ERROR *")
        host = ffi.new("char[]", b"127.0.0.1")
        rc = lib.cbc_conn_set_servers(self.conn, ffi.new("const char *[]", [host]), ffi.new("int[]", [port]), 1,
                                      self.err)
        assert rc == 0, ffi.string(self.err.msg)
        assert lib.cbc_conn_use_ketama(self.conn, self.err) == 0
        self.batch = lib.cbc_batch_new(self.conn)
        self.prefix = "tbp-%s-" % uuid.uuid4().hex[:8]

    def k(self, name):
        return self.prefix + name

    def run(self):
        rc = lib.cbc_batch_run(self.batch, 5000000, self.err)
        assert rc == 0, ffi.string(self.err.msg)

    def fresh(self):
        lib.cbc_batch_reset(self.batch)
        return self.batch

    def close(self):
        lib.cbc_batch_free(self.batch)
        lib.cbc_conn_free(self.conn)


# name -> (stored bytes, stored flags); written through the encoder path to set any flags
DOCS = {
    "json": ('{"a":[1,"\u00e9"]}'.encode(), 0x02000000),
    "legacy_json": (b"[1,2]", 0),
    "counter_like": (b"42", 0),
    "pickle": (pickle.dumps({1, 2}), 0x01000001),
    "legacy_pickle": (pickle.dumps(3), 1),
    "bytes": (b"\x00\xff", 0x03000002),
    "legacy_bytes_3": (b"raw", 3),
    "utf8": ("\u00e9t\u00e9".encode(), 0x04000004),
    "legacy_utf8_5": (b"txt", 5),
    "common_bytes_only": (b"bin", 0x03000000),
    "common_utf8_only": (b"str", 0x04000000),
    "empty_bytes": (b"", 0x03000002),
    "empty_utf8": (b"", 0x04000004),
    "unknown_common": (b'"x"', 0x05000000),
    "all_flags": (b"\x01", 0xFFFFFFFF),
    "zlib": (zlib.compress(b'{"z":1}'), 0x02000010),
    # decode failures under the built-in rule
    "empty_json": (b"", 0x02000000),
    "bad_json": (b"{", 0x02000000),
    "bad_utf8": (b"\xff", 0x04000004),
    "bad_utf8_json": (b"\xff", 0),
    "bad_pickle": (b"nope", 0x01000001),
}


@pytest.fixture(scope="module")
def server(memcached):
    s = Server(memcached.port)
    names = sorted(DOCS)
    with using("native"):
        _batch.add_items(s.fresh(), [s.k(n) for n in names], [DOCS[n] for n in names], OP_SET, FMT_AUTO,
                         encoder=lambda pair: pair)
    s.run()
    assert all(r.rc == 0 for r in (lib.cbc_batch_results(s.batch)[i] for i in range(len(names))))
    yield s
    s.close()


class ZlibTranscoder(Transcoder):
    def decode_value(self, value, flags):
        if flags & 0x10:
            value, flags = zlib.decompress(value), flags & ~0x10
        return super().decode_value(value, flags)


def _norm(r):
    extra = r._extra
    return (type(r), getattr(r, "key", "<unset>"), r.rc, type(r.value), r.value, r.cas, r.flags, r._vbuuid,
            r._seqno, r._vbucket, r._status, r._server, type(extra), str(extra) if extra is not None else None)


def _build_both(batch, keys, kind, **kw):
    out = []
    for impl in IMPLS:
        with using(impl), warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            mres, failed = _batch.build(batch, keys, kind, MultiResult, ValueResult, OperationResult, **kw)
        assert type(mres) is MultiResult and type(failed) is list
        out.append(([(k, _norm(v)) for k, v in mres.items()], [_norm(r) for r in failed],
                    [(x.category, str(x.message)) for x in w]))
    assert out[0] == out[1]
    with using("native"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _batch.build(batch, keys, kind, MultiResult, ValueResult, OperationResult, **kw)


MODES = {
    "builtin": {},
    "passthrough": {"passthrough": True},
    "no_format": {"no_format": True},
    "transcoder": {"transcoder": ZlibTranscoder()},
    "transcoder_no_format": {"transcoder": ZlibTranscoder(), "no_format": True},
    "plain_transcoder": {"transcoder": Transcoder()},
}


class _Fetched:
    """A batch of its own on the server's connection, finished once and only read after."""

    def __init__(self, server):
        self.k = server.k
        self.batch = lib.cbc_batch_new(server.conn)


@pytest.fixture(scope="module")
def fetched(server):
    """One finished get batch over every doc, a missing key and a duplicate."""
    f = _Fetched(server)
    names = sorted(DOCS) + ["missing", "json"]
    keys = [server.k(n) for n in names]
    with using("native"):
        _batch.add_keys(f.batch, keys, OP_GET)
    rc = lib.cbc_batch_run(f.batch, 5000000, server.err)
    assert rc == 0
    yield f, names, keys
    lib.cbc_batch_free(f.batch)


@pytest.mark.memcached
@pytest.mark.parametrize("mode", sorted(MODES))
def test_get_results_identical(fetched, mode):
    server, names, keys = fetched
    kw = dict(MODES[mode])
    if kw.get("passthrough"):
        keys = [k.encode() for k in keys]
    _build_both(server.batch, keys, "value", **kw)


@pytest.mark.memcached
def test_get_results_builtin_values(fetched):
    server, names, keys = fetched
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mres, failed = _build_both(server.batch, keys, "value")
    v = {n: mres[server.k(n)] for n in names}
    assert v["json"].value == {"a": [1, "\u00e9"]} and v["json"].flags == 0x02000000 and v["json"].cas
    assert v["legacy_json"].value == [1, 2] and v["counter_like"].value == 42
    assert v["pickle"].value == {1, 2} and v["legacy_pickle"].value == 3
    assert v["bytes"].value == b"\x00\xff" and v["legacy_bytes_3"].value == b"raw"
    assert v["utf8"].value == "\u00e9t\u00e9" and v["legacy_utf8_5"].value == "txt"
    assert v["common_bytes_only"].value == b"bin" and v["common_utf8_only"].value == "str"
    assert v["empty_bytes"].value == b"" and v["empty_utf8"].value == ""
    assert v["unknown_common"].value == "x" and v["all_flags"].value == "\x01"
    assert v["all_flags"].flags == 0xFFFFFFFF
    missing = v["missing"]
    assert (missing.rc, missing.value, missing.cas, missing.flags) == (0xD, None, 0, 0)
    assert missing.key == server.k("missing") and not missing.success
    bad = {"zlib", "empty_json", "bad_json", "bad_utf8", "bad_utf8_json", "bad_pickle", "missing"}
    assert [r.key for r in failed] == [server.k(n) for n in names if n in bad]
    for n in bad - {"missing"}:
        r = v[n]
        assert r.rc == 0 and r.value == DOCS[n][0] and type(r.value) is bytes
        assert isinstance(r._extra, Exception), n
        assert r.flags == DOCS[n][1] and r.cas
    assert isinstance(v["bad_json"]._extra, json.JSONDecodeError)
    assert isinstance(v["bad_utf8"]._extra, UnicodeDecodeError)
    assert v["bad_json"]._extra.__traceback__ is not None


@pytest.mark.memcached
def test_duplicate_key_warns_and_later_result_wins(fetched, impl):
    server, names, keys = fetched
    with pytest.warns(RuntimeWarning, match="Found duplicate key"):
        mres, _ = _batch.build(server.batch, keys, "value", MultiResult, ValueResult, OperationResult)
    assert len(mres) == len(set(keys))
    assert list(mres)[-1] == server.k("missing")  # the duplicate replaced in place
    first = _batch.build_single(server.batch, [server.k("json")], "value", MultiResult, ValueResult,
                                OperationResult, index=names.index("json"))[0]
    assert mres[server.k("json")].value == first.value


@pytest.mark.memcached
def test_duplicate_key_warning_can_be_an_error(fetched, impl):
    server, names, keys = fetched
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeWarning):
            _batch.build(server.batch, keys, "value", MultiResult, ValueResult, OperationResult)


@pytest.mark.memcached
def test_passthrough_and_no_format_give_bytes(fetched, impl):
    server, names, keys = fetched
    bkeys = [k.encode() for k in keys]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mres, failed = _batch.build(server.batch, bkeys, "value", MultiResult, ValueResult, OperationResult,
                                    passthrough=True)
        assert [r.rc for r in failed] == [0xD]
        for n in DOCS:
            r = mres[server.k(n).encode()]
            assert (r.value, r.flags) == DOCS[n]
        mres, failed = _batch.build(server.batch, keys, "value", MultiResult, ValueResult, OperationResult,
                                    no_format=True, transcoder=None)
        assert mres[server.k("json")].value == DOCS["json"][0]


@pytest.mark.memcached
def test_custom_transcoder_gets_unmasked_flags(fetched, impl):
    server, names, keys = fetched
    seen = []

    class Spy(Transcoder):
        def decode_value(self, value, flags):
            seen.append((value, flags))
            return ("decoded", flags)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mres, failed = _batch.build(server.batch, keys, "value", MultiResult, ValueResult, OperationResult,
                                    transcoder=Spy())
    assert mres[server.k("all_flags")].value == ("decoded", 0xFFFFFFFF)
    assert (DOCS["zlib"][0], 0x02000010) in seen
    assert [r.rc for r in failed] == [0xD]
    r, bad = _batch.build_single(server.batch, [keys[names.index("json")]], "value", MultiResult, ValueResult,
                                 OperationResult, transcoder=Spy(), no_format=True, index=names.index("json"))
    assert r.value == ("decoded", FMT_BYTES) and bad is None and r.flags == 0x02000000


@pytest.mark.memcached
def test_zlib_transcoder_reads_compressed_doc(fetched, impl):
    server, names, keys = fetched
    i = names.index("zlib")
    r, bad = _batch.build_single(server.batch, [keys[i]], "value", MultiResult, ValueResult, OperationResult,
                                 transcoder=ZlibTranscoder(), index=i)
    assert bad is None and r.value == {"z": 1} and r.flags == 0x02000010


@pytest.mark.memcached
def test_transcoder_without_decode_value(fetched, impl):
    server, names, keys = fetched
    with pytest.raises(ValueFormatError, match="Couldn't find transcoder method"):
        _batch.build(server.batch, keys, "value", MultiResult, ValueResult, OperationResult, transcoder=object())


@pytest.mark.memcached
def test_build_single(fetched, impl):
    server, names, keys = fetched
    i = names.index("utf8")
    r, bad = _batch.build_single(server.batch, ["mykey"], "value", MultiResult, ValueResult, OperationResult,
                                 index=i)
    assert type(r) is ValueResult and r.key == "mykey" and r.value == "\u00e9t\u00e9" and bad is None
    i = names.index("missing")
    r, bad = _batch.build_single(server.batch, ["mykey"], "value", MultiResult, ValueResult, OperationResult,
                                 index=i)
    assert bad is r and r.rc == 0xD
    i = names.index("bad_json")
    r, bad = _batch.build_single(server.batch, ["mykey"], "value", MultiResult, ValueResult, OperationResult,
                                 index=i)
    assert bad is r and r.rc == 0 and r.value == b"{" and isinstance(r._extra, ValueError)
    with pytest.raises(IndexError):
        _batch.build_single(server.batch, ["k"], "value", MultiResult, ValueResult, OperationResult, index=len(keys))


@pytest.mark.memcached
def test_store_and_unlock_kinds(server):
    keys = [server.k("op-a"), server.k("op-b"), server.k("op-a")]
    with using("native"):
        _batch.add_items(server.fresh(), keys, ["x", "y", "z"], OP_SET, FMT_UTF8)
    server.run()
    mres, failed = _build_both(server.batch, keys, "op")
    assert type(mres[keys[0]]) is OperationResult and mres[keys[0]].cas and not failed
    assert mres[keys[0]].value is None and mres[keys[0]].flags == 0
    mres, failed = _build_both(server.batch, keys, "unlock")
    assert mres[keys[1]].cas == 0 and type(mres[keys[1]]) is OperationResult
    with using("native"):
        _batch.add_items(server.fresh(), keys[:1], ["x"], OP_ADD, FMT_UTF8)
    server.run()
    mres, failed = _build_both(server.batch, keys[:1], "op")
    assert failed[0].rc == 0xC and failed[0].cas == 0


@pytest.mark.memcached
def test_counter_kind(server):
    keys = [server.k("ctr-a"), server.k("ctr-b"), server.k("ctr-missing")]
    with using("native"):
        _batch.add_keys(server.fresh(), keys, OP_INCR, delta=[5, 1, 1], initial=[100, 7, 0], create=[1, 1, 0])
    server.run()
    mres, failed = _build_both(server.batch, keys, "counter")
    assert mres[keys[0]].value == 100 and mres[keys[1]].value == 7
    assert mres[keys[0]].flags == 0 and mres[keys[0]].cas
    assert [r.key for r in failed] == [keys[2]] and failed[0].value is None
    with using("native"):
        _batch.add_keys(server.fresh(), keys[:1], OP_INCR, delta=2**64 - 100)
    server.run()
    mres, _ = _build_both(server.batch, keys[:1], "counter")
    assert mres[keys[0]].value == 0  # wraps at 2**64
    with using("native"):
        _batch.add_keys(server.fresh(), keys[:1], OP_GET)
    server.run()
    mres, _ = _build_both(server.batch, keys[:1], "value")
    assert mres[keys[0]].value == 0


@pytest.mark.memcached
@pytest.mark.parametrize("fmt,value", [(FMT_JSON, {"a": ["\u00e9", 1.5, None]}), (FMT_PICKLE, {1, 2}),
                                       (FMT_BYTES, b"\x00\x01"), (FMT_UTF8, "\u65e5\u672c"), (FMT_AUTO, 12)])
def test_set_then_get_roundtrip(server, impl, fmt, value):
    key = server.k("rt-%s-%s" % (impl, fmt))
    _batch.add_items(server.fresh(), [key], [value], OP_SET, fmt, expiry=100)
    server.run()
    _batch.add_keys(server.fresh(), [key], OP_GET)
    server.run()
    mres, failed = _batch.build(server.batch, [key], "value", MultiResult, ValueResult, OperationResult)
    assert not failed and mres[key].value == value and mres.all_ok == 1


@pytest.mark.memcached
def test_json_converters_reach_both_paths(server, impl):
    key = server.k("conv-%s" % impl)
    old = tc.set_json_converters(lambda v: "[%d]" % v, lambda s: ("mine", s))
    try:
        _batch.add_items(server.fresh(), [key], [7], OP_SET, FMT_JSON)
        server.run()
        _batch.add_keys(server.fresh(), [key], OP_GET)
        server.run()
        mres, _ = _batch.build(server.batch, [key], "value", MultiResult, ValueResult, OperationResult)
    finally:
        tc.set_json_converters(*old)
    assert mres[key].value == ("mine", "[7]")
    mres, _ = _batch.build(server.batch, [key], "value", MultiResult, ValueResult, OperationResult)
    assert mres[key].value == [7]


@pytest.mark.memcached
def test_decoder_that_shrinks_the_key_list(fetched, impl):
    server, names, keys = fetched
    keys = list(keys)

    class Shrink(Transcoder):
        def decode_value(self, value, flags):
            keys.clear()
            return value

    with pytest.raises(RuntimeError, match="changed size"):
        _batch.build(server.batch, keys, "value", MultiResult, ValueResult, OperationResult, transcoder=Shrink())


def test_build_argument_errors(server, impl):
    with using("native"):
        _batch.add_keys(server.fresh(), ["a", "b"], OP_GET)
    b = server.batch
    with pytest.raises(ValueError, match="2 results for 1 keys"):
        _batch.build(b, ["a"], "value", MultiResult, ValueResult, OperationResult)
    with pytest.raises(ValueError, match="unknown result kind"):
        _batch.build(b, ["a", "b"], "values", MultiResult, ValueResult, OperationResult)
    with pytest.raises(TypeError):
        _batch.build(b, ["a", "b"], "value", MultiResult, dict, OperationResult)
    with pytest.raises(TypeError):
        _batch.build(b, ["a", "b"], "op", MultiResult, ValueResult, int)
    with pytest.raises(TypeError):
        _batch.build(b, ["a", "b"], "value", list, ValueResult, OperationResult)
    with pytest.raises(TypeError):
        _batch.build(b, "ab", "value", MultiResult, ValueResult, OperationResult)
    with pytest.raises(TypeError):
        _batch.build_single(b, [], "value", MultiResult, ValueResult, OperationResult)
    lib.cbc_batch_reset(b)


# ---- reference counts ----

def _refcounts(objs):
    gc.collect()
    return [sys.getrefcount(o) for o in objs]


@pytest.mark.memcached
def test_build_leaks_no_references(fetched, impl):
    server, names, keys = fetched
    keys = list(keys)
    tcode = ZlibTranscoder()
    sample = [keys[0], keys[-1], keys[names.index("missing")], ValueResult, OperationResult, MultiResult, tcode,
              tc._json_decode, tc._pickle_decode]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for kw in ({}, {"transcoder": tcode}):
            _batch.build(server.batch, keys, "value", MultiResult, ValueResult, OperationResult, **kw)
            before = _refcounts(sample)
            for _ in range(10000):
                _batch.build(server.batch, keys, "value", MultiResult, ValueResult, OperationResult, **kw)
                _batch.build_single(server.batch, keys, "value", MultiResult, ValueResult, OperationResult, **kw)
            assert _refcounts(sample) == before


@pytest.mark.memcached
def test_counter_and_op_builds_leak_nothing(server, impl):
    keys = [server.k("leak-ctr")]
    with using("native"):
        _batch.add_keys(server.fresh(), keys, OP_INCR, delta=1, initial=1, create=1)
    server.run()
    sample = [keys[0], ValueResult, OperationResult]
    before = _refcounts(sample)
    for _ in range(10000):
        _batch.build(server.batch, keys, "counter", MultiResult, ValueResult, OperationResult)
        _batch.build(server.batch, keys, "op", MultiResult, ValueResult, OperationResult)
    assert _refcounts(sample) == before


def test_add_leaks_no_references(offline, impl):
    key, value, doc, text = "leak-key", b"leak-value", {"leak": 1}, "leak-text"
    bad_key, bad_value = "", object()
    enc = lambda v: (b"x", 1)  # noqa: E731
    sample = [key, value, doc, text, bad_key, bad_value, enc]
    calls = [
        lambda: _batch.add_items(offline, [key, key], [value, bytearray(value)], OP_SET, FMT_BYTES),
        lambda: _batch.add_items(offline, [key, key], [doc, text], OP_SET, FMT_AUTO),
        lambda: _batch.add_items(offline, [key], [doc], OP_SET, FMT_AUTO, encoder=enc),
        lambda: _batch.add_keys(offline, [key], OP_GAT, expiry=[5], cas=[1], delta=[1], initial=[1], create=[1]),
    ]
    bad_calls = [
        lambda: _batch.add_keys(offline, [key, bad_key], OP_GET),
        lambda: _batch.add_items(offline, [key], [bad_value], OP_SET, FMT_JSON),
        lambda: _batch.add_items(offline, [key], [bad_value], OP_SET, FMT_AUTO, encoder=lambda v: (v, 0)),
        lambda: _batch.add_items(offline, [key], [value], OP_SET, FMT_BYTES, expiry=[bad_value]),
    ]
    for c in calls + bad_calls:
        try:
            c()
        except (ArgumentError, ValueFormatError):
            pass
    lib.cbc_batch_reset(offline)
    before = _refcounts(sample)
    for _ in range(2500):
        for c in calls:
            c()
        lib.cbc_batch_reset(offline)
        for c in bad_calls:
            try:
                c()
            except (ArgumentError, ValueFormatError):
                pass
            else:
                raise AssertionError("no error")
    after = _refcounts(sample)
    assert after == before


# ---- switching ----

def test_use_native_switches_and_returns_the_old_choice():
    assert _batch.native_available()
    old = _batch.use_native(False)
    try:
        assert not _batch.using_native()
        assert _batch.use_native(True) is False
        assert _batch.using_native()
    finally:
        _batch.use_native(old)


def test_env_selects_the_fallback_at_import():
    code = "from couchbase._core import batch as _batch; print(_batch.using_native(), _batch.native_available())"
    env = dict(os.environ, COUCHBASE_NO_NATIVE="1")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]
    env.pop("COUCHBASE_NO_NATIVE")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "True"]


def test_result_classes_share_the_base():
    assert issubclass(ValueResult, ResultBase) and issubclass(OperationResult, ResultBase)
    assert ResultBase is _fastpath.ResultBase


def test_fastpath_refuses_a_wrong_table_version():
    table = ffi.new("cbc_API *")
    table.version = 999
    with pytest.raises(ImportError, match="rebuild"):
        _fastpath.init(int(ffi.cast("uintptr_t", table)), ArgumentError, ValueFormatError, vars(tc), FMT_AUTO,
                       tc.auto_encode)


@pytest.mark.memcached
def test_zlib_transcoder_end_to_end(server, impl):
    class Zlib(ZlibTranscoder):
        def encode_value(self, value, format):
            data, flags = super().encode_value(value, format)
            return zlib.compress(data), flags | 0x10

    z = Zlib()
    keys = [server.k("z1-" + impl), server.k("z2-" + impl)]
    docs = [{"text": "x" * 500}, "plain text"]
    _batch.add_items(server.fresh(), keys, docs, OP_SET, FMT_AUTO, encoder=lambda v: z.encode_value(v, FMT_AUTO))
    server.run()
    _batch.add_keys(server.fresh(), keys, OP_GET)
    server.run()
    mres, failed = _batch.build(server.batch, keys, "value", MultiResult, ValueResult, OperationResult, transcoder=z)
    assert not failed
    assert [mres[k].value for k in keys] == docs
    assert [mres[k].flags for k in keys] == [0x10, 0x14]  # the 1.x flags (JSON 0, UTF-8 4) | the zlib bit
    # without the transcoder the compressed docs are decode failures, not exceptions
    mres, failed = _batch.build(server.batch, keys, "value", MultiResult, ValueResult, OperationResult)
    assert [r.key for r in failed] == keys and all(isinstance(r._extra, Exception) for r in failed)
    assert [r.rc for r in failed] == [0, 0]


@pytest.mark.memcached
def test_base_exceptions_from_a_decoder_propagate(fetched, impl):
    server, names, keys = fetched

    class Interrupt(Transcoder):
        def decode_value(self, value, flags):
            raise KeyboardInterrupt()

    with pytest.raises(KeyboardInterrupt):
        _batch.build(server.batch, keys, "value", MultiResult, ValueResult, OperationResult, transcoder=Interrupt())


@pytest.fixture
def scratch(server):
    """A finished get of two docs on a batch a test may spoil."""
    batch = lib.cbc_batch_new(server.conn)
    keys = [server.k("json"), server.k("bytes")]
    with using("native"):
        _batch.add_keys(batch, keys, OP_GET)
    assert lib.cbc_batch_run(batch, 5000000, server.err) == 0
    yield batch, keys
    lib.cbc_batch_free(batch)


@pytest.mark.memcached
def test_decoder_that_grows_the_batch(scratch, impl):
    batch, keys = scratch

    def decode(text):
        _batch_py.add_keys(batch, ["filler-%d" % i for i in range(2000)], OP_GET)  # reallocates the results
        raise ValueError("no")

    old = tc.set_json_converters(tc._json_encode, decode)
    try:
        with pytest.raises(RuntimeError, match="batch changed"):
            _batch.build(batch, keys, "value", MultiResult, ValueResult, OperationResult)
        r, bad = _batch.build_single(batch, keys, "value", MultiResult, ValueResult, OperationResult, index=0)
        assert bad is r and r.value == DOCS["json"][0] and isinstance(r._extra, ValueError)
        assert r.flags == DOCS["json"][1]
    finally:
        tc.set_json_converters(*old)


@pytest.mark.memcached
def test_decoder_that_resets_the_batch(scratch, impl):
    batch, keys = scratch

    class Reset(Transcoder):
        def decode_value(self, value, flags):
            lib.cbc_batch_reset(batch)
            return value

    with pytest.raises(RuntimeError, match="batch changed"):
        _batch.build(batch, keys, "value", MultiResult, ValueResult, OperationResult, transcoder=Reset())
