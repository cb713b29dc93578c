"""Health reports of the modern API: ``cluster.ping()``/``bucket.ping()`` (PingResult) and
``cluster.diagnostics()`` (DiagnosticsResult), with their endpoint reports and states."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Optional

from datetime import timedelta
from enum import Enum

__all__ = ["EndpointState", "ClusterState", "ServiceType", "PingState", "EndpointDiagnosticsReport",
           "EndpointPingReport"]


class EndpointState(Enum):
    Disconnected = "disconnected"
    Connecting = "connecting"
    Connected = "connected"
    Disconnecting = "disconnecting"


class ClusterState(Enum):
    Online = "online"
    Degraded = "degraded"
    Offline = "offline"


class ServiceType(Enum):
    Analytics = "analytics"
    KeyValue = "key_value"
    Eventing = "eventing"
    Management = "management"
    Query = "query"
    Search = "search"
    View = "view"


class PingState(Enum):
    OK = "ok"
    TIMEOUT = "timeout"
    ERROR = "error"


class _Report:
    """An endpoint's report: the fields of its JSON form, read through properties."""

    as_dict: Callable[[], Dict[str, Any]]

    def __init__(self, service_type: ServiceType, source: Dict[str, Any]) -> None:
        self._service_type = service_type
        self._src = source

    @property
    def service_type(self) -> ServiceType:
        return self._service_type

    type = service_type

    @property
    def id(self) -> Optional[str]:
        return self._src.get("id")

    @property
    def local(self) -> Optional[str]:
        return self._src.get("local")

    @property
    def remote(self) -> Optional[str]:
        return self._src.get("remote")

    @property
    def namespace(self) -> Optional[str]:
        return self._src.get("namespace", self._src.get("scope"))

    def __repr__(self) -> str:
        return "%s:%s" % (type(self).__name__, self.as_dict())


class EndpointDiagnosticsReport(_Report):
    """One open connection: ``state`` (EndpointState) and ``last_activity`` (timedelta)."""

    @property
    def namespace(self) -> Optional[str]:
        """The bucket the connection serves (None for the cluster's own)."""
        return self._src.get("bucket")

    @property
    def last_activity(self) -> Optional[timedelta]:
        us = self._src.get("last_activity_us")
        return timedelta(microseconds=us) if us is not None else None

    last_activity_us = last_activity

    @property
    def state(self) -> EndpointState:
        return EndpointState(self._src.get("state"))

    def as_dict(self) -> Dict[str, Any]:
        return {k: v for k, v in self._src.items() if v is not None}


class EndpointPingReport(_Report):
    """One pinged endpoint: ``state`` (PingState), ``latency`` (timedelta), ``error``."""

    @property
    def error(self) -> Optional[str]:
        return self._src.get("error")

    @property
    def latency(self) -> Optional[timedelta]:
        us = self._src.get("latency_us")
        return timedelta(microseconds=us) if us is not None else None

    @property
    def state(self) -> PingState:
        return PingState(self._src.get("state"))

    def as_dict(self) -> Dict[str, Any]:
        return {k: v for k, v in self._src.items() if v is not None}
