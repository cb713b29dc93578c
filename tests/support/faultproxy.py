"""A TCP proxy in front of a real server that breaks the server-to-client direction on
demand (``hold_requests()`` holds the other direction): ``stall()`` holds the answers (a server that stopped answering), ``trickle(s)``
lets one byte through every `s` seconds, ``reset_after(n)`` forwards n more bytes and
then resets both sides, ``normal()`` forwards as it comes. Threads in this process."""
import socket
import struct
import threading
import time


class FaultProxy:
    def __init__(self, target_port, host="127.0.0.1"):
        self.target = (host, target_port)
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind((host, 0))
        self.lsock.listen(64)
        self.port = self.lsock.getsockname()[1]
        self.host = host
        self.mode, self.arg = "normal", None
        self._cv = threading.Condition()
        self._socks = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def address(self):
        return "%s:%d" % (self.host, self.port)

    # -- faults --------------------------------------------------------------------------
    def _set(self, mode, arg=None):
        with self._cv:
            self.mode, self.arg = mode, arg
            self._cv.notify_all()

    def normal(self):
        self._set("normal")

    def stall(self):
        self._set("stall")

    def hold_requests(self):
        self._set("hold")

    def trickle(self, seconds_per_byte):
        self._set("trickle", seconds_per_byte)

    def reset_after(self, nbytes):
        self._set("reset", [nbytes])

    # -- plumbing ------------------------------------------------------------------------
    def _accept(self):
        while not self._closed:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            try:
                u = socket.create_connection(self.target)
            except OSError:
                c.close()
                continue
            for s in (c, u):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._socks += [c, u]
            threading.Thread(target=self._pump_up, args=(c, u), daemon=True).start()
            threading.Thread(target=self._pump_down, args=(u, c), daemon=True).start()

    @staticmethod
    def _reset(*socks):
        for s in socks:
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
            except OSError:
                pass

    def _pump_up(self, c, u):
        try:
            while True:
                data = c.recv(65536)
                if not data:
                    break
                with self._cv:
                    while self.mode == "hold" and not self._closed:
                        self._cv.wait(0.05)
                u.sendall(data)
        except OSError:
            pass
        self._reset(c, u)

    def _pump_down(self, u, c):
        try:
            while True:
                data = u.recv(65536)
                if not data:
                    break
                while data:
                    with self._cv:
                        while self.mode == "stall" and not self._closed:
                            self._cv.wait(0.05)
                        mode, arg = self.mode, self.arg
                    if mode == "trickle":
                        c.sendall(data[:1])
                        data = data[1:]
                        time.sleep(arg)
                    elif mode == "reset":
                        n = min(arg[0], len(data))
                        c.sendall(data[:n])
                        arg[0] -= n
                        data = data[n:]
                        if arg[0] == 0:
                            self._reset(c, u)
                            return
                    else:
                        c.sendall(data)
                        data = b""
        except OSError:
            pass
        self._reset(c, u)

    def close(self):
        self._closed = True
        with self._cv:
            self._cv.notify_all()
        self.lsock.close()
        self._reset(*self._socks)
