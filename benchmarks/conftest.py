"""Benchmark fixtures: one real memcached, the clients under comparison, and a summary table.

Every client talks to the same memcached in the same run. Each benchmark records the
client's own CPU time (time.process_time: memcached runs in another process) so that the
summary can report CPU per key-operation next to ops/s.
"""
import gc
import os
import time

import pytest

from servers import Memcached  # tests/support, on pytest's pythonpath

SIZES = {"10B": 10, "1KiB": 1024, "16KiB": 16384}
_rows = []


def _cpus():
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []


@pytest.fixture(scope="session")
def memcached_server():
    """memcached pinned to one CPU and the clients (this process) to another, so that every
    client meets the same scheduling: on a VM, where a thread wakes up matters as much as
    the client itself (a cross-CPU wake-up costs tens of microseconds)."""
    cpus = _cpus()
    server_cpu = cpus[-1] if len(cpus) > 1 else None
    with Memcached(memory_mb=1024, cpu=server_cpu) as server:
        if server_cpu is not None:
            os.sched_setaffinity(0, set(cpus[:-1]))
        try:
            yield server
        finally:
            if server_cpu is not None:
                os.sched_setaffinity(0, set(cpus))


def make_client(name, server):
    if name in ("ours", "ours-py"):
        from couchbase import Couchbase
        from couchbase._core import batch as _batch

        _batch.use_native(name == "ours")
        conn = Couchbase.connect(host="memcached://" + server.address, default_format=2)
        return conn
    if name == "pylibmc":
        pylibmc = pytest.importorskip("pylibmc")
        return pylibmc.Client([server.address], behaviors={"tcp_nodelay": True})
    if name == "pymemcache":
        pytest.importorskip("pymemcache")
        from pymemcache.client.base import Client

        return Client((server.host, server.port), no_delay=True)
    raise ValueError(name)


class Measured:
    """Runs `fn` under pytest-benchmark and keeps the client CPU seconds it used."""

    def __init__(self, benchmark, keys_per_call):
        self.benchmark = benchmark
        self.keys = keys_per_call
        self.cpu = 0.0
        self.calls = 0

    def run(self, fn, rounds):
        def timed():
            c0 = time.process_time()
            out = fn()
            self.cpu += time.process_time() - c0
            self.calls += 1
            return out

        gc.collect()
        gc.disable()
        try:
            return self.benchmark.pedantic(timed, rounds=rounds, iterations=1, warmup_rounds=1)
        finally:
            gc.enable()
            self.record()

    def record(self):
        b = self.benchmark
        if not self.calls:
            return
        cpu_us = self.cpu / (self.calls * self.keys) * 1e6
        b.extra_info["client_cpu_us_per_key"] = round(cpu_us, 3)
        b.extra_info["keys_per_call"] = self.keys
        stats = getattr(b, "stats", None)
        # (the peer table lists the benchmarks that name their client)
        if "client" in b.extra_info and stats is not None and getattr(stats, "stats", None) is not None \
                and stats.stats.rounds:
            kops = self.keys / stats.stats.median
            _rows.append((b.group, b.extra_info.get("client"), kops, cpu_us))


def pytest_terminal_summary(terminalreporter):
    if not _rows:
        return
    by_group = {}
    for group, client, kops, cpu in _rows:
        by_group.setdefault(group, {})[client] = (kops, cpu)
    tr = terminalreporter
    tr.write_sep("=", "key-ops/s (median round) and client CPU us per key-op")
    clients = ["ours", "ours-py", "pylibmc", "pymemcache"]
    tr.write_line("| group | " + " | ".join("%s ops/s" % c for c in clients)
                  + " | ours/pylibmc | " + " | ".join("%s cpu us/key" % c for c in clients) + " |")
    tr.write_line("|---" * (2 * len(clients) + 2) + "|")
    for group in sorted(by_group):
        row = by_group[group]
        ops = ["%.0f" % row[c][0] if c in row else "-" for c in clients]
        cpu = ["%.2f" % row[c][1] if c in row else "-" for c in clients]
        ratio = "%.2fx" % (row["ours"][0] / row["pylibmc"][0]) if "ours" in row and "pylibmc" in row else "-"
        tr.write_line("| %s | %s | %s | %s |" % (group, " | ".join(ops), ratio, " | ".join(cpu)))
