"""Async view queries (acouchbase) on kept-alive HTTP connections against a new connection
per query, plain and over TLS, measured in the same run on one embedded cluster.

Each round runs QUERIES sequential queries of 10 rows with a fresh AsyncCluster; the
"new connection" variant swaps the bucket's views pool for one that keeps nothing (every
query then connects, and over TLS shakes hands, again). extra_info carries ms per query of
both and their ratio; a full run (`make bench`) fails unless kept-alive is the faster.

    .venv/bin/python -m pytest benchmarks/bench_aio_views.py --benchmark-only -s
"""
import asyncio
import time

import pytest

from couchbase._core import aio_http

USER, PASSWORD = "Administrator", "password"
DOCS = 50


def _quick(request):
    return request.config.getoption("benchmark_disable", False)


class _NoKeepAlive(aio_http.Pool):
    """A pool that keeps nothing: every request on a new connection."""

    def take(self, host, port):
        return None

    def give(self, host, port, reader, writer):
        writer.close()


@pytest.fixture(scope="module")
def views_cluster():
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.management.views import DesignDocument, DesignDocumentNamespace, View
    from couchbase.mock import MockCluster
    from couchbase.options import ClusterOptions

    with MockCluster(nodes=1, vbuckets=64, users={USER: PASSWORD}, tls=True) as m:
        cluster = Cluster.connect(m.connstr, ClusterOptions(PasswordAuthenticator(USER, PASSWORD)))
        bucket = cluster.bucket("default")
        for i in range(DOCS):
            bucket.default_collection().upsert("bench-%02d" % i, {"n": i})
        bucket.view_indexes().upsert_design_document(DesignDocument("bench", {"by_n": View(
            "function (doc, meta) { emit(doc.n, null); }")}), DesignDocumentNamespace.PRODUCTION)
        cluster.close()
        yield m


def _per_query_ms(m, tls, queries, keep_alive):
    """Milliseconds per query of `queries` sequential 10-row queries."""
    from acouchbase.cluster import Cluster
    from couchbase.auth import PasswordAuthenticator
    from couchbase.management.views import DesignDocumentNamespace
    from couchbase.options import ClusterOptions, ViewOptions

    opts = ViewOptions(namespace=DesignDocumentNamespace.PRODUCTION, limit=10)

    async def main():
        cluster = await Cluster.connect(m.connstr_tls if tls else m.connstr, ClusterOptions(
            PasswordAuthenticator(USER, PASSWORD, cert_path=m.ca_cert if tls else None)))
        bucket = cluster.bucket("default")
        await bucket.on_connect()
        if not keep_alive:
            bucket._service("capi").pool = _NoKeepAlive()
        t = time.perf_counter()
        for _ in range(queries):
            rows = [r async for r in bucket.view_query("bench", "by_n", opts)]
            assert len(rows) == 10
        took = time.perf_counter() - t
        await cluster.close()
        return took * 1e3 / queries

    return asyncio.run(main())


@pytest.mark.parametrize("tls", [False, True], ids=["plain", "tls"])
def bench_async_view_query_kept_alive_vs_new_connection(benchmark, request, views_cluster, tls):
    queries = 5 if _quick(request) else 200
    rounds = 1 if _quick(request) else 3
    fresh = min(_per_query_ms(views_cluster, tls, queries, False) for _ in range(rounds))
    times = []
    benchmark.pedantic(lambda: times.append(_per_query_ms(views_cluster, tls, queries, True)), rounds=rounds,
                       iterations=1)
    kept = min(times)
    benchmark.extra_info.update(queries=queries, kept_alive_ms=round(kept, 3), new_connection_ms=round(fresh, 3),
                                ratio=round(kept / fresh, 2))
    print("\n%s: %.2f ms per query kept-alive vs %.2f ms on a new connection (ratio %.2f)"
          % ("tls" if tls else "plain", kept, fresh, kept / fresh))
    if not _quick(request):
        assert kept < fresh
