"""A forwarding TCP proxy on 127.0.0.1 that records every byte it carries, both ways.

    with CaptureProxy(target_port) as proxy:
        ... connect to proxy.port ...
    proxy.client_bytes, proxy.server_bytes (every connection's, concatenated), proxy.streams
"""
import select
import socket
import threading


class CaptureProxy:
    def __init__(self, target_port, target_host="127.0.0.1"):
        self.target = (target_host, target_port)
        self.streams = []  # per connection: [client -> server bytes, server -> client bytes]
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        self._stop = False
        self._threads = []

    @property
    def connections(self):
        return len(self.streams)

    @property
    def client_bytes(self):
        with self._lock:
            return b"".join(bytes(c) for c, _s in self.streams)

    @property
    def server_bytes(self):
        with self._lock:
            return b"".join(bytes(s) for _c, s in self.streams)

    def __enter__(self):
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def __exit__(self, *exc):
        self._stop = True
        self._listener.close()
        for t in self._threads:
            t.join(5)

    def _accept(self):
        while not self._stop:
            try:
                r, _, _ = select.select([self._listener], [], [], 0.05)
                if not r:
                    continue
                client, _addr = self._listener.accept()
            except OSError:
                return
            stream = [bytearray(), bytearray()]
            with self._lock:
                self.streams.append(stream)
            t = threading.Thread(target=self._pump, args=(client, stream), daemon=True)
            t.start()
            self._threads.append(t)

    def _pump(self, client, stream):
        try:
            server = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        pairs = {client: (server, stream[0]), server: (client, stream[1])}
        try:
            while not self._stop:
                r, _, _ = select.select(list(pairs), [], [], 0.05)
                for s in r:
                    data = s.recv(65536)
                    if not data:
                        return
                    other, record = pairs[s]
                    with self._lock:
                        record.extend(data)
                    other.sendall(data)
        except OSError:
            return
        finally:
            client.close()
            server.close()

    def sasl_mechanisms_sent(self):
        """The mechanism named by each SASL_AUTH request (opcode 0x21) the client sent."""
        with self._lock:
            streams = [bytes(c) for c, _s in self.streams]
        out = []
        for data in streams:
            pos = 0
            while pos + 24 <= len(data):
                magic, opcode = data[pos], data[pos + 1]
                if magic not in (0x80, 0x08):
                    break
                nframe = data[pos + 2] if magic == 0x08 else 0
                nkey = data[pos + 3] if magic == 0x08 else int.from_bytes(data[pos + 2:pos + 4], "big")
                nextras = data[pos + 4]
                nbody = int.from_bytes(data[pos + 8:pos + 12], "big")
                if opcode == 0x21:
                    start = pos + 24 + nframe + nextras
                    out.append(data[start:start + nkey].decode())
                pos += 24 + nbody
        return out
