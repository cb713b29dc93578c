"""HTTP/1.1 on the event loop, for the asyncio face: the bootstrap's streamed config, the
config refresh, management REST, views and design documents, and the HTTP part of ping. The same rules as the blocking
client (couchbase._core.http): bounded heads, chunk lines, chunks and bodies; HTTPS from
the same TLSSettings; ssl failures become the TLS core codes. A client that passes a
``Pool`` keeps its connections alive between requests (an answer read to its end goes back
to the pool; a pooled connection the server has closed meanwhile is replaced once, as the
blocking client does); without one, one connection per request (``Connection: close``).

``request`` and ``first_streamed_config`` mirror the blocking module's one-shot forms and
raise the same exceptions (the face converts them, as it does for the blocking client);
``begin`` and ``read_body`` are their parts, for a client that picks its nodes itself
(acouchbase._rest.BucketHttp) or reads a body as it arrives (view rows).
"""
import asyncio
import socket

from couchbase._core import http as _http
from couchbase._core import tls as _tls
from couchbase._core.binding import C
from couchbase._core.http import MAX_BODY, MAX_CHUNK, MAX_CHUNK_LINE, MAX_HEAD, READ_SIZE, STREAM_DELIMITER

_Failure = _http._Failure


class Pool:
    """Idle keep-alive connections of one client on its event loop, by (host, port): at
    most ``_http.MAX_IDLE`` per node. A connection the server has closed while it was idle
    is dropped when taken; ``close()`` closes them all."""

    def __init__(self):
        self._idle = {}

    def take(self, host, port):
        """(reader, writer) of an idle connection to host:port that is still open, or None."""
        idle = self._idle.get((host, port))
        while idle:
            reader, writer = idle.pop()
            if not writer.is_closing() and not reader.at_eof():
                return reader, writer
            writer.close()
        return None

    def give(self, host, port, reader, writer):
        idle = self._idle.setdefault((host, port), [])
        if len(idle) < _http.MAX_IDLE:
            idle.append((reader, writer))
        else:
            writer.close()

    def close(self):
        for idle in self._idle.values():
            for _reader, writer in idle:
                writer.close()
        self._idle = {}


async def _open(host, port, tls, deadline, loop):
    ctx = tls.ssl_context() if tls is not None else None
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=ctx, server_hostname=host if ctx else None,
                                    limit=READ_SIZE), max(0.001, deadline - loop.time()))
    except asyncio.TimeoutError as e:
        raise _Failure(C.ETIMEDOUT, "Connecting to %s:%d timed out" % (host, port), e, sent=False) from None
    except OSError as e:
        why = _tls.classify(e)
        if why is not None:
            raise _Failure(why[0], "%s:%d: %s" % (host, port, why[1]), e, sent=False) from None
        raise _Failure(C.CONNECT_ERROR, "Could not connect to %s:%d" % (host, port), e, sent=False) from None
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
    return reader, writer


class _Exchange:
    """One request and its answer on one connection, within a deadline (loop time)."""

    def __init__(self, host, port, reader, writer, deadline, loop, pool=None, reused=False):
        self.host, self.port = host, port
        self.reader, self.writer = reader, writer
        self.deadline = deadline
        self.loop = loop
        self.buf = bytearray()
        self.pool = pool
        self.reused = reused    # taken from the pool: the server may have closed it meanwhile
        self.got = False        # a byte of the answer arrived
        self.keep = False       # the answer was read to its end and the connection may serve another
        self.server_closes = False  # the answer said the server closes the connection after it

    async def _recv(self):
        left = self.deadline - self.loop.time()
        if left <= 0:
            raise _Failure(C.ETIMEDOUT, "HTTP exchange with %s:%d timed out" % (self.host, self.port))
        try:
            data = await asyncio.wait_for(self.reader.read(READ_SIZE), left)
        except asyncio.TimeoutError:
            raise _Failure(C.ETIMEDOUT, "HTTP exchange with %s:%d timed out" % (self.host, self.port)) from None
        except OSError as e:
            why = _tls.classify(e)
            if why is not None:
                raise _Failure(why[0], "%s:%d: %s" % (self.host, self.port, why[1]), e) from None
            raise _Failure(C.NETWORK_ERROR, "HTTP exchange with %s:%d failed" % (self.host, self.port), e,
                           sent=not (self.reused and not self.got)) from None
        if data:
            self.got = True
        return data

    async def line(self, limit):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                out = bytes(self.buf[:i])
                del self.buf[:i + 2]
                return out
            if len(self.buf) > limit:
                raise _Failure(C.PROTOCOL_ERROR, "HTTP line longer than %d bytes" % limit)
            data = await self._recv()
            if not data:
                raise _Failure(C.NETWORK_ERROR, "Connection closed by %s:%d" % (self.host, self.port))
            self.buf += data

    async def some(self, n):
        if not self.buf:
            data = await self._recv()
            if len(data) <= n:
                return data
            self.buf += data
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    async def head(self, method, path, headers, body):
        lines = ["%s %s HTTP/1.1" % (method, path), "Host: %s:%d" % (self.host, self.port)]
        lines += ["%s: %s" % kv for kv in headers.items()]
        lines.append("Content-Length: %d" % (len(body) if body else 0))
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b""))
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if 0 <= end <= MAX_HEAD:
                break
            if len(self.buf) > MAX_HEAD:
                raise _Failure(C.PROTOCOL_ERROR, "HTTP response head longer than %d bytes" % MAX_HEAD)
            data = await self._recv()
            if not data:
                raise _Failure(C.NETWORK_ERROR, "Connection closed by %s:%d before an answer" % (self.host, self.port),
                               sent=not (self.reused and not self.got))
            self.buf += data
        text = bytes(self.buf[:end]).decode("latin-1")
        del self.buf[:end + 4]
        status_line, _, rest = text.partition("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit() or len(parts[1]) != 3:
            raise _Failure(C.PROTOCOL_ERROR, "Not an HTTP answer: %r" % status_line[:60])
        headers, raw = {}, {}
        for line in rest.split("\r\n") if rest else []:
            name, sep, value = line.partition(":")
            if not sep:
                raise _Failure(C.PROTOCOL_ERROR, "Bad HTTP header line %r" % line[:60])
            headers[name.strip().lower()] = value.strip()
            raw[name.strip()] = value.strip()
        connection = headers.get("connection", "").lower()
        self.server_closes = "close" in connection or (parts[0] == "HTTP/1.0" and "keep-alive" not in connection)
        return int(parts[1]), headers, raw

    async def body(self, method, status, headers):
        """Yield the body in pieces (Content-Length, chunked, or until the server closes); an
        answer read to its end leaves the connection fit for another request (``keep``)."""
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            self.keep = True
            return
        if "chunked" in headers.get("transfer-encoding", "").lower():
            while True:
                size_text = (await self.line(MAX_CHUNK_LINE)).split(b";", 1)[0].strip()
                if not size_text or len(size_text) > 16 or not all(c in b"0123456789abcdefABCDEF" for c in size_text):
                    raise _Failure(C.PROTOCOL_ERROR, "Bad chunk size line %r" % size_text[:40])
                size = int(size_text, 16)
                if size > MAX_CHUNK:
                    raise _Failure(C.PROTOCOL_ERROR, "Chunk of %d bytes is over the limit of %d bytes"
                                   % (size, MAX_CHUNK))
                if size == 0:
                    while await self.line(MAX_CHUNK_LINE):  # trailers, up to the empty line
                        pass
                    self.keep = True
                    return
                while size:
                    piece = await self.some(min(size, READ_SIZE))
                    if not piece:
                        raise _Failure(C.NETWORK_ERROR, "Connection closed in the middle of a chunk")
                    size -= len(piece)
                    yield piece
                if await self.line(2):
                    raise _Failure(C.PROTOCOL_ERROR, "Chunk not followed by CRLF")
        elif "content-length" in headers:
            text = headers["content-length"].strip()
            if not text.isdigit() or len(text) > 19:
                raise _Failure(C.PROTOCOL_ERROR, "Bad Content-Length %r" % text[:40])
            left = int(text)
            while left:
                piece = await self.some(min(left, READ_SIZE))
                if not piece:
                    raise _Failure(C.NETWORK_ERROR, "Connection closed in the middle of a response body")
                left -= len(piece)
                yield piece
            self.keep = True
        else:
            while True:
                piece = await self.some(READ_SIZE)
                if not piece:
                    return
                yield piece

    def close(self):
        """Back to the pool when the answer was read to its end and the server keeps the
        connection open; else closed."""
        if self.keep and self.pool is not None and not self.server_closes and not self.buf \
                and not self.writer.is_closing():
            self.keep = False
            self.pool.give(self.host, self.port, self.reader, self.writer)
            return
        self.keep = False
        try:
            self.writer.close()
        except Exception:  # already closed by the peer
            pass


async def begin(host, port, method, path, username, password, body, content_type, deadline, tls, pool=None):
    """Connect to host:port (or take an idle connection of `pool`), send the request and
    read the answer's head by `deadline` (the loop's time): (exchange, status, lower-case
    headers, headers as sent). The caller reads ``exchange.body(method, status, lower)``
    (moving ``exchange.deadline`` on if it likes) and closes the exchange. A pooled
    connection that the server closed before answering is replaced by a new one, once.
    Failures raise _Failure (``sent`` tells whether the request may have reached the server)."""
    loop = asyncio.get_running_loop()
    headers = _http.auth_header(username, password)
    if pool is None:
        headers["Connection"] = "close"
    if body is not None:
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
    while True:
        idle = pool.take(host, port) if pool is not None else None
        reader, writer = idle if idle is not None else await _open(host, port, tls, deadline, loop)
        ex = _Exchange(host, port, reader, writer, deadline, loop, pool, idle is not None)
        try:
            status, lower, raw = await ex.head(method, path, headers, body)
        except _Failure as f:
            ex.close()
            if ex.reused and not f.sent:
                continue
            raise
        except BaseException:
            ex.close()
            raise
        return ex, status, lower, raw


async def read_body(ex, method, status, lower, limit=MAX_BODY):
    """The whole body of an exchange's answer (PROTOCOL_ERROR over `limit` bytes)."""
    out, size = [], 0
    async for piece in ex.body(method, status, lower):
        size += len(piece)
        if size > limit:
            raise _Failure(C.PROTOCOL_ERROR, "Response body is over the limit of %d bytes" % limit)
        out.append(piece)
    return b"".join(out)


async def _exchange(host, port, method, path, username, password, body, content_type, timeout, tls, consume,
                    pool=None):
    loop = asyncio.get_running_loop()
    ex, status, lower, raw = await begin(host, port, method, path, username, password, body, content_type,
                                         loop.time() + timeout, tls, pool)
    try:
        return await consume(ex, status, lower, raw)
    finally:
        ex.close()


async def request(host, port, method, path, username=None, password=None, body=None, content_type=None,
                  timeout=2.5, tls=None, limit=MAX_BODY, pool=None):
    """(status, headers, body bytes) of one request to host:port (HTTPS with `tls`; on a
    connection of `pool` when given); the blocking ``couchbase._core.http.request`` on the
    event loop (same exceptions)."""

    async def consume(ex, status, lower, raw):
        return status, raw, await read_body(ex, method, status, lower, limit)

    try:
        return await _exchange(host, port, method, path, username, password, body, content_type, timeout, tls,
                               consume, pool)
    except _Failure as f:
        raise _http.as_error(f) from None


async def first_streamed_config(host, port, path, username=None, password=None, timeout=2.5, limit=16 << 20,
                                tls=None):
    """(status, first config bytes) of a streaming config URI; the stream is closed (see
    ``couchbase._core.http.first_streamed_config``)."""

    async def consume(ex, status, lower, raw):
        if status != 200:
            return status, b""
        buf = b""
        async for piece in ex.body("GET", status, lower):
            buf += piece
            if STREAM_DELIMITER in buf:
                break
            if len(buf) > limit:
                raise _Failure(C.CONNECT_ERROR, "Streamed config from %s:%d is too large" % (host, port))
        return 200, buf.split(STREAM_DELIMITER, 1)[0]

    try:
        return await _exchange(host, port, "GET", path, username, password, None, None, timeout, tls, consume)
    except _Failure as f:
        raise _http.as_error(f) from None
