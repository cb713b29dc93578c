"""Result objects: their data layout is C (couchbase._fastpath.ResultBase), their behaviour is here.

``ResultBase`` holds ``rc``, ``key`` (AttributeError while unset), ``value`` (None by
default), ``cas`` (u64), ``flags`` (u32), the mutation token ``_vbuuid``/``_seqno``,
``_vbucket`` and a free ``_extra`` slot. When the native module is not built, a
pure-Python class with the same slots stands in. Subclasses add ``__slots__ = ()``
and properties only, so the native builder can fill them directly; the builder does
not call ``__init__``.
"""
try:
    from couchbase._fastpath import ResultBase as _NativeResultBase
except ImportError:  # not built: the pure-Python layout below is used
    _NativeResultBase = None

__all__ = ["Result", "OperationResult", "ValueResult", "MultiResult", "ObserveInfo", "HttpResult"]

_UNSET = object()


class _PyResultBase:
    """Pure-Python twin of couchbase._fastpath.ResultBase (same slots, same defaults)."""

    __slots__ = ("rc", "key", "value", "cas", "flags", "_vbuuid", "_seqno", "_vbucket", "_extra")

    def __new__(cls, *args, **kwargs):
        self = object.__new__(cls)
        self.rc = 0
        self.value = None
        self.cas = 0
        self.flags = 0
        self._vbuuid = 0
        self._seqno = 0
        self._vbucket = 0
        self._extra = None
        return self

    def __init__(self, *, rc=0, key=_UNSET, value=None, cas=0, flags=0):
        self.rc = rc
        if key is not _UNSET:
            self.key = key
        self.value = value
        self.cas = cas
        self.flags = flags


#: The base of every result class (C type when couchbase._fastpath is built).
ResultBase = _NativeResultBase if _NativeResultBase is not None else _PyResultBase
NATIVE = _NativeResultBase is not None


def _strerror(rc):
    try:
        from couchbase._binding import strerror
    except ImportError:  # core not built: no texts
        return "Error 0x%X" % rc
    return strerror(rc)


class Result(ResultBase):
    """Outcome of one operation: ``rc`` (0 on success), ``success``, ``errstr``."""

    __slots__ = ()

    @property
    def success(self):
        """True when ``rc`` is 0."""
        return self.rc == 0

    @property
    def errstr(self):
        """The text of ``rc``."""
        return _strerror(self.rc)

    def _rc_field(self):
        rc = self.rc
        if rc:
            return "RC=0x%X[%s]" % (rc, self.errstr)
        return "RC=0x0"

    def _repr_fields(self):
        return [self._rc_field()]

    def __repr__(self):
        return "%s<%s>" % (type(self).__name__, ", ".join(self._repr_fields()))


class OperationResult(Result):
    """Result of a mutation (store, delete, touch, unlock): adds ``key`` and ``cas``."""

    __slots__ = ()

    def _key_field(self):
        return "Key=%s" % (getattr(self, "key", None),)

    def _repr_fields(self):
        return [self._rc_field(), self._key_field(), "CAS=0x%x" % self.cas]


class ValueResult(OperationResult):
    """Result of a read (get, lock, counters, observe): adds ``value`` and ``flags``."""

    __slots__ = ()

    def _repr_fields(self):
        return [self._rc_field(), self._key_field(), "Value=%r" % (self.value,), "CAS=0x%x" % self.cas,
                "Flags=0x%x" % self.flags]


class MultiResult(dict):
    """``{key: Result}`` of a _multi operation; ``all_ok`` is 1 when every ``rc`` is 0, else 0."""

    @property
    def all_ok(self):
        for r in self.values():
            if r.rc:
                return 0
        return 1


_OBS_NAMES = (("OBS_PERSISTED", 0x01), ("OBS_FOUND", 0x00), ("OBS_NOTFOUND", 0x80),
              ("OBS_LOGICALLY_DELETED", 0x81))


class ObserveInfo:
    """One node's answer to observe: ``flags`` (an OBS_* value), ``from_master`` (0/1), ``cas``."""

    __slots__ = ("flags", "from_master", "cas")

    def __init__(self, flags=0, from_master=0, cas=0):
        self.flags = flags
        self.from_master = from_master
        self.cas = cas

    def __init_subclass__(cls, **kwargs):
        raise TypeError("ObserveInfo is not subclassable")

    def __repr__(self):
        name = next((n for n, v in _OBS_NAMES if v == self.flags), "")
        return "ObserveInfo<Status=[%s (0x%X)], Master=%s, CAS=0x%X>" % (
            name, self.flags, bool(self.from_master), self.cas)


class HttpResult(Result):
    """Result of an HTTP request (views, design documents).

    ``http_status``, ``value`` (decoded body or None), ``url`` (request path), ``headers``
    (dict or None); ``success`` also needs a 2xx (or 0) status.
    """

    __slots__ = ("http_status", "url", "headers", "done", "rows_per_call")

    def __init__(self, rc=0, http_status=0, value=None, url=None, headers=None):
        self.rc = rc
        self.http_status = http_status
        self.value = value
        self.url = url
        self.headers = headers
        self.done = False
        self.rows_per_call = -1

    @property
    def success(self):
        return self.rc == 0 and (self.http_status == 0 or 200 <= self.http_status < 300)

    def _repr_fields(self):
        return [self._rc_field(), "Value=%r" % (self.value,), "HTTP=%s" % (self.http_status,),
                "URL=%s" % (self.url,)]


def __getattr__(name):
    # 4.x code imports its result classes from couchbase.result; they live in _modern_results.
    from couchbase import _modern_results

    try:
        return getattr(_modern_results, name)
    except AttributeError:
        raise AttributeError("module 'couchbase.result' has no attribute %r" % (name,)) from None
