"""Analytics names of the modern API. This SDK runs no analytics query:
``cluster.analytics_query(...)`` returns an AnalyticsResult whose first use raises
ServiceUnavailableException when the cluster has no analytics service."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from enum import Enum

from couchbase._modern.services import AnalyticsResult  # noqa: F401  (4.x path)
from couchbase.options import AnalyticsOptions  # noqa: F401

__all__ = ["AnalyticsScanConsistency", "AnalyticsStatus", "AnalyticsResult", "AnalyticsOptions", "AnalyticsQuery"]


class AnalyticsScanConsistency(Enum):
    NOT_BOUNDED = "not_bounded"
    REQUEST_PLUS = "request_plus"


class AnalyticsStatus(Enum):
    RUNNING = "running"
    SUCCESS = "success"
    ERRORS = "errors"
    COMPLETED = "completed"
    STOPPED = "stopped"
    TIMEOUT = "timeout"
    CLOSED = "closed"
    FATAL = "fatal"
    ABORTED = "aborted"
    UNKNOWN = "unknown"


class AnalyticsQuery:
    """A statement and its parameters (3.x style)."""

    def __init__(self, query: str, *args: Any, **kwargs: Any) -> None:
        self.statement = query
        self.positional_parameters = list(args)
        self.named_parameters = dict(kwargs)
