"""A misbehaving memcached stand-in, run as its own process: python fakeserver.py PORT MODE.

Modes: ``garbage`` answers every request with bytes that are not the protocol;
``close`` closes the connection when a request arrives; ``silent`` reads and never
answers; ``delay:SECONDS`` answers each request with KEY_ENOENT after a delay;
``textgarbage`` answers the first text-protocol line it ever gets with garbage and
every later line with ``END`` (all keys missing), binary requests with KEY_ENOENT;
``texterror`` answers each text line with a VALUE for its first key, then
``SERVER_ERROR out of memory``. ``huge`` answers the first request it ever gets
(binary or text) with a 4 GB announcement (a binary header whose body length is
0xfffffff0, or ``VALUE k 0 4294967200 1``) followed by zeros as fast as the
client takes them, and every later one as a miss. ``oneshot`` answers the first
request of each connection (a GET with the value ``v``, any other request with success;
a text line with ``v`` for each key) and then closes that connection, as a server that
drops idle or faulty connections does. ``oneanswer`` does the same for the first request
it ever gets, then closes every connection when a request arrives, without answering.

A connection whose first byte is not the binary request magic (0x80) speaks the
text protocol (``gets k1 k2 ...`` lines), which the modes answer in kind.
"""
import socket
import struct
import sys
import threading
import time

HDR = struct.Struct(">BBHBBHIIQ")
GARBAGE = b"HTTP/1.1 400 Bad Request\r\n\r\n" + b"\xff" * 40
_text_lines = [0]
_requests = [0]
_lock = threading.Lock()
HUGE_BODY = 0xFFFFFFF0
HUGE_TEXT = 4294967200


def first_request():
    with _lock:
        _requests[0] += 1
        return _requests[0] == 1


def stream_zeros(conn):
    """Zeros until the client goes away (its end of a hostile announcement)."""
    chunk = bytes(1 << 20)
    try:
        while True:
            conn.sendall(chunk)
    except OSError:
        return


def serve_text(conn, mode, buf):
    while True:
        while b"\n" in buf:
            _line, buf = buf.split(b"\n", 1)
            with _lock:
                _text_lines[0] += 1
                first = _text_lines[0] == 1
            if mode == "huge" and first_request():
                key = _line.split()[1]
                conn.sendall(b"VALUE " + key + b" 0 %d 1\r\n" % HUGE_TEXT)
                stream_zeros(conn)
                return
            if mode == "garbage" or (mode == "textgarbage" and first):
                conn.sendall(GARBAGE)
            elif mode == "texterror":
                key = _line.split()[1]
                conn.sendall(b"VALUE " + key + b" 7 2 99\r\nhi\r\nSERVER_ERROR out of memory\r\n")
            elif mode == "oneshot" or (mode == "oneanswer" and first_request()):
                conn.sendall(b"".join(b"VALUE %s 0 1 1\r\nv\r\n" % k for k in _line.split()[1:]) + b"END\r\n")
                return
            elif mode in ("close", "oneanswer"):
                return
            elif mode == "silent":
                continue
            else:
                if mode.startswith("delay:"):
                    time.sleep(float(mode.split(":", 1)[1]))
                conn.sendall(b"END\r\n")
        data = conn.recv(65536)
        if not data:
            return
        buf += data


def serve(conn, mode):
    buf = b""
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                return
            buf += data
            if buf[:1] != b"\x80":
                serve_text(conn, mode, buf)
                return
            while len(buf) >= 24:
                magic, opcode, nkey, nextras, _dt, _vb, nbody, opaque, _cas = HDR.unpack_from(buf)
                if len(buf) < 24 + nbody:
                    break
                buf = buf[24 + nbody:]
                if mode == "garbage":
                    conn.sendall(GARBAGE)
                elif mode == "oneshot" or (mode == "oneanswer" and first_request()):
                    hit = opcode == 0x00
                    extras, value = (b"\0\0\0\0", b"v") if hit else (b"", b"")
                    conn.sendall(HDR.pack(0x81, opcode, 0, len(extras), 0, 0, len(extras) + len(value), opaque, 1)
                                 + extras + value)
                    return
                elif mode in ("close", "oneanswer"):
                    return
                elif mode == "silent":
                    continue
                elif mode == "huge" and first_request():
                    conn.sendall(HDR.pack(0x81, opcode, 0, 4, 0, 0, HUGE_BODY, opaque, 1) + b"\0\0\0\0")
                    stream_zeros(conn)
                    return
                elif mode.startswith("delay:") or mode in ("textgarbage", "huge"):
                    if mode.startswith("delay:"):
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
