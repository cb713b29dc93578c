"""KV transport: one asyncio.Protocol per connection; bytes -> frames -> engine -> bytes.

Every frame that arrived in one read is executed in order and the answers leave in a single
transport.write. A response that must wait (durability, injected delay) holds back the
requests behind it, so responses stay in request order.
"""

import asyncio
import socket
import struct
import time

from . import codec
from . import hooks as hk
from .certs import peer_user
from .engine import Session
from .response import Deferred, Response

_HDR = codec.HEADER
_ALT = codec.ALT_HEADER
_U32 = struct.Struct(">I")
_QQ = struct.Struct(">qq")


def encode(res, opcode, opaque, duration_us=None):
    ext, key, val = res.extras, res.key, res.value
    if duration_us is None:
        return b"".join((_HDR.pack(0x81, opcode, len(key), len(ext), res.datatype, res.status,
                                   len(ext) + len(key) + len(val), opaque, res.cas),
                         ext, key, val))
    frame = b"\x02" + struct.pack(">H", codec.encode_duration(duration_us))
    return b"".join((_ALT.pack(0x18, opcode, 3, len(key), len(ext), res.datatype, res.status,
                               3 + len(ext) + len(key) + len(val), opaque, res.cas),
                     frame, ext, key, val))


class MemdProtocol(asyncio.Protocol):
    def __init__(self, node_server):
        self.ns = node_server
        self.session = Session(node_server.node.id)
        self.buf = b""
        self.blocked = False
        self.transport = None
        self.closed = False

    # -- asyncio callbacks --------------------------------------------------------------------
    def connection_made(self, transport):
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        self.ns.kv_conns.add(self)
        user = peer_user(transport)
        if user is not None:
            self.ns.engine.login_certificate(self.session, user)

    def connection_lost(self, exc):
        self.closed = True
        self.ns.kv_conns.discard(self)

    def data_received(self, data):
        self.buf = self.buf + data if self.buf else data
        if not self.blocked:
            self._process()

    # -- frame loop -----------------------------------------------------------------------------
    def _close(self, out):
        if out:
            self.transport.write(b"".join(out))
        self.closed = True
        self.transport.close()

    def _process(self):
        buf = self.buf
        n = len(buf)
        off = 0
        out = []
        s = self.session
        engine = self.ns.engine
        hooks = self.ns.hooks
        node_id = s.node_id
        Packet = codec.Packet
        while n - off >= 24:
            magic, op, keylen, extlen, dt, vb, blen, opaque, cas = _HDR.unpack_from(buf, off)
            if magic not in (0x80, 0x08, 0x83):
                return self._close(out)  # as a server does at once (a TLS hello, a text command ...)
            end = off + 24 + blen
            if end > n:
                break
            if magic == 0x80:
                flen = 0
            elif magic == 0x08:
                flen = keylen >> 8
                keylen &= 0xFF
            else:
                off = end        # a client's answer to a server push: nothing to do
                continue
            p = off + 24
            a = p + flen
            b = a + extlen
            c = b + keylen
            if c > end:
                return self._close(out)
            pkt = Packet(magic, op, dt, vb, opaque, cas, buf[p:a], buf[a:b], buf[b:c],
                         buf[c:end])
            off = end
            t0 = time.perf_counter() if s.tracing else 0.0
            if hooks.rules:
                rule = hooks.match(node_id, op)
                if rule is not None:
                    if rule.kind == hk.DROP:
                        self.buf = b""
                        return self._close(out)
                    if rule.kind == hk.DELAY:
                        self._flush(out)
                        self.buf = buf[off:]
                        self.blocked = True
                        asyncio.get_running_loop().call_later(rule.value, self._run_delayed,
                                                              pkt, t0)
                        return
                    res = Response(rule.value)
                    out.append(encode(res, op, opaque,
                                      (time.perf_counter() - t0) * 1e6 if t0 else None))
                    continue
            if not self._dispatch(pkt, engine.execute(s, pkt), out, t0):
                self.buf = buf[off:]
                return
        self.buf = buf[off:] if off < n else b""
        if out:
            self.transport.write(b"".join(out))

    def _flush(self, out):
        if out:
            self.transport.write(b"".join(out))
            out.clear()

    def _dispatch(self, pkt, res, out, t0):
        """Queue the encoded result; False if processing must pause or stop."""
        s = self.session
        if res is not None:
            if type(res) is Response:
                out.append(encode(res, pkt.opcode, pkt.opaque,
                                  (time.perf_counter() - t0) * 1e6 if t0 else None))
            elif type(res) is list:
                for r in res:
                    out.append(encode(r, pkt.opcode, pkt.opaque))
            elif type(res) is Deferred:
                if codec.F_UNORDERED in s.features:
                    # UnorderedExecution negotiated: the connection goes on with the next
                    # requests and the sync write's answer leaves when it is settled
                    asyncio.get_running_loop().create_task(self._wait_unordered(pkt, res, t0))
                    return True
                self._flush(out)
                self.blocked = True
                asyncio.get_running_loop().create_task(self._wait(pkt, res, t0))
                return False
        if s.close:
            self._close(out)
            return False
        return True

    def _run_delayed(self, pkt, t0):
        if self.closed:
            return
        out = []
        self.blocked = False
        if self._dispatch(pkt, self.ns.engine.execute(self.session, pkt), out, t0):
            self._flush(out)
            self._process()
        else:
            self._flush(out)

    @staticmethod
    async def _settle(d):
        """The answer of a sync write once it is settled: d.ok when its durability was
        reached, d.fail at its timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + d.timeout
        while True:
            if d.check():
                return d.ok
            if loop.time() >= deadline:
                return d.fail
            await asyncio.sleep(0.005)

    async def _wait_unordered(self, pkt, d, t0):
        res = await self._settle(d)
        if self.closed:
            return
        out = []
        if res is None:
            return self._close(out)
        self._dispatch(pkt, res, out, t0)
        self._flush(out)

    async def _wait(self, pkt, d, t0):
        res = await self._settle(d)
        if self.closed:
            return
        self.blocked = False
        out = []
        if res is None:       # legacy client and a status it cannot understand
            return self._close(out)
        if self._dispatch(pkt, res, out, t0):
            self._flush(out)
            self._process()
        else:
            self._flush(out)

    # -- server push ----------------------------------------------------------------------------
    def push_config(self, topo):
        s = self.session
        if not s.push or self.closed:
            return
        name = s.bucket if s.bucket in topo.buckets else None
        if s.push == 2:
            extras, value = _QQ.pack(topo.epoch, topo.rev), b""
        else:
            extras, value = _U32.pack(topo.rev), topo.config_bytes(name, s.node_id)
        if name is not None:
            s.sent_rev[name] = topo.rev
        self.transport.write(codec.encode_server_request(
            codec.CLUSTERMAP_CHANGE_NOTIFICATION, key=(name or "").encode(), extras=extras,
            value=value, datatype=codec.DT_JSON if value and s.json else 0))
