"""Throughput of the embedded cluster (one node, its own process, one core): single ops/s and
pipelined key-ops/s, driven by this SDK. The mock must never be the bottleneck of a test run."""
import json
import os
import subprocess
import sys
import tempfile
import time

import pytest

from conftest import Measured

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def mock_process():
    ready = os.path.join(tempfile.mkdtemp(), "ready.json")
    proc = subprocess.Popen([sys.executable, "-m", "couchbase.mock", "--port", "0", "--ready-file", ready],
                            cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(ready) or not os.path.getsize(ready):
            assert proc.poll() is None and time.monotonic() < deadline, "mock did not start"
            time.sleep(0.02)
        time.sleep(0.05)
        with open(ready) as f:
            yield json.load(f)
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def conn(mock_process):
    from couchbase import Couchbase

    return Couchbase.connect(bucket="default", host="127.0.0.1", port=mock_process["rest_port"])


def bench_mock_single_get(benchmark, conn):
    conn.set("bench-single", {"v": 1})
    benchmark.group = "mock single get"
    benchmark.extra_info["client"] = "ours"
    r = Measured(benchmark, 1).run(lambda: conn.get("bench-single"), rounds=2000)
    assert r.value == {"v": 1}


@pytest.mark.parametrize("n", [100, 1000])
def bench_mock_get_multi(benchmark, conn, n):
    keys = ["bench-multi-%d" % i for i in range(n)]
    conn.set_multi(dict.fromkeys(keys, {"v": 1}))
    benchmark.group = "mock get_multi n=%d" % n
    benchmark.extra_info["client"] = "ours"
    res = Measured(benchmark, n).run(lambda: conn.get_multi(keys), rounds=max(20, 20000 // n))
    assert res.all_ok


@pytest.mark.parametrize("n", [1000])
def bench_mock_set_multi(benchmark, conn, n):
    docs = {"bench-set-%d" % i: {"v": i} for i in range(n)}
    benchmark.group = "mock set_multi n=%d" % n
    benchmark.extra_info["client"] = "ours"
    Measured(benchmark, n).run(lambda: conn.set_multi(docs), rounds=20)
