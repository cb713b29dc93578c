"""The ``?name=value`` options of a classic connection string (those of the 2.x classic
clients, plus the modern spellings of the timeouts): each has the effect of the
Connection argument or property it names; an unknown option is refused with its name."""
from couchbase._core import connstr as _connstr
from couchbase.exceptions import InvalidArgumentException


def _seconds(text):
    """Seconds as the 2.x clients wrote them (``operation_timeout=2.5``) or a duration (``2500ms``)."""
    try:
        value = float(text)
    except ValueError:
        return _connstr.duration(text).total_seconds()
    if value <= 0 or value != value or value == float("inf"):
        raise InvalidArgumentException("Invalid timeout %r in the connection string." % (text,))
    return value


def _network(text):
    if text not in ("default", "auto"):
        raise InvalidArgumentException("network=%r: this SDK connects over the default network only." % (text,))
    return text


def _path(text):
    return text


#: option -> (setting, parser). Settings: the Connection's `timeout`, `views_timeout`,
#: `max_response_size`, the configuration cache path, the bootstrap deadline; the TLS and
#: SASL options are read by couchbase._classic.args.security.
OPTIONS = {
    "operation_timeout": ("timeout", _seconds), "kv_timeout": ("timeout", _seconds),
    "views_timeout": ("views_timeout", _seconds), "view_timeout": ("views_timeout", _seconds),
    "config_total_timeout": ("bootstrap_timeout", _seconds), "bootstrap_timeout": ("bootstrap_timeout", _seconds),
    "connect_timeout": ("bootstrap_timeout", _seconds),
    "config_cache": ("cache", _path), "conncache": ("cache", _path),
    "max_response_size": ("max_response_size", _connstr.integer),
    "network": ("network", _network),
    "enable_tls": ("tls", _connstr.boolean),
    "certpath": (None, _path), "keypath": (None, _path), "truststorepath": (None, _path),
    "ssl": (None, _path), "sasl_mech_force": (None, _path),
}


def parse(options):
    """{setting: value} of a connection string's options (the TLS/SASL ones are left to
    couchbase._classic.args.security); InvalidArgumentException for an unknown option or value."""
    out = {}
    for name, value in options.items():
        entry = OPTIONS.get(name)
        if entry is None:
            raise InvalidArgumentException("Unknown connection string option %r." % (name,))
        setting, parse_value = entry
        parsed = parse_value(value)
        if setting is not None:
            out[setting] = parsed
    return out
