"""A kept socket the server closed between two runs (the core does not probe a socket
used moments ago): reads queued on it go again on a new connection within the same run;
a mutation fails cleanly (it may have been applied) and the next run reconnects.

The fake server in ``oneshot`` mode answers one request per connection and closes it,
so every second run finds its kept socket closed by the peer."""
import time

import pytest

from servers import FakeServer  # noqa: E402
from test_core_live import GET, SET, Client, assert_rc, codes, core  # noqa: E402,F401 (fixtures)

pytestmark = pytest.mark.memcached
MODES = pytest.mark.parametrize("text", [False, True], ids=["binary", "text"])


@pytest.fixture
def oneshot():
    with FakeServer("oneshot") as fake:
        yield fake


def client(core, fake, text):
    c = Client(core, [fake.port])
    c.lib.cbc_conn_set_text_gets(c.conn, 1 if text else 0)
    return c


@MODES
def test_a_read_on_a_socket_closed_between_runs_is_answered_in_the_same_run(core, oneshot, text):
    c = client(core, oneshot, text)
    try:
        for _ in range(5):  # runs in quick succession: the kept socket is never probed
            c.add(GET, b"k")
            r = c.run()[0]
            assert (r["rc"], r["value"]) == (0, b"v")
    finally:
        c.close()


@MODES
def test_a_batch_of_reads_on_a_closed_socket_is_sent_again_once(core, codes, oneshot, text):
    c = client(core, oneshot, text)
    try:
        c.add(GET, b"first")
        assert c.run()[0]["rc"] == 0
        for k in (b"a", b"b", b"c"):
            c.add(GET, k)
        res = c.run()
        # one request per connection: the first request is answered after the reconnect
        # (as text, one `gets` line carries every key); the new socket is closed in turn,
        # and a run sends again only once
        assert (res[0]["rc"], res[0]["value"]) == (0, b"v")
        assert [r["rc"] for r in res[1:]] == ([0, 0] if text else [codes["NETWORK_ERROR"]] * 2)
    finally:
        c.close()


def test_a_mutation_on_a_socket_closed_between_runs_fails_and_the_next_run_reconnects(core, codes, oneshot):
    c = client(core, oneshot, False)
    try:
        c.add(SET, b"k", b"v1")
        assert c.run()[0]["rc"] == 0
        c.add(SET, b"k", b"v2")
        assert_rc(c.run()[0], codes["NETWORK_ERROR"])
        err = c.ffi.new("cbc_ERROR*")
        assert c.lib.cbc_conn_last_failure(c.conn, 0, err) == codes["NETWORK_ERROR"]
        assert c.ffi.string(err.msg).decode().startswith(oneshot.address + ": ")
        c.add(SET, b"k", b"v3")
        assert c.run()[0]["rc"] == 0
    finally:
        c.close()


def test_reads_go_again_but_mutations_of_the_same_batch_fail(core, codes, oneshot):
    c = client(core, oneshot, False)
    try:
        c.add(GET, b"first")
        assert c.run()[0]["rc"] == 0
        c.add(GET, b"r")
        c.add(SET, b"w", b"v")
        read, write = c.run()
        assert (read["rc"], read["value"]) == (0, b"v")
        assert_rc(write, codes["NETWORK_ERROR"])
    finally:
        c.close()


@MODES
def test_a_new_socket_the_server_closes_too_fails_the_read_without_another_try(core, codes, text):
    with FakeServer("oneanswer") as fake:  # answers its first request ever, then closes every connection
        c = client(core, fake, text)
        try:
            c.add(GET, b"k")
            assert c.run()[0]["rc"] == 0
            c.add(GET, b"k")
            t0 = time.monotonic()
            r = c.run(timeout=5.0)[0]
            assert time.monotonic() - t0 < 2.5   # one more socket, not a loop until the deadline
            assert_rc(r, codes["NETWORK_ERROR"])
        finally:
            c.close()
