"""Parse connection strings: couchbase://h1:p1,h2/bucket?opt=v, couchbases://... (TLS) and
memcached://h1:p1,h2:p2."""
import re
from datetime import timedelta
from urllib.parse import parse_qsl, unquote

from couchbase.exceptions import InvalidArgumentException, InvalidError

DEFAULT_PORTS = {"couchbase": 11210, "couchbases": 11207, "memcached": 11211, "http": 8091, "https": 18091}
#: schemes whose connections use TLS
TLS_SCHEMES = ("couchbases", "https")


class ConnStr:
    """A parsed connection string: ``scheme``, ``hosts`` [(host, port or None)], ``bucket``, ``options``."""

    __slots__ = ("scheme", "hosts", "bucket", "options")

    @property
    def tls(self):
        """Whether the scheme asks for TLS (couchbases://, https://)."""
        return self.scheme in TLS_SCHEMES

    def __init__(self, scheme, hosts, bucket=None, options=None):
        self.scheme = scheme
        self.hosts = hosts
        self.bucket = bucket
        self.options = options or {}

    def __repr__(self):
        return "ConnStr(%r, %r, bucket=%r, options=%r)" % (self.scheme, self.hosts, self.bucket, self.options)


def _split_host(text, what):
    text = text.strip()
    if not text:
        raise InvalidError.pyexc("Empty host in %r" % (what,))
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise InvalidError.pyexc("Unterminated IPv6 address in %r" % (what,))
        host, rest = text[1:end], text[end + 1 :]
        port = rest[1:] if rest.startswith(":") else None
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, None
    if port is not None:
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise InvalidError.pyexc("Invalid port in %r" % (what,))
        port = int(port)
    return host, port


def parse(text):
    """Parse ``text``; a string without ``scheme://`` is a list of hosts for ``couchbase``."""
    if not isinstance(text, str):
        raise InvalidError.pyexc("Connection string must be a str, not %s" % type(text).__name__)
    scheme = "couchbase"
    rest = text
    if "://" in text:
        scheme, rest = text.split("://", 1)
        scheme = scheme.lower()
        if scheme not in ("couchbase", "couchbases", "memcached", "http", "https"):
            raise InvalidError.pyexc("Unknown scheme %r in %r" % (scheme, text))
    query = ""
    if "?" in rest:
        rest, query = rest.split("?", 1)
    bucket = None
    if "/" in rest:
        rest, bucket = rest.split("/", 1)
        bucket = unquote(bucket) or None
    hosts = [_split_host(h, text) for h in rest.replace(";", ",").split(",")]
    return ConnStr(scheme, hosts, bucket, dict(parse_qsl(query)))


# ---- values of ``?name=value`` options (both faces) ----

_UNITS = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|ms|s|m|h)")


def duration(text):
    """A timedelta of ``2.5s``, ``1m30s``, ``250ms``, ``100us``; a bare number is milliseconds."""
    text = text.strip()
    if re.fullmatch(r"\d+", text):
        return timedelta(milliseconds=int(text))
    pos = 0
    total = 0.0
    for m in _DURATION.finditer(text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos != len(text) or not text:
        raise InvalidArgumentException("Invalid duration %r in the connection string." % (text,))
    return timedelta(seconds=total)


def boolean(text):
    t = text.strip().lower()
    if t in ("true", "1", "yes", "on"):
        return True
    if t in ("false", "0", "no", "off"):
        return False
    raise InvalidArgumentException("Invalid boolean %r in the connection string." % (text,))


def integer(text):
    if not text.strip().isdigit():
        raise InvalidArgumentException("Invalid number %r in the connection string." % (text,))
    return int(text)
