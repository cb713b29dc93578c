"""Query (N1QL/SQL++) names of the modern API: scan consistency, profile, status and the
result class. This SDK runs no query: ``cluster.query(...)`` returns a QueryResult whose
first use raises ServiceUnavailableException when the cluster has no query service."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from enum import Enum

from couchbase._modern.services import QueryResult  # noqa: F401  (4.x path)
from couchbase.options import QueryOptions  # noqa: F401

__all__ = ["QueryScanConsistency", "QueryProfile", "QueryStatus", "QueryResult", "QueryOptions", "N1QLQuery"]


class QueryScanConsistency(Enum):
    NOT_BOUNDED = "not_bounded"
    REQUEST_PLUS = "request_plus"
    AT_PLUS = "at_plus"


class QueryProfile(Enum):
    OFF = "off"
    PHASES = "phases"
    TIMINGS = "timings"


class QueryStatus(Enum):
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


class N1QLQuery:
    """A statement and its parameters (kept for 3.x code that builds queries this way)."""

    def __init__(self, query: str, *args: Any, **kwargs: Any) -> None:
        self.statement = query
        self.positional_parameters = list(args)
        self.named_parameters = dict(kwargs)

    def __repr__(self) -> str:
        return "N1QLQuery(%r)" % (self.statement,)
