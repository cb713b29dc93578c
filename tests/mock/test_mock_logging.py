"""The embedded cluster logs its events under ``couchbase.mock`` (nodes, buckets, failovers,
rebalances), never one record per request; ``--log-level`` shows them on stderr."""
import json
import logging
import os
import signal
import subprocess
import sys
import time

import pytest

from couchbase.mock import MockCluster

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def records(caplog):
    caplog.set_level(logging.INFO, logger="couchbase.mock")
    return caplog


def _messages(caplog, level=logging.INFO):
    return [r.getMessage() for r in caplog.records if r.name == "couchbase.mock" and r.levelno >= level]


def test_each_node_logs_its_ports_when_it_starts(records):
    with MockCluster(nodes=2) as m:
        nodes = m.nodes
    started = [msg for msg in _messages(records) if "listening" in msg]
    assert started == ["node %d listening on 127.0.0.1: kv %d, rest %d, views %d" % (n["id"], n["kv"], n["rest"], n["capi"])
                       for n in nodes]


def test_a_failover_is_a_warning_naming_the_node_and_the_new_revision(records):
    with MockCluster(nodes=2, replicas=1) as m:
        m.failover(1)
        rev = m.topology.rev
    warnings = _messages(records, logging.WARNING)
    assert warnings == ["node 1 failed over (config revision %d)" % rev]


def test_a_rebalance_logs_its_start_and_its_end(records):
    with MockCluster(nodes=1) as m:
        m.add_node()
        m.rebalance()
        rev = m.topology.rev
    msgs = _messages(records)
    assert "rebalance started" in msgs
    assert "rebalance done (config revision %d)" % rev in msgs


def test_requests_leave_no_records(records):
    from couchbase.connection import Connection

    records.set_level(logging.DEBUG, logger="couchbase.mock")
    with MockCluster(nodes=1) as m:
        c = Connection(bucket="default", host="127.0.0.1", port=m.rest_port)
        records.clear()
        for i in range(100):
            c.set("k%d" % i, "v")
            assert c.get("k%d" % i).value == "v"
        c._close()
        assert _messages(records, logging.DEBUG) == []


def test_the_command_line_shows_the_log_on_stderr_at_the_level_asked(tmp_path):
    ready = tmp_path / "ready.json"
    p = subprocess.Popen([sys.executable, "-m", "couchbase.mock", "--nodes", "2", "--log-level", "info",
                          "--ready-file", str(ready)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert p.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        info = json.loads(ready.read_text())
    finally:
        os.kill(p.pid, signal.SIGTERM)
        err = p.communicate(timeout=30)[1]
    lines = err.splitlines()
    for i, n in enumerate(info["nodes"]):
        assert any(line.endswith("couchbase.mock INFO node %d listening on 127.0.0.1: kv %d, rest %d, views %d"
                                 % (i, n["kv"], n["rest"], n["capi"])) for line in lines), err
    assert any(line.endswith("couchbase.mock INFO bucket 'default' created") for line in lines), err
