"""Throughput of the mock: single ops/s (one request, one reply) and pipelined key-ops/s
(batches of 1000 GETs), measured with codec.py as the client.

    python -m couchbase.mock._selfbench [--seconds 3]

The cluster runs in a child process (a single thread, so one core), the client in this
process. SELFBENCH_PIN=1 pins the server to CPU 0 and the client to CPU 1; on a busy
machine pinning can lower the figures.
"""

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

from . import codec
from ._client import MemdClient


def _start_server():
    ready = os.path.join(tempfile.mkdtemp(), "ready.json")
    code = ("import os, sys; os.sched_setaffinity(0, {0}) if hasattr(os, 'sched_setaffinity') and os.environ.get('SELFBENCH_PIN') "
            "else None; sys.path.insert(0, %r); "
            "from couchbase.mock.__main__ import main; main(sys.argv[1:])"
            % os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    proc = subprocess.Popen([sys.executable, "-c", code, "--vbuckets", "1024",
                             "--ready-file", ready], stdout=subprocess.DEVNULL)
    deadline = time.time() + 20
    while not os.path.exists(ready):
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("mock did not start")
        time.sleep(0.05)
    with open(ready) as f:
        return proc, json.load(f)


def bench_single(client, seconds):
    key = b"bench-single"
    vb = codec.vbucket_of(key, 1024)
    client.request(codec.SET, key=key, vbucket=vb, extras=struct.pack(">II", 0, 0),
                   value=b'{"v":1}')
    req = codec.encode_request(codec.GET, key=key, vbucket=vb, opaque=1)
    sock = client.sock
    n = 0
    end = time.perf_counter() + seconds
    t0 = time.perf_counter()
    while time.perf_counter() < end:
        for _ in range(100):
            sock.sendall(req)
            got = 0
            need = 24
            while got < need:
                data = sock.recv(65536)
                got += len(data)
                if got >= 12 and need == 24:
                    need = 24 + struct.unpack_from(">I", data, 8)[0]
        n += 100
    return n / (time.perf_counter() - t0)


def bench_pipelined(client, seconds, batch=1000):
    keys = [b"bench-%d" % i for i in range(batch)]
    sets = b"".join(codec.encode_request(codec.SET, key=k, vbucket=codec.vbucket_of(k, 1024),
                                         extras=struct.pack(">II", 0, 0), value=b'{"v":1}',
                                         opaque=i) for i, k in enumerate(keys))
    gets = b"".join(codec.encode_request(codec.GET, key=k, vbucket=codec.vbucket_of(k, 1024),
                                         opaque=i) for i, k in enumerate(keys))
    for payload in (sets, gets):
        client.send(payload)
        for _ in range(batch):
            client.recv_packet()
    sock = client.sock
    n = 0
    t0 = time.perf_counter()
    end = t0 + seconds
    while time.perf_counter() < end:
        sock.sendall(gets)
        count = 0
        buf = b""
        while count < batch:      # count responses by walking headers only
            buf += sock.recv(1 << 20)
            off = 0
            while len(buf) - off >= 24:
                blen = struct.unpack_from(">I", buf, off + 8)[0]
                if len(buf) - off < 24 + blen:
                    break
                off += 24 + blen
                count += 1
            buf = buf[off:]
        n += batch
    return n / (time.perf_counter() - t0)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args(argv)
    if hasattr(os, "sched_setaffinity") and os.cpu_count() and os.cpu_count() > 1:
        os.sched_setaffinity(0, {1}) if os.environ.get("SELFBENCH_PIN") else None
    proc, info = _start_server()
    try:
        client = MemdClient("127.0.0.1", info["nodes"][0]["kv"], "Administrator", "password",
                            "default")
        single = bench_single(client, args.seconds)
        piped = bench_pipelined(client, args.seconds)
        result = {"single_ops_per_s": round(single), "pipelined_key_ops_per_s": round(piped)}
        print(json.dumps(result))
        return result
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
