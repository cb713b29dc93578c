"""Document state: Item, per-vbucket dicts, collections manifest, per-bucket store."""

import json
import os
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
                 "xattrs")

    def __init__(self, value, flags=0, datatype=0, cas=0, expiry=0, seqno=0, xattrs=None):
        self.value = value
        self.flags = flags
        self.datatype = datatype
        self.cas = cas
        self.expiry = expiry        # absolute unix seconds, 0 = never
        self.lock_until = 0.0       # > now while locked; the lock token is ``cas``
        self.seqno = seqno
        self.xattrs = xattrs        # dict name -> JSON bytes, or None

    def locked(self, now):
        return self.lock_until > now


class VBucket:
    __slots__ = ("items", "seqno", "uuid", "failover_log")

    def __init__(self):
        self.items = {}
        self.seqno = 0
        self.uuid = int.from_bytes(os.urandom(8), "big") or 1
        self.failover_log = [(self.uuid, 0)]   # newest first

    def new_branch(self):
        """Failover: the promoted copy starts a new history branch."""
        self.uuid = int.from_bytes(os.urandom(8), "big") or 1
        self.failover_log.insert(0, (self.uuid, self.seqno))


def is_json(value):
    if not value:
        return False
    c = value[0]
    if c not in b'{["-0123456789tfn \t\r\n':
        return False
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


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
        self.vbuckets = [VBucket() for _ in range(num_vbuckets)]
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

    def get_item(self, vb, cid, key):
        """Live item or None (expired items are removed lazily)."""
        vbk = self.vbuckets[vb]
        item = vbk.items.get((cid, key))
        if item is not None and item.expiry and item.expiry <= self.clock.now():
            del vbk.items[(cid, key)]
            vbk.seqno += 1
            if self.mutation_listeners:
                self._notify(cid, key)
            return None
        return item

    def put_item(self, vb, cid, key, item):
        vbk = self.vbuckets[vb]
        vbk.seqno += 1
        item.seqno = vbk.seqno
        vbk.items[(cid, key)] = item
        if self.mutation_listeners:
            self._notify(cid, key)
        return vbk

    def remove_item(self, vb, cid, key):
        vbk = self.vbuckets[vb]
        vbk.items.pop((cid, key), None)
        vbk.seqno += 1
        if self.mutation_listeners:
            self._notify(cid, key)
        return vbk

    def flush(self):
        for vbk in self.vbuckets:
            vbk.items.clear()
            vbk.seqno += 1
        if self.mutation_listeners:
            self._notify(None, None)

    def drop_collection_items(self, cid):
        for vbk in self.vbuckets:
            for k in [k for k in vbk.items if k[0] == cid]:
                del vbk.items[k]
        if self.mutation_listeners:
            self._notify(cid, None)

    def item_count(self):
        return sum(len(v.items) for v in self.vbuckets)

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
