"""Minimal HTTP/1.1 server protocol: request parsing, keep-alive, chunked streaming.

Routing lives elsewhere: the protocol hands each request to ``await handler(request)``,
which returns an HttpResponse or a Stream.
"""

import asyncio
import base64
import json
import urllib.parse

from .certs import peer_user

REASONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content",
           400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 409: "Conflict", 500: "Internal Server Error",
           501: "Not Implemented"}
MAX_HEADER = 65536


class HttpRequest:
    def __init__(self, method, target, headers, body):
        self.method = method
        parsed = urllib.parse.urlsplit(target)
        self.path = urllib.parse.unquote(parsed.path)
        self.query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        self.headers = headers
        self.body = body
        self.host = None     # set by the protocol: the local address the client used
        self.cert_user = None  # set by the protocol: the user a verified client certificate names

    @property
    def form(self):
        return dict(urllib.parse.parse_qsl(self.body.decode("utf-8", "replace"),
                                           keep_blank_values=True))

    def json(self):
        return json.loads(self.body or b"null")

    def credentials(self):
        """(user, password) from Basic auth, or None."""
        value = self.headers.get("authorization", "")
        if not value.lower().startswith("basic "):
            return None
        try:
            raw = base64.b64decode(value[6:].strip()).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        user, _, password = raw.partition(":")
        return user, password


class HttpResponse:
    def __init__(self, status=200, body=b"", content_type="application/json", headers=None):
        if not isinstance(body, (bytes, bytearray)):
            body = json.dumps(body).encode() if not isinstance(body, str) else body.encode()
        self.status = status
        self.body = body
        self.headers = {"Content-Type": content_type}
        if headers:
            self.headers.update(headers)


def json_response(obj, status=200, headers=None):
    return HttpResponse(status, json.dumps(obj).encode(), headers=headers)


class Stream:
    """A chunked response. ``start(writer)`` is called once the headers are out; the
    writer has ``send(bytes)``, ``end()`` (last chunk, then close), ``finish()`` (last
    chunk; the connection serves its next request), ``await drain()`` (wait while the
    client is not reading) and ``closed``."""

    def __init__(self, start, content_type="application/json"):
        self.start = start
        self.content_type = content_type


class StreamWriter:
    def __init__(self, protocol):
        self.protocol = protocol

    @property
    def closed(self):
        return self.protocol.closed

    def send(self, data):
        if not self.protocol.closed and data:
            self.protocol.transport.write(b"%x\r\n%s\r\n" % (len(data), data))

    def end(self):
        if not self.protocol.closed:
            self.protocol.transport.write(b"0\r\n\r\n")
            self.protocol.transport.close()

    def finish(self):
        """End the response and keep the connection for the next request."""
        if not self.protocol.closed:
            self.protocol.transport.write(b"0\r\n\r\n")
            self.protocol.stream_done()

    async def drain(self):
        await self.protocol.writable()


class HttpProtocol(asyncio.Protocol):
    def __init__(self, handler, registry=None):
        self.handler = handler
        self.registry = registry
        self.buf = b""
        self.busy = False
        self.closed = False
        self.transport = None
        self.streaming = False
        self._resume = None         # a future while the transport's buffer is full

    def connection_made(self, transport):
        self.transport = transport
        if self.registry is not None:
            self.registry.add(self)

    def connection_lost(self, exc):
        self.closed = True
        if self.registry is not None:
            self.registry.discard(self)
        self.resume_writing()

    # -- flow control for long responses ------------------------------------------------------
    def pause_writing(self):
        if self._resume is None:
            self._resume = asyncio.get_running_loop().create_future()

    def resume_writing(self):
        fut, self._resume = self._resume, None
        if fut is not None and not fut.done():
            fut.set_result(None)

    async def writable(self):
        """Return once the client has read enough of what was written (or is gone)."""
        if self._resume is not None:
            await self._resume

    def stream_done(self):
        self.streaming = False
        self.busy = False
        if not getattr(self, "_keep_after_stream", True):
            self.transport.close()
        elif self.buf:
            self._next()

    def data_received(self, data):
        self.buf += data
        if not self.busy and not self.streaming:
            self._next()

    def _next(self):
        head_end = self.buf.find(b"\r\n\r\n")
        if head_end < 0:
            if len(self.buf) > MAX_HEADER:
                self.transport.close()
            return
        lines = self.buf[:head_end].decode("latin-1").split("\r\n")
        try:
            method, target, _version = lines[0].split(" ", 2)
        except ValueError:
            self.transport.close()
            return
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        start = head_end + 4
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body, used = self._dechunk(self.buf[start:])
            if body is None:
                return
            rest = self.buf[start + used:]
        else:
            length = int(headers.get("content-length") or 0)
            if len(self.buf) - start < length:
                return
            body = self.buf[start:start + length]
            rest = self.buf[start + length:]
        self.buf = rest
        req = HttpRequest(method.upper(), target, headers, body)
        sock = self.transport.get_extra_info("sockname")
        req.host = sock[0] if sock else "127.0.0.1"
        req.cert_user = peer_user(self.transport)
        self.busy = True
        asyncio.get_running_loop().create_task(self._run(req))

    @staticmethod
    def _dechunk(data):
        out = []
        i = 0
        while True:
            j = data.find(b"\r\n", i)
            if j < 0:
                return None, 0
            size = int(data[i:j].split(b";")[0], 16)
            if len(data) < j + 2 + size + 2:
                return None, 0
            if size == 0:
                return b"".join(out), j + 4
            out.append(data[j + 2:j + 2 + size])
            i = j + 2 + size + 2

    async def _run(self, req):
        try:
            res = await self.handler(req)
        except Exception as e:  # a handler bug must not kill the server
            res = json_response({"error": "internal", "reason": repr(e)}, 500)
        if self.closed:
            return
        keep = req.headers.get("connection", "").lower() != "close"
        if isinstance(res, Stream):
            self.streaming = True
            self._keep_after_stream = keep
            self.transport.write(("HTTP/1.1 200 OK\r\nContent-Type: %s\r\n"
                                  "Transfer-Encoding: chunked\r\n\r\n"
                                  % res.content_type).encode())
            res.start(StreamWriter(self))
            return
        head = ["HTTP/1.1 %d %s" % (res.status, REASONS.get(res.status, "Status"))]
        for k, v in res.headers.items():
            head.append("%s: %s" % (k, v))
        head.append("Content-Length: %d" % len(res.body))
        if not keep:
            head.append("Connection: close")
        self.transport.write(("\r\n".join(head) + "\r\n\r\n").encode() + res.body)
        self.busy = False
        if not keep:
            self.transport.close()
        elif self.buf:
            self._next()
