"""Views: the classic API's ``couchbase.views.params`` (Query) and
``couchbase.views.iterator`` (View, ViewRow, RowProcessor), and the 4.x names
(``ViewScanConsistency``, ``ViewOrdering``, ``ViewErrorMode``, ``ViewMetaData``, ``ViewRow``)."""
