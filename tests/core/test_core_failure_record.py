"""One failure record per socket (cbc_conn_last_failure): whatever failed the socket --
its TLS session, its handshake, an oversized answer, a closed connection -- the record
holds the code, the C file and line that set the failed requests' code, and "host:port:
reason"; cbc_conn_connect reports the same record."""
import pytest

from servers import FakeServer
from test_core_live import GET, Client, codes, core  # noqa: F401 (fixtures)

pytestmark = pytest.mark.memcached


def record(c, index=0):
    err = c.ffi.new("cbc_ERROR*")
    rc = c.lib.cbc_conn_last_failure(c.conn, index, err)
    return rc, c.ffi.string(err.file).decode() if err.file else None, err.line, c.ffi.string(err.msg).decode()


def failed_get(c):
    c.add(GET, b"k")
    c.lib.cbc_batch_run(c.batch, int(2e6), c.err)
    r = c.lib.cbc_batch_results(c.batch)[0]
    out = (r.rc, c.ffi.string(r.file).decode() if r.file else None, r.line)
    c.lib.cbc_batch_reset(c.batch)
    return out


def test_a_tls_session_refused_by_a_plaintext_server_is_the_sockets_record(core, codes, memcached):
    c = Client(core, [memcached.port])
    try:
        assert c.lib.cbc_conn_set_tls(c.conn, 1, c.ffi.NULL, c.ffi.NULL, c.ffi.NULL, 0, c.err) == 0
        rc, file, line = failed_get(c)
        assert rc in (codes["TLS_PLAINTEXT_SERVER"], codes["TLS_ERROR"])
        got = record(c)
        assert got[:3] == (rc, file, line)
        assert got[3].startswith("127.0.0.1:%d: " % memcached.port)
    finally:
        c.close()


@pytest.mark.parametrize("text", [False, True], ids=["binary", "text"])
def test_an_oversized_answer_is_the_sockets_record(core, codes, text):
    with FakeServer("huge") as fake:
        c = Client(core, [fake.port])
        try:
            c.lib.cbc_conn_set_text_gets(c.conn, 1 if text else 0)
            rc, file, line = failed_get(c)
            assert rc == codes["PROTOCOL_ERROR"]
            got = record(c)
            assert got[:3] == (rc, file, line)
            assert got[3].startswith(fake.address + ": ") and "over max_response_size" in got[3]
        finally:
            c.close()


def test_the_record_outlives_later_successes_and_a_new_failure_replaces_it(core, codes):
    fake = FakeServer("huge").__enter__()  # only the first request gets the announcement
    c = Client(core, [fake.port])
    try:
        failed_get(c)
        first = record(c)
        assert failed_get(c)[0] == codes["KEY_ENOENT"]  # answered: the record stays
        assert record(c) == first
        fake.__exit__(None, None, None)
        rc = failed_get(c)[0]
        assert rc in (codes["NETWORK_ERROR"], codes["CONNECT_ERROR"])
        assert record(c)[0] == rc and record(c)[3].startswith(fake.address + ": ")
    finally:
        c.close()
        if fake.proc.returncode is None:
            fake.__exit__(None, None, None)


def test_connect_reports_the_sockets_record(core, codes, memcached):
    c = Client(core, [memcached.port])
    try:
        assert c.lib.cbc_conn_set_tls(c.conn, 1, c.ffi.NULL, c.ffi.NULL, c.ffi.NULL, 0, c.err) == 0
        err = c.ffi.new("cbc_ERROR*")
        rc = c.lib.cbc_conn_connect(c.conn, 0, int(2e6), err)
        assert rc and rc == err.code
        assert record(c) == (err.code, c.ffi.string(err.file).decode(), err.line, c.ffi.string(err.msg).decode())
    finally:
        c.close()
