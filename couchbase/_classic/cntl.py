"""Connection._cntl(): the 1.2 client's window on libcouchbase settings, by their lcb_cntl numbers.

Timeouts map to the connection's own settings (``timeout``, ``views_timeout``, the
durability defaults); the rest are kept and reported back, or are read-only facts about
the connection. A value_type of "timeout" (the default for timeouts) or "float" is in
seconds; an integer type for a timeout is in microseconds, as libcouchbase stores them.
"""
import math
import numbers

from couchbase.exceptions import ArgumentError, NotSupportedError

LCB_CNTL_GET = 0x00
LCB_CNTL_SET = 0x01

LCB_CNTL_OP_TIMEOUT = 0x00
LCB_CNTL_VIEW_TIMEOUT = 0x01
LCB_CNTL_HANDLETYPE = 0x04
LCB_CNTL_CONFERRTHRESH = 0x0C
LCB_CNTL_DURABILITY_TIMEOUT = 0x0D
LCB_CNTL_DURABILITY_INTERVAL = 0x0E
LCB_CNTL_HTTP_TIMEOUT = 0x0F
LCB_CNTL_CONFIGURATION_TIMEOUT = 0x12
LCB_CNTL_RANDOMIZE_BOOTSTRAP_HOSTS = 0x14
LCB_CNTL_CONFIG_CACHE_LOADED = 0x15
LCB_CNTL_MAX_REDIRECTS = 0x17

VALUE_TYPES = ("string", "int", "uint", "size_t", "float", "uint32_t", "timeout")
_NOT_SUPPORTED = 0x13  # LCB_NOT_SUPPORTED


class Settings:
    """The settings _cntl reaches that are not properties of the Connection itself."""

    __slots__ = ("durability_timeout", "durability_interval", "http_timeout", "config_timeout",
                 "conferrthresh", "randomize_hosts", "max_redirects", "cache_loaded")

    def __init__(self):
        self.durability_timeout = 5.0
        self.durability_interval = 0.01
        self.http_timeout = 75.0
        self.config_timeout = 5.0
        self.conferrthresh = 100
        self.randomize_hosts = 0
        self.max_redirects = -1
        self.cache_loaded = 0


def seconds(value, what="timeout"):
    """A timeout in seconds: a finite positive number that fits microseconds in 32 bits.

    A non-number raises TypeError, anything else out of range ValueError (the 1.x rules)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError("%s must be a number of seconds, not %s" % (what, type(value).__name__))
    value = float(value)
    if math.isnan(value) or value <= 0:
        raise ValueError("%s must be positive, not %r" % (what, value))
    if value * 1e6 > 0xFFFFFFFF:
        raise ValueError("%s of %r seconds is too large (at most %.0f)" % (what, value, 0xFFFFFFFF / 1e6))
    return value


# op -> (attribute owner, attribute, kind): kind "timeout" | "int" | "ro"
_TABLE = {
    LCB_CNTL_OP_TIMEOUT: ("conn", "timeout", "timeout"),
    LCB_CNTL_VIEW_TIMEOUT: ("conn", "views_timeout", "timeout"),
    LCB_CNTL_DURABILITY_TIMEOUT: ("settings", "durability_timeout", "timeout"),
    LCB_CNTL_DURABILITY_INTERVAL: ("settings", "durability_interval", "timeout"),
    LCB_CNTL_HTTP_TIMEOUT: ("settings", "http_timeout", "timeout"),
    LCB_CNTL_CONFIGURATION_TIMEOUT: ("settings", "config_timeout", "timeout"),
    LCB_CNTL_CONFERRTHRESH: ("settings", "conferrthresh", "int"),
    LCB_CNTL_RANDOMIZE_BOOTSTRAP_HOSTS: ("settings", "randomize_hosts", "int"),
    LCB_CNTL_MAX_REDIRECTS: ("settings", "max_redirects", "int"),
    LCB_CNTL_CONFIG_CACHE_LOADED: ("settings", "cache_loaded", "ro"),
    LCB_CNTL_HANDLETYPE: (None, 0, "ro"),  # LCB_TYPE_BUCKET
}


def cntl(conn, op, value=None, value_type=None):
    """Read (``value`` None) or change setting ``op``; returns the (old, when set) value."""
    if isinstance(op, bool) or not isinstance(op, int):
        raise ArgumentError.pyexc("_cntl op must be an int", obj=op)
    if value_type is not None and value_type not in VALUE_TYPES:
        raise ArgumentError.pyexc("Invalid value_type %r (one of %s)" % (value_type, ", ".join(VALUE_TYPES)),
                                  obj=value_type)
    row = _TABLE.get(op)
    if row is None:
        raise NotSupportedError({"rc": _NOT_SUPPORTED, "message": "Unknown _cntl op 0x%X" % op, "objextra": op})
    owner, attr, kind = row
    target = conn if owner == "conn" else conn._settings
    micro = kind == "timeout" and value_type not in (None, "timeout", "float")
    current = attr if owner is None else getattr(target, attr)
    if value is None:
        return int(round(current * 1e6)) if micro else current
    if kind == "ro":
        raise NotSupportedError({"rc": _NOT_SUPPORTED, "message": "_cntl op 0x%X is read-only" % op,
                                 "objextra": op})
    if kind == "timeout":
        if micro:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ArgumentError.pyexc("A %s value must be an int of microseconds" % value_type, obj=value)
            value = value / 1e6
        setattr(target, attr, seconds(value))
    else:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ArgumentError.pyexc("_cntl op 0x%X takes an int" % op, obj=value)
        setattr(target, attr, value)
    return None
