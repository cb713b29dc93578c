"""View results of the classic API: ``View`` (iterate once for rows), ``ViewRow`` and row
processors.

Nothing goes over the network until a View is iterated. Without ``streaming`` the whole
answer is read and decoded at once; with ``streaming=True`` rows are parsed as they arrive
(couchbase._core.viewrows), so memory stays flat however large the view. Rows reach the
row processor a page at a time; ``include_docs`` fetches each page's documents with one
batched ``get_multi``.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

    from couchbase.connection import Connection

import json
import warnings
from collections import namedtuple
from urllib.parse import quote

from couchbase._core import http as _http
from couchbase._core import viewrows as _viewrows
from couchbase.exceptions import AlreadyQueriedError, ArgumentError, HTTPError, ViewEngineError
from couchbase.exceptions import exception_for, CLASSIC
from couchbase.result import HttpResult
from couchbase.views.params import UNSPEC, Query

__all__ = ["View", "ViewRow", "RowProcessor", "AlreadyQueriedError", "MAX_URI_LENGTH"]

#: Longer query strings send ``keys`` in a POST body instead.
MAX_URI_LENGTH = 2048
#: Rows handed to the row processor at a time (and fetched per get_multi with include_docs).
ROWS_PER_PAGE = 1000

ViewRow = namedtuple("ViewRow", "key value docid doc")


class RowProcessor:
    """Turns a page of decoded rows into ``rowclass(key, value, docid, doc)`` objects."""

    def __init__(self, rowclass: Callable[..., Any] = ViewRow) -> None:
        self.rowclass = rowclass

    def handle_rows(self, rows: List[Dict[str, Any]], connection: Connection, include_docs: bool) -> List[Any]:
        docs: Any = {}
        if include_docs:
            ids = [r["id"] for r in rows if r.get("id") is not None]
            if ids:
                docs = connection.get_multi(list(dict.fromkeys(ids)), quiet=True)
        cls = self.rowclass
        out: List[Any] = []
        for r in rows:
            docid = r.get("id")
            doc = None
            if include_docs and docid is not None:
                doc = docs.get(docid)
                if doc is None:
                    warnings.warn("Document %r of a view row is missing from the fetched documents" % (docid,))
            out.append(cls(r.get("key"), r.get("value"), docid, doc))
        return out


class View:
    """The rows of ``design/view`` with the given query (see Connection.query)."""

    def __init__(self, parent: Connection, design: str, view: str, row_processor: Optional[RowProcessor] = None,
                 streaming: Any = 0, include_docs: bool = False, query: Union[None, Query, Dict[str, Any], str] = None,
                 **params: Any) -> None:
        if query is not None and params:
            raise ArgumentError.pyexc("Pass either a query object or keyword parameters, not both", obj=params)
        self._query = Query.from_any(query) if query is not None else Query(**params)
        if include_docs and any(self._query._get(n) not in (False, "false") and self._query._get(n)
                                for n in ("reduce", "group", "group_level")):
            raise ArgumentError.pyexc("include_docs cannot be used with reduce or grouping", obj=self._query)
        self._parent = parent
        self.design = design
        self.view = view
        self.row_processor = row_processor if row_processor is not None else RowProcessor()
        self._streaming = bool(streaming)
        self.include_docs = include_docs
        self.raw: Optional[HttpResult] = None
        self.rows_returned = 0
        self.indexed_rows = 0
        self.errors: List[Any] = []
        self._queried = False

    @property
    def query(self) -> Query:
        return self._query

    @property
    def streaming(self) -> bool:
        return self._streaming

    def _request(self) -> Tuple[str, str, Optional[bytes]]:
        """(method, path, body) of the request."""
        path = "/%s/_design/%s/_view/%s" % (quote(self._parent.bucket, safe=""), quote(self.design, safe=""),
                                          quote(self.view, safe=""))
        qs = self._query.encoded
        body = None
        if self._query.has_blob and len(path) + len(qs) + 1 > MAX_URI_LENGTH:
            q = self._query.update(copy=True, keys=UNSPEC)
            body = json.dumps({"keys": list(self._query.keys)}).encode()
            qs = q.encoded
        return ("POST" if body else "GET"), (path + "?" + qs if qs else path), body

    def __iter__(self) -> Iterator[Any]:
        if self._queried:
            raise AlreadyQueriedError.pyexc("This view was already queried", obj=self)
        self._queried = True
        return self._rows()

    def _rows(self) -> Iterator[Any]:
        conn = self._parent
        session = conn._session
        client = session.http("capi")
        method, path, body = self._request()
        timeout = conn.views_timeout
        session.enter()
        try:
            resp, deadline, idle = client.open(method, path, body, "application/json", None, timeout,
                                               stream=self._streaming)
            if resp.status // 100 != 2 or not self._streaming:
                data = _read(resp, deadline)
        finally:
            session.leave()
        self.raw = HttpResult(0, resp.status, None, path, dict(resp.raw_headers))
        if resp.status // 100 != 2:
            self.raw.value = _decoded(data)
            raise HTTPError({"message": "HTTP Request failed. Examine 'objextra' for full result",
                             "key": path, "objextra": self.raw})
        if not self._streaming:
            try:
                rows, meta = _viewrows.parse_body(data)
            except _http._Failure as f:
                raise _http.as_error(f) from None
            self._meta(meta)
            for i in range(0, len(rows), ROWS_PER_PAGE):
                yield from self._page(rows[i:i + ROWS_PER_PAGE])
            return
        stream = _viewrows.RowStream(_locked(resp.stream(None, idle), session))
        try:
            page: List[Dict[str, Any]] = []
            for batch in stream:
                if "total_rows" in stream.meta:
                    self.indexed_rows = stream.meta["total_rows"]
                page.extend(batch)
                if len(page) >= ROWS_PER_PAGE:
                    yield from self._page(page)
                    page = []
            if page:
                yield from self._page(page)
        except _http._Failure as f:
            raise _http.as_error(f) from None
        finally:
            resp.close()
        self._meta(stream.meta)

    def _page(self, rows: List[Dict[str, Any]]) -> Iterator[Any]:
        self.rows_returned += len(rows)
        for r in self.row_processor.handle_rows(rows, self._parent, self.include_docs):
            yield r

    def _meta(self, meta: Dict[str, Any]) -> None:
        self.raw.value = meta  # type: ignore[union-attr]  # set by _rows before
        self.indexed_rows = meta.get("total_rows", self.indexed_rows)
        errors = meta.get("errors") or []
        self.errors.extend(errors)
        if errors:
            if self._query._get("on_error") == "continue":
                warnings.warn("The view engine reported errors: %r" % (errors,))
            else:
                raise ViewEngineError.pyexc("The view engine reported errors", obj=errors)

    def __repr__(self) -> str:
        return "View<Design=%s, View=%s, Query=%r, Rows Fetched=%d>" % (self.design, self.view, self._query,
                                                                        self.rows_returned)


def _read(resp: Any, deadline: Any) -> Any:
    try:
        return resp.read(_http.MAX_BODY, deadline)
    except _http._Failure as f:
        raise exception_for(CLASSIC, f.rc, f.message, inner_cause=f.cause) from None


def _decoded(data: bytes) -> Any:
    try:
        return json.loads(data) if data else None
    except ValueError:
        return data


def _locked(pieces: Iterable[bytes], session: Any) -> Iterator[bytes]:
    """Each read of a streamed answer under the connection's lock."""
    it = iter(pieces)
    while True:
        session.enter()
        try:
            piece = next(it, None)
        finally:
            session.leave()
        if piece is None:
            return
        yield piece
