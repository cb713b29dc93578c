"""Full-text search names of the modern API: the query classes, SearchRequest, facets and
sorts. This SDK runs no search: ``cluster.search_query(...)``/``search(...)`` return a
SearchResult whose first use raises ServiceUnavailableException when the cluster has no
search service. The query objects build the JSON a search service reads (``encodable``)."""
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

    _main = None  # the JSON field of the positional argument

    def __init__(self, *args, **kwargs):
        self._json = {}
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
    def encodable(self):
        return {k: (v.encodable if isinstance(v, SearchQuery) else
                    [x.encodable if isinstance(x, SearchQuery) else x for x in v] if isinstance(v, list) else v)
                for k, v in self._json.items()}

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.__dict__.get("_json", {}).get(name)

    def __repr__(self):
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
    def __init__(self, *terms, **kwargs):
        if not terms:
            raise InvalidArgumentException("PhraseQuery needs at least one term.")
        super().__init__(terms=list(terms), **kwargs)


class _Range(SearchQuery):
    _low, _high = "min", "max"

    def __init__(self, *args, **kwargs):
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
    def __init__(self, distance, location, **kwargs):
        super().__init__(distance=distance, location=list(location), **kwargs)


class GeoBoundingBoxQuery(SearchQuery):
    def __init__(self, top_left, bottom_right, **kwargs):
        super().__init__(top_left=list(top_left), bottom_right=list(bottom_right), **kwargs)


class GeoPolygonQuery(SearchQuery):
    def __init__(self, polygon_points, **kwargs):
        super().__init__(polygon_points=[list(p) for p in polygon_points], **kwargs)


class ConjunctionQuery(SearchQuery):
    def __init__(self, *queries, **kwargs):
        super().__init__(conjuncts=list(queries), **kwargs)


class DisjunctionQuery(SearchQuery):
    def __init__(self, *queries, **kwargs):
        super().__init__(disjuncts=list(queries), **kwargs)


class BooleanQuery(SearchQuery):
    def __init__(self, must=None, should=None, must_not=None, **kwargs):
        super().__init__(must=must, should=should, must_not=must_not, **kwargs)


class MatchAllQuery(SearchQuery):
    def __init__(self, **kwargs):
        super().__init__(match_all=None, **kwargs)
        self._json["match_all"] = None


class MatchNoneQuery(SearchQuery):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._json["match_none"] = None


class RawQuery(SearchQuery):
    def __init__(self, query):
        super().__init__()
        self._json = dict(query)


class SearchRequest:
    """A search query, a vector search, or both (``SearchRequest.create(...)``)."""

    def __init__(self, query=None, vector_search=None):
        if query is None and vector_search is None:
            raise InvalidArgumentException("A SearchRequest needs a search query or a vector search.")
        self.search_query = query
        self.vector_search = vector_search

    @classmethod
    def create(cls, query):
        if isinstance(query, SearchQuery):
            return cls(query=query)
        return cls(vector_search=query)

    def with_search_query(self, query):
        self.search_query = query
        return self

    def with_vector_search(self, vector_search):
        self.vector_search = vector_search
        return self

    def __repr__(self):
        return "SearchRequest(%r, %r)" % (self.search_query, self.vector_search)


class Facet:
    def __init__(self, field, limit=None):
        self.field = field
        self.limit = limit


class TermFacet(Facet):
    pass


class NumericFacet(Facet):
    def __init__(self, field, limit=None):
        super().__init__(field, limit)
        self.ranges = []

    def add_range(self, name, min=None, max=None):  # noqa: A002 (4.x keywords)
        self.ranges.append({"name": name, "min": min, "max": max})
        return self


class DateFacet(NumericFacet):
    def add_range(self, name, start=None, end=None):
        self.ranges.append({"name": name, "start": start, "end": end})
        return self


class Sort:
    def __init__(self, by, **kwargs):
        self.by = by
        self.options = kwargs


class SortScore(Sort):
    def __init__(self, **kwargs):
        super().__init__("score", **kwargs)


class SortID(Sort):
    def __init__(self, **kwargs):
        super().__init__("id", **kwargs)


class SortField(Sort):
    def __init__(self, field, **kwargs):
        super().__init__("field", field=field, **kwargs)


class SortGeoDistance(Sort):
    def __init__(self, location, field, **kwargs):
        super().__init__("geo_distance", location=location, field=field, **kwargs)
