"""Logging under the `couchbase` hierarchy: bootstrap, topology changes, retries and I/O
failures are logged with host and port; successful operations log nothing; the classic
and 4.x helpers and PYCBC_LOG_LEVEL switch it on."""
import json
import logging
import os
import re
import subprocess
import sys

import pytest

import couchbase
from couchbase import Couchbase
from couchbase.exceptions import TimeoutError as CBTimeoutError
from servers import FakeServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def records():
    """Every record of the client's couchbase.* loggers at DEBUG and above, captured while the
    test runs (not those of the embedded cluster, couchbase.mock, which runs in this process)."""
    got = []

    class Keep(logging.Handler):
        def emit(self, record):
            if record.name != "couchbase.mock" and not record.name.startswith("couchbase.mock."):
                got.append(record)

    handler = Keep(logging.DEBUG)
    root = logging.getLogger("couchbase")
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield got
    root.removeHandler(handler)
    root.setLevel(old)


def _messages(records, name):
    return [r.getMessage() for r in records if r.name == name]


def test_bootstrap_logs_host_method_and_config_revision(records, mock_cluster):
    Couchbase.connect(bucket="default", host="127.0.0.1", port=mock_cluster.rest_port)
    cfg = json.loads(mock_cluster.config("default"))
    done = [m for m in _messages(records, "couchbase.bootstrap") if "bootstrapped" in m]
    assert done == ["bucket 'default': bootstrapped from 127.0.0.1:%d over REST: config rev %d (epoch %d), 3 nodes, "
                    "64 vbuckets, 1 replicas" % (mock_cluster.rest_port, cfg["rev"], cfg["revEpoch"])]


def test_failed_bootstrap_attempt_names_the_host(records, mock_cluster):
    Couchbase.connect(bucket="default", host=[("127.0.0.1", 1), ("127.0.0.1", mock_cluster.rest_port)], timeout=5)
    failed = [m for m in _messages(records, "couchbase.bootstrap") if "failed" in m]
    assert failed and failed[0].startswith("bucket 'default': bootstrap from 127.0.0.1:1 over REST failed")


def test_failover_logs_the_new_revision_and_the_retries(records, mock_cluster_factory, uniq):
    with mock_cluster_factory(nodes=3, replicas=1, vbuckets=64) as cluster:
        c = Couchbase.connect(bucket="default", host="127.0.0.1", port=cluster.rest_port, timeout=5)
        keys = ["%s%d" % (uniq, i) for i in range(100)]
        c.set_multi({k: k for k in keys})
        dead = cluster.nodes[1]
        cluster.failover(1)
        c.get_multi(keys)
    changes = _messages(records, "couchbase.topology")
    assert any(m.startswith("bucket 'default': config rev") and "->" in m for m in changes), changes
    retried = r"bucket 'default': retrying \d+ request\(s\) after NOT_MY_VBUCKET from 127\.0\.0\.1:%d" % dead["kv"]
    assert any(re.fullmatch(retried, m) for m in changes), changes


def test_successful_operations_log_nothing(records, kv, uniq):
    records.clear()
    kv.set(uniq + "a", 1)
    kv.get(uniq + "a")
    kv.set_multi({uniq + "b": 1, uniq + "c": 2})
    kv.get_multi([uniq + "b", uniq + "c"])
    assert [r.getMessage() for r in records] == []


def test_successful_operations_call_nothing_in_logging(kv, uniq):
    """No cost on the hot path: not even a level check runs for a successful operation."""
    kv.set(uniq + "warm", 1)
    calls = []

    def profile(frame, event, arg):
        if event == "call" and frame.f_code.co_filename == logging.__file__:
            calls.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        for _ in range(50):
            kv.set(uniq + "a", 1)
            kv.get(uniq + "a")
        kv.set_multi({uniq + "b": 1, uniq + "c": 2})
        kv.get_multi([uniq + "b", uniq + "c"])
    finally:
        sys.setprofile(None)
    assert calls == []


def test_timeout_is_logged_with_host_and_port(records):
    with FakeServer("silent") as server:
        c = Couchbase.connect(host="memcached://" + server.address, timeout=0.2)
        with pytest.raises(CBTimeoutError):
            c.get_multi(["a", "b"])
    assert _messages(records, "couchbase.io") == ["2 request(s) to %s timed out after 0.200s" % server.address]


def test_enable_logging_writes_records_to_a_stream(tmp_path):
    path = str(tmp_path / "log.txt")
    couchbase.enable_logging(logging.INFO, filename=path)
    try:
        logging.getLogger("couchbase.bootstrap").info("hello %s", "there")
    finally:
        couchbase.disable_logging()
    with open(path) as f:
        assert f.read().rstrip().endswith("INFO couchbase.bootstrap: hello there")


def test_configure_logging_forwards_to_the_applications_logger():
    seen = []
    app = logging.getLogger("myapp")

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append((record.levelname, record.getMessage()))

    app.addHandler(Keep())
    app.setLevel(logging.DEBUG)
    try:
        couchbase.configure_logging("sdk", logging.WARNING, parent_logger=app)
        logging.getLogger("couchbase.io").info("below the level")
        logging.getLogger("couchbase.io").warning("kept")
    finally:
        couchbase.disable_logging()
        app.handlers.clear()
    assert seen == [("WARNING", "kept")]


def _run(code, **env):
    e = dict(os.environ, PYTHONPATH=ROOT, **env)
    e.pop("PYCBC_LOG_LEVEL", None) if "PYCBC_LOG_LEVEL" not in env else None
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=e)


_TIMEOUT_SCRIPT = (
    "import sys\n"
    "sys.path.insert(0, %r)\n"
    "from servers import FakeServer\n"
    "from couchbase import Couchbase\n"
    "with FakeServer('silent') as s:\n"
    "    c = Couchbase.connect(host='memcached://' + s.address, timeout=0.1)\n"
    "    try:\n"
    "        c.get('a')\n"
    "    except Exception as e:\n"
    "        print(type(e).__name__)\n" % os.path.join(ROOT, "tests", "support"))


def test_unconfigured_application_sees_no_log_output():
    p = _run(_TIMEOUT_SCRIPT)
    assert (p.stdout.strip(), p.stderr) == ("TimeoutError", "")


def test_pycbc_log_level_switches_logging_on():
    p = _run(_TIMEOUT_SCRIPT, PYCBC_LOG_LEVEL="warning")
    assert p.stdout.strip() == "TimeoutError"
    assert "WARNING couchbase.io: 1 request(s) to 127.0.0.1:" in p.stderr
