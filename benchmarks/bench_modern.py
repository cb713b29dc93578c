"""Client CPU per KV operation: our modern API vs the official couchbase==4.6.3 SDK
(single and multi get/upsert, a lookup_in of 3 paths and a mutate_in of 3 specs).

    .venv/bin/python benchmarks/bench_modern.py [--ops 20000] [--batch 100]

The embedded cluster runs in this process; each client runs the same workload in its own
subprocess and measures its own CPU with time.process_time() (all of its threads,
including the official SDK's I/O threads), so the server's CPU is not counted. The
official SDK runs from its own venv (.venv-official); it is skipped when missing.

Under pytest (``pytest benchmarks``) a short run checks that both workers report figures.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OURS = os.path.join(ROOT, ".venv", "bin", "python")
OFFICIAL = os.path.join(ROOT, ".venv-official", "bin", "python")

PHASES = ("upsert", "get", "upsert_multi", "get_multi", "lookup_in", "mutate_in")


def worker(connstr, ops, batch):
    """Runs in the client's process: prints {phase: [cpu_us_per_op, ops_per_s]} as JSON."""
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    cluster = Cluster.connect(connstr, ClusterOptions(PasswordAuthenticator("Administrator", "password")))
    coll = cluster.bucket("default").default_collection()
    doc = {"name": "benchmark", "n": 1, "tags": ["a", "b", "c"], "nested": {"x": 1.5, "y": None}}
    keys = ["bench-%d" % i for i in range(ops)]
    for k in keys[:200]:  # warm up sockets, caches and the JIT-free paths alike
        coll.upsert(k, doc)
        coll.get(k).content_as[dict]
    out = {}

    def timed(name, fn, n):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        c1, w1 = time.process_time(), time.perf_counter()
        out[name] = [(c1 - c0) / n * 1e6, n / (w1 - w0)]

    def single_upsert():
        for k in keys:
            coll.upsert(k, doc)

    def single_get():
        for k in keys:
            coll.get(k).content_as[dict]

    chunks = [keys[i:i + batch] for i in range(0, len(keys), batch)]

    def multi_upsert():
        for ch in chunks:
            r = coll.upsert_multi({k: doc for k in ch})
            assert r.all_ok

    def multi_get():
        for ch in chunks:
            r = coll.get_multi(ch)
            for v in r.results.values():
                v.content_as[dict]

    import couchbase.subdocument as SD

    lookups = [SD.get("name"), SD.exists("tags"), SD.get("nested.x")]

    def lookup_in():
        for k in keys:
            r = coll.lookup_in(k, lookups)
            r.content_as[str](0)
            r.exists(1)
            r.content_as[float](2)

    def mutate_in():
        for i, k in enumerate(keys):
            coll.mutate_in(k, [SD.upsert("n", i), SD.increment("count", 1), SD.array_append("tags", "d")])

    for k in keys[:200]:
        coll.lookup_in(k, lookups)
        coll.mutate_in(k, [SD.upsert("n", 0), SD.increment("count", 1), SD.array_append("tags", "d")])
    timed("upsert", single_upsert, len(keys))
    timed("get", single_get, len(keys))
    timed("upsert_multi", multi_upsert, len(keys))
    timed("get_multi", multi_get, len(keys))
    timed("lookup_in", lookup_in, len(keys))
    timed("mutate_in", mutate_in, len(keys))
    cluster.close()
    print("RESULT " + json.dumps(out), flush=True)


def run_worker(python, connstr, ops, batch, official):
    env = dict(os.environ)
    env["PYTHONPATH"] = "" if official else ROOT
    cwd = "/tmp" if official else ROOT  # keep /work/main/couchbase from shadowing the official package
    p = subprocess.run([python, os.path.abspath(__file__), "--worker", connstr, "--ops", str(ops),
                        "--batch", str(batch)], env=env, cwd=cwd, capture_output=True, text=True, timeout=900)
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError("worker failed (%s):\n%s" % (python, p.stderr[-3000:]))


def compare(ops=20000, batch=100):
    sys.path.insert(0, ROOT)
    from couchbase.mock import MockCluster

    results = {}
    with MockCluster(nodes=1, replicas=0, vbuckets=64, users={"Administrator": "password"}) as mock:
        results["ours"] = run_worker(OURS if os.path.exists(OURS) else sys.executable, mock.connstr, ops, batch,
                                     False)
    if os.path.exists(OFFICIAL):
        with MockCluster(nodes=1, replicas=0, vbuckets=64, users={"Administrator": "password"}) as mock:
            results["official"] = run_worker(OFFICIAL, mock.connstr, ops, batch, True)
    return results


def table(results, ops, batch):
    lines = ["client CPU per operation (us), %d ops per phase, multi batches of %d keys" % (ops, batch),
             "%-14s %14s %14s %10s %14s %14s" % ("phase", "ours us/op", "4.6.3 us/op", "ratio", "ours ops/s",
                                                 "4.6.3 ops/s")]
    for ph in PHASES:
        o = results["ours"][ph]
        t = results.get("official", {}).get(ph)
        lines.append("%-14s %14.2f %14s %10s %14.0f %14s" % (
            ph, o[0], "%.2f" % t[0] if t else "-", "%.2f" % (o[0] / t[0]) if t else "-", o[1],
            "%.0f" % t[1] if t else "-"))
    return "\n".join(lines)


def bench_modern_vs_official():
    """Short run under pytest: both workers report every phase, and a lookup_in of 3 paths
    and a mutate_in of 3 specs cost no more client CPU than 4.6.3's."""
    res = compare(ops=2000, batch=100)
    for ph in PHASES:
        assert res["ours"][ph][0] > 0
    print()
    print(table(res, 2000, 100))
    if "official" in res:
        for ph in ("lookup_in", "mutate_in"):
            assert res["ours"][ph][0] <= res["official"][ph][0], (ph, res)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", metavar="CONNSTR")
    ap.add_argument("--ops", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    a = ap.parse_args()
    if a.worker:
        worker(a.worker, a.ops, a.batch)
        return
    res = compare(a.ops, a.batch)
    print(table(res, a.ops, a.batch))
    if a.json:
        print(json.dumps(res))


if __name__ == "__main__":
    main()
