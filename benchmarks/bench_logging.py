"""What logging costs a successful operation: a single get and a get_multi of 100 keys
against the same memcached, with the SDK's logging unconfigured (the default: a NullHandler,
nothing enabled) and switched on at DEBUG (enable_logging into a memory stream), in the same
run. A successful operation logs nothing and checks no logger, so the two should be equal
within this machine's noise:

    .venv/bin/python -m pytest benchmarks/bench_logging.py --benchmark-only -p no:randomly -q
"""
import io

import pytest

from conftest import Measured, make_client

MODES = ("logging-off", "logging-debug")


@pytest.fixture
def logging_mode(request):
    from couchbase import disable_logging, enable_logging

    stream = io.StringIO()
    if request.param == "logging-debug":
        enable_logging("DEBUG", stream=stream)
    try:
        yield request.param
    finally:
        disable_logging()
    assert stream.getvalue() == ""  # nothing was logged for successful operations


@pytest.mark.parametrize("logging_mode", MODES, indirect=True)
def bench_get_single_logging(benchmark, memcached_server, logging_mode):
    client = make_client("ours", memcached_server)
    client.set("logging-bench", b"x" * 10)
    benchmark.group = "get single 10B: logging off vs DEBUG"
    benchmark.extra_info["mode"] = logging_mode
    get = client.get
    got = Measured(benchmark, 1).run(lambda: get("logging-bench"), rounds=3000)
    assert got.value == b"x" * 10


@pytest.mark.parametrize("logging_mode", MODES, indirect=True)
def bench_get_multi_logging(benchmark, memcached_server, logging_mode):
    client = make_client("ours", memcached_server)
    keys = ["logging-bench-%d" % i for i in range(100)]
    client.set_multi({k: b"y" * 10 for k in keys})
    benchmark.group = "get_multi n=100 10B: logging off vs DEBUG"
    benchmark.extra_info["mode"] = logging_mode
    get_multi = client.get_multi
    got = Measured(benchmark, 100).run(lambda: get_multi(keys), rounds=500)
    assert all(got[k].value == b"y" * 10 for k in keys)
