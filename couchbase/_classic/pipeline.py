"""Connection.pipeline() (1.2): operations queued inside ``with conn.pipeline():`` and run
together when it ends.

Inside the block each operation checks its arguments and encodes its requests at once
(bad arguments raise there, and what was queued before still runs), then returns None.
Plain key-value operations go into one batch, which runs as one C call on exit;
operations that need more than one round (observe, endure, stats, replica reads,
durability requirements, Items) are kept in order and run between the batches. On exit
``Pipeline.results`` lists the results in call order (a Result for a single-key
operation, a MultiResult for a _multi one), and the first operational error is raised.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, List, Literal, Optional

from couchbase._core import batch as _batch
from couchbase.exceptions import CouchbaseError
from couchbase.result import MultiResult, OperationResult, ValueResult


class Pipeline:
    """The context manager ``Connection.pipeline()`` returns; ``__enter__`` returns None."""

    def __init__(self, parent: Any) -> None:
        self._parent = parent
        self._results = None

    def __enter__(self) -> None:
        self._parent._pipeline_begin()
        return None

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> Literal[False]:
        results, error = self._parent._pipeline_end()
        self._results = results
        if error is not None and exc_type is None:
            raise error
        return False

    @property
    def results(self) -> Optional[List[Any]]:
        """The results of the operations run by the last ``with`` block, in call order."""
        return self._results


class _Segment:
    """Requests in one batch: (op, start, end, quiet, single, no_format) per operation."""

    __slots__ = ("batch", "rkeys", "entries", "adds")

    def __init__(self, batch):
        self.batch = batch
        self.rkeys = []
        self.entries = []
        self.adds = []


class _Deferred:
    __slots__ = ("fn", "single")

    def __init__(self, fn, single):
        self.fn = fn
        self.single = single


class Queue:
    """The operations of one pipeline block."""

    def __init__(self, conn):
        self.conn = conn
        self.segments = []
        self._used = 0

    def _segment(self):
        last = self.segments[-1] if self.segments else None
        if isinstance(last, _Segment):
            return last
        conn = self.conn
        spare = conn._pipe_batches
        if self._used < len(spare):
            batch = spare[self._used]
        else:
            batch = conn._session.new_batch()
            spare.append(batch)
        self._used += 1
        _batch.reset(batch)
        seg = _Segment(batch)
        self.segments.append(seg)
        return seg

    def queue(self, keys, op, add, quiet, single, no_format):
        """Encode one operation's requests into the current batch; returns None."""
        session = self.conn._session
        session.check_open()
        seg = self._segment()
        batch = seg.batch
        start = _batch.size(batch)
        error = None
        try:
            add(batch)
        except BaseException as e:
            error = e
        if error is not None:
            # the encoder reset the batch on its error: add what was queued before again
            for earlier in seg.adds:
                earlier(batch)
            raise error
        end = _batch.size(batch)
        if session.passthrough:
            keys = [k.encode() if isinstance(k, str) else k for k in keys]
        if len(keys) != end - start:
            raise RuntimeError("pipeline: %d requests queued for %d keys" % (end - start, len(keys)))
        seg.rkeys.extend(keys)
        seg.adds.append(add)
        seg.entries.append((op, start, end, quiet, single, no_format))
        return None

    def defer(self, fn, single):
        """Keep an operation that needs several rounds; it runs in its place on exit."""
        self.conn._session.check_open()
        self.segments.append(_Deferred(fn, single))
        return None

    def run(self):
        """Run everything queued: (results in call order, the first operational error or None)."""
        conn = self.conn
        session = conn._session
        results = []
        first = None
        for seg in self.segments:
            if isinstance(seg, _Deferred):
                failure = None
                try:
                    results.append(seg.fn())
                except CouchbaseError as e:
                    failure = e
                if failure is not None:
                    results.append(failure.result if seg.single else failure.all_results)
                    first = first or failure
                continue
            if not seg.entries:
                continue
            session.run_batch(seg.batch)
            for op, start, end, quiet, single, no_format in seg.entries:
                mres, failed = MultiResult(), []
                _batch.build_range(seg.batch, seg.rkeys, start, end, op.kind, mres, failed, ValueResult,
                                   OperationResult, session.passthrough, session.transcoder, no_format)
                results.append(next(iter(mres.values())) if single else mres)
                if failed and first is None:
                    first = conn._failure(failed, op, quiet, None if single else mres)
        return results, first
