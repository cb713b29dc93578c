"""The classic API's argument rules: expiries, CAS values, key lists, per-key options."""
import numbers

from couchbase.exceptions import ArgumentError
from couchbase.result import Result

MAX_TTL = 0xFFFFFFFF


def ttl(value, what="ttl"):
    """Validate an expiry: None/False/0 = none; a non-negative int that fits u32."""
    if type(value) is int and 0 <= value <= MAX_TTL:
        return value
    if value is None or value is False:
        return 0
    if isinstance(value, bool):
        return int(value)
    if not isinstance(value, numbers.Integral) or value < 0 or value > MAX_TTL:
        raise ArgumentError.pyexc("Invalid %s: %r (a non-negative int is required)" % (what, value), obj=value)
    return int(value)


def cas(value):
    if type(value) is int and 0 <= value < 2**64:
        return value
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value < 2**64:
        raise ArgumentError.pyexc("Invalid CAS: %r" % (value,), obj=value)
    return int(value)


def key_list(keys):
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


def require_dict(kv):
    if not isinstance(kv, dict):
        raise ArgumentError.pyexc("Keys must be a dictionary", obj=kv)
    if not kv:
        raise ArgumentError.pyexc("Key list is empty", obj=kv)
    return kv


def per_key(keys, values, name, conv):
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
