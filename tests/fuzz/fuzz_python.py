"""atheris harness: the Python-side parsers of server bytes.

* the bucket config JSON parser (couchbase._core.config.parse): anything but a valid
  config must raise ProtocolError (never another exception);
* the HTTP client's response reader (couchbase._core.http: status line, headers,
  Content-Length and chunked bodies, the bounds on each), through its public calls
  ``request`` and ``first_streamed_config`` with a fake socket serving the fuzz bytes:
  an answer, or a CouchbaseError, and nothing else.

Run: python tests/fuzz/fuzz_python.py -runs=N (or -max_total_time=S); `make fuzz` does.
"""
import sys

import atheris

with atheris.instrument_imports():
    from couchbase._core import config as _config
    from couchbase._core import http as _http
    from couchbase.exceptions import CouchbaseError


class _Sock:
    """What the HTTP client needs of a socket: the fuzz bytes as the server's reply, in
    pieces of varying size."""

    def __init__(self, data, step):
        self._data = data
        self._step = step

    def settimeout(self, t):
        pass

    def setsockopt(self, *a):
        pass

    def sendall(self, data):
        pass

    def recv(self, n):
        piece, self._data = self._data[:min(n, self._step)], self._data[min(n, self._step):]
        return piece

    def close(self):
        pass


def _serve(data, step):
    _http.open_socket = lambda host, port, timeout, tls=None: _Sock(data, step)


def one_input(data):
    fdp = atheris.FuzzedDataProvider(data)
    which = fdp.ConsumeIntInRange(0, 2)
    step = fdp.ConsumeIntInRange(1, 4096)
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    try:
        if which == 0:
            _config.parse(body, "127.0.0.1")
        elif which == 1:
            _serve(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body, step)
            _http.first_streamed_config("127.0.0.1", 1, "/pools/default/bs/default", limit=1 << 16, timeout=5)
        else:
            _serve(body, step)
            _http.request("127.0.0.1", 1, "GET", "/pools", timeout=5)
    except CouchbaseError:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
