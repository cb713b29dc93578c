"""cbc_batch_run_until: a run that returns once results [0, upto) are final and
continues on the next call; and execute_multi / Connection._execute built on it."""
import os
import signal
import time

import pytest


from servers import FakeServer  # noqa: E402
from servers import Memcached as MemcachedProc  # noqa: E402
from test_core_live import GET, SET, Client, codes, core  # noqa: E402,F401 (fixtures)

pytestmark = pytest.mark.memcached

N = 400
SIZE = 16 * 1024


@pytest.fixture(scope="module")
def mcs():
    servers = [MemcachedProc().start() for _ in range(2)]
    yield servers
    for s in servers:
        s.stop()


@pytest.fixture(params=["binary", "text"])
def client(request, core, mcs):  # noqa: F811
    c = Client(core, [mcs[0].port, mcs[1].port])
    c.lib.cbc_conn_set_text_gets(c.conn, 1 if request.param == "text" else 0)
    yield c
    c.close()


def keys_on(c, idx, n, prefix):
    out, i = [], 0
    while len(out) < n:
        k = b"%s%d" % (prefix, i)
        if c.owner(k) == idx:
            out.append(k)
        i += 1
    return out


def value_of(key, size=SIZE):
    return (key * (size // len(key) + 1))[:size]


def store(c, keys, size=SIZE):
    for i, k in enumerate(keys):
        c.add(SET, k, value_of(k, size), flags=i)
    res = c.run(timeout=10)
    assert all(r["rc"] == 0 for r in res)


def run_until(c, upto, timeout=10.0):
    assert c.lib.cbc_batch_run_until(c.batch, upto, int(timeout * 1e6), c.err) == 0


def results(c, hi=None):
    """Results [0, hi) (all by default): only those of an unfinished run's prefix are valid."""
    ffi, lib = c.ffi, c.lib
    res = lib.cbc_batch_results(c.batch)
    n = lib.cbc_batch_size(c.batch) if hi is None else hi
    return [{"rc": res[i].rc, "flags": res[i].flags, "server": res[i].server,
             "key": ffi.unpack(res[i].key, res[i].nkey), "value": ffi.unpack(res[i].value, res[i].nvalue)}
            for i in range(n)]


def check(c, keys, lo, hi, size=SIZE):
    res = results(c, hi)
    for i in range(lo, hi):
        r = res[i]
        assert r["rc"] == 0 and r["key"] == keys[i], (i, r["rc"], r["key"])
        assert r["value"] == value_of(keys[i], size) and r["flags"] == i % N, i


@pytest.fixture(scope="module")
def stored(core, mcs):  # noqa: F811
    c = Client(core, [mcs[0].port, mcs[1].port])
    keys = [b"ru-%d" % i for i in range(N)]
    store(c, keys)
    c.close()
    return keys


def test_partial_runs_give_final_prefixes_and_complete(client, stored):
    keys = stored
    for k in keys:
        client.add(GET, k)
    for upto in (1, 37, 38, 200, 399):
        run_until(client, upto)
        check(client, keys, 0, upto)
    run_until(client, N)
    check(client, keys, 0, N)
    # the batch is finished: another call changes nothing
    run_until(client, N)
    check(client, keys, 0, N)
    client.lib.cbc_batch_reset(client.batch)


def test_upto_past_the_end_and_zero(client, stored):
    keys = stored[:50]
    for k in keys:
        client.add(GET, k)
    run_until(client, 0)
    run_until(client, 10 ** 6)
    check(client, keys, 0, 50)
    client.lib.cbc_batch_reset(client.batch)


def test_reset_mid_run_then_next_batch_is_in_step(client, stored):
    keys = stored
    for _ in range(3):
        for k in keys:
            client.add(GET, k)
        run_until(client, 5)
        check(client, keys, 0, 5)
        client.lib.cbc_batch_reset(client.batch)  # answers still in flight: abandoned
        other = list(reversed(keys[100:160]))
        res = [client.one(GET, k) for k in other[:3]]
        assert [r["value"] for r in res] == [value_of(k) for k in other[:3]]
        for k in other:
            client.add(GET, k)
        res = client.run()
        assert [r["key"] for r in res] == other
        assert all(r["rc"] == 0 for r in res)
        assert [r["value"] for r in res] == [value_of(k) for k in other]


def test_requeue_and_free_mid_run_are_safe(core, mcs, stored, codes):  # noqa: F811
    c = Client(core, [mcs[0].port, mcs[1].port])
    try:
        for k in stored:
            c.add(GET, k)
        run_until(c, 3)
        c.lib.cbc_batch_requeue(c.batch, codes["ETIMEDOUT"])  # abandons, then requeues those
        run_until(c, N)
        check(c, stored, 0, N)
        c.lib.cbc_batch_reset(c.batch)
        for k in stored:
            c.add(GET, k)
        run_until(c, 3)
    finally:
        c.close()  # frees the batch mid-run, then the connection


def test_another_batch_on_the_connection_abandons_the_unfinished_run(client, stored, codes):  # noqa: F811
    keys = stored
    other = client.lib.cbc_batch_new(client.conn)
    try:
        for k in keys:
            client.add(GET, k)
        run_until(client, 2)
        check(client, keys, 0, 2)
        req = client.ffi.new("cbc_REQUEST*")
        req.opcode = GET
        req.server = -1
        kb = client.ffi.new("char[]", keys[7])
        req.key, req.nkey = kb, len(keys[7])
        assert client.lib.cbc_batch_add(other, req, client.err) == 0
        assert client.lib.cbc_batch_run(other, 5 * 10 ** 6, client.err) == 0
        r = client.lib.cbc_batch_results(other)[0]
        assert r.rc == 0 and client.ffi.unpack(r.value, r.nvalue) == value_of(keys[7])
        # the first batch's run was abandoned: continuing it finishes at once, every
        # result final (answered before, or ETIMEDOUT)
        run_until(client, N)
        res = results(client)
        assert all(r["rc"] in (0, codes["ETIMEDOUT"]) for r in res)
        for i, r in enumerate(res):
            if r["rc"] == 0:
                assert r["value"] == value_of(keys[i])
    finally:
        client.lib.cbc_batch_free(other)
        client.lib.cbc_batch_reset(client.batch)


@pytest.mark.parametrize("text", [0, 1])
def test_timeout_mid_run_keeps_the_first_deadline(core, mcs, codes, text):  # noqa: F811
    with FakeServer("silent") as fake:
        c = Client(core, [mcs[0].port, fake.port])
        c.lib.cbc_conn_set_text_gets(c.conn, text)
        try:
            good = keys_on(c, 0, 30, b"tmo-good")
            bad = keys_on(c, 1, 30, b"tmo-bad")
            store_good = Client(core, [mcs[0].port])
            store(store_good, good, 100)
            store_good.close()
            for k in good + bad:
                c.add(GET, k)
            t0 = time.monotonic()
            run_until(c, 30, timeout=0.6)
            assert time.monotonic() - t0 < 0.5
            check(c, good, 0, 30, 100)
            time.sleep(0.4)
            t1 = time.monotonic()
            run_until(c, 60, timeout=5)  # the deadline is the first call's
            assert time.monotonic() - t1 < 0.5
            res = results(c)
            check(c, good, 0, 30, 100)
            for r in res[30:]:
                assert r["rc"] == codes["ETIMEDOUT"]
        finally:
            c.close()


@pytest.mark.parametrize("text", [0, 1])
def test_server_killed_mid_run(core, mcs, codes, text):  # noqa: F811
    with FakeServer("silent") as fake:
        c = Client(core, [mcs[0].port, fake.port])
        c.lib.cbc_conn_set_text_gets(c.conn, text)
        try:
            good = keys_on(c, 0, 30, b"kill-good")
            bad = keys_on(c, 1, 30, b"kill-bad")
            store_good = Client(core, [mcs[0].port])
            store(store_good, good, 100)
            store_good.close()
            for k in good + bad:
                c.add(GET, k)
            run_until(c, 30, timeout=5)
            check(c, good, 0, 30, 100)
            os.kill(fake.proc.pid, signal.SIGKILL)
            t0 = time.monotonic()
            run_until(c, 60, timeout=5)
            assert time.monotonic() - t0 < 3
            res = results(c)
            check(c, good, 0, 30, 100)
            for r in res[30:]:
                assert r["rc"] == codes["NETWORK_ERROR"] and r["server"] == 1
        finally:
            c.close()


# ---- execute_multi and Connection._execute ----

def test_execute_multi_in_small_steps_matches_build(client, stored):
    from couchbase._core import batch as _batch
    from couchbase.result import MultiResult, OperationResult, ValueResult

    if not _batch.native_available():
        pytest.skip("native module not built")
    keys = stored[:120] + [b"ru-missing"] + stored[:5]  # a miss and duplicates
    addr = _batch._addr(client.batch)
    for chunk, chunk_bytes in ((1, 1), (7, 50000), (128, 1 << 30)):
        for k in keys:
            client.add(GET, k)
        with pytest.warns(RuntimeWarning):
            mres, failed = _batch._fp.execute_multi(addr, 5 * 10 ** 6, chunk, chunk_bytes, keys, "value",
                                                    MultiResult, ValueResult, OperationResult, True, None,
                                                    False)
        assert [r.key for r in failed] == [b"ru-missing"]
        assert len(mres) == 121
        for k in stored[:120]:
            assert mres[k].value == value_of(k) and mres[k].rc == 0
        client.lib.cbc_batch_reset(client.batch)


def test_build_range_appends_to_a_multiresult(client, stored):
    from couchbase._core import batch as _batch
    from couchbase.result import MultiResult, OperationResult, ValueResult

    if not _batch.native_available():
        pytest.skip("native module not built")
    keys = stored[:100]
    for k in keys:
        client.add(GET, k)
    addr = _batch._addr(client.batch)
    mres, failed = MultiResult(), []
    for lo, hi in ((0, 10), (10, 64), (64, 100)):
        run_until(client, hi)
        _batch._fp.build_range(addr, keys, lo, hi, "value", mres, failed, ValueResult, OperationResult, True,
                               None, False)
        assert len(mres) == hi
    assert failed == []
    assert [mres[k].value for k in keys] == [value_of(k) for k in keys]
    with pytest.raises(IndexError):
        _batch._fp.build_range(addr, keys, 50, 101, "value", mres, failed, ValueResult, OperationResult, True,
                               None, False)
    client.lib.cbc_batch_reset(client.batch)


@pytest.mark.parametrize("native", [True, False])
def test_get_multi_native_and_fallback_agree(mcs, native):
    from couchbase import Couchbase
    from couchbase._core import batch as _batch
    from couchbase.exceptions import NotFoundError

    if native and not _batch.native_available():
        pytest.skip("native module not built")
    old = _batch.use_native(native)
    try:
        conn = Couchbase.connect(host="memcached://%s" % mcs[0].address)
        vals = {"gm-%d" % i: {"i": i, "pad": "x" * (i * 37)} for i in range(300)}
        conn.set_multi(vals)
        res = conn.get_multi(list(vals))
        assert {k: r.value for k, r in res.items()} == vals
        res = conn.get_multi(list(vals) + ["gm-missing"], quiet=True)
        assert res["gm-missing"].value is None and not res["gm-missing"].success
        with pytest.raises(NotFoundError) as ei:
            conn.get_multi(["gm-1", "gm-missing"])
        assert ei.value.all_results["gm-1"].value == vals["gm-1"]
        # the connection is in step after a raise
        assert conn.get("gm-5").value == vals["gm-5"]
    finally:
        _batch.use_native(old)
