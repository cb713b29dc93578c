"""1.x code with the default ports runs unchanged against the embedded cluster started with
``python -m couchbase.mock --port 8091 --kv-port 11210``: ``Couchbase.connect(bucket=...)``
bootstraps from localhost:8091, a ``couchbase://localhost`` string from 11210.

The fixed ports are shared by every test run on this machine, so runs take turns (a lock
file) and wait for the ports to be free."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from couchbase import Couchbase
from fixedports import fixed_ports

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
@pytest.fixture
def default_port_cluster(tmp_path):
    with fixed_ports((8091, 11210)):
        deadline = time.monotonic() + 60
        ready = tmp_path / "ready.json"
        proc = subprocess.Popen([sys.executable, "-m", "couchbase.mock", "--port", "8091", "--kv-port", "11210",
                                 "--nodes", "1", "--vbuckets", "64", "--ready-file", str(ready)],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            while not ready.exists():
                if proc.poll() is not None:
                    raise RuntimeError("the embedded cluster exited: %s" % proc.stderr.read().decode()[-2000:])
                if time.monotonic() > deadline:
                    raise RuntimeError("the embedded cluster did not start")
                time.sleep(0.05)
            yield json.loads(ready.read_text())
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(30)


def test_cluster_listens_on_the_conventional_ports(default_port_cluster):
    info = default_port_cluster
    assert info["rest_port"] == 8091 and info["nodes"][0]["kv"] == 11210


def test_connect_with_default_host_and_port(default_port_cluster):
    c = Couchbase.connect(bucket="default")
    assert [n.split(":")[1] for n in c.server_nodes] == ["11210"]
    c.set("default-ports", {"v": 1})
    assert c.get("default-ports").value == {"v": 1}
    c.close()


def test_connection_string_without_ports_uses_11210(default_port_cluster):
    c = Couchbase.connect(bucket="default", connstr="couchbase://localhost")
    c.set("default-ports-kv", 1)
    assert c.get("default-ports-kv").value == 1
    c.close()
