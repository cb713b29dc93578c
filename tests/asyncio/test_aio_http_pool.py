"""Kept-alive HTTP connections of the asyncio face (couchbase._core.aio_http.Pool): view
queries and management requests of a bucket share a connection; an answer read to its end
(Content-Length or chunked) leaves it reusable; one the server closes, or a stream left
unread, is not reused; a pooled connection the server closed before answering is replaced
once; closing the pool closes its connections."""
import asyncio

import pytest

from aiohelpers import connect, run
from couchbase._core import aio_http
from couchbase.management.views import DesignDocument, DesignDocumentNamespace, View
from couchbase.options import ViewOptions
from couchbase.views import ViewScanConsistency

pytestmark = pytest.mark.mock

PROD = DesignDocumentNamespace.PRODUCTION
FRESH = ViewOptions(namespace=PROD, scan_consistency=ViewScanConsistency.REQUEST_PLUS)


class FakeHttp:
    """An HTTP/1.1 server on 127.0.0.1 for one test: answers each request with `answer(n)`
    (n: the request's number on its connection, from 1), or closes the connection without
    answering when that returns None. Counts connections and requests."""

    def __init__(self, answer):
        self.answer = answer
        self.connections = 0
        self.requests = 0
        self.eofs = 0

    async def _serve(self, reader, writer):
        self.connections += 1
        n = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")]
                if length and length[0]:
                    await reader.readexactly(length[0])
                n += 1
                self.requests += 1
                out = self.answer(n)
                if out is None:
                    break
                writer.write(out)
                await writer.drain()
        except asyncio.IncompleteReadError:
            self.eofs += 1
        finally:
            writer.close()

    async def __aenter__(self):
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc):
        self.server.close()


def _length(body, extra=b""):
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


def _chunked(body):
    return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)


async def _get(server, pool, path="/"):
    status, _h, body = await aio_http.request("127.0.0.1", server.port, "GET", path, timeout=5, pool=pool)
    return status, body


def _gets_through_a_pool(answer, count):
    """(status, body) of `count` GETs in a row through one Pool to a FakeHttp answering with
    `answer`, and how many connections the server saw."""
    async def main():
        async with FakeHttp(answer) as server:
            pool = aio_http.Pool()
            got = [await _get(server, pool) for _ in range(count)]
            pool.close()
            return got, server.connections

    return asyncio.run(main())


def test_answers_with_a_length_share_one_connection():
    got, connections = _gets_through_a_pool(lambda n: _length(b"answer %d" % n), 3)
    assert got == [(200, b"answer 1"), (200, b"answer 2"), (200, b"answer 3")]
    assert connections == 1


def test_a_chunked_answer_leaves_the_connection_reusable():
    got, connections = _gets_through_a_pool(lambda n: _chunked(b"chunk %d" % n), 3)
    assert got == [(200, b"chunk 1"), (200, b"chunk 2"), (200, b"chunk 3")]
    assert connections == 1


def test_an_answer_saying_connection_close_is_not_reused():
    got, connections = _gets_through_a_pool(lambda n: _length(b"once", b"Connection: close\r\n"), 2)
    assert got == [(200, b"once"), (200, b"once")]
    assert connections == 2


def test_a_pooled_connection_closed_by_the_server_before_answering_is_replaced_once():
    # the first connection answers its first request and drops its second unanswered, as a
    # server whose idle timeout struck just as the request arrived
    state = {"first": True}

    def answer(n):
        if n == 2 and state.pop("first", False):
            return None
        return _length(b"n%d" % n)

    got, connections = _gets_through_a_pool(answer, 2)
    assert got == [(200, b"n1"), (200, b"n1")]  # the second, resent on a new connection
    assert connections == 2


def test_closing_the_pool_closes_its_idle_connections():
    async def main():
        async with FakeHttp(lambda n: _length(b"x")) as server:
            pool = aio_http.Pool()
            await _get(server, pool)
            pool.close()
            for _ in range(100):
                if server.eofs:
                    break
                await asyncio.sleep(0.01)
            return server.eofs

    assert asyncio.run(main()) == 1


@pytest.fixture(scope="module")
def design(one_node):
    from couchbase.cluster import Cluster
    from aiohelpers import options

    cluster = Cluster.connect(one_node.connstr, options())
    bucket = cluster.bucket("default")
    coll = bucket.default_collection()
    for i in range(30):
        coll.upsert("pool-%02d" % i, {"suite": "pool", "n": i})
    bucket.view_indexes().upsert_design_document(DesignDocument("pooled", {"by_n": View(
        "function (doc, meta) { if (doc.suite == 'pool') emit(doc.n, null); }")}), PROD)
    cluster.close()
    return one_node


def _counting_opens(monkeypatch):
    opened = []
    real = aio_http._open

    async def spy(host, port, tls, deadline, loop):
        opened.append(port)
        return await real(host, port, tls, deadline, loop)

    monkeypatch.setattr(aio_http, "_open", spy)
    return opened


def test_view_queries_of_a_bucket_share_one_connection(design, monkeypatch):
    async def main():
        cluster, b = await connect(design)
        opened = _counting_opens(monkeypatch)
        counts = []
        for _ in range(4):
            counts.append(len([r async for r in b.view_query("pooled", "by_n", FRESH)]))
        await b.view_indexes().get_design_document("pooled", PROD)
        await cluster.close()
        return counts, opened

    counts, opened = run(main)
    assert counts == [30, 30, 30, 30]
    assert len(opened) == 1


def test_a_view_stream_left_unread_is_not_reused(design, monkeypatch):
    async def main():
        cluster, b = await connect(design)
        opened = _counting_opens(monkeypatch)
        async for _row in b.view_query("pooled", "by_n", FRESH):
            break
        rows = [r.key async for r in b.view_query("pooled", "by_n", FRESH)]
        await cluster.close()
        return rows, opened

    rows, opened = run(main)
    assert rows == list(range(30))
    assert len(opened) == 2
