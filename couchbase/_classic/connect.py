"""How a classic Connection finds its servers: the ``host``/``port`` arguments, connection
strings (``couchbases://`` and ``certpath``: TLS), the configuration cache and
``_no_connect_exceptions``.

Host names are checked before any network I/O: a name that cannot be a host
(``'12345:qwer###'``) raises InvalidError at once.
"""
import re

from couchbase._classic import args as _args
from couchbase._classic import connstr_options
from couchbase._classic import conncache
from couchbase._core import connstr
from couchbase._core.binding import C
from couchbase._core.protocol import BASE_FEATURES
from couchbase.exceptions import ArgumentError, CouchbaseError, InvalidError

DEFAULT_PORT = 8091
DEFAULT_TLS_PORT = 18091
_NAME = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9._-]*[A-Za-z0-9_])?$")
_IPV6 = re.compile(r"^[0-9A-Fa-f:.]+$")


def _invalid(what, obj):
    return InvalidError({"rc": C.INVALID_HOST_FORMAT, "message": what, "objextra": obj})


def _port(value, obj):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentError.pyexc("port must be an int", obj=obj)
    if not 0 < value < 65536:
        raise _invalid("Invalid port %r" % (value,), obj)
    return value


def _one(entry, port):
    """(host, port) of one entry of ``host``: a name, "name:port", "[v6]:port" or (name, port)."""
    if isinstance(entry, (list, tuple)):
        if len(entry) != 2 or not isinstance(entry[0], str):
            raise ArgumentError.pyexc("A host tuple must be (name, port)", obj=entry)
        name, port = entry[0], _port(entry[1], entry)
    elif isinstance(entry, str):
        name = entry.strip()
        if name.startswith("["):
            end = name.find("]")
            if end < 0:
                raise _invalid("Unterminated IPv6 address in %r" % (entry,), entry)
            rest = name[end + 1:]
            name = name[1:end]
            if rest:
                if not rest.startswith(":") or not rest[1:].isdigit():
                    raise _invalid("Invalid host %r" % (entry,), entry)
                port = _port(int(rest[1:]), entry)
            if not _IPV6.match(name):
                raise _invalid("Invalid IPv6 address in %r" % (entry,), entry)
            return name, port
        if name.count(":") == 1:
            name, text = name.split(":")
            if not text.isdigit():
                raise _invalid("Invalid host %r: the port must be a number" % (entry,), entry)
            port = _port(int(text), entry)
        elif name.count(":") > 1:
            if not _IPV6.match(name):
                raise _invalid("Invalid host %r" % (entry,), entry)
            return name, port
    else:
        raise ArgumentError.pyexc("Invalid host entry %r" % (entry,), obj=entry)
    if not _NAME.match(name):
        raise _invalid("Invalid host name %r" % (name,), entry)
    return name, port


def host_list(host, port, tls=False):
    """``host`` (a str, or a list/tuple of names and (name, port) pairs) as [(name, port)],
    each without its own port taking ``port`` (by default the REST port: 8091, or 18091
    over TLS)."""
    if port is None:
        port = DEFAULT_TLS_PORT if tls else DEFAULT_PORT
    port = _port(port, port)
    if isinstance(host, str):
        host = [h for h in host.replace(",", ";").split(";") if h.strip()] or [host]
    if not isinstance(host, (list, tuple)) or not host:
        raise ArgumentError.pyexc("host must be a str or a list of hosts", obj=host)
    if len(host) == 2 and isinstance(host[0], str) and isinstance(host[1], int) and not isinstance(host[1], bool):
        host = [tuple(host)]  # one (name, port) pair
    return [_one(h, port) for h in host]


def spec_for(host, port, bucket, text, tls=False):
    """The parsed target: a connection string (``connstr=``, or a ``host`` with "://"), else
    the hosts on their REST ports (the TLS ones with `tls`, a ``certpath``)."""
    if text is None and isinstance(host, str) and "://" in host:
        text = host
    if text is not None:
        return connstr.parse(text)
    return connstr.ConnStr("http", host_list(host, port, tls), bucket)


_TLS_SCHEME = {"couchbase": "couchbases", "http": "https"}


def open_connection(conn, spec, bucket, username, password, cache_path, swallow, certpath=None):
    """Connect `conn`'s session to `spec` (over TLS as the connection string and `certpath`
    say: couchbase._classic.args.security); returns the bucket name.

    With `cache_path`, the configuration cache is tried first and written afterwards. With
    `swallow` (``_no_connect_exceptions``), a failed bootstrap leaves the connection
    unconnected: it is recorded in ``errors()``, and every operation raises it."""
    session = conn._session
    options = connstr_options.parse(spec.options)
    for name in ("timeout", "views_timeout", "max_response_size"):
        if name in options:
            setattr(conn, name, options[name])
    cache_path = cache_path or options.get("cache")
    if options.get("tls") and spec.scheme in _TLS_SCHEME:  # enable_tls=true: as couchbases://
        spec.scheme = _TLS_SCHEME[spec.scheme]
    security = _args.security(spec, certpath, tls=options.get("tls", False))
    if spec.scheme == "memcached":
        if security.tls is not None:
            raise ArgumentError.pyexc("TLS is not available for memcached:// servers")
        session.use_memcached([(h, p or connstr.DEFAULT_PORTS["memcached"]) for h, p in spec.hosts])
        conn._connected = True
        return bucket or spec.bucket or "default"
    if bucket is None:
        bucket = spec.bucket
    if not bucket:
        raise ArgumentError.pyexc("A bucket name must be given")
    if password is not None and username is None:
        username = bucket
    cached = conncache.load(cache_path, bucket) if cache_path else None
    failure = None
    operation_timeout = session.timeout
    session.timeout = options.get("bootstrap_timeout", operation_timeout)
    try:
        loaded = session.bootstrap(spec, bucket, username, password, BASE_FEATURES, cached=cached, security=security)
    except CouchbaseError as e:
        failure = e
    finally:
        session.timeout = operation_timeout
    if failure is not None:
        conn._record_error(failure.rc, str(failure))
        if not swallow:
            raise failure
        session.close((failure.rc or C.CONNECT_ERROR, "Not connected: %s" % (failure,)))
        return bucket
    conn._settings.cache_loaded = int(loaded)
    conn._connected = True
    if cache_path and session.topology.config is not None:
        conncache.save(cache_path, bucket, session.topology.config.raw)
    return bucket
