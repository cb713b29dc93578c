"""Buffers a batch keeps between rounds: requests are encoded once at add time into
an arena that reset keeps (up to a ceiling) and runs send from; read buffers are
sized from the previous round. These tests check that reuse never changes results."""
import os

import pytest

from test_core_live import GET, SET, Client, Memcached, assert_ok, core, codes  # noqa: F401


@pytest.fixture(scope="module")
def big_mc():
    server = Memcached()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def client(core, big_mc):  # noqa: F811
    c = Client(core, [big_mc.port])
    yield c
    c.close()


def test_rounds_of_varying_sizes_reuse_memory_without_mixing_results(client):
    # big, small, big again: later rounds write over arena and read buffers of earlier ones
    for rnd, (n, size) in enumerate([(40, 200 * 1024), (500, 10), (60, 100 * 1024), (3, 5), (40, 200 * 1024)]):
        vals = [os.urandom(size) for _ in range(n)]
        for i, v in enumerate(vals):
            client.add(SET, b"buf-%d-%d" % (rnd, i), v, flags=i)
        assert all(r["rc"] == 0 for r in client.run())
        for i in range(n):
            client.add(GET, b"buf-%d-%d" % (rnd, i))
        res = client.run()
        assert [r["key"] for r in res] == [b"buf-%d-%d" % (rnd, i) for i in range(n)]
        assert [r["value"] for r in res] == vals
        assert [r["flags"] for r in res] == list(range(n))


def test_batch_over_the_kept_ceiling_still_works_and_the_next_round_too(client):
    # ~72 MiB of requests: more arena than reset keeps (64 MiB)
    val = b"x" * (900 * 1024)
    for i in range(80):
        client.add(SET, b"huge-%d" % i, val)
    res = client.run(timeout=20)
    assert all(r["rc"] == 0 for r in res)
    assert [r["key"] for r in res] == [b"huge-%d" % i for i in range(80)]
    assert_ok(client.one(SET, b"after-huge", b"small"))
    r = client.one(GET, b"after-huge")
    assert r["value"] == b"small"


def test_collections_switched_on_after_add_reencodes_at_run(client):
    client.add(SET, b"coll-late", b"v1")
    client.lib.cbc_conn_set_collections(client.conn, 1)
    try:
        (r,) = client.run()
    finally:
        client.lib.cbc_conn_set_collections(client.conn, 0)
    assert_ok(r)
    assert r["key"] == b"coll-late"  # the key as added, no prefix
    # memcached knows no collections: the LEB128 prefix of collection 0 became part of the key
    assert client.one(GET, b"\x00coll-late")["value"] == b"v1"
    assert client.one(GET, b"coll-late")["status"] == 1


def test_requeued_request_is_sent_again_from_its_encoded_packet(client, codes):  # noqa: F811
    client.add(GET, b"requeue-missing")
    client.lib.cbc_batch_run(client.batch, 2000000, client.err)
    assert client.results()[0]["rc"] == codes["KEY_ENOENT"]
    assert client.lib.cbc_batch_requeue(client.batch, codes["KEY_ENOENT"]) == 1
    client.lib.cbc_batch_run(client.batch, 2000000, client.err)
    (r,) = client.results()
    assert r["rc"] == codes["KEY_ENOENT"] and r["key"] == b"requeue-missing"
    client.lib.cbc_batch_reset(client.batch)
