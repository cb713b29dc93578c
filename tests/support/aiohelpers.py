"""Helpers of the asyncio-face tests (tests/asyncio) and benchmarks: embedded clusters,
event loops (asyncio's own and uvloop), the slow-callback watchdog."""
import asyncio
import os
import time

USER, PASSWORD = "Administrator", "password"
#: what a callback of the SDK may take at most, in seconds (loop.slow_callback_duration);
#: under make sanitize (CBC_SANITIZE=1) ten times that. AddressSanitizer and
#: UndefinedBehaviorSanitizer make the C core 2-4x slower (the longest SDK callback of the
#: 10 000-operation test measured 3-6 ms there), and the sanitizer's allocator now and then
#: pauses whatever callback is running (recycling its quarantine, faulting in shadow
#: memory: one 21 ms step seen in a CI run). 50 ms is still far below a blocking call or
#: work proportional to a batch, and the ASan run is about memory errors, not speed
SLOW = 0.005 * (10 if os.environ.get("CBC_SANITIZE") == "1" else 1)
LOOPS = ["asyncio", "uvloop"]

def mock(nodes, replicas=1, **kw):
    from couchbase.mock import MockCluster

    kw.setdefault("buckets", {"default": None, "travel-sample": None})
    return MockCluster(nodes=nodes, replicas=replicas, vbuckets=64, users={USER: PASSWORD},
                       collections=[("travel-sample", "tenant_agent_00", "users"),
                                    ("default", "inventory", "airline")], **kw)


def options(**kw):
    from couchbase.auth import PasswordAuthenticator
    from couchbase.options import ClusterOptions

    return ClusterOptions(PasswordAuthenticator(USER, PASSWORD), **kw)


class Watchdog:
    """Times every callback the event loop runs (its thread's CPU time, so that another
    process taking the shared cores does not count) and keeps those of the SDK that took
    longer than the loop's ``slow_callback_duration``: a handle of its session, or a step of
    a task running one of its coroutines. The test's own callbacks are only counted."""

    def __init__(self):
        self.slow = []      # (what, cpu seconds, wall seconds) of the SDK's slow callbacks
        self.others = 0     # slow callbacks of the test's own code
        self.longest = 0.0  # the longest CPU time of an SDK callback
        self.count = 0      # SDK callbacks timed

    @staticmethod
    def describe(cb):
        """(name, whether it is the SDK's) of a callback."""
        owner = getattr(cb, "__self__", None)
        if isinstance(owner, asyncio.Task):
            coro = owner.get_coro()
            code = getattr(coro, "cr_code", None) or getattr(coro, "gi_code", None)
            f = code.co_filename if code else ""
            return (code.co_qualname if code else repr(coro),
                    "/acouchbase/" in f or "/couchbase/" in f)
        name = getattr(cb, "__qualname__", None) or repr(cb)
        mod = getattr(cb, "__module__", "") or ""
        return name, mod.startswith(("couchbase", "acouchbase"))

    def timed(self, loop, cb):
        if getattr(cb, "_watched", False):
            return cb

        def run(*args):
            c0, w0 = time.thread_time(), time.perf_counter()
            try:
                return cb(*args)
            finally:
                cpu = time.thread_time() - c0
                name, ours = self.describe(cb)
                if ours:
                    self.count += 1
                    self.longest = max(self.longest, cpu)
                if cpu >= loop.slow_callback_duration:
                    if ours:
                        self.slow.append((name, round(cpu, 4), round(time.perf_counter() - w0, 4)))
                    else:
                        self.others += 1

        run._watched = True
        return run


def _watched_loop(base):
    class Loop(base):
        """An event loop whose callbacks the watchdog times."""

        def call_soon(self, cb, *args, context=None):
            return super().call_soon(self._wd.timed(self, cb), *args, context=context)

        def call_at(self, when, cb, *args, context=None):
            return super().call_at(when, self._wd.timed(self, cb), *args, context=context)

        def call_later(self, delay, cb, *args, context=None):
            return super().call_later(delay, self._wd.timed(self, cb), *args, context=context)

        def add_reader(self, fd, cb, *args):
            return super().add_reader(fd, self._wd.timed(self, cb), *args)

        def add_writer(self, fd, cb, *args):
            return super().add_writer(fd, self._wd.timed(self, cb), *args)

    return Loop


def new_loop(kind, watchdog=None):
    """A new event loop (asyncio's own or uvloop); with `watchdog`, one whose callbacks it times."""
    if kind == "uvloop":
        import uvloop

        base = uvloop.Loop
    else:
        base = asyncio.SelectorEventLoop
    if watchdog is None:
        return base()
    loop = _watched_loop(base)()
    loop._wd = watchdog
    return loop


def run(coro_fn, loop="asyncio", watchdog=None, slow=SLOW):
    """Run coro_fn() on a new event loop of `loop`'s kind; with `watchdog`, every callback
    is timed against slow_callback_duration = `slow` (garbage collection is off meanwhile:
    its pauses fall on whatever callback runs)."""
    import gc

    ev = new_loop(loop, watchdog)
    ev.slow_callback_duration = slow
    if watchdog is not None:
        gc.collect()
        gc.disable()
    try:
        return ev.run_until_complete(coro_fn())
    finally:
        if watchdog is not None:
            gc.enable()
        ev.run_until_complete(ev.shutdown_asyncgens())
        ev.close()


async def connect(m, bucket="default", **kw):
    from acouchbase.cluster import Cluster

    cluster = await Cluster.connect(m.connstr, options(**kw))
    b = cluster.bucket(bucket)
    await b.on_connect()
    return cluster, b


class MockProcess:
    """The embedded cluster in a process of its own (``python -m couchbase.mock``), so that
    its work does not share this process's GIL with the event loop under test; topology
    changes through its REST API. Stopped by PID."""

    def __init__(self, nodes=3, replicas=1, buckets=("default",)):
        self.args = ["--nodes", str(nodes), "--replicas", str(replicas), "--vbuckets", "64",
                     "--user", "%s:%s" % (USER, PASSWORD)]
        for b in buckets:
            self.args += ["--bucket", b]
        self.proc = None
        self.info = None

    def __enter__(self):
        import json
        import os
        import subprocess
        import sys

        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self.proc = subprocess.Popen([sys.executable, "-m", "couchbase.mock"] + self.args, cwd=root,
                                     stdout=subprocess.PIPE, text=True)
        self.info = json.loads(self.proc.stdout.readline())
        return self

    def __exit__(self, *exc):
        import signal

        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(15)
        except Exception:
            self.proc.kill()
            self.proc.wait()

    @property
    def connstr(self):
        return self.info["connstr"]

    def _post(self, path, form=None):
        import base64
        import urllib.parse
        import urllib.request

        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.info["rest_port"], path),
                                     data=urllib.parse.urlencode(form or {}).encode(), method="POST")
        req.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode())
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()

    def failover(self, node):
        return self._post("/controller/failOver", {"otpNode": str(node)})

    def rebalance(self, eject=()):
        return self._post("/controller/rebalance", {"ejectedNodes": ",".join(str(n) for n in eject)})

    def stop_node(self, node):
        return self._post("/mock/nodes/%d/stop" % node)
