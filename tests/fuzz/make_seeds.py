"""Writes the seed inputs of tests/fuzz/fuzz_core.c (valid answers to its batch) into
tests/fuzz/corpus/core/. Run by `make fuzz` when the directory is empty."""
import os
import struct
import sys

HDR = struct.Struct(">BBHBBHIIQ")
OPS = [0x00, 0x10, 0x05, 0xbb, 0x01, 0x0c, 0x00, 0x04]


def res(op, opaque, status=0, extras=b"", key=b"", value=b"", cas=1):
    body = extras + key + value
    return HDR.pack(0x81, op, len(key), len(extras), 0, status, len(body), opaque, cas) + body


def binary():
    out = []
    for i, op in enumerate(OPS):
        if op == 0x10:
            out.append(res(op, i, key=b"pid", value=b"1") + res(op, i))
        elif op in (0x00, 0x0c):
            out.append(res(op, i, extras=struct.pack(">I", 7), key=b"k%d" % i if op == 0x0c else b"",
                           value=b"value-%d" % i))
        elif op == 0x05:
            out.append(res(op, i, value=struct.pack(">Q", 42)))
        elif op == 0xbb:
            out.append(res(op, i, extras=struct.pack(">QI", 3, 8)))
        else:
            out.append(res(op, i, extras=struct.pack(">QQ", 5, 9)))
    return b"".join(out)


def text():
    lines = b"".join(b"VALUE k%d 7 5 %d\r\nhello\r\n" % (i, i + 1) for i in range(0, 8, 2))
    return lines + b"END\r\n"


def main(d):
    os.makedirs(d, exist_ok=True)
    seeds = {"binary": b"\x00\x00" + binary(), "binary-small-bound": b"\x00\x03" + binary(),
             "binary-push": b"\x00\x00" + HDR.pack(0x82, 0x01, 0, 4, 0, 0, 6, 0, 0) + b"\0\0\0\1{}" + binary(),
             "text": b"\x01\x00" + text(), "text-error": b"\x01\x00SERVER_ERROR out of memory\r\n",
             "text-huge": b"\x01\x00VALUE k0 0 4294967200 1\r\n"}
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1])
