"""The HTTP client's bounds and retries against small fake servers on 127.0.0.1."""
import socket
import threading

import pytest

from couchbase._core import http
from couchbase._core.viewrows import RowStream
from couchbase.exceptions import ConnectError, ProtocolError, TimeoutError


class FakeServer:
    """Answers every connection with ``reply`` (bytes, or a callable(conn)) and counts them."""

    def __init__(self, reply):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.reply = reply
        self.accepted = 0
        self._stop = False
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            conn.recv(65536)
            if callable(self.reply):
                self.reply(conn)
            else:
                conn.sendall(self.reply)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self._stop = True
        self.sock.close()


@pytest.fixture
def server():
    made = []

    def make(reply):
        s = FakeServer(reply)
        made.append(s)
        return s
    yield make
    for s in made:
        s.close()


def test_huge_content_length_is_refused_without_reading(server):
    s = server(b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999\r\n\r\nabc")
    with pytest.raises(ProtocolError, match="over the limit"):
        http.request("127.0.0.1", s.port, "GET", "/")


def test_chunk_size_of_2_to_the_63_is_refused(server):
    s = server(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8000000000000000\r\nabc")
    with pytest.raises(ProtocolError, match="Chunk"):
        http.request("127.0.0.1", s.port, "GET", "/")


def test_endless_chunked_body_stops_at_the_limit(server):
    def endless(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        piece = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
        while True:
            conn.sendall(piece)
    s = server(endless)
    client = http.HttpClient([("127.0.0.1", s.port)])
    with pytest.raises(ProtocolError, match="over the limit"):
        client.request("GET", "/", limit=1 << 20, timeout=10)


def test_body_until_close_is_bounded_too(server):
    def endless(conn):
        conn.sendall(b"HTTP/1.0 200 OK\r\n\r\n")
        while True:
            conn.sendall(b"y" * 65536)
    s = server(endless)
    client = http.HttpClient([("127.0.0.1", s.port)])
    with pytest.raises(ProtocolError):
        client.request("GET", "/", limit=1 << 20, timeout=10)


def test_endless_response_head_is_refused(server):
    def endless(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        while True:
            conn.sendall(b"X-Filler: " + b"z" * 1000 + b"\r\n")
    s = server(endless)
    with pytest.raises(ProtocolError, match="head"):
        http.request("127.0.0.1", s.port, "GET", "/", timeout=10)


def test_garbage_answer_is_a_protocol_error(server):
    s = server(b"SSH-2.0-OpenSSH\r\n\r\n")
    with pytest.raises(ProtocolError):
        http.request("127.0.0.1", s.port, "GET", "/")


def test_silent_server_times_out(server):
    ev = threading.Event()
    s = server(lambda conn: ev.wait(5))
    with pytest.raises(TimeoutError):
        http.request("127.0.0.1", s.port, "GET", "/", timeout=0.3)
    ev.set()


def test_dead_host_is_a_connect_error():
    from servers import free_port
    with pytest.raises(ConnectError):
        http.request("127.0.0.1", free_port(), "GET", "/")


def test_request_goes_to_the_next_node_when_one_is_down(server):
    from servers import free_port
    s = server(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    client = http.HttpClient([("127.0.0.1", free_port()), ("127.0.0.1", s.port)])
    for _ in range(4):
        assert client.request("GET", "/")[2] == b"ok"


def test_nodes_are_used_round_robin(server):
    a = server(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\na")
    b = server(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\nb")
    client = http.HttpClient([("127.0.0.1", a.port), ("127.0.0.1", b.port)])
    assert sorted(client.request("GET", "/")[2] for _ in range(4)) == [b"a", b"a", b"b", b"b"]


def test_keep_alive_connection_is_reused(server):
    def two(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1")
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2")
    s = server(two)
    client = http.HttpClient([("127.0.0.1", s.port)])
    assert [client.request("GET", "/")[2] for _ in range(2)] == [b"1", b"2"]
    assert s.accepted == 1


def test_row_stream_refuses_a_row_over_its_limit():
    pieces = [b'{"rows":[{"id":"', b"x" * 70000, b"x" * 70000]
    with pytest.raises(http._Failure):
        for _ in RowStream(iter(pieces), max_row=100000):
            pass


def test_row_stream_refuses_a_truncated_answer():
    with pytest.raises(http._Failure):
        list(RowStream(iter([b'{"total_rows":1,"rows":[{"id":"a","key":1'])))
