"""The 4.x view API: ``bucket.view_query`` (ViewOptions -> ViewResult) and the names of
``couchbase.views`` (ViewScanConsistency, ViewOrdering, ViewErrorMode, ViewMetaData, ViewRow)."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Protocol, Sequence, Tuple, Type

    from couchbase._core.session import Session
    from couchbase.exceptions import CouchbaseException

    class ViewBucket(Protocol):
        """What a ViewResult and a ViewIndexManager (couchbase.management.views) need of their
        bucket: a Bucket, or the asyncio face's AsyncBucket."""

        @property
        def name(self) -> str: ...

        @property
        def _views_timeout(self) -> float: ...

        @property
        def _management_timeout(self) -> float: ...

        def _connection(self) -> Session: ...

import json
from datetime import timedelta
from enum import Enum
from urllib.parse import quote, urlencode

from couchbase._core import http as _http
from couchbase._core import viewrows as _viewrows
from couchbase._core.binding import C
from couchbase.exceptions import (
    AlreadyQueriedException, DesignDocumentNotFoundException, InternalServerFailureException,
    InvalidArgumentException, ParsingFailedException,
)


class ViewScanConsistency(Enum):
    NOT_BOUNDED = "ok"
    REQUEST_PLUS = "false"
    UPDATE_AFTER = "update_after"


class ViewOrdering(Enum):
    DESCENDING = "true"
    ASCENDING = "false"


class ViewErrorMode(Enum):
    CONTINUE = "continue"
    STOP = "stop"


class ViewMetaData:
    def __init__(self, raw: Optional[Dict[str, Any]]) -> None:
        self._raw = raw or {}

    def debug_info(self) -> Any:
        return self._raw.get("debug_info")

    def total_rows(self) -> Optional[int]:
        return self._raw.get("total_rows")

    def __repr__(self) -> str:
        return "ViewMetaData(%r)" % (self._raw,)


class ViewRow:
    """One row: ``key``, ``id`` (None for reduce rows), ``value``, ``document`` (None)."""

    __slots__ = ("key", "id", "value", "document")

    def __init__(self, key: Any = None, id: Optional[str] = None, value: Any = None, document: Any = None) -> None:
        self.key = key
        self.id = id
        self.value = value
        self.document = document

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ViewRow) and (self.key, self.id, self.value) == (other.key, other.id, other.value)

    def __repr__(self) -> str:
        return "ViewRow(key=%r, id=%r, value=%r)" % (self.key, self.id, self.value)


_JSON_OPTS = ("startkey", "endkey", "key", "keys")
_BOOL_OPTS = ("inclusive_end", "group", "reduce", "debug", "full_set")
_INT_OPTS = ("skip", "limit", "group_level")
_STR_OPTS = ("startkey_docid", "endkey_docid")


def encode_options(opts: Mapping[str, Any]) -> Tuple[str, Optional[bytes]]:
    """(query string, POST body) of ViewOptions; InvalidArgumentException for bad values."""
    params: List[Tuple[str, Any]] = []
    for name, value in opts.items():
        if name in ("timeout", "namespace", "client_context_id", "span", "parent_span", "serializer",
                    "query_string", "raw", "keys"):
            continue
        if name == "scan_consistency":
            params.append(("stale", _enum(value, ViewScanConsistency, name)))
        elif name == "order":
            params.append(("descending", _enum(value, ViewOrdering, name)))
        elif name == "on_error":
            params.append(("on_error", _enum(value, ViewErrorMode, name)))
        elif name in _JSON_OPTS:
            params.append((name, json.dumps(value)))
        elif name in _BOOL_OPTS:
            if not isinstance(value, bool):
                raise InvalidArgumentException("%s must be a bool" % name)
            params.append((name, "true" if value else "false"))
        elif name in _INT_OPTS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidArgumentException("%s must be a non-negative int" % name)
            params.append((name, str(value)))
        elif name in _STR_OPTS:
            if not isinstance(value, str):
                raise InvalidArgumentException("%s must be a str" % name)
            params.append((name, value))
        else:
            raise InvalidArgumentException("Unknown view option %r" % name)
    for k, v in (opts.get("raw") or {}).items():
        params.append((k, str(v)))
    qs = urlencode(params)
    extra = opts.get("query_string")
    if extra:
        qs = "&".join([qs] + list(extra)) if qs else "&".join(extra)
    keys = opts.get("keys")
    body = json.dumps({"keys": list(keys)}).encode() if keys is not None else None
    return qs, body


def _enum(value: Any, cls: Type[Enum], name: str) -> Any:
    if isinstance(value, cls):
        return value.value
    if isinstance(value, str) and value in [e.value for e in cls]:
        return value
    raise InvalidArgumentException("%s must be a %s" % (name, cls.__name__))


def _namespace_prefix(opts: Mapping[str, Any]) -> str:
    """"dev_" for the development namespace (the default), "" for production."""
    ns = opts.get("namespace")
    if ns is None:
        return "dev_"
    if isinstance(ns, str) and ns in ("production", "development"):
        return "" if ns == "production" else "dev_"
    value = getattr(ns, "value", None)      # a DesignDocumentNamespace
    if isinstance(value, bool):
        return "dev_" if value else ""
    raise InvalidArgumentException("namespace must be a DesignDocumentNamespace")


#: the most of an error answer's body that is read (for its message)
ERROR_BODY_LIMIT = 1 << 20


def view_error(status: int, body: bytes) -> CouchbaseException:
    """The 4.x exception for a non-2xx view or design-document answer."""
    try:
        doc = json.loads(body) if body else {}
    except ValueError:
        doc = {"reason": body[:200].decode("latin-1")}
    ctx = {"http_status": status, "http_body": body.decode("utf-8", "replace") if body else ""}
    msg = "%s: %s" % (doc.get("error", "http_%d" % status), doc.get("reason", ""))
    if status == 404:
        return DesignDocumentNotFoundException(msg, context=ctx)
    if status == 400:
        return InvalidArgumentException(msg, context=ctx)
    return InternalServerFailureException(msg, context=ctx)


def query_options(design_doc: Any, view_name: Any, view_options: Sequence[Any],
                  kwargs: Mapping[str, Any]) -> Dict[str, Any]:
    """The options of ``view_query(design_doc, view_name, *view_options, **kwargs)`` (the
    keyword arguments over the ViewOptions); InvalidArgumentException for names not str."""
    opts: Dict[str, Any] = {}
    for o in view_options:
        if isinstance(o, dict):
            opts.update(o)
    opts.update({k: v for k, v in kwargs.items() if v is not None})
    if not isinstance(design_doc, str) or not isinstance(view_name, str):
        raise InvalidArgumentException("design_doc and view_name must be str")
    return opts


def stream_error(failure: Any, error: Callable[[Any], CouchbaseException]) -> CouchbaseException:
    """The exception for a failure met while reading a view answer: ParsingFailedException
    for an answer that is not a view answer, else the HTTP client's ``error(failure)``."""
    if failure.rc == C.PROTOCOL_ERROR:
        return ParsingFailedException(failure.message)
    return error(failure)


class ViewResult:
    """The rows of a view query, streamed as they arrive; iterable once."""

    def __init__(self, bucket: ViewBucket, design_doc: str, view_name: str, opts: Dict[str, Any]) -> None:
        self._bucket = bucket
        self._design = design_doc
        self._view = view_name
        self._opts = opts
        self._qs, self._body = encode_options(opts)
        self._meta: Optional[Dict[str, Any]] = None
        self._started = False

    def rows(self) -> Iterator[ViewRow]:
        return iter(self)

    def metadata(self) -> ViewMetaData:
        return ViewMetaData(self._meta)

    def __iter__(self) -> Iterator[ViewRow]:
        if self._started:
            raise AlreadyQueriedException()
        self._started = True
        return self._rows()

    def _request(self) -> Tuple[str, str, Optional[bytes], float]:
        """(method, path, body, timeout in seconds) of the request to a views (CAPI) node;
        the timeout bounds the wait for the answer's head and for each piece of its body."""
        path = "/%s/_design/%s%s/_view/%s" % (quote(self._bucket.name, safe=""), _namespace_prefix(self._opts),
                                             quote(self._design, safe=""), quote(self._view, safe=""))
        if self._qs:
            path += "?" + self._qs
        timeout = self._opts.get("timeout")
        seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else self._bucket._views_timeout
        return "POST" if self._body else "GET", path, self._body, seconds

    @staticmethod
    def _row(raw: Dict[str, Any]) -> ViewRow:
        return ViewRow(raw.get("key"), raw.get("id"), raw.get("value"))

    def _rows(self) -> Iterator[ViewRow]:
        session = self._bucket._connection()
        client = session.http("capi")
        method, path, body, timeout = self._request()
        resp, _deadline, idle = client.open(method, path, body, "application/json", None, timeout, stream=True)
        try:
            if resp.status // 100 != 2:
                raise view_error(resp.status, resp.read(ERROR_BODY_LIMIT, None))
            stream = _viewrows.RowStream(resp.stream(None, idle))
            for batch in stream:
                for r in batch:
                    yield self._row(r)
            self._meta = stream.meta
        except _http._Failure as f:
            raise stream_error(f, client.error) from None
        finally:
            resp.close()

    def execute(self) -> List[ViewRow]:
        return list(self)

    def __repr__(self) -> str:
        return "ViewResult(%s/%s)" % (self._design, self._view)


__all__ = ["ViewScanConsistency", "ViewOrdering", "ViewErrorMode", "ViewMetaData", "ViewRow", "ViewResult"]
