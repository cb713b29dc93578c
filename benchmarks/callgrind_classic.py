"""Instructions per classic operation, measured with callgrind (client process only).

    python benchmarks/callgrind_classic.py [--mode memcached|couchbase]

Starts the server in another process (memcached, or the embedded cluster through
`python -m couchbase.mock`), then runs this script's worker twice under
`valgrind --tool=callgrind` with N and 2N operations of each kind; the difference of the
two instruction totals divided by N is the cost of one operation, free of start-up.
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))

KINDS = ("get", "set", "get_multi100", "set_multi100")


def worker(kind, n, target):
    sys.path.insert(0, ROOT)
    from couchbase import Couchbase

    # a generous timeout: under valgrind the client runs some 50 times slower
    if target.startswith("memcached://"):
        c = Couchbase.connect(host=target, timeout=60)
    else:
        host, port = target.split(":")
        c = Couchbase.connect(bucket="default", host=host, port=int(port), timeout=60)
    keys = ["cg-%d" % i for i in range(100)]
    c.set_multi({k: {"v": 1} for k in keys})
    doc = {"name": "x", "n": 1}
    for _ in range(20):  # warm up
        c.get("cg-1")
        c.set("cg-1", doc)
    if kind == "get":
        for _ in range(n):
            c.get("cg-1")
    elif kind == "set":
        for _ in range(n):
            c.set("cg-1", doc)
    elif kind == "get_multi100":
        for _ in range(n):
            c.get_multi(keys)
    elif kind == "set_multi100":
        kv = {k: doc for k in keys}
        for _ in range(n):
            c.set_multi(kv)


def instructions(kind, n, target):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "cg.out")
        p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, sys.executable,
                            os.path.abspath(__file__), "--worker", kind, str(n), target],
                           capture_output=True, text=True, cwd=ROOT)
        if p.returncode:
            raise RuntimeError("worker failed:\n" + p.stderr[-3000:])
        with open(out) as f:
            text = f.read()
    m = re.search(r"^summary:\s+(\d+)", text, re.M) or re.search(r"^totals:\s+(\d+)", text, re.M)
    return int(m.group(1))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=("memcached", "couchbase"), default="memcached")
    p.add_argument("-n", type=int, default=2000)
    p.add_argument("--kinds", default=",".join(KINDS), help="comma-separated subset of %s" % ", ".join(KINDS))
    p.add_argument("--target", help="a running server instead of starting one: memcached://HOST:PORT, or "
                   "HOST:REST_PORT of an embedded cluster")
    args = p.parse_args()
    if args.target:
        target = args.target

        def stop():
            pass
    elif args.mode == "memcached":
        from servers import Memcached

        server = Memcached().start()
        target = "memcached://%s" % server.address
        stop = server.stop
    else:
        proc = subprocess.Popen([sys.executable, "-m", "couchbase.mock", "--vbuckets", "64"], cwd=ROOT,
                                stdout=subprocess.PIPE, text=True)
        info = json.loads(proc.stdout.readline())
        target = "127.0.0.1:%d" % info["rest_port"]

        def stop():
            proc.send_signal(signal.SIGTERM)
            proc.wait(10)
    try:
        for kind in args.kinds.split(","):
            n = args.n if "multi" not in kind else max(1, args.n // 20)
            a = instructions(kind, n, target)
            b = instructions(kind, 2 * n, target)
            per = (b - a) / n
            extra = " (%.0f per key)" % (per / 100) if "multi" in kind else ""
            print("%-14s %10.0f instructions/op%s" % (kind, per, extra), flush=True)
    finally:
        stop()


if __name__ == "__main__":
    main()
