"""Replication and persistence between the nodes' vbucket copies, and what durability
waits for.

Every mutation of an active copy goes on a replication stream, one per (bucket, active
node, replica node), in seqno order, as DCP does. A stream delivers an entry ``lag``
seconds after the write (0: at once) unless it is paused or either end is not running;
the replica's copy then has the document and the seqno, which is its acknowledgement.
Every copy persists its mutations ``persist_delay`` seconds after they reach it (0: at
once) into its ``disk``; a killed node restarts from its disk.

Nothing here is lost by accident and nothing is saved by accident: a failover promotes a
replica as it is (what its stream had not delivered is gone, and entries still queued
from the failed node are dropped), a killed node loses its memory and its queued
entries. Runs on the cluster's event loop; ``loop`` None (no cluster) delivers at once.
"""
import collections
import time


class _Entry:
    __slots__ = ("due", "vb", "k", "item", "seqno", "uuid", "log")

    def __init__(self, due, vb, k, item, seqno, uuid, log):
        self.due = due
        self.vb = vb
        self.k = k
        self.item = item
        self.seqno = seqno
        self.uuid = uuid
        self.log = log


class Replication:
    """The replication streams and persistence queues of one cluster (see the module)."""

    TICK = 0.002

    def __init__(self, topo):
        self.topo = topo
        self.lag = 0.0            # seconds from an active write to its delivery on replicas
        self.persist_delay = 0.0  # seconds from a copy's change to its disk
        self.paused = False       # every stream holds its entries while true
        self.loop = None
        self.streams = {}         # (bucket name, src node, dst node) -> deque of _Entry
        self.flushq = {}          # (bucket name, node) -> deque of _Entry
        self._scheduled = False

    # -- settings (the cluster calls these on its loop) ------------------------------------
    def set_lag(self, seconds):
        self.lag = max(0.0, float(seconds))

    def set_persist_delay(self, seconds):
        self.persist_delay = max(0.0, float(seconds))

    def pause(self):
        self.paused = True

    def resume(self):
        self.paused = False
        self._deliver()

    # -- mutations ---------------------------------------------------------------------------
    def on_mutation(self, bucket, nid, vb, k, item, vbk):
        """Node `nid` changed its copy of `vb`: persist it there; if it is the active
        copy, stream it to the replicas."""
        now = time.monotonic()
        self._persist(bucket, nid, vbk, _Entry(now + self.persist_delay, vb, k,
                                               item.copy(), vbk.seqno, vbk.uuid, None))
        row = bucket.placement(vb)
        if row[0] != nid:
            return
        for dst in row[1:]:
            if dst == -1 or dst == nid:
                continue
            e = _Entry(now + self.lag, vb, k, item.copy(), vbk.seqno, vbk.uuid, list(vbk.failover_log))
            q = self.streams.get((bucket.name, nid, dst))
            if q is None:
                q = self.streams[(bucket.name, nid, dst)] = collections.deque()
            q.append(e)
            if self.lag == 0 and len(q) == 1 and self._flows(bucket.name, nid, dst):
                q.popleft()
                self._apply(bucket, dst, e)
        self._schedule()

    def _persist(self, bucket, nid, vbk, e):
        key = (bucket.name, nid)
        q = self.flushq.get(key)
        if self.persist_delay == 0 and not q:
            self._write_disk(vbk, e)
            return
        if q is None:
            q = self.flushq[key] = collections.deque()
        q.append(e)

    @staticmethod
    def _write_disk(vbk, e):
        vbk.disk[e.k] = e.item.copy()   # a deletion's item is its tombstone
        if e.seqno > vbk.persisted_seqno:
            vbk.persisted_seqno = e.seqno

    def _apply(self, bucket, dst, e):
        """Deliver one stream entry to node `dst`'s copy (its acknowledgement)."""
        store = bucket.node(dst)
        vbk = store.vbuckets[e.vb]
        if e.item.deleted:
            vbk.items.pop(e.k, None)
            vbk.tombstones[e.k] = e.item
        else:
            vbk.items[e.k] = e.item
            vbk.tombstones.pop(e.k, None)
        vbk.seqno = e.seqno
        vbk.uuid = e.uuid
        vbk.failover_log = e.log
        self._persist(bucket, dst, vbk, _Entry(time.monotonic() + self.persist_delay, e.vb, e.k,
                                               e.item.copy(), e.seqno, e.uuid, None))

    def _flows(self, bucket_name, src, dst):
        nodes = self.topo.nodes
        return (not self.paused and bucket_name in self.topo.buckets and src in nodes and dst in nodes
                and nodes[src].running and nodes[dst].running)

    # -- delivery ----------------------------------------------------------------------------
    def _schedule(self):
        if self._scheduled or self.loop is None:
            if self.loop is None:
                self._deliver(force=True)
            return
        if any(self.streams.values()) or any(self.flushq.values()):
            self._scheduled = True
            self.loop.call_later(self.TICK, self._tick)

    def _tick(self):
        self._scheduled = False
        self._deliver()
        self._schedule()

    def _deliver(self, force=False):
        now = time.monotonic()
        for (name, src, dst), q in list(self.streams.items()):
            bucket = self.topo.buckets.get(name)
            if bucket is None:
                self.streams.pop((name, src, dst), None)
                continue
            if not force and not self._flows(name, src, dst):
                continue
            while q and (force or q[0].due <= now):
                self._apply(bucket, dst, q.popleft())
        for (name, nid), q in list(self.flushq.items()):
            bucket = self.topo.buckets.get(name)
            if bucket is None:
                self.flushq.pop((name, nid), None)
                continue
            node = self.topo.nodes.get(nid)
            if not force and (node is None or not node.running):
                continue
            store = bucket.node(nid)
            while q and (force or q[0].due <= now):
                e = q.popleft()
                self._write_disk(store.vbuckets[e.vb], e)

    def settle(self, bucket, vb=None):
        """Deliver and persist everything queued for `bucket` now, lag and pause aside
        (direct store access, and a rebalance's catch-up before its takeover)."""
        for (name, src, dst), q in list(self.streams.items()):
            if name != bucket.name:
                continue
            keep = collections.deque()
            while q:
                e = q.popleft()
                if vb is None or e.vb == vb:
                    self._apply(bucket, dst, e)
                else:
                    keep.append(e)
            q.extend(keep)
        for (name, nid), q in list(self.flushq.items()):
            if name != bucket.name:
                continue
            store = bucket.node(nid)
            keep = collections.deque()
            while q:
                e = q.popleft()
                if vb is None or e.vb == vb:
                    self._write_disk(store.vbuckets[e.vb], e)
                else:
                    keep.append(e)
            q.extend(keep)

    # -- losing things -------------------------------------------------------------------------
    def drop_node(self, nid):
        """Streams from and to node `nid` and its disk queue die with it (failover, kill)."""
        for key in [k for k in self.streams if k[1] == nid or k[2] == nid]:
            del self.streams[key]
        for key in [k for k in self.flushq if k[1] == nid]:
            del self.flushq[key]

    def drop_bucket(self, bucket):
        for key in [k for k in self.streams if k[0] == bucket.name]:
            del self.streams[key]
        for key in [k for k in self.flushq if k[0] == bucket.name]:
            del self.flushq[key]

    def kill(self, nid):
        """Node `nid` dies: its memory and queues are gone; it restarts from its disk."""
        self.drop_node(nid)
        for bucket in self.topo.buckets.values():
            store = bucket.nodes.get(nid)
            if store is not None:
                for vbk in store.vbuckets:
                    vbk.warm_up()

    # -- what durability waits for -------------------------------------------------------------
    def durable(self, bucket, vb, uuid, seqno, level):
        """Whether the write (uuid, seqno) of vb meets durability level 1 (majority of the
        configured copies have it in memory), 2 (and the active has it on disk) or 3 (a
        majority has it on disk). Copies on nodes that are not running do not count."""
        if bucket.name not in self.topo.maps:
            return False
        row = bucket.placement(vb)
        majority = len(row) // 2 + 1
        nodes = self.topo.nodes
        have = on_disk = 0
        active_disk = False
        for i, nid in enumerate(row):
            if nid == -1 or not nodes[nid].running:
                continue
            c = bucket.node(nid).vbuckets.get(vb)
            if c is None or c.uuid != uuid or c.seqno < seqno:
                continue
            have += 1
            if c.persisted_seqno >= seqno:
                on_disk += 1
                if i == 0:
                    active_disk = True
        if level >= 3:
            return on_disk >= majority
        if level == 2:
            return have >= majority and active_disk
        return have >= majority
