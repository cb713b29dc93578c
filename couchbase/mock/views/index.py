"""The index of one design document: every view's rows in collation order, kept up to date
incrementally from the bucket's mutation notifications (only changed documents are mapped
again; a changed document's rows move, a removed document's rows leave)."""

import asyncio
import base64
import bisect
import json

from .. import codec
from .collation import sort_key

#: Documents per engine call.
BATCH_DOCS = 2000
#: A change touching more rows than len(rows) // REBUILD_FRACTION re-sorts instead of
#: moving rows one by one.
REBUILD_FRACTION = 8

from json.encoder import encode_basestring as _quote  # noqa: E402  (C-accelerated)


class ViewRows:
    """One view: ``rows`` sorted by (collation key, document id, emit number); each row is
    (sort key, docid, n, key, value JSON text, row JSON text)."""

    __slots__ = ("name", "map", "reduce", "rows", "by_doc")

    def __init__(self, name, map_src, reduce_src):
        self.name = name
        self.map = map_src
        self.reduce = reduce_src
        self.rows = []
        self.by_doc = {}

    def apply(self, changes):
        """``changes``: {docid: [key, value JSON, row JSON, ...] or None (no rows)}."""
        removed, added = [], []
        by_doc = self.by_doc
        for docid, emits in changes.items():
            old = by_doc.pop(docid, None)
            if old:
                removed.extend(old)
            if emits:
                new = []
                for n in range(0, len(emits), 3):
                    k = emits[n]
                    new.append((sort_key(k), docid, n // 3, k, emits[n + 1], emits[n + 2]))
                by_doc[docid] = new
                added.extend(new)
        if not removed and not added:
            return
        rows = self.rows
        if len(removed) + len(added) > len(rows) // REBUILD_FRACTION + 16:
            if removed:
                gone = set(changes)
                rows = [r for r in rows if r[1] not in gone]
            rows.extend(added)
            rows.sort()
            self.rows = rows
            return
        for r in removed:
            i = bisect.bisect_left(rows, r)
            if i < len(rows) and rows[i] is r:
                del rows[i]
        for r in added:
            bisect.insort(rows, r)


class DesignIndex:
    """All views of one design document of one bucket."""

    def __init__(self, bucket, ddoc_id, views, engine):
        self.bucket = bucket
        self.id = ddoc_id
        self.engine = engine
        self.views = {}
        for name, spec in views.items():
            if isinstance(spec, dict) and isinstance(spec.get("map"), str):
                self.views[name] = ViewRows(name, spec["map"], spec.get("reduce"))
        self.dirty = set()
        self.all_dirty = True
        self.expiring = {}
        self.lock = None
        self.docs_mapped = 0         # documents handed to the engine, ever
        self.map_errors = 0          # documents whose map function threw, ever
        self.last_errors = []        # (docid, message) of the last update
        self.updates = 0
        self.scheduled = False

    # -- notifications (any thread) ---------------------------------------------------------
    def mark(self, key):
        if key is None:
            self.all_dirty = True
        else:
            self.dirty.add(key)

    @property
    def pending(self):
        return self.all_dirty or bool(self.dirty) or self._expired_any()

    def _expired_any(self):
        if not self.expiring:
            return False
        now = self.bucket.clock.now()
        return any(t <= now for t in self.expiring.values())

    # -- updating (loop thread) -------------------------------------------------------------
    async def update(self):
        """Bring the index up to date with the bucket as it is now."""
        if self.lock is None:
            self.lock = asyncio.Lock()
        async with self.lock:
            if not self.pending:
                return
            work, removed = self._collect()
            if not self.views:
                return
            loop = asyncio.get_running_loop()
            fids = [self.engine.compile(v.map) for v in self.views.values()]
            results = await loop.run_in_executor(None, self._map_batches, fids, work)
            self._apply(work, removed, results)
            self.updates += 1

    def _collect(self):
        """Swap out the pending changes: (documents to map, ids whose rows go)."""
        b = self.bucket
        now = b.clock.now()
        if self.all_dirty:
            self.all_dirty = False
            self.dirty = set()
            keys = None
            removed = set(d for v in self.views.values() for d in v.by_doc)
        else:
            keys, self.dirty = self.dirty, set()
            for k, t in list(self.expiring.items()):
                if t <= now:
                    keys.add(k)
            removed = set()
        work = []           # (docid, bytes key, part JSON)
        if keys is None:
            for vb, vbk in enumerate(b.vbuckets):
                for (cid, key), item in list(vbk.items.items()):
                    if cid == 0 and not (item.expiry and item.expiry <= now):
                        work.append(self._part(key, vb, item))
        else:
            for key in keys:
                vb = codec.vbucket_of(key, b.num_vbuckets)
                item = b.vbuckets[vb].items.get((0, key))
                if item is None or (item.expiry and item.expiry <= now):
                    removed.add(_docid(key))
                    self.expiring.pop(key, None)
                else:
                    work.append(self._part(key, vb, item))
        for docid, _k, _p in work:
            removed.discard(docid)
        return work, removed

    def _part(self, key, vb, item):
        """(docid, key, the document's entry of an engine batch: [meta, doc] as UTF-8)."""
        docid = _docid(key)
        if item.expiry:
            self.expiring[key] = item.expiry
        else:
            self.expiring.pop(key, None)
        if item.datatype & codec.DT_JSON:
            doc, kind = item.value, b"json"
        else:
            doc, kind = b'"%s"' % base64.b64encode(item.value), b"base64"
        return docid, key, (b'[{"id":%s,"rev":"%d-%016x%08x%08x","seq":%d,"vb":%d,"cas":%d,'
                            b'"expiration":%d,"flags":%d,"type":"%s"},%s]'
                            % (_quote(docid).encode("utf-8", "surrogatepass"), item.seqno, item.cas,
                               item.expiry, item.flags, item.seqno, vb, item.cas, item.expiry,
                               item.flags, kind, doc))

    def _map_batches(self, fids, work):
        """Executor side: every batch through the engine; returns [(batch rows, errors)]."""
        out = []
        for i in range(0, len(work), BATCH_DOCS):
            chunk = work[i:i + BATCH_DOCS]
            batch = b"[" + b",".join(p[2] for p in chunk) + b"]"
            nerr, errors, rows = self.engine.map_batch(fids, batch.decode("utf-8", "replace"))
            out.append((rows, nerr, errors))
        return out

    def _apply(self, work, removed, results):
        views = list(self.views.values())
        changes = [dict.fromkeys(removed) for _ in views]
        errors = []
        for bi, (rows, nerr, errs) in enumerate(results):
            chunk = work[bi * BATCH_DOCS:(bi + 1) * BATCH_DOCS]
            self.map_errors += nerr
            errors.extend(errs)
            for vi, per_doc in enumerate(rows):
                ch = changes[vi]
                for (docid, _k, _p), emits in zip(chunk, per_doc):
                    ch[docid] = emits
        self.docs_mapped += len(work)
        self.last_errors = errors
        for view, ch in zip(views, changes):
            view.apply(ch)


def _docid(key):
    return key.decode("utf-8", "surrogateescape")


def signature(views):
    """Text that changes whenever a design document's view definitions change."""
    return json.dumps(views, sort_keys=True)
