"""Full-text search names of the modern API: the query classes, SearchRequest, facets and
sorts. This SDK runs no search: ``cluster.search_query(...)``/``search(...)`` return a
SearchResult whose first use raises ServiceUnavailableException when the cluster has no
search service. The query objects build the JSON a search service reads (``encodable``)."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional

from enum import Enum

from couchbase._modern.services import SearchResult  # noqa: F401  (4.x path)
from couchbase.exceptions import InvalidArgumentException
from couchbase.options import SearchOptions  # noqa: F401

__all__ = ["SearchQuery", "MatchQuery", "MatchPhraseQuery", "TermQuery", "PhraseQuery", "PrefixQuery", "RegexQuery",
           "WildcardQuery", "QueryStringQuery", "DocIdQuery", "BooleanFieldQuery", "NumericRangeQuery",
           "DateRangeQuery", "TermRangeQuery", "GeoDistanceQuery", "GeoBoundingBoxQuery", "GeoPolygonQuery",
           "ConjunctionQuery", "DisjunctionQuery", "BooleanQuery", "MatchAllQuery", "MatchNoneQuery", "RawQuery",
           "SearchRequest", "SearchScanConsistency", "HighlightStyle", "MatchOperator", "Facet", "TermFacet",
           "NumericFacet", "DateFacet", "Sort", "SortScore", "SortID", "SortField", "SortGeoDistance",
           "SearchResult", "SearchOptions"]


class SearchScanConsistency(Enum):
    NOT_BOUNDED = "not_bounded"
    REQUEST_PLUS = "request_plus"


class HighlightStyle(Enum):
    Ansi = "ansi"
    Html = "html"


class MatchOperator(Enum):
    OR = "or"
    AND = "and"


class SearchQuery:
    """Base of the query classes: keyword options become JSON fields (``encodable``)."""

    _main: Optional[str] = None  # the JSON field of the positional argument

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._json: Dict[str, Any] = {}
        if self._main is not None:
            if len(args) != 1:
                raise InvalidArgumentException("%s takes one positional argument." % type(self).__name__)
            self._json[self._main] = args[0]
        elif args:
            raise InvalidArgumentException("%s takes keyword arguments only." % type(self).__name__)
        for k, v in kwargs.items():
            if v is not None:
                self._json[k] = v.value if isinstance(v, Enum) else v

    @property
    def encodable(self) -> Dict[str, Any]:
        return {k: (v.encodable if isinstance(v, SearchQuery) else
                    [x.encodable if isinstance(x, SearchQuery) else x for x in v] if isinstance(v, list) else v)
                for k, v in self._json.items()}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.__dict__.get("_json", {}).get(name)

    def __repr__(self) -> str:
        return "%s(%r)" % (type(self).__name__, self.encodable)


class MatchQuery(SearchQuery):
    _main = "match"


class MatchPhraseQuery(SearchQuery):
    _main = "match_phrase"


class TermQuery(SearchQuery):
    _main = "term"


class PrefixQuery(SearchQuery):
    _main = "prefix"


class RegexQuery(SearchQuery):
    _main = "regexp"


class WildcardQuery(SearchQuery):
    _main = "wildcard"


class QueryStringQuery(SearchQuery):
    _main = "query"


class BooleanFieldQuery(SearchQuery):
    _main = "bool"


class DocIdQuery(SearchQuery):
    _main = "ids"


class PhraseQuery(SearchQuery):
    def __init__(self, *terms: str, **kwargs: Any) -> None:
        if not terms:
            raise InvalidArgumentException("PhraseQuery needs at least one term.")
        super().__init__(terms=list(terms), **kwargs)


class _Range(SearchQuery):
    _low, _high = "min", "max"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args:
            raise InvalidArgumentException("%s takes keyword arguments only." % type(self).__name__)
        if kwargs.get(self._low) is None and kwargs.get(self._high) is None:
            raise InvalidArgumentException("%s needs %s or %s." % (type(self).__name__, self._low, self._high))
        super().__init__(**kwargs)


class NumericRangeQuery(_Range):
    pass


class TermRangeQuery(_Range):
    pass


class DateRangeQuery(_Range):
    _low, _high = "start", "end"


class GeoDistanceQuery(SearchQuery):
    def __init__(self, distance: str, location: Any, **kwargs: Any) -> None:
        super().__init__(distance=distance, location=list(location), **kwargs)


class GeoBoundingBoxQuery(SearchQuery):
    def __init__(self, top_left: Any, bottom_right: Any, **kwargs: Any) -> None:
        super().__init__(top_left=list(top_left), bottom_right=list(bottom_right), **kwargs)


class GeoPolygonQuery(SearchQuery):
    def __init__(self, polygon_points: List[Any], **kwargs: Any) -> None:
        super().__init__(polygon_points=[list(p) for p in polygon_points], **kwargs)


class ConjunctionQuery(SearchQuery):
    def __init__(self, *queries: SearchQuery, **kwargs: Any) -> None:
        super().__init__(conjuncts=list(queries), **kwargs)


class DisjunctionQuery(SearchQuery):
    def __init__(self, *queries: SearchQuery, **kwargs: Any) -> None:
        super().__init__(disjuncts=list(queries), **kwargs)


class BooleanQuery(SearchQuery):
    def __init__(self, must: Any = None, should: Any = None, must_not: Any = None, **kwargs: Any) -> None:
        super().__init__(must=must, should=should, must_not=must_not, **kwargs)


class MatchAllQuery(SearchQuery):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(match_all=None, **kwargs)
        self._json["match_all"] = None


class MatchNoneQuery(SearchQuery):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._json["match_none"] = None


class RawQuery(SearchQuery):
    def __init__(self, query: Dict[str, Any]) -> None:
        super().__init__()
        self._json = dict(query)


class SearchRequest:
    """A search query, a vector search, or both (``SearchRequest.create(...)``)."""

    def __init__(self, query: Optional[SearchQuery] = None, vector_search: Any = None) -> None:
        if query is None and vector_search is None:
            raise InvalidArgumentException("A SearchRequest needs a search query or a vector search.")
        self.search_query = query
        self.vector_search = vector_search

    @classmethod
    def create(cls, query: Any) -> SearchRequest:
        if isinstance(query, SearchQuery):
            return cls(query=query)
        return cls(vector_search=query)

    def with_search_query(self, query: SearchQuery) -> SearchRequest:
        self.search_query = query
        return self

    def with_vector_search(self, vector_search: Any) -> SearchRequest:
        self.vector_search = vector_search
        return self

    def __repr__(self) -> str:
        return "SearchRequest(%r, %r)" % (self.search_query, self.vector_search)


class Facet:
    def __init__(self, field: str, limit: Optional[int] = None) -> None:
        self.field = field
        self.limit = limit


class TermFacet(Facet):
    pass


class NumericFacet(Facet):
    def __init__(self, field: str, limit: Optional[int] = None) -> None:
        super().__init__(field, limit)
        self.ranges: List[Dict[str, Any]] = []

    def add_range(self, name: str, min: Optional[float] = None,  # noqa: A002 (4.x keywords)
                  max: Optional[float] = None) -> NumericFacet:
        self.ranges.append({"name": name, "min": min, "max": max})
        return self


class DateFacet(NumericFacet):
    def add_range(  # type: ignore[override]  # the 4.x keywords differ from NumericFacet's
            self, name: str, start: Optional[str] = None, end: Optional[str] = None) -> DateFacet:
        self.ranges.append({"name": name, "start": start, "end": end})
        return self


class Sort:
    def __init__(self, by: str, **kwargs: Any) -> None:
        self.by = by
        self.options = kwargs


class SortScore(Sort):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__("score", **kwargs)


class SortID(Sort):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__("id", **kwargs)


class SortField(Sort):
    def __init__(self, field: str, **kwargs: Any) -> None:
        super().__init__("field", field=field, **kwargs)


class SortGeoDistance(Sort):
    def __init__(self, location: Any, field: str, **kwargs: Any) -> None:
        super().__init__("geo_distance", location=location, field=field, **kwargs)
