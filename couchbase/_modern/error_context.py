"""Error contexts of the modern API: what a 4.x exception's ``error_context`` describes.

A leaf (it imports nothing from the SDK), so couchbase.exceptions can offer these classes at
their 4.x path without losing its own leaf property. Each context is a dict of fields given
as keyword arguments; the properties read them (None when absent).
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Type


def _field(name: str, default: Any = None) -> Any:
    return property(lambda self: self._fields.get(name, default), doc="The %r field." % name)


class ErrorContext:
    """Base of the error contexts: where the request went and how often it was retried."""

    def __init__(self, **kwargs: Any) -> None:
        self._fields: Dict[str, Any] = dict(kwargs)

    last_dispatched_to = _field("last_dispatched_to")
    last_dispatched_from = _field("last_dispatched_from")
    retry_attempts = _field("retry_attempts", 0)
    retry_reasons = _field("retry_reasons")

    @staticmethod
    def from_dict(**kwargs: Any) -> ErrorContext:
        """The context class the fields describe (``context_type``), built from them."""
        cls = _TYPES.get(kwargs.get("context_type"), ErrorContext)
        return cls(**kwargs)

    def _get_base(self) -> Dict[str, Any]:
        return self._fields

    def as_dict(self) -> Dict[str, Any]:
        return dict(self._fields)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._fields == other._fields

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "%s(%s)" % (type(self).__name__, self._fields)

    __str__ = __repr__


class KeyValueErrorContext(ErrorContext):
    """A key-value request: key, bucket, scope, collection, opaque and server status."""

    key = _field("key")
    bucket_name = _field("bucket_name")
    scope_name = _field("scope_name")
    collection_name = _field("collection_name")
    opaque = _field("opaque")
    status_code = _field("status_code")
    error_map_info = _field("error_map_info")
    extended_error_info = _field("extended_error_info")


class SubdocumentErrorContext(KeyValueErrorContext):
    """A sub-document request: adds the first failing path and its index."""

    first_error_path = _field("first_error_path")
    first_error_index = _field("first_error_index")
    deleted = _field("deleted", False)


class HTTPErrorContext(ErrorContext):
    """An HTTP request to a service: method, path, status and body."""

    method = _field("method")
    response_code = _field("http_status")
    path = _field("path")
    response_body = _field("http_body")
    client_context_id = _field("client_context_id")


class ManagementErrorContext(ErrorContext):
    """A management (REST) request: status, path and the answer's content."""

    response_code = _field("http_status")
    path = _field("path")
    content = _field("content")
    client_context_id = _field("client_context_id")


class QueryErrorContext(HTTPErrorContext):
    first_error_code = _field("first_error_code")
    first_error_message = _field("first_error_message")
    statement = _field("statement")
    parameters = _field("parameters")


class AnalyticsErrorContext(HTTPErrorContext):
    first_error_code = _field("first_error_code")
    first_error_message = _field("first_error_message")
    statement = _field("statement")
    parameters = _field("parameters")


class SearchErrorContext(HTTPErrorContext):
    index_name = _field("index_name")
    query = _field("query")
    parameters = _field("parameters")


class ViewErrorContext(HTTPErrorContext):
    design_document_name = _field("design_document_name")
    view_name = _field("view_name")
    query_string = _field("query_string")


class TransactionsErrorContext(ErrorContext):
    failure_type = _field("failure_type")


_TYPES: Dict[Any, Type[ErrorContext]] = {
    "KeyValueErrorContext": KeyValueErrorContext, "SubdocumentErrorContext": SubdocumentErrorContext,
    "HTTPErrorContext": HTTPErrorContext, "ManagementErrorContext": ManagementErrorContext,
    "QueryErrorContext": QueryErrorContext, "AnalyticsErrorContext": AnalyticsErrorContext,
    "SearchErrorContext": SearchErrorContext, "ViewErrorContext": ViewErrorContext,
    "TransactionsErrorContext": TransactionsErrorContext,
}
