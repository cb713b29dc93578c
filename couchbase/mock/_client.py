"""A small blocking KV client built on codec.py, for the mock's own tests and benchmark.

MemdClient is one authenticated connection; SmartClient routes keys by the vbucket map of
the cluster config and follows NOT_MY_VBUCKET configs.
"""

import json
import socket
import struct

from . import codec
from . import status as st
from .sasl import ScramClient

DEFAULT_FEATURES = (codec.F_TCPNODELAY, codec.F_MUTATION_SEQNO, codec.F_XERROR,
                    codec.F_SELECT_BUCKET, codec.F_JSON, codec.F_ALT_REQUEST,
                    codec.F_SYNC_REPLICATION)


class KVError(Exception):
    def __init__(self, status, packet=None):
        super().__init__("%s (0x%02x)" % (st.name(status), status))
        self.status = status
        self.packet = packet


class MemdClient:
    def __init__(self, host, port, user=None, password=None, bucket=None,
                 features=DEFAULT_FEATURES, timeout=10.0, mech="SCRAM-SHA512"):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.decoder = codec.Decoder()
        self.opaque = 0
        self.pending = []
        if features is not None:
            self.features = self.hello(features)
        if user is not None:
            self.auth(user, password, mech)
        if bucket is not None:
            self.check(self.request(codec.SELECT_BUCKET, key=bucket.encode()))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # -- raw I/O ---------------------------------------------------------------------------------
    def next_opaque(self):
        self.opaque = (self.opaque + 1) & 0xFFFFFFFF
        return self.opaque

    def send(self, data):
        self.sock.sendall(data)

    def recv_packet(self):
        while not self.pending:
            data = self.sock.recv(1 << 20)
            if not data:
                raise ConnectionError("connection closed by server")
            self.pending.extend(self.decoder.feed(data))
        return self.pending.pop(0)

    def request(self, opcode, **kw):
        kw.setdefault("opaque", self.next_opaque())
        self.send(codec.encode_request(opcode, **kw))
        while True:
            pkt = self.recv_packet()
            if pkt.magic != codec.MAGIC_SRV_REQ:
                return pkt

    @staticmethod
    def check(pkt):
        if pkt.status != 0:
            raise KVError(pkt.status, pkt)
        return pkt

    # -- handshake ---------------------------------------------------------------------------------
    def hello(self, features):
        pkt = self.check(self.request(codec.HELLO, key=b"mock-selftest",
                                      value=codec.hello_features(features)))
        return [struct.unpack_from(">H", pkt.value, i)[0] for i in range(0, len(pkt.value), 2)]

    def auth(self, user, password, mech="SCRAM-SHA512"):
        if mech == "PLAIN":
            self.check(self.request(codec.SASL_AUTH, key=b"PLAIN",
                                    value=b"\0" + user.encode() + b"\0" + password.encode()))
            return
        sc = ScramClient(mech, user, password)
        first = self.request(codec.SASL_AUTH, key=mech.encode(), value=sc.first())
        if first.status != st.AUTH_CONTINUE:
            raise KVError(first.status, first)
        final = self.check(self.request(codec.SASL_STEP, key=mech.encode(),
                                        value=sc.final(first.value)))
        if not sc.verify(final.value):
            raise KVError(st.AUTH_ERROR, final)

    def config(self):
        return json.loads(self.check(self.request(codec.GET_CLUSTER_CONFIG)).value)


def _node_addresses(cfg, host):
    out = []
    for n in cfg["nodesExt"]:
        h = n.get("hostname", "$HOST").replace("$HOST", host)
        out.append((h, n["services"]["kv"]))
    return out


class SmartClient:
    """Key-routed client over one MemdClient per node of the bucket config."""

    def __init__(self, host, port, user, password, bucket, timeout=10.0):
        self.host = host
        self.user, self.password, self.bucket = user, password, bucket
        self.timeout = timeout
        self.conns = {}
        boot = MemdClient(host, port, user, password, bucket, timeout=timeout)
        self.set_config(boot.config())
        self.conns[(host, port)] = boot

    def set_config(self, cfg):
        if getattr(self, "cfg", None) and (cfg["revEpoch"], cfg["rev"]) <= \
                (self.cfg["revEpoch"], self.cfg["rev"]):
            return
        self.cfg = cfg
        self.addrs = _node_addresses(cfg, self.host)
        self.vbmap = cfg["vBucketServerMap"]["vBucketMap"]

    def conn(self, addr):
        c = self.conns.get(addr)
        if c is None:
            c = self.conns[addr] = MemdClient(addr[0], addr[1], self.user, self.password,
                                              self.bucket, timeout=self.timeout)
        return c

    def drop(self, addr):
        c = self.conns.pop(addr, None)
        if c is not None:
            c.close()

    def refresh(self):
        """Fetch the config from any node that still answers."""
        for addr in list(self.conns):
            try:
                self.set_config(self.conns[addr].config())
                return True
            except (OSError, ConnectionError, KVError):
                self.drop(addr)
        for addr in self.addrs:
            try:
                self.set_config(self.conn(addr).config())
                return True
            except (OSError, ConnectionError, KVError):
                self.drop(addr)
        return False

    def route(self, key):
        vb = codec.vbucket_of(key, len(self.vbmap))
        idx = self.vbmap[vb][0]
        return vb, (self.addrs[idx] if idx >= 0 else None)

    def batch(self, ops, retries=20):
        """Run ``ops`` = [(opcode, key, kwargs)] pipelined per node. Returns a list of
        Packet, or None for an op whose outcome is unknown (connection lost)."""
        results = [None] * len(ops)
        todo = list(range(len(ops)))
        for _ in range(retries):
            if not todo:
                break
            by_node = {}
            for i in todo:
                vb, addr = self.route(ops[i][1])
                by_node.setdefault(addr, []).append((i, vb))
            retry = []
            for addr, items in by_node.items():
                if addr is None:
                    retry.extend(i for i, _ in items)
                    continue
                try:
                    c = self.conn(addr)
                    base = c.opaque
                    out = []
                    for n, (i, vb) in enumerate(items):
                        opcode, key, kw = ops[i]
                        out.append(codec.encode_request(opcode, key=key, vbucket=vb,
                                                        opaque=base + n + 1, **kw))
                    c.opaque = base + len(items)
                    c.send(b"".join(out))
                    got = 0
                    while got < len(items):
                        pkt = c.recv_packet()
                        if pkt.magic == codec.MAGIC_SRV_REQ:
                            continue
                        i = items[pkt.opaque - base - 1][0]
                        got += 1
                        if pkt.status == st.NOT_MY_VBUCKET:
                            if pkt.value:
                                self.set_config(json.loads(pkt.value))
                            retry.append(i)
                        else:
                            results[i] = pkt
                except (OSError, ConnectionError):
                    # unanswered ops are retried; if retries run out they stay None
                    # (outcome unknown)
                    self.drop(addr)
                    answered = {j for j, r in enumerate(results) if r is not None}
                    retry.extend(i for i, _ in items if i not in answered)
                    self.refresh()
            todo = retry
        return results
