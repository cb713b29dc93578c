"""The fault matrix, against plain memcached and the embedded cluster: a server killed
mid-batch, stopped (SIGSTOP) mid-batch, a connection reset after N bytes, a slow trickle,
a config naming a dead node. Each gives a clean exception within the timeout plus a small
margin, no answer is ever matched to a later request, and the connection works afterwards.

Faults on the wire come from a proxy in front of each server (tests/support/faultproxy.py);
the embedded cluster's configs name the proxies (Node.kv_advertised)."""
import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import pytest

from couchbase import Couchbase
from couchbase.exceptions import CouchbaseError, TimeoutError
from faultproxy import FaultProxy
from servers import Memcached, free_port, wait_listening

TIMEOUT = 1.0
MARGIN = 0.5


class MemcachedBackend:
    name = "memcached"

    def __init__(self):
        self.servers = [Memcached().start(), Memcached().start()]
        self.proxies = [FaultProxy(s.port) for s in self.servers]

    def connect(self, extra=""):
        hosts = ",".join(p.address for p in self.proxies) + extra
        return Couchbase.connect(host="memcached://" + hosts, timeout=TIMEOUT)

    def kill(self, i):
        self.servers[i].stop()

    def recover(self, i):
        self.servers[i].start()

    def pid(self, i):
        return self.servers[i].proc.pid

    def dead_node_conn(self):
        """A connection whose server list names a node nothing listens on (index 2)."""
        return self.connect(",127.0.0.1:%d" % free_port()), 2, lambda: None

    def close(self):
        for p in self.proxies:
            p.close()
        for s in self.servers:
            s.stop()


class MockBackend:
    name = "mock"

    def __init__(self):
        from couchbase.mock import MockCluster

        self.cluster = MockCluster(nodes=2, replicas=1, vbuckets=16, buckets={"default": None}).start()
        self.proxies = []
        for n in self.cluster.topology.nodes.values():
            p = FaultProxy(n.kv_port)
            self.proxies.append(p)
            n.kv_advertised = p.port
        self.cluster._sync(self.cluster.topology.changed)

    def connect(self):
        return Couchbase.connect(connstr="couchbase://%s/default" % self.proxies[0].address, timeout=TIMEOUT)

    def kill(self, i):
        self.cluster.kill_node(i)

    def recover(self, i):
        self.cluster.failover(i)  # its replicas take over

    def dead_node_conn(self):
        conn = self.connect()
        self.cluster.stop_node(1)  # ports closed; configs still name it
        return conn, 1, lambda: self.cluster.start_node(1)

    def close(self):
        for p in self.proxies:
            p.close()
        self.cluster.stop()


@pytest.fixture(params=[MemcachedBackend, MockBackend], ids=["memcached", "mock"])
def backend(request):
    b = request.param()
    yield b
    b.close()


def keys_on(conn, server, n, prefix):
    out, i = [], 0
    while len(out) < n:
        k = "%s%d" % (prefix, i)
        if conn._vbmap(k)[1] == server:
            out.append(k)
        i += 1
    return out


def in_thread(fn):
    """Run fn in a thread; returns a function that joins it: (exception or None, seconds)."""
    out = {}

    def run():
        t0 = time.monotonic()
        try:
            fn()
            out["exc"] = None
        except Exception as e:  # the test inspects it
            out["exc"] = e
        out["t"] = time.monotonic() - t0

    t = threading.Thread(target=run, daemon=True)
    t.start()

    def join():
        t.join(TIMEOUT + 10)
        assert not t.is_alive(), "the operation hung"
        return out["exc"], out["t"]
    return join


def works_with_fresh_values(conn, keys, tag):
    """New distinct values read back exactly: nothing stale is matched to these requests."""
    deadline = time.monotonic() + 5
    while True:
        try:
            conn.set_multi({k: "%s-%s" % (tag, k) for k in keys})
            got = conn.get_multi(keys)
            break
        except CouchbaseError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)  # a failed-over node's replacement settles
    assert {k: got[k].value for k in keys} == {k: "%s-%s" % (tag, k) for k in keys}
    for k in keys[:5]:
        assert conn.get(k).value == "%s-%s" % (tag, k)


def test_server_killed_mid_batch(backend):
    conn = backend.connect()
    keys = keys_on(conn, 0, 40, "kill")
    conn.set_multi({k: "old-" + k for k in keys})
    backend.proxies[0].stall()
    join = in_thread(lambda: conn.get_multi(keys))
    time.sleep(0.2)
    backend.kill(0)
    exc, took = join()
    backend.proxies[0].normal()
    assert isinstance(exc, CouchbaseError)
    assert took < TIMEOUT + MARGIN
    backend.recover(0)
    works_with_fresh_values(conn, keys, "new")


def test_server_stopped_mid_batch_times_out_at_the_configured_timeout():
    # a real process stopped with SIGSTOP: memcached, and the embedded cluster as its own process
    with Memcached() as mc:
        proxy = FaultProxy(mc.port)
        try:
            conn = Couchbase.connect(host="memcached://" + proxy.address, timeout=TIMEOUT)
            _check_sigstop(conn, mc.proc.pid, proxy, keys_on(conn, 0, 40, "stop"))
        finally:
            proxy.close()


def test_mock_process_stopped_mid_batch_times_out_at_the_configured_timeout():
    with tempfile.TemporaryDirectory() as d:
        ready = os.path.join(d, "ready.json")
        proc = subprocess.Popen([sys.executable, "-m", "couchbase.mock", "--nodes", "1", "--vbuckets", "16",
                                 "--ready-file", ready], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 20
            while not os.path.exists(ready) or not os.path.getsize(ready):
                assert time.monotonic() < deadline and proc.poll() is None, "the mock did not start"
                time.sleep(0.05)
            with open(ready) as f:
                info = json.load(f)
            wait_listening(info["nodes"][0]["kv"])
            conn = Couchbase.connect(connstr=info["connstr"] + "/default", timeout=TIMEOUT)
            keys = keys_on(conn, 0, 40, "stop")
            conn.set_multi({k: "old-" + k for k in keys})
            # the node holds the batch's first GET (and the rest behind it) 0.3 s: in flight when it stops
            req = urllib.request.Request(
                "http://127.0.0.1:%d/mock/hooks" % info["rest_port"], method="POST",
                data=json.dumps({"kind": "delay", "value": 0.3, "opcode": 0, "count": 1}).encode(),
                headers={"Authorization": "Basic " + base64.b64encode(b"Administrator:password").decode(),
                         "Content-Type": "application/json"})
            urllib.request.urlopen(req, timeout=5).read()
            _check_sigstop(conn, proc.pid, None, keys)
        finally:
            os.kill(proc.pid, signal.SIGCONT)
            proc.terminate()
            proc.wait(10)


def _check_sigstop(conn, pid, proxy, keys):
    conn.set_multi({k: "old-" + k for k in keys})
    if proxy is not None:
        proxy.hold_requests()  # the requests are in flight when the server stops
    join = in_thread(lambda: conn.get_multi(keys))
    time.sleep(0.05)
    os.kill(pid, signal.SIGSTOP)
    try:
        if proxy is not None:
            proxy.normal()
        exc, took = join()
    finally:
        os.kill(pid, signal.SIGCONT)
    assert isinstance(exc, TimeoutError)
    assert TIMEOUT - 0.1 <= took + 0.05 < TIMEOUT + MARGIN
    works_with_fresh_values(conn, keys, "new")


def test_connection_reset_after_n_bytes(backend):
    conn = backend.connect()
    keys = keys_on(conn, 0, 40, "reset")
    conn.set_multi({k: "old-%s-%s" % (k, "x" * 100) for k in keys})
    backend.proxies[0].reset_after(300)  # a few answers arrive, then the reset
    t0 = time.monotonic()
    with pytest.raises(CouchbaseError):
        conn.get_multi(keys)
    assert time.monotonic() - t0 < TIMEOUT + MARGIN
    backend.proxies[0].normal()
    works_with_fresh_values(conn, keys, "new")


def test_slow_trickle_times_out_within_the_timeout(backend):
    conn = backend.connect()
    keys = keys_on(conn, 0, 40, "trickle")
    conn.set_multi({k: "old-%s-%s" % (k, "x" * 100) for k in keys})
    backend.proxies[0].trickle(0.005)  # ~200 bytes/s: the answers would take half a minute
    t0 = time.monotonic()
    with pytest.raises(TimeoutError):
        conn.get_multi(keys)
    took = time.monotonic() - t0
    backend.proxies[0].normal()
    assert TIMEOUT - 0.1 <= took < TIMEOUT + MARGIN
    works_with_fresh_values(conn, keys, "new")


def test_config_naming_a_dead_node(backend):
    conn, dead, revive = backend.dead_node_conn()
    live_keys = keys_on(conn, 0, 20, "live")
    dead_keys = keys_on(conn, dead, 20, "dead")
    conn.set_multi({k: "v-" + k for k in live_keys})
    t0 = time.monotonic()
    with pytest.raises(CouchbaseError):
        conn.set_multi({k: "v-" + k for k in dead_keys})
    assert time.monotonic() - t0 < TIMEOUT + MARGIN
    got = conn.get_multi(live_keys)
    assert {k: got[k].value for k in live_keys} == {k: "v-" + k for k in live_keys}
    revive()
    if backend.name == "mock":
        works_with_fresh_values(conn, live_keys + dead_keys, "new")
