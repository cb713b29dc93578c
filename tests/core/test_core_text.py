"""Text-protocol gets (cbc_conn_set_text_gets) in the C core, against real memcached
and fake servers: results must match the binary path's exactly."""
import os
import signal
import threading
import time

import pytest


from servers import FakeServer  # noqa: E402
from servers import Memcached as MemcachedProc  # noqa: E402
from test_core_live import GET, SET, Client, assert_ok, assert_rc, codes, core  # noqa: E402,F401 (fixtures)

pytestmark = pytest.mark.memcached

FIELDS = ("rc", "status", "opcode", "flags", "cas", "server", "key", "value")


@pytest.fixture(scope="module")
def mcs():
    servers = [MemcachedProc().start() for _ in range(2)]
    yield servers
    for s in servers:
        s.stop()


def text_client(core, ports, on=True):
    c = Client(core, ports)
    c.lib.cbc_conn_set_text_gets(c.conn, 1 if on else 0)
    return c


def gets(c, keys, timeout=2.0):
    for k in keys:
        c.add(GET, k)
    return c.run(timeout)


def same(a, b):
    """Equal results; a binary miss carries memcached's "Not found" text as its value,
    a text miss no value (the Python layer shows neither)."""
    for x, y in zip(a, b):
        fields = FIELDS if x["rc"] == 0 else FIELDS[:-1]
        assert {f: x[f] for f in fields} == {f: y[f] for f in fields}
        assert (x["file"] is None) == (y["file"] is None) and (x["line"] > 0) == (y["line"] > 0)
    assert len(a) == len(b)


def test_text_and_binary_results_are_the_same(core, mcs, codes):
    on = text_client(core, [m.port for m in mcs])
    off = text_client(core, [m.port for m in mcs], on=False)
    try:
        keys = [b"ab-found-%d" % i for i in range(300)]
        for i, k in enumerate(keys):
            on.add(SET, k, b"v%d" % i * (i % 7), flags=(i * 2654435761) & 0xffffffff)
        assert all(r["rc"] == 0 for r in on.run())
        ask = []
        for i, k in enumerate(keys):
            ask += [k, b"ab-missing-%d" % i]
        ask += [b"ab key with space", keys[0], keys[0], b"\xc3\xa9t\xc3\xa9-missing", b"k" * 250]
        a = gets(on, ask)
        b = gets(off, ask)
        same(a, b)
        assert sum(r["rc"] == 0 for r in a) == 302
        miss = a[1]
        assert_rc(miss, codes["KEY_ENOENT"])
        assert miss["status"] == 0x01 and miss["cas"] == 0 and miss["value"] == b""
        # the binary path's miss carries memcached's "Not found" text; the text path has none
        assert b[1]["value"] in (b"", b"Not found")
    finally:
        on.close()
        off.close()


def test_key_with_space_goes_binary_and_works(core, mcs):
    c = text_client(core, [mcs[0].port])
    try:
        assert_ok(c.one(SET, b"has space", b"sp", flags=3))
        r = gets(c, [b"has space", b"has\ttab", b"nospace"])
        assert r[0]["value"] == b"sp" and r[0]["flags"] == 3
        assert r[1]["status"] == 0x01 and r[2]["status"] == 0x01
    finally:
        c.close()


def test_large_values_1000_x_16k(core, mcs):
    c = text_client(core, [m.port for m in mcs])
    try:
        vals = {b"big-%d" % i: os.urandom(8192).hex().encode() for i in range(1000)}
        for k, v in vals.items():
            c.add(SET, k, v, flags=i if (i := len(k)) else 0)
        assert all(r["rc"] == 0 for r in c.run(10))
        for _ in range(2):  # the second round reuses the read buffers
            res = gets(c, list(vals), timeout=10)
            assert all(r["rc"] == 0 and r["value"] == vals[r["key"]] for r in res)
    finally:
        c.close()


def test_long_keys_split_into_lines(core, mcs):
    c = text_client(core, [mcs[0].port])
    try:
        keys = [(b"%04d" % i) * 62 + b"xx" for i in range(230)]  # 250 bytes: ~32 per 8 KiB line
        for k in keys[::2]:
            c.add(SET, k, k[:8])
        c.run()
        res = gets(c, keys)
        for i, r in enumerate(res):
            if i % 2 == 0:
                assert r["rc"] == 0 and r["value"] == keys[i][:8]
            else:
                assert r["status"] == 0x01
    finally:
        c.close()


def test_duplicate_keys_each_get_their_value(core, mcs):
    c = text_client(core, [mcs[0].port])
    try:
        assert_ok(c.one(SET, b"dup-a", b"A", flags=5))
        res = gets(c, [b"dup-a", b"dup-miss", b"dup-a", b"dup-miss", b"dup-a"])
        assert [r["value"] for r in res[::2]] == [b"A"] * 3
        assert all(r["flags"] == 5 and r["rc"] == 0 for r in res[::2])
        assert all(r["status"] == 0x01 for r in res[1::2])
    finally:
        c.close()


def test_cas_from_text_get_works_for_cas_set(core, mcs, codes):
    c = text_client(core, [mcs[0].port])
    try:
        assert_ok(c.one(SET, b"cas-k", b"1"))
        g = gets(c, [b"cas-k", b"cas-other"])[0]
        assert g["cas"] != 0
        assert_ok(c.one(SET, b"cas-k", b"2", cas=g["cas"]))
        assert_rc(c.one(SET, b"cas-k", b"3", cas=g["cas"]), codes["KEY_EEXISTS"])
        assert gets(c, [b"cas-k"])[0]["value"] == b"2"
    finally:
        c.close()


def keys_on(c, idx, n, prefix):
    out, i = [], 0
    while len(out) < n:
        k = b"%s%d" % (prefix, i)
        if c.owner(k) == idx:
            out.append(k)
        i += 1
    return out


def test_garbage_on_text_socket_fails_only_its_keys(core, mcs, codes):
    with FakeServer("textgarbage") as fake:
        c = text_client(core, [mcs[0].port, fake.port])
        try:
            good = keys_on(c, 0, 20, b"tg-good")
            bad = keys_on(c, 1, 20, b"tg-bad")
            for k in good:
                c.add(SET, k, b"g")
            c.run()
            res = gets(c, good + bad + [b"tg bad spaced"] * 0)
            assert all(r["rc"] == 0 and r["value"] == b"g" for r in res[:20])
            for r in res[20:]:
                assert_rc(r, codes["PROTOCOL_ERROR"])
            # binary requests to the fake server are unaffected
            spaced = keys_on(c, 1, 1, b"tg bad spaced ")[0]
            assert c.one(GET, spaced)["status"] == 0x01
            # the next run reconnects the text socket, and the fake server now answers END
            res = gets(c, good + bad)
            assert all(r["rc"] == 0 for r in res[:20])
            assert all(r["rc"] == codes["KEY_ENOENT"] and r["status"] == 0x01 for r in res[20:])
        finally:
            c.close()


def test_server_error_line_fails_the_rest_of_its_line(core, codes):
    with FakeServer("texterror") as fake:
        c = text_client(core, [fake.port])
        try:
            res = gets(c, [b"se-1", b"se-2", b"se-3"])
            assert res[0]["rc"] == 0 and res[0]["value"] == b"hi" and res[0]["flags"] == 7
            assert res[0]["cas"] == 99
            for r in res[1:]:
                assert_rc(r, codes["SERVER_STATUS"])
            # the stream stays in step: the next run works the same way
            assert gets(c, [b"se-4"])[0]["value"] == b"hi"
        finally:
            c.close()


def test_server_killed_mid_batch_fails_only_its_keys(core, mcs, codes):
    with FakeServer("silent") as fake:
        c = text_client(core, [mcs[0].port, fake.port])
        try:
            good = keys_on(c, 0, 50, b"kill-good")
            bad = keys_on(c, 1, 50, b"kill-bad")
            for k in good:
                c.add(SET, k, b"ok")
            c.run()
            killer = threading.Timer(0.3, lambda: os.kill(fake.proc.pid, signal.SIGKILL))
            killer.start()
            t0 = time.monotonic()
            res = gets(c, good + bad, timeout=5)
            killer.join()
            assert time.monotonic() - t0 < 3
            assert all(r["rc"] == 0 and r["value"] == b"ok" for r in res[:50])
            for r in res[50:]:
                assert_rc(r, codes["NETWORK_ERROR"])
                assert r["server"] == 1
        finally:
            c.close()


def test_timeout_closes_the_text_socket_and_the_next_run_is_in_step(core, codes):
    with FakeServer("delay:0.4") as fake:
        c = text_client(core, [fake.port])
        try:
            t0 = time.monotonic()
            res = gets(c, [b"to-1", b"to-2"], timeout=0.15)
            assert time.monotonic() - t0 < 0.35
            for r in res:
                assert_rc(r, codes["ETIMEDOUT"])
            # a late END from the timed-out line must not answer this run's line
            res = gets(c, [b"to-3"], timeout=2)
            assert res[0]["rc"] == codes["KEY_ENOENT"] and res[0]["status"] == 0x01
        finally:
            c.close()


def test_connect_refused_is_connect_error_like_binary(core, codes):
    from servers import free_port

    port = free_port()
    on = text_client(core, [port])
    off = text_client(core, [port], on=False)
    try:
        same(gets(on, [b"cr-1", b"cr-2"]), gets(off, [b"cr-1", b"cr-2"]))
        assert gets(on, [b"cr-1"])[0]["rc"] == codes["CONNECT_ERROR"]
    finally:
        on.close()
        off.close()


def test_text_and_binary_requests_in_one_run(core, mcs):
    c = text_client(core, [m.port for m in mcs])
    try:
        c.add(SET, b"mix-1", b"one")
        c.add(GET, b"mix-0")
        c.add(GET, b"mix 2")
        res = c.run()
        assert res[0]["rc"] == 0 and res[1]["status"] == 0x01 and res[2]["status"] == 0x01
        c.add(GET, b"mix-1")
        c.add(SET, b"mix 2", b"two")
        c.add(GET, b"mix-1")
        res = c.run()
        assert res[0]["value"] == b"one" and res[1]["rc"] == 0 and res[2]["value"] == b"one"
        assert gets(c, [b"mix 2"])[0]["value"] == b"two"
    finally:
        c.close()
