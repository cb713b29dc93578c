"""The per-key hot path: add requests to a core batch and build result objects from it.

Two implementations with identical behaviour: couchbase._core._fastpath (C, the default)
and couchbase._core.batch_py (cffi, pure Python; the fallback and the test oracle).
``use_native(flag)`` switches between them at run time; COUCHBASE_NO_NATIVE=1 in the
environment selects the fallback at import. ``batch`` is always the cffi
``cbc_BATCH *``; the native module receives its address.

Errors: adding raises ArgumentError (bad key, bad numbers) or ValueFormatError (a key
or value that cannot be encoded), or the pair of classes passed as ``errors``, and then
resets the batch, so nothing is sent; note that the reset also drops requests added by
earlier calls on the same batch.
"""
import os

from couchbase import exceptions as _exc
from couchbase import transcoder as _transcoder
from couchbase._core import batch_py as _py
from couchbase._core.binding import _fastpath as _fp
from couchbase._core.binding import ffi, lib

__all__ = ["add_keys", "add_items", "add_subdoc", "build", "build_range", "build_single", "has_type", "size",
           "reset", "use_native", "native_available", "using_native", "PRESERVE_TTL"]

#: In the `durability` argument of the adders: also send the preserve-TTL frame (the
#: mutation keeps the document's expiry; docs/protocol.md section 1.3).
PRESERVE_TTL = _py.PRESERVE_TTL

_native = _fp is not None and os.environ.get("COUCHBASE_NO_NATIVE", "") in ("", "0")
_ready = False


def native_available():
    """True when couchbase._core._fastpath is built."""
    return _fp is not None


def using_native():
    """True when the native implementation is selected."""
    return _native


def use_native(flag=True):
    """Select the native (True) or the pure-Python (False) implementation; returns the previous choice.

    Raises ImportError when asked for the native one and it is not built.
    """
    global _native
    if flag and _fp is None:
        raise ImportError("couchbase._core._fastpath is not built (run `make build`)")
    old = _native
    _native = bool(flag)
    return old


def _init():
    """Hand the native module the core's function table and the Python objects it needs (once)."""
    global _ready
    _fp.init(int(ffi.cast("uintptr_t", lib.cbc_api_table())), _exc.ArgumentError, _exc.ValueFormatError,
             vars(_transcoder), _transcoder.FMT_AUTO, _transcoder.auto_encode)
    _ready = True


# (cdata, its address) of the last batch seen: a Connection reuses one batch, and the
# cast costs about as much as a native single-key build. One tuple, so that threads
# never see a cdata paired with another's address.
_last = (None, 0)


def _addr(batch):
    global _last
    last = _last
    if last[0] is batch:
        return last[1]
    if not _ready:
        _init()
    addr = int(ffi.cast("uintptr_t", batch))
    _last = (batch, addr)
    return addr


def _custom(transcoder):
    """`transcoder`, or None when its decode_value is the built-in one (then decoded natively)."""
    if transcoder is None:
        return None
    if getattr(type(transcoder), "decode_value", None) is _transcoder.Transcoder.decode_value and \
            "decode_value" not in getattr(transcoder, "__dict__", ()):
        return None
    return transcoder


def add_keys(batch, keys, opcode, expiry=0, cas=0, collection=0, replica=0, durability=0,
             durability_timeout=0, delta=0, initial=0, create=0, errors=None):
    """Add one request per key to `batch`; returns how many were added.

    keys: list or tuple of str (sent as UTF-8) or bytes (already encoded, e.g. by a
    transcoder's encode_key). An empty key or one over 250 bytes raises ArgumentError,
    any other type ValueFormatError (or the classes `errors` names). `expiry`, `cas`,
    `delta`, `initial` and `create` are one int for every key or a list/tuple with one
    per key; the others apply to all.
    On any error the batch is reset and nothing is sent.
    """
    if _native:
        return _fp.add_keys(_addr(batch), keys, opcode, expiry, cas, collection, replica, durability,
                            durability_timeout, delta, initial, create, errors)
    return _py.add_keys(batch, keys, opcode, expiry, cas, collection, replica, durability, durability_timeout,
                        delta, initial, create, errors)


def add_items(batch, keys, values, opcode, fmt, expiry=0, cas=0, collection=0, durability=0,
              durability_timeout=0, encoder=None, errors=None, legacy_flags=False):
    """Add one store request per (key, value); returns how many were added.

    Without `encoder`, values are encoded by the built-in rule for `fmt` (an int whose
    low bits pick UTF8, BYTES, PICKLE, else JSON; or FMT_AUTO, chosen per value) and
    written with common|legacy flags (with `legacy_flags`, the 1.x client's: the low
    three bits of `fmt`, or the chosen format's code under FMT_AUTO), JSON with datatype
    JSON. With `encoder`, it is
    called as ``encoder(value)`` and must return ``(bytes, flags)`` with flags < 2**32;
    the flags are stored unmasked (a wrong shape raises ValueFormatError; an exception
    other than ValueFormatError is wrapped as "User-Defined transcoder failed").
    transcoder.auto_encode as `encoder` means FMT_AUTO. Append/prepend send flags 0.
    `errors` (argument class, format class) replaces ArgumentError/ValueFormatError.
    `expiry` and `cas` may be per-key lists. On any error the batch is reset.
    """
    if _native:
        return _fp.add_items(_addr(batch), keys, values, opcode, fmt, expiry, cas, collection, durability,
                             durability_timeout, encoder, errors, legacy_flags)
    return _py.add_items(batch, keys, values, opcode, fmt, expiry, cas, collection, durability,
                         durability_timeout, encoder, errors, legacy_flags)


def add_subdoc(batch, key, opcode, value, extras, cas=0, collection=0, durability=0, durability_timeout=0,
               replica=0, errors=None):
    """Add one sub-document request (SUBDOC_MULTI_LOOKUP/MUTATION ...) whose `value` (the
    specs) and `extras` (expiry, doc flags) the caller built as bytes; sent with datatype 0.
    `durability` may include PRESERVE_TTL. On any error the batch is reset."""
    if _native:
        return _fp.add_subdoc(_addr(batch), key, opcode, value, extras, cas, collection, durability,
                              durability_timeout, replica, errors)
    return _py.add_subdoc(batch, key, opcode, value, extras, cas, collection, durability, durability_timeout,
                          replica, errors)


def build(batch, keys, kind, multi_cls, value_cls, op_cls, passthrough=False, transcoder=None, no_format=False):
    """Result objects for a finished batch: ``(mres, failed)``.

    Result i is keyed ``keys[i]`` (the caller's objects: nothing is decoded). `kind`:
    "value" (value_cls; value decoded by flags, flags, cas), "counter" (value_cls; the
    counter as an int, flags 0), "op" (op_cls; cas), "unlock" (op_cls; cas 0), "subdoc"
    (value_cls; whatever the rc: the raw body as value, cas, the server status in flags). A failed
    request gives value None, flags 0, cas 0, its rc and ``_csrc`` (C file, line). Values stay bytes under
    `passthrough`, or `no_format` without a transcoder; `transcoder.decode_value(bytes,
    flags)` decodes otherwise (flags FMT_BYTES under no_format), else the built-in rule.
    A decoder exception does not propagate: that result keeps rc 0, gets the raw bytes as
    value and the exception in ``_extra``, and goes into `failed`. A key seen twice keeps
    its later result and warns RuntimeWarning("Found duplicate key"). `failed` lists the
    results with rc != 0 or a decode failure, in order. `mres` is ``multi_cls()``.
    """
    transcoder = _custom(transcoder)
    if _native:
        return _fp.build(_addr(batch), keys, kind, multi_cls, value_cls, op_cls, passthrough, transcoder,
                         no_format)
    return _py.build(batch, keys, kind, multi_cls, value_cls, op_cls, passthrough, transcoder, no_format)


def build_single(batch, keys, kind, multi_cls, value_cls, op_cls, passthrough=False, transcoder=None,
                 no_format=False, index=0):
    """Like build, for one request: ``(result, result if it failed else None)``.

    The result is that of request `index` (default 0), keyed ``keys[0]``; `multi_cls` is
    accepted for symmetry with build and not used.
    """
    transcoder = _custom(transcoder)
    if _native:
        return _fp.build_single(_addr(batch), keys, kind, value_cls, op_cls, passthrough, transcoder,
                                no_format, index)
    return _py.build_single(batch, keys, kind, value_cls, op_cls, passthrough, transcoder, no_format, index)


def build_range(batch, keys, start, end, kind, mres, failed, value_cls, op_cls, passthrough=False, transcoder=None,
                no_format=False):
    """Results [start, end) of a finished batch into `mres` (a dict) and `failed` (a list), as
    build does for a whole batch; `keys` has one key per request of the batch. For batches
    filled by several calls and run once (the classic pipeline)."""
    transcoder = _custom(transcoder)
    if _native:
        return _fp.build_range(_addr(batch), keys, start, end, kind, mres, failed, value_cls, op_cls, passthrough,
                               transcoder, no_format)
    return _py.build_range(batch, keys, start, end, kind, mres, failed, value_cls, op_cls, passthrough, transcoder,
                           no_format)


def has_type(seq, cls):
    """Whether an item of the list or tuple `seq` is exactly of type `cls`."""
    if _native:
        return _fp.has_type(seq, cls)
    return cls in map(type, seq)


def size(batch):
    """How many requests `batch` holds."""
    return lib.cbc_batch_size(batch)


def reset(batch):
    """Empty `batch` (its requests and results)."""
    lib.cbc_batch_reset(batch)
