"""Views of the asyncio face against the blocking modern face on the same data: the async
view-index manager's design-document round trip, a view query's rows and metadata, the
query options, the errors, a timeout against a stalled views service -- on asyncio's own
loop and on uvloop, with no callback of the SDK running longer than the watchdog's
threshold and no thread started."""
import asyncio
import contextlib
import threading
import time
from datetime import timedelta

import pytest

from aiohelpers import SLOW, Watchdog, connect, options, run
from couchbase.exceptions import (
    AlreadyQueriedException, DesignDocumentNotFoundException, UnAmbiguousTimeoutException,
)
from couchbase.management.views import DesignDocument, DesignDocumentNamespace, View
from couchbase.options import ViewOptions
from couchbase.views import ViewMetaData, ViewOrdering, ViewRow, ViewScanConsistency

pytestmark = pytest.mark.mock

DEV, PROD = DesignDocumentNamespace.DEVELOPMENT, DesignDocumentNamespace.PRODUCTION
FRESH = ViewScanConsistency.REQUEST_PLUS
#: the design document the queries read (production), over this module's documents only
DDOC = "aio-views"
VIEWS = {
    "by_n": View("function (doc, meta) { if (doc.suite == 'aio-views') emit(doc.n, doc.name); }"),
    "by_kind": View("function (doc, meta) { if (doc.suite == 'aio-views') emit([doc.kind, doc.n], doc.n); }",
                    "_sum"),
}
DOCS = {"aio-views-%02d" % i: {"suite": "aio-views", "n": i, "name": "doc %d" % i, "kind": "k%d" % (i % 3)}
        for i in range(20)}


def blocking_bucket(mock):
    from couchbase.cluster import Cluster

    cluster = Cluster.connect(mock.connstr, options())
    return cluster, cluster.bucket("default")


def load(mock):
    """Write the documents and the production design document with the blocking face; `mock`."""
    cluster, bucket = blocking_bucket(mock)
    try:
        coll = bucket.default_collection()
        for k, v in DOCS.items():
            coll.upsert(k, v)
        bucket.view_indexes().upsert_design_document(DesignDocument(DDOC, dict(VIEWS)), PROD)
    finally:
        cluster.close()
    return mock


@pytest.fixture(scope="module", params=["one_node", "three_nodes"])
def data(request):
    """The documents and the production design document, written by the blocking face."""
    return load(request.getfixturevalue(request.param))


@pytest.fixture(scope="module")
def one_node_data(one_node):
    """The documents and design document on the one-node cluster only."""
    return load(one_node)


def shape(result_rows, meta):
    """A comparable form of a query's rows and metadata."""
    return {"rows": [[r.key, r.id, r.value] for r in result_rows], "total_rows": meta.total_rows(),
            "classes": sorted({type(r).__name__ for r in result_rows} | {type(meta).__name__})}


def blocking_query(mock, view, **kw):
    cluster, bucket = blocking_bucket(mock)
    try:
        res = bucket.view_query(DDOC, view, ViewOptions(namespace=PROD, scan_consistency=FRESH, **kw))
        return shape(list(res.rows()), res.metadata())
    finally:
        cluster.close()


def async_run(mock, loop_kind, body):
    """body(bucket) on a new loop of `loop_kind` under the watchdog: (its result, watchdog)."""
    wd = Watchdog()

    async def main():
        cluster, bucket = await connect(mock)
        try:
            return await body(bucket)
        finally:
            await cluster.close()

    return run(main, loop_kind, wd), wd


async def async_query(bucket, view, **kw):
    res = bucket.view_query(DDOC, view, ViewOptions(namespace=PROD, scan_consistency=FRESH, **kw))
    rows = [r async for r in res.rows()]
    return shape(rows, res.metadata())


def assert_quick(wd):
    assert wd.slow == [], "callbacks over %.0f ms: %r" % (SLOW * 1e3, wd.slow)
    assert wd.count > 0


def test_design_documents_round_trip_as_with_the_blocking_face(one_node, loop_kind):
    """upsert, get, get_all, publish, get in production, drop, then the missing document's errors."""
    def steps(name):
        ddoc = DesignDocument(name, {"ids": View("function (doc, meta) { emit(meta.id, null); }"),
                                     "count": View("function (doc, meta) { emit(doc.kind, 1); }", "_count")})
        return [
            ("upsert", lambda m: m.upsert_design_document(ddoc, DEV)),
            ("get", lambda m: m.get_design_document(name, DEV)),
            ("get_production_missing", lambda m: m.get_design_document(name, PROD)),
            ("get_all", lambda m: m.get_all_design_documents(DEV)),
            ("get_all_production", lambda m: m.get_all_design_documents(PROD)),
            ("publish", lambda m: m.publish_design_document(name)),
            ("get_production", lambda m: m.get_design_document(name, PROD)),
            ("publish_missing", lambda m: m.publish_design_document(name + "-missing")),
            ("drop", lambda m: m.drop_design_document(name, DEV)),
            ("get_dropped", lambda m: m.get_design_document(name, DEV)),
            ("drop_again", lambda m: m.drop_design_document(name, DEV)),
            ("drop_production", lambda m: m.drop_design_document(name, PROD)),
        ]

    def norm(v, name):
        if isinstance(v, DesignDocument):
            d = v.as_dict(v.namespace)
            d["name"] = d["name"].replace(name, "NAME")
            d["rev"] = bool(d.get("rev"))
            return ["DesignDocument", d]
        if isinstance(v, list):
            return [norm(x, name) for x in v if x.name == name]
        return v

    def blocking():
        name = "rt-b-" + loop_kind
        cluster, bucket = blocking_bucket(one_node)
        out = []
        try:
            m = bucket.view_indexes()
            for step, call in steps(name):
                try:
                    out.append((step, norm(call(m), name)))
                except Exception as e:
                    out.append((step, "EXC:" + type(e).__name__))
        finally:
            cluster.close()
        return out

    async def body(bucket):
        name = "rt-a-" + loop_kind
        m = bucket.view_indexes()
        out = []
        for step, call in steps(name):
            try:
                out.append((step, norm(await call(m), name)))
            except Exception as e:
                out.append((step, "EXC:" + type(e).__name__))
        return out

    theirs = blocking()
    ours, wd = async_run(one_node, loop_kind, body)
    assert ours == theirs
    outcomes = dict(ours)
    assert outcomes["get"][1]["views"]["count"]["reduce"] == "_count"
    assert outcomes["get_production"][1]["ns"] == "production"
    assert outcomes["get_dropped"] == outcomes["publish_missing"] == "EXC:DesignDocumentNotFoundException"
    assert_quick(wd)


def test_view_query_rows_and_total_rows_equal_the_blocking_faces(data, loop_kind):
    theirs = blocking_query(data, "by_n")
    ours, wd = async_run(data, loop_kind, lambda b: async_query(b, "by_n"))
    assert ours == theirs
    assert ours["rows"] == [[v["n"], k, v["name"]] for k, v in sorted(DOCS.items())]
    assert ours["total_rows"] == len(DOCS)
    assert ours["classes"] == ["ViewMetaData", "ViewRow"]
    assert_quick(wd)


OPTION_CASES = {
    "limit": ("by_n", {"limit": 3}),
    "skip": ("by_n", {"skip": 17}),
    "skip_and_limit": ("by_n", {"skip": 5, "limit": 4}),
    "key": ("by_n", {"key": 7}),
    "keys": ("by_n", {"keys": [3, 11, 4]}),
    "key_range": ("by_n", {"startkey": 4, "endkey": 9}),
    "key_range_exclusive_end": ("by_n", {"startkey": 4, "endkey": 9, "inclusive_end": False}),
    "descending": ("by_n", {"order": ViewOrdering.DESCENDING, "limit": 5}),
    "descending_range": ("by_n", {"order": ViewOrdering.DESCENDING, "startkey": 12, "endkey": 8}),
    "reduce": ("by_kind", {}),
    "reduce_off": ("by_kind", {"reduce": False, "limit": 6}),
    "group": ("by_kind", {"group": True}),
    "group_level": ("by_kind", {"group_level": 1}),
    "group_level_range": ("by_kind", {"group_level": 1, "startkey": ["k1"], "endkey": ["k2", {}]}),
}


@pytest.mark.parametrize("case", sorted(OPTION_CASES))
def test_view_query_options_give_the_blocking_faces_rows(one_node_data, loop_kind, case):
    view, kw = OPTION_CASES[case]
    theirs = blocking_query(one_node_data, view, **kw)
    ours, wd = async_run(one_node_data, loop_kind, lambda b: async_query(b, view, **kw))
    assert ours == theirs
    assert ours["rows"]
    assert_quick(wd)


@pytest.mark.parametrize("what", ["design_document", "view"])
def test_a_missing_design_document_or_view_raises_the_blocking_faces_exception(one_node_data, loop_kind, what):
    ddoc, view = ("no-such-ddoc", "by_n") if what == "design_document" else (DDOC, "no_such_view")
    cluster, bucket = blocking_bucket(one_node_data)
    try:
        with pytest.raises(Exception) as theirs:
            list(bucket.view_query(ddoc, view, namespace=PROD).rows())
    finally:
        cluster.close()

    async def body(b):
        try:
            [r async for r in b.view_query(ddoc, view, namespace=PROD).rows()]
        except Exception as e:
            return e
        return None

    ours, wd = async_run(one_node_data, loop_kind, body)
    assert type(ours) is type(theirs.value) is DesignDocumentNotFoundException
    assert ours.context["http_status"] == theirs.value.context["http_status"] == 404
    assert_quick(wd)


@contextlib.contextmanager
def stalled_views(mock):
    """The views (CAPI) port of every node takes requests and answers none until the end."""
    core = mock.core
    answer = core.views_handler
    release = []

    async def stalled(req, node=None):
        ev = asyncio.Event()
        release.append(ev)
        await ev.wait()
        return await answer(req, node)

    core.views_handler = stalled
    try:
        yield
    finally:
        core.views_handler = answer
        for ev in release:
            mock._loop.call_soon_threadsafe(ev.set)


def test_a_view_query_against_a_stalled_views_service_raises_the_timeout_exception(one_node_data, loop_kind):
    async def body(b):
        await b.on_connect()
        t0 = time.monotonic()
        try:
            [r async for r in b.view_query(DDOC, "by_n", namespace=PROD, timeout=timedelta(milliseconds=300))]
        except Exception as e:
            return e, time.monotonic() - t0
        return None, time.monotonic() - t0

    with stalled_views(one_node_data):
        (exc, took), wd = async_run(one_node_data, loop_kind, body)
    assert type(exc) is UnAmbiguousTimeoutException, exc
    assert 0.25 < took < 2.0
    assert_quick(wd)


def test_the_blocking_face_times_out_the_same_against_a_stalled_views_service(one_node_data):
    cluster, bucket = blocking_bucket(one_node_data)
    try:
        with stalled_views(one_node_data), pytest.raises(UnAmbiguousTimeoutException):
            list(bucket.view_query(DDOC, "by_n", namespace=PROD, timeout=timedelta(milliseconds=300)))
    finally:
        cluster.close()


def test_view_rows_are_read_with_async_for_once_and_not_synchronously(one_node_data, loop_kind):
    async def body(b):
        out = {}
        res = b.view_query(DDOC, "by_n", namespace=PROD, scan_consistency=FRESH, limit=2)
        try:
            for _r in res:
                pass
        except NotImplementedError:
            out["sync"] = "NotImplementedError"
        out["direct"] = [r.id async for r in res]
        out["total_rows"] = res.metadata().total_rows()
        try:
            [r async for r in res.rows()]
        except AlreadyQueriedException:
            out["again"] = "AlreadyQueriedException"
        out["execute"] = [r.id for r in await b.view_query(DDOC, "by_n", namespace=PROD, limit=1).execute()]
        return out

    out, wd = async_run(one_node_data, loop_kind, body)
    assert out == {"sync": "NotImplementedError", "direct": ["aio-views-00", "aio-views-01"],
                   "total_rows": len(DOCS), "again": "AlreadyQueriedException", "execute": ["aio-views-00"]}
    assert_quick(wd)


def test_views_start_no_thread(one_node_data, loop_kind):
    async def body(b):
        before = set(threading.enumerate())
        started = []
        real_start = threading.Thread.start

        def start(t):
            started.append(t.name)
            return real_start(t)

        threading.Thread.start = start
        try:
            m = b.view_indexes()
            await m.upsert_design_document(DesignDocument("threads", dict(VIEWS)), DEV)
            await m.get_all_design_documents(DEV)
            rows = [r async for r in b.view_query("threads", "by_n", namespace=DEV, scan_consistency=FRESH)]
            await m.drop_design_document("threads", DEV)
        finally:
            threading.Thread.start = real_start
        return started, set(threading.enumerate()) - before, len(rows)

    (started, new, n), _wd = async_run(one_node_data, loop_kind, body)
    assert started == [] and new == set()
    assert n == len(DOCS)


def test_results_are_the_blocking_faces_classes(one_node_data, loop_kind):
    from couchbase.result import ViewResult

    async def body(b):
        res = b.view_query(DDOC, "by_n", namespace=PROD, limit=1)
        rows = [r async for r in res]
        return isinstance(res, ViewResult), type(rows[0]), type(res.metadata())

    (is_result, row_cls, meta_cls), _wd = async_run(one_node_data, loop_kind, body)
    assert (is_result, row_cls, meta_cls) == (True, ViewRow, ViewMetaData)
