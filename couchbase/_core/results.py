"""The data layout of every result class: the native ResultBase, or its pure-Python twin.

``ResultBase`` holds ``rc``, ``key`` (AttributeError while unset), ``value`` (None by
default), ``cas`` (u64), ``flags`` (u32), the mutation token ``_vbuuid``/``_seqno``,
``_vbucket``, ``_server`` (the index of the server the request went to, -1 when it was
never sent), ``_status`` (the server's raw status, 0xffff when no answer arrived), a free
``_extra`` slot, and ``_csrc``: the (C file, line) that set a failed ``rc`` (None
otherwise). The result classes of both faces subclass it with
``__slots__ = ()`` and properties only, so the builder fills them directly and does not
call ``__init__``.
"""
TYPE_CHECKING = False
try:
    from couchbase._core._fastpath import ResultBase as _NativeResultBase
except ImportError:  # not built: the pure-Python layout below is used
    _NativeResultBase = None  # type: ignore[misc, assignment]

_UNSET = object()


class _PyResultBase:
    """Pure-Python twin of the native ResultBase (same slots, same defaults)."""

    __slots__ = ("rc", "key", "value", "cas", "flags", "_vbuuid", "_seqno", "_vbucket", "_status", "_server", "_extra",
                 "_csrc")

    def __new__(cls, *args, **kwargs):
        self = object.__new__(cls)
        self.rc = 0
        self.value = None
        self.cas = 0
        self.flags = 0
        self._vbuuid = 0
        self._seqno = 0
        self._vbucket = 0
        self._status = 0xFFFF
        self._server = -1
        self._extra = None
        self._csrc = None
        return self

    def __init__(self, *, rc=0, key=_UNSET, value=None, cas=0, flags=0):
        self.rc = rc
        if key is not _UNSET:
            self.key = key
        self.value = value
        self.cas = cas
        self.flags = flags


#: The base of every result class (the C type when the native module is built).
if TYPE_CHECKING:
    from couchbase._core._fastpath import ResultBase
else:
    ResultBase = _NativeResultBase if _NativeResultBase is not None else _PyResultBase
NATIVE = _NativeResultBase is not None
