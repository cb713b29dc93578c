"""The SDK's one HTTP/1.1 client: views, design documents, Admin, management REST and
the HTTP bootstrap all go through it.

* ``open_socket`` is the one place a socket is created; over TLS (``couchbases://``, a
  ``couchbase._core.tls.TLSSettings``) it is wrapped there, and ssl failures become the
  TLS codes (an untrusted or expired certificate, a host name mismatch, a plaintext port).
* ``HttpConnection`` is one keep-alive connection; ``Response`` reads its answer, buffered
  (``read``) or piece by piece (``stream``), always within bounds: a response head over
  ``MAX_HEAD`` bytes, a chunk-size line over ``MAX_CHUNK_LINE`` bytes, a chunk over
  ``MAX_CHUNK`` bytes or a buffered body over its limit (``MAX_BODY`` unless the caller
  gives one) raise ProtocolError without reading further, so a server that sends an endless
  body, a chunk size of 2**63 or a huge Content-Length cannot exhaust memory.
* ``HttpClient`` keeps idle connections per node, picks nodes round-robin among those a
  service runs on, and retries a request on another node (within the operation's timeout)
  when a node cannot be reached or drops the connection before answering.
* ``request`` and ``first_streamed_config`` are the one-shot forms used by bootstrap.

Timeouts: a buffered request must finish within its timeout; a streamed response must
deliver its head within the timeout and then never stay silent longer than it.
"""
import base64
import socket
import threading
import time

from couchbase import exceptions as _exc
from couchbase._core import tls as _tls
from couchbase._core.binding import C

STREAM_DELIMITER = b"\n\n\n\n"
#: Longest response head (status line and headers).
MAX_HEAD = 64 * 1024
#: Longest chunk-size line (hex size plus extensions).
MAX_CHUNK_LINE = 1024
#: Largest single chunk a server may announce.
MAX_CHUNK = 1 << 30
#: Largest body a buffered read accepts unless the caller gives its own limit.
MAX_BODY = 256 * 1024 * 1024
#: Bytes per socket read.
READ_SIZE = 64 * 1024
#: Idle keep-alive connections kept per node.
MAX_IDLE = 4


def auth_header(username, password):
    if username is None:
        return {}
    token = base64.b64encode(("%s:%s" % (username, password or "")).encode()).decode()
    return {"Authorization": "Basic " + token}


def open_socket(host, port, timeout, tls=None):
    """A connected TCP socket (the one place sockets are created), in a TLS session
    (handshake done, certificate checked) when `tls` (TLSSettings) is given."""
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls is not None:
            sock = tls.ssl_context().wrap_socket(sock, server_hostname=host)
    except BaseException:
        sock.close()
        raise
    return sock


#: TLS failures that another node or another try will not mend
_TLS_REFUSALS = frozenset((C.TLS_CERT_UNTRUSTED, C.TLS_HOSTNAME_MISMATCH, C.TLS_CERT_EXPIRED,
                           C.TLS_PLAINTEXT_SERVER))


class _Failure(Exception):
    """Internal: a network failure, with whether the request may have reached the server."""

    def __init__(self, rc, message, cause=None, sent=True):
        super().__init__(message)
        self.rc = rc
        self.message = message
        self.cause = cause
        self.sent = sent


class Response:
    """Status, headers and the body reader of one answer."""

    def __init__(self, conn, status, reason, headers, raw_headers, method):
        self.conn = conn
        self.status = status
        self.reason = reason
        self.headers = headers            # lower-case name -> value
        self.raw_headers = raw_headers    # name as sent -> value
        te = headers.get("transfer-encoding", "").lower()
        self.chunked = "chunked" in te
        self.length = None
        self.done = method == "HEAD" or status in (204, 304) or 100 <= status < 200
        if not self.chunked and "content-length" in headers:
            text = headers["content-length"].strip()
            if not text.isdigit() or len(text) > 19:
                raise _Failure(C.PROTOCOL_ERROR, "Bad Content-Length %r" % text[:40])
            self.length = int(text)
        self.keep_alive = (headers.get("connection", "").lower() != "close"
                           and (self.chunked or self.length is not None or self.done))
        self._chunk_left = 0
        self._eof = False

    def read(self, limit=MAX_BODY, deadline=None):
        """The whole body (at most ``limit`` bytes, else ProtocolError)."""
        if self.length is not None and self.length > limit:
            self.conn.discard()
            raise _Failure(C.PROTOCOL_ERROR, "Response body of %d bytes is over the limit of %d bytes"
                           % (self.length, limit))
        out = []
        size = 0
        for piece in self.stream(deadline):
            size += len(piece)
            if size > limit:
                self.conn.discard()
                raise _Failure(C.PROTOCOL_ERROR, "Response body is over the limit of %d bytes" % limit)
            out.append(piece)
        return b"".join(out)

    def stream(self, deadline=None, idle=None):
        """Yield the body in pieces as they arrive; the connection goes back to its pool
        once the body is complete. ``deadline`` bounds the whole body, ``idle`` each wait."""
        c = self.conn
        if self.done:
            c.finished(self.keep_alive)
            return
        if self.length is not None:
            left = self.length
            while left:
                piece = c.read_some(min(left, READ_SIZE), deadline, idle)
                if not piece:
                    raise _Failure(C.NETWORK_ERROR, "Connection closed in the middle of a response body")
                left -= len(piece)
                yield piece
        elif self.chunked:
            while True:
                line = c.read_line(MAX_CHUNK_LINE, deadline, idle)
                size_text = line.split(b";", 1)[0].strip()
                if not size_text or len(size_text) > 16 or not all(ch in b"0123456789abcdefABCDEF"
                                                                   for ch in size_text):
                    raise _Failure(C.PROTOCOL_ERROR, "Bad chunk size line %r" % line[:40])
                size = int(size_text, 16)
                if size > MAX_CHUNK:
                    raise _Failure(C.PROTOCOL_ERROR, "Chunk of %d bytes is over the limit of %d bytes"
                                   % (size, MAX_CHUNK))
                if size == 0:
                    while c.read_line(MAX_CHUNK_LINE, deadline, idle):   # trailers
                        pass
                    break
                while size:
                    piece = c.read_some(min(size, READ_SIZE), deadline, idle)
                    if not piece:
                        raise _Failure(C.NETWORK_ERROR, "Connection closed in the middle of a chunk")
                    size -= len(piece)
                    yield piece
                if c.read_line(2, deadline, idle):
                    raise _Failure(C.PROTOCOL_ERROR, "Chunk not followed by CRLF")
        else:
            while True:                      # until the server closes
                piece = c.read_some(READ_SIZE, deadline, idle)
                if not piece:
                    break
                yield piece
        self.done = True
        c.finished(self.keep_alive)

    def close(self):
        """Abandon the rest of the body (the connection is not reused)."""
        if not self.done:
            self.done = True
            self.conn.discard()


class HttpConnection:
    """One keep-alive connection to host:port."""

    def __init__(self, host, port, timeout, pool=None, tls=None):
        self.host = host
        self.port = port
        self.pool = pool
        self.reused = False
        self._buf = bytearray()
        self.sock = None
        try:
            self.sock = open_socket(host, port, timeout, tls)
        except OSError as e:
            self._tls_failure(e, False)
            if isinstance(e, socket.timeout):
                raise _Failure(C.ETIMEDOUT, "Connecting to %s:%d timed out" % (host, port), e, sent=False)
            raise _Failure(C.CONNECT_ERROR, "Could not connect to %s:%d" % (host, port), e, sent=False)

    def _tls_failure(self, e, sent):
        """Raise the TLS failure `e` is, if it is one (ssl errors are OSErrors too)."""
        why = _tls.classify(e)
        if why is not None:
            self.discard()
            raise _Failure(why[0], "%s:%d: %s" % (self.host, self.port, why[1]), e, sent=sent)

    def discard(self):
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None

    def finished(self, keep):
        if keep and self.pool is not None and self.sock is not None and not self._buf:
            self.pool.put_idle(self)
        else:
            self.discard()

    def _wait(self, deadline, idle):
        timeout = idle
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Failure(C.ETIMEDOUT, "HTTP exchange with %s:%d timed out" % (self.host, self.port))
            timeout = left if timeout is None else min(timeout, left)
        self.sock.settimeout(timeout)

    def _recv(self, deadline, idle):
        if self.sock is None:
            raise _Failure(C.NETWORK_ERROR, "Connection to %s:%d is closed" % (self.host, self.port))
        self._wait(deadline, idle)
        try:
            return self.sock.recv(READ_SIZE)
        except socket.timeout as e:
            self.discard()
            raise _Failure(C.ETIMEDOUT, "HTTP exchange with %s:%d timed out" % (self.host, self.port), e)
        except OSError as e:
            self._tls_failure(e, True)
            self.discard()
            raise _Failure(C.NETWORK_ERROR, "HTTP exchange with %s:%d failed" % (self.host, self.port), e)

    def read_some(self, n, deadline=None, idle=None):
        if not self._buf:
            data = self._recv(deadline, idle)
            if len(data) <= n:
                return data
            self._buf += data
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def read_line(self, limit, deadline=None, idle=None):
        """One CRLF-terminated line without its CRLF; ProtocolError past ``limit`` bytes."""
        while True:
            i = self._buf.find(b"\r\n")
            if i >= 0:
                line = bytes(self._buf[:i])
                del self._buf[:i + 2]
                return line
            if len(self._buf) > limit:
                raise _Failure(C.PROTOCOL_ERROR, "HTTP line longer than %d bytes" % limit)
            data = self._recv(deadline, idle)
            if not data:
                raise _Failure(C.NETWORK_ERROR, "Connection closed by %s:%d" % (self.host, self.port),
                               sent=True)
            self._buf += data

    def request(self, method, path, headers, body, deadline, idle=None):
        """Send a request and read the answer's head: a Response."""
        lines = ["%s %s HTTP/1.1" % (method, path), "Host: %s:%d" % (self.host, self.port)]
        for k, v in headers.items():
            lines.append("%s: %s" % (k, v))
        lines.append("Content-Length: %d" % (len(body) if body else 0))
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")
        self._wait(deadline, None)
        try:
            self.sock.sendall(data)
        except socket.timeout as e:
            self.discard()
            raise _Failure(C.ETIMEDOUT, "Sending to %s:%d timed out" % (self.host, self.port), e)
        except OSError as e:
            self._tls_failure(e, False)
            self.discard()
            raise _Failure(C.NETWORK_ERROR, "Sending to %s:%d failed" % (self.host, self.port), e,
                           sent=False)
        return self._read_head(method, deadline, idle)

    def _read_head(self, method, deadline, idle):
        while True:
            end = self._buf.find(b"\r\n\r\n")
            if end >= 0:
                break
            if len(self._buf) > MAX_HEAD:
                self.discard()
                raise _Failure(C.PROTOCOL_ERROR, "HTTP response head longer than %d bytes" % MAX_HEAD)
            data = self._recv(deadline, idle)
            if not data:
                self.discard()
                raise _Failure(C.NETWORK_ERROR, "Connection closed by %s:%d before an answer"
                               % (self.host, self.port), sent=not self.reused)
            self._buf += data
        if end > MAX_HEAD:
            self.discard()
            raise _Failure(C.PROTOCOL_ERROR, "HTTP response head longer than %d bytes" % MAX_HEAD)
        head = bytes(self._buf[:end]).decode("latin-1")
        del self._buf[:end + 4]
        lines = head.split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit() or len(parts[1]) != 3:
            self.discard()
            raise _Failure(C.PROTOCOL_ERROR, "Not an HTTP answer: %r" % lines[0][:60])
        headers, raw = {}, {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep:
                self.discard()
                raise _Failure(C.PROTOCOL_ERROR, "Bad HTTP header line %r" % line[:60])
            headers[name.strip().lower()] = value.strip()
            raw[name.strip()] = value.strip()
        status = int(parts[1])
        if parts[0] == "HTTP/1.0" and "keep-alive" not in headers.get("connection", "").lower():
            headers["connection"] = "close"
        try:
            return Response(self, status, parts[2] if len(parts) > 2 else "", headers, raw, method)
        except _Failure:
            self.discard()
            raise


class HttpClient:
    """Keep-alive connections per node, round-robin node choice, retry on another node.

    ``nodes`` is a list of (host, port) or a callable returning the current one (the CAPI
    bases of the bucket's config); ``refresh`` (optional) is called once when every node
    failed, before the last round."""

    def __init__(self, nodes, username=None, password=None, face=_exc.CLASSIC, refresh=None, tls=None):
        self._nodes = nodes
        self.username = username
        self.password = password
        self.face = face
        self.refresh = refresh
        self.tls = tls   # TLSSettings: every connection speaks HTTPS
        self._idle = {}
        self._lock = threading.Lock()
        self._rr = 0

    def nodes(self):
        nodes = self._nodes() if callable(self._nodes) else self._nodes
        return [n for n in nodes if n]

    def put_idle(self, conn):
        with self._lock:
            idle = self._idle.setdefault((conn.host, conn.port), [])
            if len(idle) < MAX_IDLE:
                conn.reused = True
                idle.append(conn)
                return
        conn.discard()

    def _connection(self, node, deadline):
        with self._lock:
            idle = self._idle.get(node)
            if idle:
                return idle.pop()
        return HttpConnection(node[0], node[1], max(0.001, deadline - time.monotonic()), self, self.tls)

    def close(self):
        with self._lock:
            conns = [c for idle in self._idle.values() for c in idle]
            self._idle = {}
        for c in conns:
            c.discard()

    def _order(self, node):
        if node is not None:
            return [node]
        nodes = self.nodes()
        if not nodes:
            raise _exc.exception_for(self.face, C.NO_MATCHING_SERVER,
                                     "No node runs the service this request needs")
        with self._lock:
            start = self._rr % len(nodes)
            self._rr += 1
        return nodes[start:] + nodes[:start]

    def open(self, method, path, body=None, content_type=None, headers=None, timeout=2.5,
             node=None, idempotent=True, stream=False):
        """Send the request; return (Response, deadline, idle). Buffered callers read the
        body within ``deadline``; streamed ones wait at most ``idle`` for each piece."""
        hdrs = auth_header(self.username, self.password)
        if headers:
            hdrs.update(headers)
        if body is not None:
            if isinstance(body, str):
                body = body.encode("utf-8")
            hdrs["Content-Type"] = content_type or "application/x-www-form-urlencoded"
        deadline = time.monotonic() + timeout
        last = None
        refreshed = self.refresh is None
        while True:
            for n in self._order(node):
                attempts = 2      # a reused connection that the server closed: once more, fresh
                while attempts:
                    attempts -= 1
                    reused = False
                    try:
                        conn = self._connection(n, deadline)
                        reused = conn.reused
                        resp = conn.request(method, path, hdrs, body, deadline)
                        if stream:
                            return resp, None, timeout
                        return resp, deadline, None
                    except _Failure as f:
                        last = f
                        if f.rc == C.PROTOCOL_ERROR or f.rc in _TLS_REFUSALS or time.monotonic() >= deadline:
                            raise self.error(f) from None
                        if f.sent and not idempotent:
                            raise self.error(f) from None
                        if not reused:
                            break
                if time.monotonic() >= deadline:
                    raise self.error(last)
            if node is not None or refreshed:
                raise self.error(last)
            refreshed = True
            try:
                self.refresh()
            except _exc.CouchbaseError:
                pass

    def request(self, method, path, body=None, content_type=None, headers=None, timeout=2.5,
                node=None, idempotent=True, limit=MAX_BODY):
        """A whole exchange: (status, raw headers, body bytes). A body that breaks off is
        retried (on another node) when ``idempotent``."""
        deadline = time.monotonic() + timeout
        while True:
            resp, dl, _idle = self.open(method, path, body, content_type, headers,
                                        max(0.001, deadline - time.monotonic()), node, idempotent)
            try:
                data = resp.read(limit, dl)
                return resp.status, resp.raw_headers, data
            except _Failure as f:
                if f.rc == C.PROTOCOL_ERROR or not idempotent or time.monotonic() >= deadline:
                    raise self.error(f) from None

    def error(self, failure):
        """The face's exception for an internal failure."""
        return _exc.exception_for(self.face, failure.rc, failure.message, inner_cause=failure.cause)


def as_error(failure, face=_exc.CLASSIC):
    """The face's exception for an internal failure raised while streaming a body."""
    return _exc.exception_for(face, failure.rc, failure.message, inner_cause=failure.cause)


def request(host, port, method, path, username=None, password=None, body=None, content_type=None, timeout=2.5,
            tls=None):
    """Send one request to host:port (HTTPS when `tls`, TLSSettings, is given); return
    (status, headers dict, body bytes). Network failures raise ConnectError/TimeoutError
    (ProtocolError for a malformed answer, the TLS errors for a refused TLS session)."""
    client = HttpClient([(host, port)], username, password, tls=tls)
    try:
        return client.request(method, path, body, content_type, {"Connection": "close"}, timeout,
                              node=(host, port), idempotent=method == "GET")
    finally:
        client.close()


def first_streamed_config(host, port, path, username=None, password=None, timeout=2.5, limit=16 << 20, tls=None):
    """Open a streaming config URI (over HTTPS when `tls` is given) and return (status, first
    config bytes); the stream is closed.

    The server writes config + "\\n\\n\\n\\n" and repeats on every change; chunk boundaries are
    not message boundaries, so bytes are gathered until the delimiter shows up."""
    client = HttpClient([(host, port)], username, password, tls=tls)
    resp = None
    try:
        resp, deadline, _idle = client.open("GET", path, timeout=timeout, node=(host, port))
        if resp.status != 200:
            try:
                resp.read(1 << 20, deadline)
            except _Failure:
                pass
            return resp.status, b""
        buf = b""
        for piece in resp.stream(deadline):
            buf += piece
            if STREAM_DELIMITER in buf:
                break
            if len(buf) > limit:
                raise _exc.ConnectError({"rc": C.CONNECT_ERROR,
                                         "message": "Streamed config from %s:%d is too large" % (host, port)})
        return 200, buf.split(STREAM_DELIMITER, 1)[0]
    except _Failure as f:
        raise as_error(f) from None
    finally:
        if resp is not None:
            resp.close()
        client.close()
