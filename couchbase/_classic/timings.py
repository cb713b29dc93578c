"""Operation timings (1.2's private ``_start_timings``/``_get_timings``/``_stop_timings``).

While timings run, the connection's session is wrapped so that every run is timed, from
the call into the engine to its results; each key of the run counts once in the bucket of
that duration (as libcouchbase counted each command). The plain get/set fast path is
not used meanwhile, so timing costs nothing when it is off.

``report()`` is a list of ``{"min": ms, "max": ms, "count": n}`` for the buckets that
have counts, in ascending order: 10 us wide up to 1 ms, 100 us wide up to 10 ms, 1 ms
wide up to 100 ms, 10 ms wide up to 1 s, then 1 s wide.
"""
from time import monotonic as _monotonic

# (upper bound in ms, bucket width in ms), in order
_RANGES = ((1.0, 0.01), (10.0, 0.1), (100.0, 1.0), (1000.0, 10.0), (float("inf"), 1000.0))


def _bucket(ms):
    low = 0.0
    for high, width in _RANGES:
        if ms < high:
            i = int((ms - low) / width)
            start = low + i * width
            return round(start, 3), round(start + width, 3)
        low = high
    return low, low  # not reached


class Timings:
    __slots__ = ("counts",)

    def __init__(self):
        self.counts = {}

    def record(self, seconds, n):
        b = _bucket(seconds * 1000.0)
        self.counts[b] = self.counts.get(b, 0) + n

    def report(self):
        return [{"min": lo, "max": hi, "count": self.counts[(lo, hi)]} for lo, hi in sorted(self.counts)]


class TimedSession:
    """A session whose runs are timed; everything else goes to the session itself."""

    __slots__ = ("_session", "_timings")

    def __init__(self, session, timings):
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_timings", timings)

    def __getattr__(self, name):
        return getattr(self._session, name)

    def __setattr__(self, name, value):
        setattr(self._session, name, value)

    def _timed(self, fn, nkeys, *args, **kw):
        started = _monotonic()
        try:
            return fn(*args, **kw)
        finally:
            self._timings.record(_monotonic() - started, nkeys)

    def execute(self, keys, *args, **kw):
        return self._timed(self._session.execute, len(keys), keys, *args, **kw)

    def run_single(self, keys, *args, **kw):
        return self._timed(self._session.run_single, 1, keys, *args, **kw)

    def raw_run(self, requests, *args, **kw):
        return self._timed(self._session.raw_run, len(requests), requests, *args, **kw)

    def run_batch(self, batch, *args, **kw):
        return self._timed(self._session.run_batch, 1, batch, *args, **kw)


def start(conn):
    """Start (or restart, from zero) timing `conn`'s operations."""
    stop(conn)
    conn._timings = Timings()
    conn._session = TimedSession(conn._session, conn._timings)
    conn._update_fast()


def stop(conn):
    """Stop timing; the figures gathered stay readable."""
    if isinstance(conn._session, TimedSession):
        conn._session = conn._session._session
    conn._update_fast()


def get(conn):
    if conn._timings is None:
        return []
    return conn._timings.report()
