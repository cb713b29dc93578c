"""Views: the classic API's ``couchbase.views.params`` (Query) and
``couchbase.views.iterator`` (View, ViewRow, RowProcessor), and the 4.x names
(``ViewScanConsistency``, ``ViewOrdering``, ``ViewErrorMode``, ``ViewMetaData``, ``ViewRow``)."""

from couchbase._modern.views import (  # noqa: F401,E402  (4.x names, re-exported for type checkers)
    ViewErrorMode as ViewErrorMode, ViewMetaData as ViewMetaData, ViewOrdering as ViewOrdering, ViewRow as ViewRow,
    ViewScanConsistency as ViewScanConsistency,
)
