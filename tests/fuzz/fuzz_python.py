"""atheris harness: the Python-side parsers of server bytes.

* the bucket config JSON parser (couchbase._core.config.parse): anything but a valid
  config must raise ProtocolError (never another exception);
* the HTTP response reader the bootstrap streams go through (couchbase._core.http, which
  reads with http.client, including its chunked decoder): a mutated chunked stream must
  give a config, a clean ConnectError/ProtocolError, or an empty answer.

Run: python tests/fuzz/fuzz_python.py -runs=N (or -max_total_time=S); `make fuzz` does.
"""
import contextlib
import io
import sys

import atheris

with atheris.instrument_imports():
    import http.client  # noqa: F401  (its chunked decoder is what the bootstrap streams use)

    from couchbase._core import config as _config
    from couchbase._core import http as _http
    from couchbase.exceptions import CouchbaseError


class _Sock:
    """What http.client needs of a socket: the fuzz bytes as the server's reply."""

    def __init__(self, data):
        self._data = data

    def makefile(self, mode, *a, **k):
        return io.BytesIO(self._data)

    def sendall(self, data):
        pass

    def close(self):
        pass


def _stream_config(data):
    client = _http._client()

    class Conn(client.HTTPConnection):
        def connect(self):
            self.sock = _Sock(data)

    @contextlib.contextmanager
    def exchange(host, port, timeout):
        conn = Conn(host, port, timeout=timeout)
        try:
            yield conn
        except client.HTTPException as e:
            raise _http.ConnectError({"rc": 0, "message": "bad HTTP", "inner_cause": e})
        finally:
            conn.close()

    orig = _http._exchange
    _http._exchange = exchange
    try:
        return _http.first_streamed_config("127.0.0.1", 1, "/pools/default/bs/default", limit=1 << 16)
    finally:
        _http._exchange = orig


def one_input(data):
    fdp = atheris.FuzzedDataProvider(data)
    which = fdp.ConsumeIntInRange(0, 1)
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    if which == 0:
        try:
            _config.parse(body, "127.0.0.1")
        except CouchbaseError:
            pass
    else:
        head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        try:
            _stream_config(head + body)
        except CouchbaseError:
            pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
