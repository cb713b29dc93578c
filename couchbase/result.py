"""Result classes of both faces: the classic ones here, the modern ones (4.x names) from
couchbase._modern.results, importable from this module as 4.x code expects.

Their data layout is couchbase._core.results.ResultBase (native when built); the builder
fills them directly, so subclasses add ``__slots__ = ()`` and behaviour only.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional

from couchbase._core.results import NATIVE, ResultBase  # noqa: F401
from couchbase._modern.results import (  # noqa: F401  (4.x paths)
    CounterResult, DiagnosticsResult, ExistsResult, GetReplicaResult, GetResult, LookupInReplicaResult,
    LookupInResult, MultiCounterResult, MultiExistsResult, MultiGetReplicaResult, MultiGetResult,
    MultiMutationResult, MultiResultType, MutateInResult, MutationResult, MutationToken, PingResult,
)
from couchbase._modern.views import ViewResult  # noqa: F401,E402  (4.x path)
from couchbase._modern.services import AnalyticsResult, QueryResult, SearchResult  # noqa: F401  (4.x paths)
from couchbase.exceptions import code_text

__all__ = ["Result", "OperationResult", "ValueResult", "MultiResult", "ObserveInfo", "HttpResult", "Arguments",
           "AsyncResult",
           "GetResult", "GetReplicaResult", "ExistsResult", "MutationResult", "CounterResult", "MutationToken",
           "MultiGetResult", "MultiExistsResult", "MultiMutationResult", "MultiCounterResult", "MultiResultType",
           "ViewResult", "LookupInResult", "LookupInReplicaResult", "MutateInResult", "MultiGetReplicaResult",
           "PingResult", "DiagnosticsResult", "QueryResult", "AnalyticsResult", "SearchResult"]


class Result(ResultBase):
    """Outcome of one operation: ``rc`` (0 on success), ``success``, ``errstr``."""

    __slots__ = ()

    @property
    def success(self) -> bool:
        """True when ``rc`` is 0."""
        return self.rc == 0

    @property
    def errstr(self) -> str:
        """The text of ``rc``."""
        return code_text(self.rc)

    def _rc_field(self) -> str:
        rc = self.rc
        if rc:
            return "RC=0x%X[%s]" % (rc, self.errstr)
        return "RC=0x0"

    def _repr_fields(self) -> List[str]:
        return [self._rc_field()]

    def __repr__(self) -> str:
        return "%s<%s>" % (type(self).__name__, ", ".join(self._repr_fields()))


class OperationResult(Result):
    """Result of a mutation (store, delete, touch, unlock): adds ``key`` and ``cas``."""

    __slots__ = ()

    def _key_field(self) -> str:
        return "Key=%s" % (getattr(self, "key", None),)

    def _repr_fields(self) -> List[str]:
        return [self._rc_field(), self._key_field(), "CAS=0x%x" % self.cas]


class ValueResult(OperationResult):
    """Result of a read (get, lock, counters, observe): adds ``value`` and ``flags``."""

    __slots__ = ()

    def _repr_fields(self) -> List[str]:
        return [self._rc_field(), self._key_field(), "Value=%r" % (self.value,), "CAS=0x%x" % self.cas,
                "Flags=0x%x" % self.flags]


class MultiResult(dict):  # type: ignore[type-arg]
    """``{key: Result}`` of a _multi operation; ``all_ok`` is 1 when every ``rc`` is 0, else 0."""

    @property
    def all_ok(self) -> int:
        for r in self.values():
            if r.rc:
                return 0
        return 1


_OBS_NAMES = (("OBS_PERSISTED", 0x01), ("OBS_FOUND", 0x00), ("OBS_NOTFOUND", 0x80),
              ("OBS_LOGICALLY_DELETED", 0x81))


class ObserveInfo:
    """One node's answer to observe: ``flags`` (an OBS_* value), ``from_master`` (0/1), ``cas``."""

    __slots__ = ("flags", "from_master", "cas")

    def __init__(self, flags: int = 0, from_master: int = 0, cas: int = 0) -> None:
        self.flags = flags
        self.from_master = from_master
        self.cas = cas

    def __init_subclass__(cls, **kwargs: Any) -> None:
        raise TypeError("ObserveInfo is not subclassable")

    def __repr__(self) -> str:
        name = next((n for n, v in _OBS_NAMES if v == self.flags), "")
        return "ObserveInfo<Status=[%s (0x%X)], Master=%s, CAS=0x%X>" % (
            name, self.flags, bool(self.from_master), self.cas)


class HttpResult(Result):
    """Result of an HTTP request (views, design documents).

    ``http_status``, ``value`` (decoded body or None), ``url`` (request path), ``headers``
    (dict or None); ``success`` also needs a 2xx (or 0) status.
    """

    __slots__ = ("http_status", "url", "headers", "done", "rows_per_call")

    def __init__(self, rc: int = 0, http_status: int = 0, value: Any = None, url: Optional[str] = None,
                 headers: Optional[Dict[str, Any]] = None) -> None:
        self.rc = rc
        self.http_status = http_status
        self.value = value
        self.url = url
        self.headers = headers
        self.done = False
        self.rows_per_call = -1

    @property
    def success(self) -> bool:
        return self.rc == 0 and (self.http_status == 0 or 200 <= self.http_status < 300)

    def _repr_fields(self) -> List[str]:
        return [self._rc_field(), "Value=%r" % (self.value,), "HTTP=%s" % (self.http_status,),
                "URL=%s" % (self.url,)]



class Arguments(dict):  # type: ignore[type-arg]
    """1.0: per-key options of a set_multi value: ``Arguments(value=v, cas=c, ttl=t)``
    (a ttl of 0 takes the call's). 1.2 replaced it with Items (couchbase.items)."""


class AsyncResult(MultiResult):
    """1.2's result of the asynchronous connection classes: a MultiResult with ``callback``,
    ``errback`` and ``remaining``. This SDK's operations complete before they return (its
    asynchronous API is the modern ``acouchbase``), so nothing here is ever pending."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.callback: Optional[Callable[..., Any]] = None
        self.errback: Optional[Callable[..., Any]] = None
        self.remaining = 0

    def set_callbacks(self, callback: Callable[..., Any], errback: Callable[..., Any]) -> None:
        """Set both callbacks."""
        self.callback = callback
        self.errback = errback
