"""View queries of the asyncio face (``bucket.view_query``): the blocking face's request
(couchbase._modern.views: options, path, timeout, errors) sent to a views (CAPI) node with the
event loop's HTTP client, its rows parsed by the blocking face's incremental parser as the
answer arrives."""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, AsyncIterator, Dict, Iterator, List

    from acouchbase.bucket import AsyncBucket

import asyncio

from couchbase._core import aio_http as _aio_http
from couchbase._core.viewrows import RowStream
from couchbase._modern.views import ERROR_BODY_LIMIT, ViewResult, ViewRow, stream_error, view_error
from couchbase.exceptions import AlreadyQueriedException

__all__ = ["AsyncViewResult"]


class AsyncViewResult(ViewResult):
    """The ViewResult of the asyncio face: ``async for row in result.rows()`` (or ``async for
    row in result``) sends the query and yields its ViewRows as they arrive; iterable once;
    ``metadata()`` once every row was read. ``await result.execute()``: the list of rows."""

    def __init__(self, bucket: AsyncBucket, design_doc: str, view_name: str, opts: Dict[str, Any]) -> None:
        super().__init__(bucket, design_doc, view_name, opts)
        self._async_bucket = bucket

    def rows(self) -> AsyncIterator[ViewRow]:  # type: ignore[override]
        return self.__aiter__()

    def __aiter__(self) -> AsyncIterator[ViewRow]:
        if self._started:
            raise AlreadyQueriedException()
        self._started = True
        return self._stream()

    def __iter__(self) -> Iterator[ViewRow]:
        raise NotImplementedError("Cannot use synchronous iterator, are you using `async for`?")

    async def execute(self) -> List[ViewRow]:  # type: ignore[override]
        return [row async for row in self]

    async def _stream(self) -> AsyncIterator[ViewRow]:
        bucket = self._async_bucket
        await bucket.on_connect()
        service = bucket._service("capi")
        method, path, body, timeout = self._request()
        ex, status, lower, _raw = await service.open(method, path, body, "application/json", timeout)
        try:
            if status // 100 != 2:
                raise view_error(status, await _aio_http.read_body(ex, method, status, lower, ERROR_BODY_LIMIT))
            loop = asyncio.get_running_loop()
            stream = RowStream()
            ex.deadline = loop.time() + timeout      # as the blocking face: `timeout` for each piece
            async for piece in ex.body(method, status, lower):
                for raw in stream.feed(piece):
                    yield self._row(raw)
                ex.deadline = loop.time() + timeout
            for raw in stream.finish():
                yield self._row(raw)
            stream.check_end()
            self._meta = stream.meta
        except _aio_http._Failure as f:
            raise stream_error(f, service.error) from None
        finally:
            ex.close()

    def __repr__(self) -> str:
        return "AsyncViewResult(%s/%s)" % (self._design, self._view)
