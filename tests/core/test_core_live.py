"""The C core's batch run loop against real memcached processes and fake servers.

Each memcached is started here on a free port and stopped by its PID."""
import os
import socket
import struct
import threading
import time

import pytest


from servers import Memcached, free_port  # noqa: E402,F401 (free_port: used by the text tests)

pytestmark = pytest.mark.memcached


def _load_core():
    from couchbase._core.binding import ffi, lib

    return ffi, lib


@pytest.fixture(scope="module")
def core():
    return _load_core()


@pytest.fixture(scope="module")
def codes(core):
    ffi, lib = core
    n = ffi.new("size_t*")
    t = lib.cbc_err_table(n)
    return {ffi.string(t[i].name).decode(): t[i].code for i in range(n[0])}


@pytest.fixture(scope="module")
def mc():
    server = Memcached().start()
    yield server
    server.stop()


class Client:
    """Just enough of a binding to drive cbc_CONN/cbc_BATCH from a test."""

    def __init__(self, core, ports, host="127.0.0.1", mode="ketama"):
        self.ffi, self.lib = core
        ffi, lib = core
        self.err = ffi.new("cbc_ERROR*")
        self.conn = lib.cbc_conn_new()
        self.set_servers(ports, host)
        if mode == "ketama":
            assert lib.cbc_conn_use_ketama(self.conn, self.err) == 0
        self.batch = lib.cbc_batch_new(self.conn)

    def set_servers(self, ports, host="127.0.0.1"):
        ffi = self.ffi
        hosts = [ffi.new("char[]", host.encode()) for _ in ports]
        assert self.lib.cbc_conn_set_servers(self.conn, ffi.new("const char*[]", hosts), ffi.new("int[]", list(ports)), len(ports), self.err) == 0

    def close(self):
        self.lib.cbc_batch_free(self.batch)
        self.lib.cbc_conn_free(self.conn)

    def add(self, opcode, key=b"", value=b"", server=-1, **fields):
        ffi = self.ffi
        req = ffi.new("cbc_REQUEST*")
        req.opcode = opcode
        req.server = server
        kb = ffi.from_buffer(key)
        vb = ffi.from_buffer(value)
        req.key, req.nkey = kb, len(key)
        req.value, req.nvalue = vb, len(value)
        for k, v in fields.items():
            setattr(req, k, v)
        rc = self.lib.cbc_batch_add(self.batch, req, self.err)
        assert rc == 0, self.ffi.string(self.err.msg)

    def run(self, timeout=2.0, reset=True):
        ffi, lib = self.ffi, self.lib
        assert lib.cbc_batch_run(self.batch, int(timeout * 1e6), self.err) == 0
        out = self.results()
        if reset:
            lib.cbc_batch_reset(self.batch)
        return out

    def results(self):
        ffi, lib = self.ffi, self.lib
        res = lib.cbc_batch_results(self.batch)
        out = []
        for i in range(lib.cbc_batch_size(self.batch)):
            r = res[i]
            out.append({
                "rc": r.rc, "status": r.status, "opcode": r.opcode, "flags": r.flags,
                "cas": r.cas, "counter": r.counter, "server": r.server,
                "key": ffi.unpack(r.key, r.nkey), "value": ffi.unpack(r.value, r.nvalue),
                "file": ffi.string(r.file).decode() if r.file != ffi.NULL else None, "line": r.line,
            })
        return out

    def one(self, opcode, key=b"", value=b"", timeout=2.0, **fields):
        self.add(opcode, key, value, **fields)
        (r,) = self.run(timeout)
        return r

    def owner(self, key):
        ffi = self.ffi
        vb, srv = ffi.new("int*"), ffi.new("int*")
        assert self.lib.cbc_conn_map_key(self.conn, key, len(key), 0, vb, srv, self.err) == 0
        return srv[0]


@pytest.fixture
def client(core, mc):
    c = Client(core, [mc.port])
    yield c
    c.close()


GET, SET, ADD, REPLACE, DELETE, INCR, DECR, APPEND, PREPEND, STAT, TOUCH, GAT, GETL, UNLOCK, HELLO, NOOP = (
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0E, 0x0F, 0x10, 0x1C, 0x1D, 0x94, 0x95, 0x1F, 0x0A)


def assert_ok(r):
    assert r["rc"] == 0 and r["status"] == 0 and r["file"] is None, r


def assert_rc(r, code):
    assert r["rc"] == code, r
    assert r["file"] and r["file"].endswith(".c") and r["line"] > 0, r


def test_set_then_get_returns_value_flags_and_cas(client):
    s = client.one(SET, b"live-sg", b"hello world", flags=0x02000004)
    assert_ok(s)
    assert s["cas"] != 0 and s["server"] == 0
    g = client.one(GET, b"live-sg")
    assert_ok(g)
    assert g["value"] == b"hello world" and g["flags"] == 0x02000004 and g["cas"] == s["cas"]
    assert g["key"] == b"live-sg"


def test_missing_key_is_key_enoent(client, codes):
    r = client.one(GET, b"live-missing-key")
    assert_rc(r, codes["KEY_ENOENT"])
    assert r["status"] == 0x01


def test_delete(client, codes):
    assert_ok(client.one(SET, b"live-del", b"x"))
    assert_ok(client.one(DELETE, b"live-del"))
    assert_rc(client.one(GET, b"live-del"), codes["KEY_ENOENT"])
    assert_rc(client.one(DELETE, b"live-del"), codes["KEY_ENOENT"])


def test_add_replace_and_cas_conflicts(client, codes):
    s = client.one(SET, b"live-cas", b"1")
    assert_rc(client.one(ADD, b"live-cas", b"2"), codes["KEY_EEXISTS"])
    assert_rc(client.one(REPLACE, b"live-cas-none", b"2"), codes["KEY_ENOENT"])
    assert_rc(client.one(SET, b"live-cas", b"3", cas=s["cas"] + 12345), codes["KEY_EEXISTS"])
    assert_ok(client.one(SET, b"live-cas", b"4", cas=s["cas"]))
    assert client.one(GET, b"live-cas")["value"] == b"4"


def test_incr_with_create_and_without(client, codes):
    assert_rc(client.one(INCR, b"live-ctr", delta=1, initial=5, create=0), codes["KEY_ENOENT"])
    r = client.one(INCR, b"live-ctr", delta=1, initial=5, create=1)
    assert_ok(r)
    assert r["counter"] == 5
    r = client.one(INCR, b"live-ctr", delta=10, create=0)
    assert r["counter"] == 15 and r["value"] == struct.pack(">Q", 15)
    assert client.one(DECR, b"live-ctr", delta=20, create=0)["counter"] == 0
    assert client.one(GET, b"live-ctr")["value"].strip() == b"0"  # memcached pads after decr
    client.one(SET, b"live-notnum", b"abc")
    assert_rc(client.one(INCR, b"live-notnum", delta=1, create=0), codes["DELTA_BADVAL"])


def test_append_prepend(client, codes):
    assert_rc(client.one(APPEND, b"live-app-none", b"x"), codes["NOT_STORED"])
    client.one(SET, b"live-app", b"mid", flags=9)
    assert_ok(client.one(APPEND, b"live-app", b"-end"))
    assert_ok(client.one(PREPEND, b"live-app", b"start-"))
    g = client.one(GET, b"live-app")
    assert g["value"] == b"start-mid-end" and g["flags"] == 9


def test_touch_and_gat(client, codes):
    client.one(SET, b"live-touch", b"t", flags=3)
    assert_ok(client.one(TOUCH, b"live-touch", expiry=100))
    g = client.one(GAT, b"live-touch", expiry=100)
    assert_ok(g)
    assert g["value"] == b"t" and g["flags"] == 3
    assert_rc(client.one(TOUCH, b"live-touch-none", expiry=100), codes["KEY_ENOENT"])


def test_stat_collects_every_packet_into_records(client):
    r = client.one(STAT, server=0)
    assert_ok(r)
    stats, data = {}, r["value"]
    while data:
        nkey, nval = struct.unpack(">HI", data[:6])
        stats[data[6:6 + nkey]] = data[6 + nkey:6 + nkey + nval]
        data = data[6 + nkey + nval:]
    assert b"pid" in stats and b"version" in stats and b"curr_connections" in stats


def test_keyless_unknown_command_is_unknown_command(client, codes):
    assert_rc(client.one(GETL, b"", server=0), codes["UNKNOWN_COMMAND"])
    assert_rc(client.one(HELLO, b"", b"\x00\x04", server=0), codes["UNKNOWN_COMMAND"])


@pytest.mark.parametrize("opcode,extra", [(GETL, {"expiry": 5}), (UNLOCK, {"cas": 1})])
def test_keyed_unknown_command_times_out_then_the_next_run_reconnects(client, codes, opcode, extra):
    # memcached 1.6 answers an unknown opcode that has a key only after reading
    # the key a second time from the stream, so a lone GETL/UNLOCK gets no answer.
    t0 = time.monotonic()
    assert_rc(client.one(opcode, b"live-lock", timeout=0.2, **extra), codes["ETIMEDOUT"])
    assert time.monotonic() - t0 < 1.5
    assert_ok(client.one(SET, b"live-lock", b"after"))
    assert client.one(GET, b"live-lock")["value"] == b"after"


def test_batch_of_1000_gets(client):
    for i in range(1000):
        client.add(SET, b"live-many-%d" % i, b"v%d" % i * 10, flags=i)
    assert all(r["rc"] == 0 for r in client.run())
    for i in range(1000):
        client.add(GET, b"live-many-%d" % i)
    client.add(GET, b"live-many-absent")
    res = client.run()
    assert len(res) == 1001
    for i, r in enumerate(res[:1000]):
        assert r["rc"] == 0 and r["value"] == b"v%d" % i * 10 and r["flags"] == i
        assert r["key"] == b"live-many-%d" % i
    assert res[1000]["status"] == 1


def test_large_value_round_trip(client):
    big = os.urandom(900 * 1024) + b"tail"  # memcached items are at most 1 MiB
    assert_ok(client.one(SET, b"live-big", big))
    for _ in range(3):
        client.add(GET, b"live-big")
    for r in client.run():
        assert r["value"] == big


def test_values_survive_later_adds_and_requeued_runs(core, client, codes):
    client.add(SET, b"live-keep", b"kept")
    client.run()
    client.add(GET, b"live-keep")
    client.lib.cbc_batch_run(client.batch, 2000000, client.err)
    first = client.results()[0]
    for i in range(300):
        client.add(GET, b"live-keep-missing-%d" % i)
    client.lib.cbc_batch_run(client.batch, 2000000, client.err)
    assert client.lib.cbc_batch_requeue(client.batch, codes["KEY_ENOENT"]) == 300
    client.lib.cbc_batch_run(client.batch, 2000000, client.err)
    res = client.results()
    assert res[0]["value"] == first["value"] == b"kept"
    assert all(r["rc"] == codes["KEY_ENOENT"] for r in res[1:])
    client.lib.cbc_batch_reset(client.batch)


def test_socket_is_reused_across_runs(client):
    def curr_connections():
        data = client.one(STAT, server=0)["value"]
        while data:
            nkey, nval = struct.unpack(">HI", data[:6])
            if data[6:6 + nkey] == b"total_connections":
                return int(data[6 + nkey:6 + nkey + nval])
            data = data[6 + nkey + nval:]

    before = curr_connections()
    for _ in range(5):
        client.one(GET, b"live-reuse")
    assert curr_connections() == before


def test_prelude_hello_failure_is_ignored(core, mc):
    c = Client(core, [mc.port])
    try:
        # Keyless: memcached 1.6 mis-frames unknown commands that carry a key.
        hello = struct.pack(">BBHBBHIIQ", 0x80, HELLO, 0, 0, 0, 0, 4, 0, 0) + b"\x00\x04\x00\x12"
        noop = struct.pack(">BBHBBHIIQ", 0x80, NOOP, 0, 0, 0, 0, 0, 0, 0)
        assert c.lib.cbc_conn_set_prelude(c.conn, hello + noop, len(hello + noop), c.err) == 0
        assert c.lib.cbc_conn_connect(c.conn, 0, 2000000, c.err) == 0
        assert_ok(c.one(SET, b"live-prelude", b"p"))
    finally:
        c.close()


@pytest.mark.parametrize("opcode,key,name", [(0x21, b"PLAIN", "AUTH_ERROR"), (0x89, b"", "BUCKET_ENOENT")])
def test_prelude_failure_fails_the_servers_requests(core, mc, codes, opcode, key, name):
    c = Client(core, [mc.port])
    try:
        pkt = struct.pack(">BBHBBHIIQ", 0x80, opcode, len(key), 0, 0, 0, len(key), 0, 0) + key
        assert c.lib.cbc_conn_set_prelude(c.conn, pkt, len(pkt), c.err) == 0
        assert_rc(c.one(GET, b"live-x"), codes[name])
        assert c.lib.cbc_conn_connect(c.conn, 0, 2000000, c.err) == codes[name]
        assert c.err.line > 0
    finally:
        c.close()


def test_malformed_prelude_is_rejected(core, codes):
    c = Client(core, [1])
    try:
        assert c.lib.cbc_conn_set_prelude(c.conn, b"\x80\x1f", 2, c.err) == codes["EINVAL"]
    finally:
        c.close()


def test_connect_refused_is_connect_error(core, codes):
    c = Client(core, [free_port()])
    try:
        assert_rc(c.one(GET, b"k"), codes["CONNECT_ERROR"])
        assert c.lib.cbc_conn_connect(c.conn, 0, 1000000, c.err) == codes["CONNECT_ERROR"]
    finally:
        c.close()


def test_silent_server_times_out_within_the_deadline(core, codes):
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    c = Client(core, [lsock.getsockname()[1]])
    try:
        for i in range(10):
            c.add(GET, b"k%d" % i)
        t0 = time.monotonic()
        res = c.run(timeout=0.3)
        elapsed = time.monotonic() - t0
        assert 0.29 <= elapsed < 1.5
        for r in res:
            assert_rc(r, codes["ETIMEDOUT"])
    finally:
        c.close()
        lsock.close()


class FakeServer:
    """Accepts connections and answers each request with whatever reply(hdr, body) returns."""

    def __init__(self, reply):
        self.reply = reply
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        buf = b""
        with conn:
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                buf += data
                while len(buf) >= 24:
                    nbody = struct.unpack(">I", buf[8:12])[0]
                    if len(buf) < 24 + nbody:
                        break
                    pkt, buf = buf[:24 + nbody], buf[24 + nbody:]
                    out = self.reply(pkt)
                    try:
                        if out is None:
                            conn.shutdown(socket.SHUT_RDWR)
                            return
                        conn.sendall(out)
                    except OSError:
                        return

    def close(self):
        self.sock.close()


def response(opcode, opaque, status=0, value=b"", extras=b"", cas=1, magic=0x81):
    return struct.pack(">BBHBBHIIQ", magic, opcode, 0, len(extras), 0, status, len(extras) + len(value), opaque, cas) + extras + value


def test_garbage_from_the_server_is_protocol_error(core, codes):
    srv = FakeServer(lambda pkt: b"\x42" * 24)
    c = Client(core, [srv.port])
    try:
        for i in range(3):
            c.add(GET, b"g%d" % i)
        for r in c.run():
            assert_rc(r, codes["PROTOCOL_ERROR"])
    finally:
        c.close()
        srv.close()


def test_unknown_opaque_is_protocol_error(core, codes):
    srv = FakeServer(lambda pkt: response(pkt[1], struct.unpack(">I", pkt[12:16])[0] + 1000))
    c = Client(core, [srv.port])
    try:
        assert_rc(c.one(GET, b"o"), codes["PROTOCOL_ERROR"])
    finally:
        c.close()
        srv.close()


def test_server_push_packets_are_skipped(core):
    def reply(pkt):
        opaque = struct.unpack(">I", pkt[12:16])[0]
        push = struct.pack(">BBHBBHIIQ", 0x82, 0x01, 0, 0, 0, 0, 3, 0, 0) + b"cfg"
        return push + response(pkt[1], opaque, value=b"val", extras=b"\x00\x00\x00\x05")
    srv = FakeServer(reply)
    c = Client(core, [srv.port])
    try:
        r = c.one(GET, b"p")
        assert_ok(r)
        assert r["value"] == b"val" and r["flags"] == 5
    finally:
        c.close()
        srv.close()


def test_peer_closing_is_network_error(core, codes):
    srv = FakeServer(lambda pkt: None)
    c = Client(core, [srv.port])
    try:
        assert_rc(c.one(GET, b"c"), codes["NETWORK_ERROR"])
    finally:
        c.close()
        srv.close()


def test_responses_split_across_reads_and_out_of_order(core):
    pending = []

    def reply(pkt):
        pending.append(pkt)
        if len(pending) < 3:
            return b""
        out = b"".join(response(p[1], struct.unpack(">I", p[12:16])[0], value=p[24:] * 1000) for p in reversed(pending))
        pending.clear()
        return out

    srv = FakeServer(reply)
    c = Client(core, [srv.port])
    try:
        for k in (b"a", b"bb", b"ccc"):
            c.add(GET, k)
        res = c.run()
        assert [r["value"] for r in res] == [b"a" * 1000, b"bb" * 1000, b"ccc" * 1000]
        assert srv.accepted == 1
    finally:
        c.close()
        srv.close()


def test_killed_server_fails_only_its_keys_and_recovers(core, codes):
    a, b = Memcached().start(), Memcached().start()
    c = Client(core, [a.port, b.port])
    try:
        keys = [b"kill-%d" % i for i in range(64)]
        owners = {k: c.owner(k) for k in keys}
        assert set(owners.values()) == {0, 1}
        for k in keys:
            c.add(SET, k, k)
        assert all(r["rc"] == 0 for r in c.run())

        b.stop()
        for k in keys:
            c.add(GET, k)
        res = c.run(reset=False)
        for k, r in zip(keys, res):
            if owners[k] == 0:
                assert_ok(r)
                assert r["value"] == k
            else:
                # NETWORK_ERROR when the dead socket is used, CONNECT_ERROR once the
                # core notices the idle socket was closed and reconnecting fails.
                assert r["rc"] in (codes["NETWORK_ERROR"], codes["CONNECT_ERROR"]), r
                assert r["file"] and r["line"] > 0

        n_failed = sum(1 for k in keys if owners[k] == 1)
        failed_rc = res[[owners[k] for k in keys].index(1)]["rc"]
        assert c.lib.cbc_batch_requeue(c.batch, failed_rc) == n_failed

        b.start()  # same port; the requeued requests go to the new process
        res = c.run()
        for k, r in zip(keys, res):
            if owners[k] == 0:
                assert_ok(r)
            else:
                assert_rc(r, codes["KEY_ENOENT"])  # a fresh memcached is empty
    finally:
        c.close()
        a.stop()
        b.stop()


def test_no_map_and_bad_server_index(core, mc, codes):
    c = Client(core, [mc.port], mode=None)
    try:
        assert_rc(c.one(GET, b"x"), codes["NO_MATCHING_SERVER"])
        assert_ok(c.one(SET, b"live-direct", b"d", server=0))
        assert_rc(c.one(GET, b"x", server=1), codes["NO_MATCHING_SERVER"])
    finally:
        c.close()


def test_vbmap_routing_sends_vbucket_and_reaches_the_server(core, mc):
    ffi, lib = core
    c = Client(core, [mc.port], mode=None)
    try:
        assert lib.cbc_conn_use_vbmap(c.conn, ffi.new("int16_t[]", [0, 0, 0, 0]), 4, 1, c.err) == 0
        assert_ok(c.one(SET, b"live-vb", b"v"))
        assert c.one(GET, b"live-vb")["value"] == b"v"
    finally:
        c.close()


def test_set_servers_keeps_sockets_of_remaining_servers(core, mc):
    c = Client(core, [mc.port])
    try:
        c.one(GET, b"live-keep-socket")
        fd_before = total_connections(c)
        c.set_servers([free_port(), mc.port])
        r = c.one(GET, b"live-keep-socket", server=1)
        assert r["status"] == 1
        assert total_connections(c, server=1) == fd_before
    finally:
        c.close()


def total_connections(c, server=0):
    data = c.one(STAT, server=server)["value"]
    while data:
        nkey, nval = struct.unpack(">HI", data[:6])
        if data[6:6 + nkey] == b"total_connections":
            return int(data[6 + nkey:6 + nkey + nval])
        data = data[6 + nkey + nval:]


def test_expired_deadline_sends_nothing(client, codes):
    assert_rc(client.one(SET, b"live-zero-timeout", b"x", timeout=0), codes["ETIMEDOUT"])
    assert_rc(client.one(GET, b"live-zero-timeout"), codes["KEY_ENOENT"])


def test_localhost_name_connects(core, mc):
    c = Client(core, [mc.port], host="localhost")
    try:
        assert c.lib.cbc_conn_connect(c.conn, 0, 2000000, c.err) == 0
        assert_ok(c.one(SET, b"live-localhost", b"l"))
    finally:
        c.close()


def test_flexible_framing_on_memcached_fails_cleanly(client, codes):
    # memcached takes a first byte other than 0x80 for its text protocol and waits
    # for a newline, so the request times out; the socket is replaced afterwards.
    r = client.one(SET, b"live-durable", b"d", durability=1, timeout=0.2)
    assert r["rc"] in (codes["ETIMEDOUT"], codes["NETWORK_ERROR"]), r
    assert_ok(client.one(SET, b"live-durable", b"plain"))


def test_batches_run_in_parallel_threads(core, mc):
    errors = []

    def work(n):
        c = Client(core, [mc.port])
        try:
            for rnd in range(20):
                for i in range(50):
                    c.add(SET, b"thr-%d-%d" % (n, i), b"%d-%d" % (rnd, i))
                    c.add(GET, b"thr-%d-%d" % (n, i))
                res = c.run()
                for i in range(50):
                    if res[2 * i + 1]["value"] != b"%d-%d" % (rnd, i):
                        errors.append(res[2 * i + 1])
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            c.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_mixed_outcomes_in_one_batch_across_servers(core, mc, codes):
    dead = free_port()
    c = Client(core, [mc.port, dead], mode=None)
    try:
        c.add(SET, b"live-mixed", b"m", server=0)
        c.add(GET, b"live-mixed", server=1)
        c.add(GET, b"live-mixed", server=2)
        c.add(GET, b"live-mixed-absent", server=0)
        ok, refused, nomatch, missing = c.run()
        assert_ok(ok)
        assert_rc(refused, codes["CONNECT_ERROR"])
        assert_rc(nomatch, codes["NO_MATCHING_SERVER"])
        assert_rc(missing, codes["KEY_ENOENT"])
    finally:
        c.close()
