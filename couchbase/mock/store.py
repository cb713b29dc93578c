"""Document state: Item, vbucket copies, collections manifest, the bucket and each node's
copies of it.

A bucket (BucketStore) holds what the whole cluster shares: name, settings, manifest,
design documents. Its documents live on the nodes: each node has its own NodeStore for
the bucket, with its own copy (VBucket) of every vbucket it holds, active or replica.
Client operations on a node write that node's active copy; the replication stream
(replication.py) carries each mutation to the replica copies, later or never, as a real
cluster does. A deleted document leaves ``items`` for its copy's ``tombstones``: an Item
(``deleted`` true) with its key, CAS, seqno and system xattrs, which replicates and
persists like any mutation (OBSERVE reports it as logically deleted, 0x81).

Mutation hook: ``BucketStore.add_mutation_listener(fn)``; ``fn(cid, key)`` is called after
every change of a document's active copy, for indexes that follow the data (views)."""

import json
import os
import re
import time

from . import codec

MAX_RELATIVE_EXPIRY = 60 * 60 * 24 * 30
MAX_ITEM_SIZE = 20 * 1024 * 1024
LOCKED_CAS = 0xFFFFFFFFFFFFFFFF


class Clock:
    """Wall clock in seconds; tests replace it with a ManualClock."""

    def now(self):
        return time.time()


class ManualClock(Clock):
    def __init__(self, start=1_700_000_000.0):
        self.t = float(start)

    def now(self):
        return self.t

    def advance(self, seconds):
        self.t += seconds


class Item:
    __slots__ = ("value", "flags", "datatype", "cas", "expiry", "lock_until", "seqno",
                 "xattrs", "deleted")

    def __init__(self, value, flags=0, datatype=0, cas=0, expiry=0, seqno=0, xattrs=None,
                 deleted=False):
        self.value = value
        self.flags = flags
        self.datatype = datatype
        self.cas = cas
        self.expiry = expiry        # absolute unix seconds, 0 = never
        self.lock_until = 0.0       # > now while locked; the lock token is ``cas``
        self.seqno = seqno
        self.xattrs = xattrs        # dict name -> JSON bytes, or None
        self.deleted = deleted      # a tombstone (lives in VBucket.tombstones, never in items)

    def locked(self, now):
        return self.lock_until > now

    def copy(self):
        """A copy for another vbucket copy (replica, disk, rebalance): same fields, no lock."""
        c = Item(self.value, self.flags, self.datatype, self.cas, self.expiry, self.seqno,
                 dict(self.xattrs) if self.xattrs else self.xattrs, self.deleted)
        return c


def system_xattrs(xattrs):
    """What a tombstone keeps of a document's xattrs: the system ones (``_`` names)."""
    return {k: v for k, v in (xattrs or {}).items() if k.startswith("_")} or None


class VBucket:
    """One node's copy of one vbucket: documents in memory (``items``) and the tombstones
    of deleted ones (``tombstones``), the high seqno, the history branch (``uuid``,
    ``failover_log``) and what the simulated disk holds (``disk``: live items and
    tombstones, up to ``persisted_seqno``)."""

    __slots__ = ("items", "tombstones", "seqno", "uuid", "failover_log", "disk",
                 "persisted_seqno")

    def __init__(self):
        self.items = {}
        self.tombstones = {}
        self.seqno = 0
        self.uuid = int.from_bytes(os.urandom(8), "big") or 1
        self.failover_log = [(self.uuid, 0)]   # newest first
        self.disk = {}
        self.persisted_seqno = 0

    def new_branch(self):
        """Failover: the promoted copy starts a new history branch."""
        self.uuid = int.from_bytes(os.urandom(8), "big") or 1
        self.failover_log.insert(0, (self.uuid, self.seqno))

    def load_from(self, other):
        """Become a copy of `other` (rebalance, rollback), persisted as it is."""
        self.items = {k: it.copy() for k, it in other.items.items()}
        self.tombstones = {k: it.copy() for k, it in other.tombstones.items()}
        self.disk = {k: it.copy() for d in (other.items, other.tombstones) for k, it in d.items()}
        self.seqno = self.persisted_seqno = other.seqno
        self.uuid = other.uuid
        self.failover_log = list(other.failover_log)

    def warm_up(self):
        """A killed node's restart: memory is what the disk held."""
        self.items = {k: it.copy() for k, it in self.disk.items() if not it.deleted}
        self.tombstones = {k: it.copy() for k, it in self.disk.items() if it.deleted}
        self.seqno = self.persisted_seqno

    def clear(self):
        self.items.clear()
        self.tombstones.clear()
        self.disk.clear()
        self.seqno += 1
        self.persisted_seqno = self.seqno


def is_json(value):
    """Whether a document body is one JSON text (the datatype a server gives it), at any
    nesting depth."""
    if not value:
        return False
    c = value[0]
    if c not in b'{["-0123456789tfn \t\r\n':
        return False
    try:
        json.loads(value)
    except ValueError:
        return False
    except RecursionError:   # nested deeper than the parser's recursion: check it flat
        return _is_deep_json(value)
    return True


_WS = re.compile(rb"[ \t\r\n]*")
_SCALAR = re.compile(rb'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"'
                     rb"|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|null")


def _is_deep_json(value):
    """is_json without recursion: a stack of open containers, scalars by pattern."""
    stack = []           # b"]" or b"}" per open container
    i, n = _WS.match(value, 0).end(), len(value)
    while True:          # at a value
        if i < n and value[i] in b"[{":
            close = b"]" if value[i] == 0x5B else b"}"
            i = _WS.match(value, i + 1).end()
            if i < n and value[i] == close[0]:
                i += 1
            else:
                stack.append(close)
                if close == b"}":
                    i = _key(value, i)
                    if i < 0:
                        return False
                continue
        else:
            m = _SCALAR.match(value, i)
            if m is None:
                return False
            i = m.end()
        while True:      # after a value: a comma, a closing bracket or the end
            i = _WS.match(value, i).end()
            if not stack:
                return i == n
            if i < n and value[i] == 0x2C:
                i = _WS.match(value, i + 1).end()
                if stack[-1] == b"}":
                    i = _key(value, i)
                    if i < 0:
                        return False
                break
            if i < n and value[i] == stack[-1][0]:
                stack.pop()
                i += 1
                continue
            return False


def _key(value, i):
    """Past `"key" :` at i and the blanks after it, or -1."""
    m = _SCALAR.match(value, i)
    if m is None or value[i] != 0x22:
        return -1
    i = _WS.match(value, m.end()).end()
    if i >= len(value) or value[i] != 0x3A:
        return -1
    return _WS.match(value, i + 1).end()


class Manifest:
    """Collections manifest of one bucket (docs/protocol.md section 12)."""

    def __init__(self):
        self.uid = 0
        self.next_id = 8
        # scope name -> {"uid": int, "collections": {name: {"uid": int, "maxTTL": int}}}
        self.scopes = {"_default": {"uid": 0,
                                    "collections": {"_default": {"uid": 0, "maxTTL": 0}}}}
        self.by_cid = {0: ("_default", "_default", 0)}

    def _bump(self):
        self.uid += 1

    def add_scope(self, scope):
        if scope in self.scopes:
            raise KeyError("scope exists")
        sid = self.next_id
        self.next_id += 1
        self.scopes[scope] = {"uid": sid, "collections": {}}
        self._bump()
        return self.uid

    def drop_scope(self, scope):
        if scope == "_default" or scope not in self.scopes:
            raise LookupError(scope)
        for c in self.scopes.pop(scope)["collections"].values():
            self.by_cid.pop(c["uid"], None)
        self._bump()
        return self.uid

    def add_collection(self, scope, coll, max_ttl=0):
        s = self.scopes.get(scope)
        if s is None:
            raise LookupError(scope)
        if coll in s["collections"]:
            raise KeyError("collection exists")
        cid = self.next_id
        self.next_id += 1
        s["collections"][coll] = {"uid": cid, "maxTTL": int(max_ttl)}
        self.by_cid[cid] = (scope, coll, int(max_ttl))
        self._bump()
        return cid

    def drop_collection(self, scope, coll):
        s = self.scopes.get(scope)
        if s is None or coll not in s["collections"]:
            raise LookupError(coll)
        cid = s["collections"].pop(coll)["uid"]
        self.by_cid.pop(cid, None)
        self._bump()
        return cid

    def collection_id(self, scope, coll):
        """Collection id; LookupError('scope') / LookupError('collection') if unknown."""
        s = self.scopes.get(scope)
        if s is None:
            raise LookupError("scope")
        c = s["collections"].get(coll)
        if c is None:
            raise LookupError("collection")
        return c["uid"]

    def to_json(self):
        scopes = []
        for sname, s in self.scopes.items():
            colls = []
            for cname, c in s["collections"].items():
                entry = {"name": cname, "uid": "%x" % c["uid"]}
                if c["maxTTL"]:
                    entry["maxTTL"] = c["maxTTL"]
                colls.append(entry)
            scopes.append({"name": sname, "uid": "%x" % s["uid"], "collections": colls})
        return {"uid": "%x" % self.uid, "scopes": scopes}


class _Copies:
    """A node's vbucket copies by number, created empty on first use."""

    __slots__ = ("_d",)

    def __init__(self):
        self._d = {}

    def __getitem__(self, vb):
        c = self._d.get(vb)
        if c is None:
            c = self._d[vb] = VBucket()
        return c

    def get(self, vb):
        return self._d.get(vb)

    def pop(self, vb):
        return self._d.pop(vb, None)

    def items(self):
        return self._d.items()

    def __iter__(self):
        return iter(list(self._d.values()))


class NodeStore:
    """One node's copies of one bucket's vbuckets, with the bucket's document API
    (get_item/put_item/remove_item, vbuckets[vb]) on those copies. Bucket-wide
    attributes (name, manifest, clock, new_cas ...) are the bucket's."""

    def __init__(self, bucket, nid):
        self.bucket = bucket
        self.nid = nid
        self.vbuckets = _Copies()

    def __getattr__(self, name):  # settings and manifest are the bucket's
        return getattr(self.bucket, name)

    def is_active(self, vb):
        return self.bucket.placement(vb)[0] == self.nid

    def get_item(self, vb, cid, key):
        """Live item or None. An expired item is deleted by its active copy (the deletion
        replicates); a replica only hides it."""
        item = self.vbuckets[vb].items.get((cid, key))
        if item is not None and item.expiry and item.expiry <= self.bucket.clock.now():
            if self.is_active(vb):
                self.remove_item(vb, cid, key)
            return None
        return item

    def put_item(self, vb, cid, key, item):
        vbk = self.vbuckets[vb]
        vbk.seqno += 1
        item.seqno = vbk.seqno
        vbk.items[(cid, key)] = item
        vbk.tombstones.pop((cid, key), None)
        self.bucket.mutated(self.nid, vb, (cid, key), item, vbk)
        return vbk

    def remove_item(self, vb, cid, key, cas=None, xattrs=False):
        """Delete the document (live or not): its tombstone takes its place, with `cas`
        (a new one by default) and `xattrs` (default: the system xattrs of what was there)."""
        vbk = self.vbuckets[vb]
        k = (cid, key)
        old = vbk.items.pop(k, None) or vbk.tombstones.get(k)
        if xattrs is False:
            xattrs = system_xattrs(old.xattrs if old is not None else None)
        vbk.seqno += 1
        tomb = Item(b"", 0, 0, cas or self.bucket.new_cas(), 0, vbk.seqno, xattrs, True)
        vbk.tombstones[k] = tomb
        self.bucket.mutated(self.nid, vb, k, tomb, vbk)
        return vbk

    def tombstone(self, vb, cid, key):
        """The tombstone of a deleted document (an Item, ``deleted`` true) or None."""
        return self.vbuckets[vb].tombstones.get((cid, key))

    def is_persisted(self, vb, cid, key, item):
        """Whether this copy's disk holds `item` as it is (OBSERVE's persisted state)."""
        d = self.vbuckets[vb].disk.get((cid, key))
        return d is not None and d.cas == item.cas

    def item_count(self):
        """Live documents in the vbuckets this node is active for."""
        return sum(len(c.items) for vb, c in self.vbuckets.items() if self.is_active(vb))


def _unplaced(vb):
    return (None,)


class BucketStore:
    """All documents of one bucket: one dict per vbucket keyed by (collection id, key)."""

    def __init__(self, name, password=None, replicas=0, num_vbuckets=1024, clock=None,
                 bucket_type="membase", flush_enabled=True, ram_quota_mb=100):
        self.name = name
        self.password = password
        self.replicas = replicas
        self.num_vbuckets = num_vbuckets
        self.clock = clock or Clock()
        self.bucket_type = bucket_type
        self.flush_enabled = flush_enabled
        self.ram_quota_mb = ram_quota_mb
        self.uuid = os.urandom(16).hex()
        self.nodes = {}            # node id -> NodeStore (None: a bucket outside a cluster)
        #: vb -> row of node ids (copy 0 active, -1 none); the topology sets it
        self.placement = _unplaced
        #: the replication stream (replication.Replication), set by the topology
        self.replication = None
        self.manifest = Manifest()
        self.design_docs = {}   # name ("_design/x") -> dict
        self._last_cas = 0
        self.mutation_listeners = []

    # -- mutation notification (view indexes follow documents through it) ----------------
    def add_mutation_listener(self, fn):
        """Call ``fn(cid, key)`` after every change of a document (stored, removed or
        expired); ``key`` is None when many documents changed at once (flush, dropped
        collection). Listeners run on the loop thread and must be quick."""
        if fn not in self.mutation_listeners:
            self.mutation_listeners = self.mutation_listeners + [fn]

    def remove_mutation_listener(self, fn):
        self.mutation_listeners = [f for f in self.mutation_listeners if f is not fn]

    def _notify(self, cid, key):
        for fn in self.mutation_listeners:
            fn(cid, key)

    def new_cas(self):
        cas = time.time_ns() & ~0xFFFF
        if cas <= self._last_cas:
            cas = self._last_cas + 1
        self._last_cas = cas
        return cas

    def abs_expiry(self, expiry):
        """Wire expiry (relative up to 30 days, else absolute) -> absolute seconds."""
        if expiry == 0:
            return 0
        if expiry <= MAX_RELATIVE_EXPIRY:
            return int(self.clock.now()) + expiry
        return expiry

    # -- the nodes' copies ----------------------------------------------------------------
    def node(self, nid):
        """Node `nid`'s copies of this bucket (created empty on first use)."""
        n = self.nodes.get(nid)
        if n is None:
            n = self.nodes[nid] = NodeStore(self, nid)
        return n

    def active_store(self, vb):
        """The NodeStore holding vb's active copy, or None when no node does."""
        nid = self.placement(vb)[0]
        return None if nid == -1 else self.node(nid)

    @property
    def vbuckets(self):
        """The active copy of each vbucket (an empty stand-in where none is placed)."""
        out = []
        for vb in range(self.num_vbuckets):
            n = self.active_store(vb)
            out.append(n.vbuckets[vb] if n is not None else VBucket())
        return out

    def mutated(self, nid, vb, k, item, vbk):
        """A node's copy changed (put_item/remove_item; `item` is a tombstone for a
        deletion): replicate, persist, notify."""
        if self.replication is not None:
            self.replication.on_mutation(self, nid, vb, k, item, vbk)
        else:
            vbk.disk[k] = item.copy()
            vbk.persisted_seqno = vbk.seqno
        if self.mutation_listeners and self.placement(vb)[0] == nid:
            self._notify(*k)

    # -- bucket-wide operations (every copy) ----------------------------------------------
    def get_item(self, vb, cid, key):
        n = self.active_store(vb)
        return None if n is None else n.get_item(vb, cid, key)

    def put_item(self, vb, cid, key, item):
        """Write the active copy; the write reaches the replicas at once (direct access)."""
        vbk = self.active_store(vb).put_item(vb, cid, key, item)
        if self.replication is not None:
            self.replication.settle(self, vb)
        return vbk

    def remove_item(self, vb, cid, key, cas=None, xattrs=False):
        vbk = self.active_store(vb).remove_item(vb, cid, key, cas, xattrs)
        if self.replication is not None:
            self.replication.settle(self, vb)
        return vbk

    def flush(self):
        if self.replication is not None:
            self.replication.drop_bucket(self)
        for n in list(self.nodes.values()):
            for vbk in n.vbuckets:
                vbk.clear()
        if self.mutation_listeners:
            self._notify(None, None)

    def drop_collection_items(self, cid):
        for n in list(self.nodes.values()):
            for vbk in n.vbuckets:
                for d in (vbk.items, vbk.tombstones, vbk.disk):
                    for k in [k for k in d if k[0] == cid]:
                        del d[k]
        if self.mutation_listeners:
            self._notify(cid, None)

    def tombstone(self, vb, cid, key):
        """The active copy's tombstone of a deleted document, or None."""
        n = self.active_store(vb)
        return None if n is None else n.tombstone(vb, cid, key)

    def item_count(self):
        return sum(len(self.active_store(vb).vbuckets[vb].items) for vb in range(self.num_vbuckets)
                   if self.active_store(vb) is not None)

    # -- convenience access for tests (hashes the key like a client) --------------------
    def _cid(self, collection):
        if not collection:
            return 0
        scope, _, coll = collection.partition(".")
        return self.manifest.collection_id(scope or "_default", coll or "_default")

    def get(self, key, collection=None):
        """Value of ``key`` (bytes) or None."""
        if isinstance(key, str):
            key = key.encode()
        item = self.get_item(codec.vbucket_of(key, self.num_vbuckets), self._cid(collection),
                             key)
        return None if item is None else item.value

    def item(self, key, collection=None):
        if isinstance(key, str):
            key = key.encode()
        return self.get_item(codec.vbucket_of(key, self.num_vbuckets), self._cid(collection),
                             key)

    def set(self, key, value, flags=None, expiry=0, collection=None):
        """Store a document directly (no CAS checks); returns the new CAS."""
        if isinstance(key, str):
            key = key.encode()
        if not isinstance(value, (bytes, bytearray)):
            value = json.dumps(value).encode()
        value = bytes(value)
        dt = codec.DT_JSON if is_json(value) else 0
        if flags is None:
            flags = 0x02000000 if dt else 0x03000000
        cas = self.new_cas()
        vb = codec.vbucket_of(key, self.num_vbuckets)
        self.put_item(vb, self._cid(collection), key,
                      Item(value, flags, dt, cas, self.abs_expiry(expiry)))
        return cas

    def delete(self, key, collection=None):
        if isinstance(key, str):
            key = key.encode()
        self.remove_item(codec.vbucket_of(key, self.num_vbuckets), self._cid(collection), key)
