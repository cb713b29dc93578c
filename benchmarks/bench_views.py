"""Views: indexing speed of the embedded cluster (one core), and the client's rows/s for
streamed and buffered queries, with the streamed client's peak memory.

The cluster runs in its own process. With --benchmark-disable (make test) the large view is
scaled down to VIEW_BENCH_ROWS_QUICK rows so the run stays short; `make bench` uses
VIEW_BENCH_ROWS (1 000 000 by default).
"""
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ZIP = os.path.join(ROOT, "..", "shared", "data", "beer-sample.zip")
ROWS_PER_DOC = 10
VIEW = {"views": {"rows": {"map": "function (doc, meta) { for (var i = 0; i < %d; i++) emit([doc.n, i], null); }"
                           % ROWS_PER_DOC}}}

_STREAM_CLIENT = r"""
import json, sys, time
from couchbase.connection import Connection
info = json.loads(sys.argv[1])
cb = Connection(bucket="default", host="127.0.0.1", port=info["rest_port"])
streaming = sys.argv[2] == "stream"
t = time.perf_counter()
n = 0
for row in cb.query("big", "rows", streaming=streaming, stale="ok"):
    n += 1
dt = time.perf_counter() - t
# VmHWM is this process's own peak (ru_maxrss would carry over the parent's across exec)
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
print(json.dumps({"rows": n, "seconds": dt, "peak_rss_mb": int(hwm) / 1024}))
"""


def _quick(request):
    return request.config.getoption("benchmark_disable", False)


def bench_index_beer_sample_simple_map(benchmark, request):
    """Documents per second through a simple map function (one engine call per batch)."""
    from couchbase.mock.samples import load_sample
    from couchbase.mock.store import BucketStore
    from couchbase.mock.views.index import DesignIndex
    from couchbase.mock.views.jsengine import shared_engine
    bucket = BucketStore("beer-sample", num_vbuckets=64)
    load_sample(bucket, ZIP)
    engine = shared_engine()
    views = {"simple": {"map": "function (doc, meta) { emit(meta.id, null); }"}}
    engine.compile(views["simple"]["map"])
    cpu = []

    def build():
        idx = DesignIndex(bucket, "_design/bench", views, engine)
        c = time.process_time()
        asyncio.run(idx.update())
        cpu.append(time.process_time() - c)
        return idx

    idx = benchmark.pedantic(build, rounds=1 if _quick(request) else 5, iterations=1)
    assert len(idx.views["simple"].rows) == bucket.item_count()
    benchmark.extra_info["docs"] = bucket.item_count()
    benchmark.extra_info["docs_per_cpu_second"] = round(bucket.item_count() / min(cpu))


@pytest.fixture(scope="module")
def big_view(request):
    rows = int(os.environ.get("VIEW_BENCH_ROWS_QUICK" if _quick(request) else "VIEW_BENCH_ROWS",
                              50000 if _quick(request) else 1000000))
    ready = os.path.join(tempfile.mkdtemp(), "ready.json")
    proc = subprocess.Popen([sys.executable, "-m", "couchbase.mock", "--port", "0", "--vbuckets", "64",
                             "--ready-file", ready], cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(ready) or not os.path.getsize(ready):
            assert proc.poll() is None and time.monotonic() < deadline, "mock did not start"
            time.sleep(0.02)
        time.sleep(0.05)
        with open(ready) as f:
            info = json.load(f)
        from couchbase.connection import Connection
        cb = Connection(bucket="default", host="127.0.0.1", port=info["rest_port"])
        ndocs = rows // ROWS_PER_DOC
        for start in range(0, ndocs, 5000):
            cb.set_multi({"d%07d" % i: {"n": i} for i in range(start, min(ndocs, start + 5000))})
        cb.views_timeout = 600
        cb.design_create("big", VIEW, use_devmode=False)
        t = time.perf_counter()
        v = cb.query("big", "rows", stale=False, limit=1)
        list(v)
        build = time.perf_counter() - t
        assert v.indexed_rows == ndocs * ROWS_PER_DOC
        yield info, v.indexed_rows, build
    finally:
        proc.terminate()
        proc.wait(30)


def _client(info, mode):
    env = dict(os.environ, PYTHONPATH=ROOT)
    p = subprocess.run([sys.executable, "-c", _STREAM_CLIENT, json.dumps(info), mode], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=1800)
    assert p.returncode == 0, p.stderr[-2000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


def bench_view_streamed_rows(benchmark, big_view):
    """A streamed query over the whole view, in its own client process: rows/s and peak RSS."""
    info, total, build = big_view
    out = benchmark.pedantic(lambda: _client(info, "stream"), rounds=1, iterations=1)
    assert out["rows"] == total
    benchmark.extra_info.update(rows=total, rows_per_second=round(total / out["seconds"]),
                                peak_rss_mb=round(out["peak_rss_mb"], 1), index_build_seconds=round(build, 1))
    if total >= 1000000:
        assert out["peak_rss_mb"] < 100, out


def bench_view_buffered_rows(benchmark, big_view):
    """The same query read whole before the first row (the default), in its own process."""
    info, total, _build = big_view
    out = benchmark.pedantic(lambda: _client(info, "buffered"), rounds=1, iterations=1)
    assert out["rows"] == total
    benchmark.extra_info.update(rows=total, rows_per_second=round(total / out["seconds"]),
                                peak_rss_mb=round(out["peak_rss_mb"], 1))
