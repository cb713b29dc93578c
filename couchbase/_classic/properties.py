"""The classic Connection's properties (attributes with the 1.x rules of what they accept),
kept apart from its operations in couchbase.connection."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, List, Optional, Tuple

from couchbase._classic import args as _args
from couchbase._classic import cntl as _cntl

_CONN_F_CLOSED = 4  # the PYCBC_CONN_F_CLOSED bit of _privflags


class ConnectionProperties:
    """Mixed into couchbase.connection.Connection (and so into couchbase.admin.Admin, which
    sets up only a session: hence the class-level defaults)."""

    _views_timeout = 75.0
    _closed = _connected = False
    _pipe: Any = None
    _dur_ctx: Any = None
    _timings: Any = None
    # set by Connection.__init__ (declared here for type checkers)
    _bucket: Optional[str]
    _ctor: Any
    _error_log: List[Tuple[int, str]]
    _pipe_batches: List[Any]
    _fast_single: Any
    _session: Any
    _core: Any
    _settings: Any
    _pflags = 0
    _legacy = True

    bucket = property(lambda self: self._bucket)
    server_nodes = property(lambda self: list(self._session.nodes))
    configured_replica_count = property(lambda self: self._session.replicas)
    lockmode = property(lambda self: self._session.lockmode)
    unlock_gil = property(lambda self: int(self._unlock_gil))
    closed = property(lambda self: self._closed, doc="True once close() or _close() ran.")
    connected = property(lambda self: self._connected, doc="True once bootstrapped (stays True after close).")

    @property
    def max_response_size(self):
        """The largest response a server may announce, in bytes (see the constructor)."""
        return self._session.max_response_size

    @max_response_size.setter
    def max_response_size(self, nbytes):
        self._session.max_response_size = nbytes

    @property
    def quiet(self):
        return self._quiet

    @quiet.setter
    def quiet(self, value):
        if value is None or isinstance(value, str):
            raise TypeError("quiet must be a bool or int")
        self._quiet = 1 if value else 0

    @property
    def timeout(self):
        return self._session.timeout

    @timeout.setter
    def timeout(self, value):
        self._session.timeout = _cntl.seconds(value, "timeout")

    @property
    def views_timeout(self):
        return self._views_timeout

    @views_timeout.setter
    def views_timeout(self, value):
        self._views_timeout = _cntl.seconds(value, "views_timeout")

    @property
    def default_format(self):
        return self._default_format

    @default_format.setter
    def default_format(self, value):
        self._default_format = _args.default_format(value)

    @property
    def common_flags(self):
        """False (the default): store the 1.x client's flags (FMT_JSON 0, FMT_PICKLE 1,
        FMT_BYTES 2, FMT_UTF8 4). True: RFC 0020 common flags, as the modern face writes."""
        return not self._legacy

    @common_flags.setter
    def common_flags(self, value):
        self._legacy = not value

    @property
    def transcoder(self):
        return self._session.transcoder

    @transcoder.setter
    def transcoder(self, value):
        if isinstance(value, type):
            value = value()
        self._session.transcoder = value or None
        self._update_fast()

    @property
    def data_passthrough(self):
        return self._session.passthrough

    @data_passthrough.setter
    def data_passthrough(self, value):
        self._session.passthrough = 1 if value else 0
        self._update_fast()

    @property
    def _privflags(self):
        return self._pflags | (_CONN_F_CLOSED if self._closed else 0)

    @_privflags.setter
    def _privflags(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("_privflags must be an int")
        self._pflags = value & ~_CONN_F_CLOSED
