"""The classic API's argument rules: expiries, CAS values, key lists, per-key options,
formats, and what a transcoder's key methods must return."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, List

import numbers

from couchbase._core.tls import Security, TLSSettings
from couchbase.exceptions import ArgumentError, CouchbaseError, ValueFormatError
from couchbase.result import Arguments, Result
from couchbase.transcoder import FMT_AUTO, FMT_BYTES, FMT_JSON, FMT_UTF8, Transcoder, auto_encode

_APPENDS = ("append", "prepend")

MAX_TTL = 0xFFFFFFFF


def ttl(value, what="ttl") -> int:
    """Validate an expiry: None/False/0 = none; a non-negative int that fits u32."""
    if type(value) is int and 0 <= value <= MAX_TTL:
        return value
    if value is None or value is False:
        return 0
    if isinstance(value, bool):
        return int(value)
    if not isinstance(value, numbers.Integral) or value < 0 or value > MAX_TTL:  # type: ignore[operator]
        raise ArgumentError.pyexc("Invalid %s: %r (a non-negative int is required)" % (what, value), obj=value)
    return int(value)


def cas(value) -> int:
    if type(value) is int and 0 <= value < 2**64:
        return value
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value < 2**64:  # type: ignore[operator]
        raise ArgumentError.pyexc("Invalid CAS: %r" % (value,), obj=value)
    return int(value)


def key_list(keys) -> List[Any]:
    """Keys of a _multi call as a list, with the 1.x rules for what is accepted."""
    if isinstance(keys, (str, bytes, bytearray)):
        raise ArgumentError.pyexc("Keys must be iterable and have known length", obj=keys)
    if isinstance(keys, dict):
        out = list(keys)
    elif isinstance(keys, (list, tuple)):
        out = keys if isinstance(keys, list) else list(keys)
    else:
        if not hasattr(keys, "__len__") or not hasattr(keys, "__iter__"):
            raise ArgumentError.pyexc("Keys must be iterable and have known length", obj=keys)
        out = list(keys)
        if len(out) != len(keys):
            raise ArgumentError.pyexc("Keys iterable reported a wrong length", obj=keys)
    if not out:
        raise ArgumentError.pyexc("Key list is empty", obj=keys)
    return out


def require_dict(kv) -> Any:
    if not isinstance(kv, dict):
        raise ArgumentError.pyexc("Keys must be a dictionary", obj=kv)
    if not kv:
        raise ArgumentError.pyexc("Key list is empty", obj=kv)
    return kv


def per_key(keys, values, name, conv) -> List[Any]:
    """Per-key option from a dict value: an int, a dict {name: n}, or a Result (its .cas)."""
    out = []
    for k in keys:
        v = values[k]
        if isinstance(v, dict):
            v = v.get(name, 0)
        elif isinstance(v, Result):
            v = getattr(v, name, 0)
        out.append(conv(v))
    return out


def results_to_cas(keys):
    """A list of Results as {key: cas}; anything else unchanged."""
    if isinstance(keys, (list, tuple)) and keys and all(isinstance(r, Result) for r in keys):
        return {r.key: r.cas for r in keys}
    return keys


class PerKey(list):
    """Per-key values the face has already checked."""


def arguments(values, ttl_all):
    """(values, per-key cas, per-key ttl) of a 1.0 set_multi whose values may be
    ``Arguments(value=v, cas=c, ttl=t)``; a per-key ttl of 0 falls back to the call's."""
    ttl_all = ttl(ttl_all)
    out, cas_l, ttl_l = [], [], []
    for v in values:
        if type(v) is Arguments:
            if "value" not in v:
                raise ArgumentError.pyexc("Arguments needs a 'value'", obj=v)
            out.append(v["value"])
            cas_l.append(cas(v.get("cas", 0)))
            ttl_l.append(ttl(v.get("ttl", 0)) or ttl_all)
        else:
            out.append(v)
            cas_l.append(0)
            ttl_l.append(ttl_all)
    return out, PerKey(cas_l), PerKey(ttl_l)


def default_format(value, constructor=False):
    """A ``default_format``: an int format or FMT_AUTO (None means FMT_JSON in the constructor only)."""
    if value is None and constructor:
        return FMT_JSON
    if value is FMT_AUTO:
        return value
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0xFFFFFFFF:
        raise ArgumentError.pyexc("default_format must be an int format or FMT_AUTO", obj=value)
    return value


def _builtin(tc, name):
    """True when `tc`'s method `name` is Transcoder's own (then the native encoder does its work)."""
    return getattr(type(tc), name, None) is getattr(Transcoder, name) and name not in getattr(tc, "__dict__", ())


def _method(tc, name):
    fn = getattr(tc, name, None)
    if fn is None:
        raise ValueFormatError.pyexc("Couldn't find transcoder method %s" % name, obj=tc)
    return fn


def encoder_for(tc, default, name, fmt):
    """(format, encoder) for a store: `encoder` is None when the built-in rules apply (no
    transcoder, or one whose encode_value is Transcoder's own), else a callable
    ``encoder(value) -> (bytes, flags)`` around the transcoder's encode_value."""
    if fmt is None:
        fmt = FMT_UTF8 if name in _APPENDS else default
    if tc is not None and not _builtin(tc, "encode_value"):
        enc = _method(tc, "encode_value")
        return fmt, (lambda value, _enc=enc, _fmt=fmt: _enc(value, _fmt))
    if fmt is FMT_AUTO:
        if tc is None and name in _APPENDS:
            raise ArgumentError.pyexc("Only FMT_BYTES and FMT_UTF8 are supported for append/prepend", obj=fmt)
        return fmt, auto_encode
    if isinstance(fmt, bool) or not isinstance(fmt, int):
        raise ArgumentError.pyexc("format must be an int", obj=fmt)
    if tc is None and name in _APPENDS and not fmt & (FMT_BYTES | FMT_UTF8):
        raise ArgumentError.pyexc("Only FMT_BYTES and FMT_UTF8 are supported for append/prepend", obj=fmt)
    return fmt, None


def transcoded_keys(tc, keys):
    """(wire keys, result keys) through a transcoder: encode_key must return non-empty bytes,
    and result keys are decode_key of those bytes, which must be hashable."""
    enc = None if _builtin(tc, "encode_key") else _method(tc, "encode_key")
    dec = None if _builtin(tc, "decode_key") else _method(tc, "decode_key")
    wire, rkeys = [], []
    for k in keys:
        if enc is None:
            b = Transcoder.encode_key(tc, k)
        else:
            b, err = _call(enc, k)
            if err is not None:
                raise ValueFormatError({"message": "Transcoder.encode_key failed", "inner_cause": err, "objextra": k})
        if not isinstance(b, bytes):
            raise ValueFormatError.pyexc("Transcoder.encode_key must return bytes, not %.80s" % type(b).__name__,
                                         obj=b)
        if not b:
            raise ValueFormatError.pyexc("Transcoder.encode_key returned an empty string", obj=k)
        wire.append(b)
        if dec is None:
            rkeys.append(k if enc is None else Transcoder.decode_key(tc, b))
            continue
        rk, err = _call(dec, b)
        if err is None:
            try:
                hash(rk)
            except TypeError as e:
                err = e
        if err is not None:
            raise ValueFormatError({"message": "Transcoder.decode_key failed or returned an unhashable key",
                                    "inner_cause": err, "objextra": b})
        rkeys.append(rk)
    return wire, rkeys


def _call(fn, arg):
    """(fn(arg), None), or (None, the exception): errors are raised by the caller after the
    handler, so they carry no __context__ (whose frames would reach the connection). A
    CouchbaseError from the transcoder is passed on as it is."""
    try:
        return fn(arg), None
    except CouchbaseError:
        raise
    except Exception as e:
        return None, e


def security(spec, certpath=None, tls=False):
    """TLS and SASL settings of a classic connection (couchbase._core.tls.Security), from
    the connection string as the 2.x clients read it and the ``certpath`` argument:
    TLS with ``couchbases://`` (or any ``certpath``); ``certpath`` is the CA file, or the
    client certificate when ``keypath`` names its key (the CA then comes from
    ``truststorepath``); ``ssl=no_verify`` accepts any server certificate;
    ``sasl_mech_force=M1,M2`` allows exactly these SASL mechanisms; `tls` (the
    ``enable_tls`` option) asks for TLS as ``couchbases://`` does."""
    opts = spec.options
    cert = certpath or opts.get("certpath")
    key = opts.get("keypath")
    mechs = opts.get("sasl_mech_force")
    if mechs is not None:
        mechs = [m.strip().upper() for m in mechs.replace(" ", ",").split(",") if m.strip()]
        unknown = [m for m in mechs if m not in ("PLAIN", "SCRAM-SHA1", "SCRAM-SHA256", "SCRAM-SHA512")]
        if unknown or not mechs:
            raise ArgumentError.pyexc("sasl_mech_force: unknown mechanism(s) %s" % ", ".join(unknown), obj=mechs)
    if not (spec.tls or tls or cert or opts.get("ssl") in ("on", "no_verify")):
        return Security(None, mechs)
    ca = opts.get("truststorepath") or (None if key else cert)
    return Security(TLSSettings(ca, opts.get("ssl") != "no_verify", cert if key else None, key), mechs,
                    certificate_auth=bool(key))
