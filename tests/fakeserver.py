"""A misbehaving memcached stand-in, run as its own process: python fakeserver.py PORT MODE.

Modes: ``garbage`` answers every request with bytes that are not the protocol;
``close`` closes the connection when a request arrives; ``silent`` reads and never
answers; ``delay:SECONDS`` answers each request with KEY_ENOENT after a delay.
"""
import socket
import struct
import sys
import threading
import time

HDR = struct.Struct(">BBHBBHIIQ")


def serve(conn, mode):
    buf = b""
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                return
            buf += data
            while len(buf) >= 24:
                magic, opcode, nkey, nextras, _dt, _vb, nbody, opaque, _cas = HDR.unpack_from(buf)
                if len(buf) < 24 + nbody:
                    break
                buf = buf[24 + nbody:]
                if mode == "garbage":
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n" + b"\xff" * 40)
                elif mode == "close":
                    return
                elif mode == "silent":
                    continue
                elif mode.startswith("delay:"):
                    time.sleep(float(mode.split(":", 1)[1]))
                    body = b"Not found"
                    conn.sendall(HDR.pack(0x81, opcode, 0, 0, 0, 1, len(body), opaque, 0) + body)


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(64)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, mode), daemon=True).start()


if __name__ == "__main__":
    main()
