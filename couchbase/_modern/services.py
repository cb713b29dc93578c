"""The services this SDK does not run (query, analytics, search): their entry points return
the 4.x result objects, whose first use raises ServiceUnavailableException when no node of
the cluster runs the service (as the 4.x SDK does against such a cluster), and
FeatureUnavailableException when one does (this SDK sends no query to it)."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Iterator, List, NoReturn, Optional, Sequence

from couchbase._modern.kv import _check_keys, _merge
from couchbase.exceptions import (
    AnalyticsErrorContext, FeatureUnavailableException, InvalidArgumentException, QueryErrorContext,
    SearchErrorContext, ServiceUnavailableException,
)
from couchbase.options import AnalyticsOptions, QueryOptions, SearchOptions


class _ServiceResult:
    """A query's result: ``rows()``, ``execute()``, ``metadata()`` and iteration raise."""

    _service: Optional[str] = None      # cluster_nodes service key
    _name: Optional[str] = None         # the service's name in messages
    _context: Any = None                # the error context class

    def __init__(self, cluster: Any, context: Dict[str, Any]) -> None:
        self._cluster = cluster
        self._ctx = context

    def _raise(self) -> NoReturn:
        try:
            runs = self._cluster._nodes.has_service(self._service)
        except Exception:  # the nodes could not be read: the service is not reachable either
            runs = False
        ctx = self._context(**self._ctx)
        if runs:
            raise FeatureUnavailableException("This SDK does not send %s requests." % self._name, context=ctx)
        raise ServiceUnavailableException("No node of the cluster runs the %s service." % self._name, context=ctx)

    def rows(self) -> Iterator[Any]:
        self._raise()

    def execute(self) -> List[Any]:
        self._raise()

    def metadata(self) -> Any:
        self._raise()

    def __iter__(self) -> Iterator[Any]:
        self._raise()

    def __repr__(self) -> str:
        return "%s(%r)" % (type(self).__name__, self._ctx)


class QueryResult(_ServiceResult):
    _service, _name, _context = "query", "query", QueryErrorContext


class AnalyticsResult(_ServiceResult):
    _service, _name, _context = "analytics", "analytics", AnalyticsErrorContext


class SearchResult(_ServiceResult):
    _service, _name, _context = "search", "search", SearchErrorContext

    def facets(self) -> Dict[str, Any]:
        self._raise()


class ScopeSearchResult(SearchResult):
    """A scope-level search: needs search indexes scoped to collections, which a cluster
    without a search service cannot offer (FeatureUnavailableException, as in 4.x)."""

    def _raise(self) -> NoReturn:
        if not self._cluster._nodes.has_service(self._service):
            raise FeatureUnavailableException("Scope-level search indexes are not available on this cluster.",
                                              context=self._context(**self._ctx))
        super()._raise()


def _statement(statement: str) -> str:
    if not isinstance(statement, str):
        raise InvalidArgumentException("The statement must be a str.")
    return statement


def query(cluster: Any, statement: str, opts: Sequence[Any], kwargs: Dict[str, Any],
          query_context: Optional[str] = None) -> QueryResult:
    o = _merge(opts, kwargs)
    if o:
        _check_keys(o, QueryOptions._valid | {"positional_parameters", "named_parameters"}, "query")
    cluster._check_open()
    return QueryResult(cluster, {"statement": _statement(statement), "query_context": query_context})


def analytics_query(cluster: Any, statement: str, opts: Sequence[Any], kwargs: Dict[str, Any],
                    query_context: Optional[str] = None) -> AnalyticsResult:
    o = _merge(opts, kwargs)
    if o:
        _check_keys(o, AnalyticsOptions._valid, "analytics_query")
    cluster._check_open()
    return AnalyticsResult(cluster, {"statement": _statement(statement), "query_context": query_context})


def search(cluster: Any, index: str, request: Any, opts: Sequence[Any], kwargs: Dict[str, Any],
           scope: Optional[str] = None) -> SearchResult:
    o = _merge(opts, kwargs)
    if o:
        _check_keys(o, SearchOptions._valid, "search")
    cluster._check_open()
    if not isinstance(index, str):
        raise InvalidArgumentException("The index name must be a str.")
    cls = ScopeSearchResult if scope is not None else SearchResult
    return cls(cluster, {"index_name": index, "query": repr(request), "scope": scope})
