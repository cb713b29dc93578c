"""What TLS costs the client: get_multi and set_multi (upsert_multi) of 100 keys over TLS and
over plaintext, our SDK and the official couchbase==4.6.3, in the same run.

    .venv/bin/python benchmarks/bench_tls.py [--ops 20000] [--batch 100] [--rounds 5]

One embedded cluster with TLS (``tls=True``) runs in this process; each client runs the
same workload in its own subprocess over ``couchbase://`` and over ``couchbases://`` with
the cluster's CA, rounds alternating between the two, and measures its own CPU with
time.process_time() (all of its threads, the official SDK's I/O threads included), so the
server's CPU is not counted. The TLS cost of a client is its CPU per key over TLS minus
its CPU per key over plaintext; the target is ours below the official SDK's.

Under pytest (``pytest benchmarks``) a short run checks that every worker reports figures.
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

PHASES = ("set_multi", "get_multi")


def worker(plain_connstr, tls_connstr, ca, ops, batch, rounds):
    """Runs in the client's process: prints {transport: {phase: [cpu_us_per_key, keys_per_s]}}
    as JSON. Plaintext and TLS rounds alternate (so that a load change on the machine hits
    both alike) and each figure is the round with the least CPU."""
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    colls = {}
    for transport, connstr, extra in (("plain", plain_connstr, {}), ("tls", tls_connstr, {"cert_path": ca})):
        auth = PasswordAuthenticator("Administrator", "password", **extra)
        colls[transport] = Cluster.connect(connstr, ClusterOptions(auth)).bucket("default").default_collection()
    doc = {"name": "benchmark", "n": 1, "tags": ["a", "b", "c"]}
    keys = ["tls-bench-%d" % i for i in range(ops)]
    chunks = [keys[i:i + batch] for i in range(0, len(keys), batch)]
    for coll in colls.values():  # warm up: sockets open, handshakes done
        for ch in chunks[:5]:
            coll.upsert_multi({k: doc for k in ch})
            coll.get_multi(ch)

    def set_multi(coll):
        for ch in chunks:
            assert coll.upsert_multi({k: doc for k in ch}).all_ok

    def get_multi(coll):
        for ch in chunks:
            assert len(coll.get_multi(ch).results) == len(ch)

    out = {"plain": {}, "tls": {}}
    for name, fn in (("set_multi", set_multi), ("get_multi", get_multi)):
        for _ in range(rounds):
            for transport in ("plain", "tls"):
                c0, w0 = time.process_time(), time.perf_counter()
                fn(colls[transport])
                c1, w1 = time.process_time(), time.perf_counter()
                figures = [(c1 - c0) / len(keys) * 1e6, len(keys) / (w1 - w0)]
                best = out[transport].get(name)
                if best is None or figures[0] < best[0]:
                    out[transport][name] = figures
    print("RESULT " + json.dumps(out), flush=True)


def run_worker(python, mock, ops, batch, rounds, official):
    env = dict(os.environ)
    env["PYTHONPATH"] = "" if official else ROOT
    cwd = "/tmp" if official else ROOT  # keep the repository's couchbase from shadowing the official package
    cmd = [python, os.path.abspath(__file__), "--worker", mock.connstr, "--tls-connstr", mock.connstr_tls,
           "--ca", mock.ca_cert, "--ops", str(ops), "--batch", str(batch), "--rounds", str(rounds)]
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=1800)
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError("worker failed (%s):\n%s" % (python, p.stderr[-3000:]))


def compare(ops=20000, batch=100, rounds=5):
    """{client: {"plain": figures, "tls": figures}} for ours and (when installed) the official SDK."""
    sys.path.insert(0, ROOT)
    from couchbase.mock import MockCluster

    clients = [("ours", OURS if os.path.exists(OURS) else sys.executable, False)]
    if os.path.exists(OFFICIAL):
        clients.append(("official", OFFICIAL, True))
    results = {}
    with MockCluster(nodes=1, replicas=0, vbuckets=64, users={"Administrator": "password"}, tls=True) as mock:
        for name, python, official in clients:
            results[name] = run_worker(python, mock, ops, batch, rounds, official)
    return results


def tls_cost(res, client, phase):
    """Client CPU per key that TLS adds (us)."""
    return res[client]["tls"][phase][0] - res[client]["plain"][phase][0]


def table(res, ops, batch):
    lines = ["client CPU per key (us), %d keys per phase, batches of %d; TLS cost = TLS - plaintext" % (ops, batch),
             "%-10s %-10s %12s %12s %12s %14s %14s" % ("phase", "client", "plain us", "TLS us", "TLS cost",
                                                     "plain keys/s", "TLS keys/s")]
    for ph in PHASES:
        for client in res:
            p, t = res[client]["plain"][ph], res[client]["tls"][ph]
            lines.append("%-10s %-10s %12.2f %12.2f %12.2f %14.0f %14.0f" % (
                ph, client, p[0], t[0], tls_cost(res, client, ph), p[1], t[1]))
    if "official" in res:
        for ph in PHASES:
            ours, theirs = tls_cost(res, "ours", ph), tls_cost(res, "official", ph)
            lines.append("%s: TLS costs ours %.2f us/key, the official SDK %.2f us/key: %s" % (
                ph, ours, theirs, "target met" if ours < theirs else "TARGET MISSED"))
    return "\n".join(lines)


def bench_tls_cost_vs_official():
    """Short run under pytest: every worker reports both phases over both transports."""
    res = compare(ops=1000, batch=100, rounds=1)
    for client in res:
        for transport in ("plain", "tls"):
            for ph in PHASES:
                assert res[client][transport][ph][0] > 0
    print()
    print(table(res, 1000, 100))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", metavar="CONNSTR")
    ap.add_argument("--tls-connstr")
    ap.add_argument("--ca")
    ap.add_argument("--ops", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    a = ap.parse_args()
    if a.worker:
        worker(a.worker, a.tls_connstr, a.ca, a.ops, a.batch, a.rounds)
        return
    res = compare(a.ops, a.batch, a.rounds)
    print(table(res, a.ops, a.batch))
    if a.json:
        print(json.dumps(res))


if __name__ == "__main__":
    main()
