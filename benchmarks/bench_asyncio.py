"""The asyncio face: ops/s and client CPU per operation, ours (asyncio's loop and uvloop) vs
the official acouchbase 4.6.3 vs our blocking API, in the same run.

    .venv/bin/python benchmarks/bench_asyncio.py [--ops 20000] [--width 1000] [--rounds 3]

Phases: ``single_upsert``/``single_get`` (one await at a time), ``conc_upsert``/``conc_get``
(waves of `width` concurrent awaits through asyncio.gather). The blocking API runs the
single phases one call at a time and the concurrent ones as upsert_multi/get_multi of
`width` keys (its way of having `width` operations in flight).

The embedded cluster runs in this process; each client runs the workload in its own
subprocess and measures its own CPU with time.process_time() (every thread of it,
including the official SDK's I/O threads), so the server's CPU is not counted. The
official SDK runs from its own venv (.venv-official).

With --check (as `make bench` runs it) the run fails unless the targets hold: client CPU per
operation at most 0.3x the official acouchbase's, and `width` concurrent gets at least 3x its
throughput. Under pytest (`make test`) a short smoke pass checks them with wider margins.
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

PHASES = ("single_upsert", "single_get", "conc_upsert", "conc_get")
CLIENTS = ("ours", "ours_uvloop", "official", "blocking")
DOC = {"name": "benchmark", "n": 1, "tags": ["a", "b", "c"], "nested": {"x": 1.5, "y": None}}


def timed(out, name, n, fn):
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    c1, w1 = time.process_time(), time.perf_counter()
    out[name] = [(c1 - c0) / n * 1e6, n / (w1 - w0)]


def async_worker(connstr, ops, width, loop_kind):
    """The acouchbase workload (ours or the official one, whichever imports): prints
    {phase: [cpu_us_per_op, ops_per_s]} as JSON."""
    import asyncio

    from acouchbase.cluster import Cluster
    from couchbase.auth import PasswordAuthenticator
    from couchbase.options import ClusterOptions

    if loop_kind == "uvloop":
        import uvloop

        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    keys = ["bench-%d" % i for i in range(ops)]
    waves = [keys[i:i + width] for i in range(0, len(keys), width)]

    async def connect():
        cluster = await Cluster.connect(connstr, ClusterOptions(PasswordAuthenticator("Administrator", "password")))
        b = cluster.bucket("default")
        await b.on_connect()
        return cluster, b.default_collection()

    cluster, coll = loop.run_until_complete(connect())

    async def warm():
        for k in keys[:200]:
            await coll.upsert(k, DOC)
            (await coll.get(k)).content_as[dict]

    async def single_upsert():
        for k in keys:
            await coll.upsert(k, DOC)

    async def single_get():
        for k in keys:
            (await coll.get(k)).content_as[dict]

    async def conc_upsert():
        for w in waves:
            await asyncio.gather(*[coll.upsert(k, DOC) for k in w])

    async def conc_get():
        for w in waves:
            for r in await asyncio.gather(*[coll.get(k) for k in w]):
                r.content_as[dict]

    loop.run_until_complete(warm())
    out = {}
    for name, fn in (("single_upsert", single_upsert), ("single_get", single_get), ("conc_upsert", conc_upsert),
                     ("conc_get", conc_get)):
        timed(out, name, ops, lambda fn=fn: loop.run_until_complete(fn()))
    loop.run_until_complete(cluster.close())
    print("RESULT " + json.dumps(out), flush=True)


def blocking_worker(connstr, ops, width):
    """Our blocking modern API on the same workload (multi calls for the concurrent phases)."""
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    cluster = Cluster.connect(connstr, ClusterOptions(PasswordAuthenticator("Administrator", "password")))
    coll = cluster.bucket("default").default_collection()
    keys = ["bench-%d" % i for i in range(ops)]
    waves = [keys[i:i + width] for i in range(0, len(keys), width)]
    for k in keys[:200]:
        coll.upsert(k, DOC)
        coll.get(k).content_as[dict]
    out = {}

    def single_upsert():
        for k in keys:
            coll.upsert(k, DOC)

    def single_get():
        for k in keys:
            coll.get(k).content_as[dict]

    def conc_upsert():
        for w in waves:
            assert coll.upsert_multi({k: DOC for k in w}).all_ok

    def conc_get():
        for w in waves:
            for r in coll.get_multi(w).results.values():
                r.content_as[dict]

    for name, fn in (("single_upsert", single_upsert), ("single_get", single_get), ("conc_upsert", conc_upsert),
                     ("conc_get", conc_get)):
        timed(out, name, ops, fn)
    cluster.close()
    print("RESULT " + json.dumps(out), flush=True)


def run_worker(client, connstr, ops, width):
    official = client == "official"
    python = OFFICIAL if official else (OURS if os.path.exists(OURS) else sys.executable)
    env = dict(os.environ)
    env["PYTHONPATH"] = "" if official else ROOT
    cwd = "/tmp" if official else ROOT  # keep the repository's packages from shadowing the official ones
    p = subprocess.run([python, os.path.abspath(__file__), "--worker", client, connstr, "--ops", str(ops),
                        "--width", str(width)], env=env, cwd=cwd, capture_output=True, text=True, timeout=900)
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError("worker %s failed:\n%s" % (client, p.stderr[-3000:]))


def compare(ops=20000, width=1000, rounds=3):
    """{client: {phase: [cpu us/op, ops/s]}}: each client `rounds` times, the rounds
    interleaved, each against a fresh cluster; per phase the least CPU per op and the most
    ops/s of its rounds (the machine's other load only ever adds)."""
    sys.path.insert(0, ROOT)
    sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
    from couchbase.mock import MockCluster
    from official import ensure_venv

    ensure_venv()
    results = {}
    for _ in range(rounds):
        for client in CLIENTS:
            with MockCluster(nodes=1, replicas=0, vbuckets=64, users={"Administrator": "password"}) as mock:
                got = run_worker(client, mock.connstr, ops, width)
            best = results.setdefault(client, got)
            for ph, (cpu, rate) in got.items():
                best[ph] = [min(best[ph][0], cpu), max(best[ph][1], rate)]
    return results


def table(results, ops, width):
    lines = ["client CPU per operation (us) and ops/s, %d ops per phase, %d concurrent awaits (best of the rounds)"
             % (ops, width),
             "%-14s %11s %11s %11s %11s %9s | %9s %9s %9s %9s %8s" % (
                 "phase", "ours", "ours uvloop", "acouchbase", "blocking", "cpu ratio", "ours/s", "uvloop/s",
                 "acb/s", "block/s", "x acb")]
    for ph in PHASES:
        o, u, a, b = (results[c][ph] for c in CLIENTS)
        lines.append("%-14s %11.2f %11.2f %11.2f %11.2f %9.2f | %9.0f %9.0f %9.0f %9.0f %8.2f" % (
            ph, o[0], u[0], a[0], b[0], o[0] / a[0], o[1], u[1], a[1], b[1], o[1] / a[1]))
    lines.append("(cpu ratio: ours / official acouchbase; x acb: our ops/s / official acouchbase's; "
                 "blocking: single calls, and upsert_multi/get_multi of %d keys for the concurrent phases)" % width)
    return "\n".join(lines)


def check_targets(res, cpu_ratio=0.3, conc_get_ratio=3.0):
    """The issue's targets: CPU per op <= 0.3x the official acouchbase's, concurrent gets >= 3x its throughput."""
    for ph in PHASES:
        assert res["ours"][ph][0] <= cpu_ratio * res["official"][ph][0], (ph, res["ours"][ph], res["official"][ph])
    assert res["ours"]["conc_get"][1] >= conc_get_ratio * res["official"]["conc_get"][1], (res["ours"], res["official"])


def bench_asyncio_vs_official_and_blocking():
    """Smoke run under pytest (`make test`): every client reports every phase, and the
    targets hold with wider margins (a short run on a loaded 2-CPU machine moves a ratio by
    about 30%); `bench_asyncio.py --check` (in `make bench`) checks the targets themselves
    on the full run."""
    res = compare(ops=2000, width=1000, rounds=2)
    print()
    print(table(res, 2000, 1000))
    for c in CLIENTS:
        for ph in PHASES:
            assert res[c][ph][0] > 0 and res[c][ph][1] > 0
    check_targets(res, cpu_ratio=0.5, conc_get_ratio=2.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", nargs=2, metavar=("CLIENT", "CONNSTR"))
    ap.add_argument("--ops", type=int, default=20000)
    ap.add_argument("--width", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    ap.add_argument("--check", action="store_true", help="fail unless the targets hold")
    a = ap.parse_args()
    if a.worker:
        client, connstr = a.worker
        if client == "blocking":
            blocking_worker(connstr, a.ops, a.width)
        else:
            async_worker(connstr, a.ops, a.width, "uvloop" if client == "ours_uvloop" else "asyncio")
        return
    res = compare(a.ops, a.width, a.rounds)
    print(table(res, a.ops, a.width))
    if a.json:
        print(json.dumps(res))
    if a.check:
        check_targets(res)
        print("targets hold: CPU per op <= 0.3x the official acouchbase's, concurrent gets >= 3x its ops/s")


if __name__ == "__main__":
    main()
