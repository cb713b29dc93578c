"""Pure-Python twin of couchbase._core._fastpath: the fallback, the debugging path and the test oracle.

Same functions, same results and errors (messages included) as csrc/py/ (the native module),
through cffi: ``lib.cbc_batch_add`` with a ``cbc_REQUEST`` and ``lib.cbc_batch_results``.
``batch`` is the cffi ``cbc_BATCH *``. Change both files together.
"""
import operator
import warnings

import contextlib

from couchbase import exceptions as _exc
from couchbase import transcoder as _tc
from couchbase._core.binding import C, csrc_of, ffi, lib
from couchbase._core.results import ResultBase

# the slots themselves: result classes may put properties named `value`/`flags` over them
_set_value = ResultBase.__dict__["value"].__set__
_set_flags = ResultBase.__dict__["flags"].__set__

KEY_MAX = lib.CBC_KEY_MAX
U8, U16, U32, U64 = 0xFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF
_OP_APPEND, _OP_PREPEND = lib.CBC_OP_APPEND, lib.CBC_OP_PREPEND
_DATATYPE_JSON = 1
_KINDS = ("value", "counter", "op", "unlock", "subdoc")
#: in the durability argument of the adders: also send the preserve-TTL frame
PRESERVE_TTL = 0x100

# The classes raised for bad arguments and unencodable values: the classic pair, or the
# pair a call passes in `errors` (the modern API's), as the native module does.
ArgumentError = _exc.ArgumentError
ValueFormatError = _exc.ValueFormatError


@contextlib.contextmanager
def _errors(errors):
    global ArgumentError, ValueFormatError
    if errors is None:
        yield
        return
    saved = ArgumentError, ValueFormatError
    ArgumentError, ValueFormatError = errors
    try:
        yield
    finally:
        ArgumentError, ValueFormatError = saved


def _check_batch(batch):
    if batch is None or batch == ffi.NULL:
        raise ValueError("batch must be a non-zero address (int)")


def _uint(o, maximum, what):
    """`o` as an unsigned int no larger than `maximum`; None counts as 0, bool as a number."""
    if o is None:
        return 0
    if isinstance(o, int):
        v = int(o)
    elif not isinstance(o, float) and hasattr(type(o), "__index__"):
        err = None
        try:
            v = operator.index(o)
        except Exception as e:
            err = e  # raised below, outside the handler: no __context__ with frames
        if err is not None:
            raise ArgumentError.pyexc("Invalid %s" % what, obj=o, inner=err)
    else:
        raise ArgumentError.pyexc("Invalid %s: an int is required, not %.80s" % (what, type(o).__name__), obj=o)
    if not 0 <= v <= maximum:
        raise ArgumentError.pyexc("Invalid %s: %r is out of range" % (what, v), obj=o)
    return v


def _param(o, maximum, what, n):
    """(list or None, scalar): a per-key argument given as one int or one per key."""
    if isinstance(o, (list, tuple)):
        if len(o) != n:
            raise ArgumentError.pyexc("%s: %d values for %d keys" % (what, len(o), n), obj=o)
        return o, 0
    return None, _uint(o, maximum, what)


def _item(seq, i):
    if i >= len(seq):
        raise RuntimeError("list changed size during the call")
    return seq[i]


def _key_bytes(key):
    if isinstance(key, str):
        err = None
        try:
            b = key.encode("utf-8")
        except UnicodeError as e:
            err = e
        if err is not None:
            raise ValueFormatError.pyexc("Couldn't encode key as UTF-8", obj=key, inner=err)
    elif isinstance(key, bytes):
        b = key
    else:
        raise ValueFormatError.pyexc(
            "Key must be str (or bytes from a transcoder), not %.80s" % type(key).__name__, obj=key)
    if not b:
        raise ArgumentError.pyexc("Empty key (i.e. '', empty string) passed", obj=key)
    if len(b) > KEY_MAX:
        raise ArgumentError.pyexc("Key too long: %d bytes (the limit is %d)" % (len(b), KEY_MAX), obj=key)
    return b


def _core_add(batch, req, err, key):
    if lib.cbc_batch_add(batch, req, err) == 0:
        return
    if err.code == C.CLIENT_ENOMEM:
        raise MemoryError()
    msg = ffi.string(err.msg).decode("utf-8", "replace") or ffi.string(lib.cbc_strerror(err.code)).decode()
    raise ArgumentError.pyexc("Request rejected: %s (core code 0x%X)" % (msg, err.code), obj=key)


def add_keys(batch, keys, opcode, expiry=0, cas=0, collection=0, replica=0, durability=0,
             durability_timeout=0, delta=0, initial=0, create=0, errors=None):
    """See couchbase._core.batch.add_keys."""
    _check_batch(batch)
    with _errors(errors):
        return _add_keys(batch, keys, opcode, expiry, cas, collection, replica, durability, durability_timeout,
                         delta, initial, create)


def _add_keys(batch, keys, opcode, expiry, cas, collection, replica, durability, durability_timeout, delta,
              initial, create):
    try:
        if not isinstance(keys, (list, tuple)):
            raise ArgumentError.pyexc("keys must be a list or tuple", obj=keys)
        n = len(keys)
        opcode = _uint(opcode, U8, "opcode")
        exp_l, exp = _param(expiry, U32, "expiry", n)
        cas_l, cas = _param(cas, U64, "cas", n)
        collection = _uint(collection, U32, "collection")
        replica = _uint(replica, U8, "replica")
        durability = _uint(durability, U8 | PRESERVE_TTL, "durability")
        durability_timeout = _uint(durability_timeout, U16, "durability_timeout")
        delta_l, delta = _param(delta, U64, "delta", n)
        init_l, initial = _param(initial, U64, "initial", n)
        create_l, create = _param(create, U64, "create", n)

        req = ffi.new("cbc_REQUEST *")
        err = ffi.new("cbc_ERROR *")
        req.opcode = opcode
        req.server = -1
        req.replica = replica
        req.durability = durability & U8
        req.preserve_ttl = 1 if durability & PRESERVE_TTL else 0
        req.durability_timeout_ms = durability_timeout
        req.collection = collection
        req.expiry = exp
        req.cas = cas
        req.delta = delta
        req.initial = initial
        req.create = 1 if create else 0
        for i in range(n):
            key = _item(keys, i)
            kb = _key_bytes(key)
            buf = ffi.from_buffer(kb)
            req.key = buf
            req.nkey = len(kb)
            if exp_l is not None:
                req.expiry = _uint(_item(exp_l, i), U32, "expiry")
            if cas_l is not None:
                req.cas = _uint(_item(cas_l, i), U64, "cas")
            if delta_l is not None:
                req.delta = _uint(_item(delta_l, i), U64, "delta")
            if init_l is not None:
                req.initial = _uint(_item(init_l, i), U64, "initial")
            if create_l is not None:
                req.create = 1 if _uint(_item(create_l, i), U64, "create") else 0
            _core_add(batch, req, err, key)
        return n
    except BaseException:
        lib.cbc_batch_reset(batch)
        raise


def _encode_custom(encoder, value):
    """(bytes, flags) from a user encoder, validated; flags are kept unmasked."""
    err = None
    try:
        r = encoder(value)
    except ValueFormatError:
        raise
    except Exception as e:
        err = e
    if err is not None:
        raise ValueFormatError.pyexc("User-Defined transcoder failed", obj=value, inner=err)
    if not isinstance(r, tuple) or len(r) != 2:
        raise ValueFormatError.pyexc(
            "Transcoder.encode_value must return a (bytes, flags) tuple, not %.80s" % type(r).__name__, obj=r)
    b, fl = r
    if not isinstance(b, bytes):
        raise ValueFormatError.pyexc("Transcoder.encode_value must return bytes, not %.80s" % type(b).__name__,
                                     obj=r)
    if not isinstance(fl, int):
        raise ValueFormatError.pyexc(
            "Transcoder.encode_value flags must be an int, not %.80s" % type(fl).__name__, obj=r)
    if not 0 <= fl <= U32:
        raise ValueFormatError.pyexc("Transcoder.encode_value flags %r do not fit 32 bits" % (fl,), obj=r)
    return b, int(fl)


def add_items(batch, keys, values, opcode, fmt, expiry=0, cas=0, collection=0, durability=0,
              durability_timeout=0, encoder=None, errors=None, legacy_flags=False):
    """See couchbase._core.batch.add_items."""
    _check_batch(batch)
    with _errors(errors):
        return _add_items(batch, keys, values, opcode, fmt, expiry, cas, collection, durability,
                          durability_timeout, encoder, legacy_flags)


def _add_items(batch, keys, values, opcode, fmt, expiry, cas, collection, durability, durability_timeout,
               encoder, legacy_flags=False):
    try:
        if not isinstance(keys, (list, tuple)):
            raise ArgumentError.pyexc("keys must be a list or tuple", obj=keys)
        if not isinstance(values, (list, tuple)):
            raise ArgumentError.pyexc("values must be a list or tuple", obj=values)
        n = len(keys)
        if len(values) != n:
            raise ArgumentError.pyexc("%d values for %d keys" % (len(values), n), obj=values)
        fixed = None  # None: FMT_AUTO, chosen per value
        if encoder is _tc.auto_encode:
            encoder = None
        elif encoder is None and fmt is not _tc.FMT_AUTO:
            fmtbits = _uint(fmt, U32, "format")
            fixed = _tc.legacy_format(fmtbits)
        elif encoder is not None and not callable(encoder):
            raise ArgumentError.pyexc("encoder must be callable", obj=encoder)
        opcode = _uint(opcode, U8, "opcode")
        exp_l, exp = _param(expiry, U32, "expiry", n)
        cas_l, cas = _param(cas, U64, "cas", n)
        collection = _uint(collection, U32, "collection")
        durability = _uint(durability, U8 | PRESERVE_TTL, "durability")
        durability_timeout = _uint(durability_timeout, U16, "durability_timeout")
        keep_flags = opcode in (_OP_APPEND, _OP_PREPEND)

        req = ffi.new("cbc_REQUEST *")
        err = ffi.new("cbc_ERROR *")
        req.opcode = opcode
        req.server = -1
        req.durability = durability & U8
        req.preserve_ttl = 1 if durability & PRESERVE_TTL else 0
        req.durability_timeout_ms = durability_timeout
        req.collection = collection
        req.expiry = exp
        req.cas = cas
        for i in range(n):
            key = _item(keys, i)
            kb = _key_bytes(key)
            value = _item(values, i)
            if exp_l is not None:
                req.expiry = _uint(_item(exp_l, i), U32, "expiry")
            if cas_l is not None:
                req.cas = _uint(_item(cas_l, i), U64, "cas")
            if encoder is not None:
                data, flags = _encode_custom(encoder, value)
                datatype = 0
            else:
                f = fixed if fixed is not None else _tc.auto_format(value)
                data, flags = _tc.encode_format(f, value, legacy_flags)
                if legacy_flags and fixed is not None:
                    flags = fmtbits & _tc.FMT_MASK  # 1.x: the format argument's low bits
                datatype = _DATATYPE_JSON if f == _tc.FMT_JSON else 0
            kbuf = ffi.from_buffer(kb)
            vbuf = ffi.from_buffer(data)
            req.key = kbuf
            req.nkey = len(kb)
            req.value = vbuf
            req.nvalue = len(data)
            req.flags = 0 if keep_flags else flags
            req.datatype = 0 if keep_flags else datatype
            _core_add(batch, req, err, key)
        return n
    except BaseException:
        lib.cbc_batch_reset(batch)
        raise


def add_subdoc(batch, key, opcode, value, extras, cas=0, collection=0, durability=0, durability_timeout=0,
               replica=0, errors=None):
    """See couchbase._core.batch.add_subdoc."""
    _check_batch(batch)
    with _errors(errors):
        try:
            if not isinstance(value, bytes) or not isinstance(extras, bytes):
                raise ArgumentError.pyexc("sub-document value and extras must be bytes", obj=value)
            if len(extras) > U8:
                raise ArgumentError.pyexc("sub-document extras too long", obj=extras)
            kb = _key_bytes(key)
            req = ffi.new("cbc_REQUEST *")
            err = ffi.new("cbc_ERROR *")
            req.opcode = _uint(opcode, U8, "opcode")
            req.cas = _uint(cas, U64, "cas")
            req.collection = _uint(collection, U32, "collection")
            durability = _uint(durability, U8 | PRESERVE_TTL, "durability")
            req.durability = durability & U8
            req.preserve_ttl = 1 if durability & PRESERVE_TTL else 0
            req.durability_timeout_ms = _uint(durability_timeout, U16, "durability_timeout")
            req.replica = _uint(replica, U8, "replica")
            req.server = -1
            bufs = [ffi.from_buffer(kb), ffi.from_buffer(value), ffi.from_buffer(extras)]
            req.key, req.nkey = bufs[0], len(kb)
            req.value, req.nvalue = bufs[1], len(value)
            req.extras, req.nextras = bufs[2], len(extras)
            _core_add(batch, req, err, key)
            return 1
        except BaseException:
            lib.cbc_batch_reset(batch)
            raise


class _Builder:
    """Per-call state of build/build_single: the class, the decoding mode."""

    __slots__ = ("kind", "cls", "raw", "decode_value", "flags_arg")

    def __init__(self, kind, value_cls, op_cls, passthrough, transcoder, no_format):
        if kind not in _KINDS:
            raise ValueError("unknown result kind %r" % (kind,))
        self.kind = kind
        cls = value_cls if kind in ("value", "counter", "subdoc") else op_cls
        if not isinstance(cls, type) or not issubclass(cls, ResultBase):
            raise TypeError("%r is not a subclass of couchbase._core.results.ResultBase" % (cls,))
        self.cls = cls
        self.raw = False
        self.decode_value = None
        self.flags_arg = None
        if kind != "value" or passthrough:
            self.raw = True
        elif transcoder is not None:
            try:
                self.decode_value = transcoder.decode_value
            except AttributeError as e:
                raise ValueFormatError.pyexc("Couldn't find transcoder method decode_value", obj=transcoder,
                                             inner=e) from e
            if no_format:
                self.flags_arg = _tc.FMT_BYTES
        elif no_format:
            self.raw = True

    def decode(self, raw, flags):
        """The value; raises whatever a decoder raised."""
        if self.raw:
            return raw
        if self.decode_value is not None:
            return self.decode_value(raw, self.flags_arg if self.flags_arg is not None else flags)
        return _tc.decode_format(_tc.format_for_flags(flags), raw)

    def make(self, batch, index, n, keys, i):
        """(result object for request `index` keyed keys[i], whether it goes into `failed`)."""
        o = self.cls.__new__(self.cls)
        # Read after any Python code ran (the allocation, decoders of earlier results):
        # it may have added to or reset the batch.
        if lib.cbc_batch_size(batch) != n or index >= n:
            raise RuntimeError("the batch changed during build")
        r = lib.cbc_batch_results(batch)[index]
        rc = r.rc
        o.rc = rc
        o._vbuuid = r.vbuuid
        o._seqno = r.seqno
        o._vbucket = r.vbucket
        o._status = r.status
        o._server = r.server
        _set_value(o, None)
        o.cas = 0
        _set_flags(o, 0)
        o._extra = None
        o._csrc = (csrc_of(r.file, r.line) or None) if rc else None
        bad = rc != 0
        if self.kind == "subdoc":
            # whatever the outcome: body, CAS and the server status (in `flags`)
            o.cas = r.cas
            _set_flags(o, r.status)
            _set_value(o, ffi.unpack(r.value, r.nvalue) if r.nvalue else b"")
        elif rc == 0:
            kind = self.kind
            if kind == "value":
                o.cas = r.cas
                flags = r.flags
                _set_flags(o, flags)
                raw = ffi.unpack(r.value, r.nvalue) if r.nvalue else b""
                try:
                    _set_value(o, self.decode(raw, flags))
                except Exception as e:
                    # the caller raises ValueFormatError(objextra=value, inner_cause=_extra)
                    _set_value(o, raw)
                    o._extra = e
                    bad = True
            elif kind == "counter":
                o.cas = r.cas
                _set_value(o, int(r.counter))
            elif kind == "op":
                o.cas = r.cas
        o.key = _item(keys, i)
        return o, bad


def build(batch, keys, kind, multi_cls, value_cls, op_cls, passthrough=False, transcoder=None,
          no_format=False):
    """See couchbase._core.batch.build."""
    _check_batch(batch)
    if not isinstance(keys, (list, tuple)):
        raise TypeError("keys must be a list or tuple")
    b = _Builder(kind, value_cls, op_cls, passthrough, transcoder, no_format)
    n = lib.cbc_batch_size(batch)
    if len(keys) != n:
        raise ValueError("the batch has %d results for %d keys" % (n, len(keys)))
    mres = multi_cls()
    if not isinstance(mres, dict):
        raise TypeError("multi_cls must build a dict")
    failed = []
    setitem = dict.__setitem__
    for i in range(n):
        o, bad = b.make(batch, i, n, keys, i)
        before = len(mres)
        setitem(mres, o.key, o)
        if bad:
            failed.append(o)
        if len(mres) == before:
            warnings.warn("Found duplicate key", RuntimeWarning, stacklevel=2)
    return mres, failed


def build_range(batch, keys, start, end, kind, mres, failed, value_cls, op_cls, passthrough=False,
                transcoder=None, no_format=False):
    """See couchbase._core.batch.build_range."""
    _check_batch(batch)
    if not isinstance(keys, (list, tuple)):
        raise TypeError("keys must be a list or tuple")
    if not isinstance(mres, dict) or not isinstance(failed, list):
        raise TypeError("build_range: mres must be a dict and failed a list")
    b = _Builder(kind, value_cls, op_cls, passthrough, transcoder, no_format)
    n = lib.cbc_batch_size(batch)
    if len(keys) != n:
        raise ValueError("the batch has %d results for %d keys" % (n, len(keys)))
    if not 0 <= start <= end <= n:
        raise IndexError("results [%d, %d) of a batch of %d" % (start, end, n))
    setitem = dict.__setitem__
    for i in range(start, end):
        o, bad = b.make(batch, i, n, keys, i)
        before = len(mres)
        setitem(mres, o.key, o)
        if bad:
            failed.append(o)
        if len(mres) == before:
            warnings.warn("Found duplicate key", RuntimeWarning, stacklevel=2)


def build_single(batch, keys, kind, value_cls, op_cls, passthrough=False, transcoder=None,
                 no_format=False, index=0):
    """See couchbase._core.batch.build_single."""
    _check_batch(batch)
    if not isinstance(keys, (list, tuple)) or len(keys) < 1:
        raise TypeError("keys must be a non-empty list or tuple")
    index = operator.index(index)
    b = _Builder(kind, value_cls, op_cls, passthrough, transcoder, no_format)
    n = lib.cbc_batch_size(batch)
    if not 0 <= index < n:
        raise IndexError("result %d of a batch of %d" % (index, n))
    o, bad = b.make(batch, index, n, keys, 0)
    return o, (o if bad else None)
