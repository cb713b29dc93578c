"""The CAPI service (the views port of every node): design document CRUD and view queries
(docs/protocol.md sections 10.1-10.6), with CouchDB-style JSON errors."""

import json
import weakref
import zlib

from ..http import HttpResponse, Stream, json_response
from .index import DesignIndex, signature
from .jsengine import JsError, shared_engine
from .query import Params, QueryError, dev_subset, map_rows, reduce_rows
from .reduce import BUILTINS, ReduceError

#: Seconds between a first unindexed change and the automatic index update (the server's
#: default updateInterval).
UPDATE_INTERVAL = 5.0
#: Rows per chunk written to the client.
ROWS_PER_CHUNK = 1000


def _error(status, error, reason):
    return json_response({"error": error, "reason": reason}, status)


class BucketViews:
    """View state of one bucket: its design indexes and design document revisions."""

    def __init__(self, service, bucket):
        self.indexes = {}
        self.revs = {}
        self._service = weakref.proxy(service)
        bucket.add_mutation_listener(self.on_mutation)

    def on_mutation(self, cid, key):
        if cid not in (0, None):
            return
        for idx in list(self.indexes.values()):
            idx.mark(key)
            if not idx.scheduled:
                idx.scheduled = True
                self._service.schedule(idx)


class ViewService:
    """One per cluster; ``handle(request, node)`` is installed as the CAPI handler."""

    def __init__(self, core):
        self.core = core
        self.engine = shared_engine()
        self._buckets = weakref.WeakKeyDictionary()
        self.update_interval = UPDATE_INTERVAL
        self._tasks = set()

    def _spawn(self, coro):
        task = self.core.loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def stop(self):
        """Cancel background index updates (the cluster is stopping)."""
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            try:
                await task
            except BaseException:
                pass

    # -- state -------------------------------------------------------------------------------
    def _views(self, bucket):
        bv = self._buckets.get(bucket)
        if bv is None:
            bv = self._buckets[bucket] = BucketViews(self, bucket)
        return bv

    def index(self, bucket, ddid):
        """The (current) index of design document ``ddid``, or None if it does not exist."""
        doc = bucket.design_docs.get(ddid)
        if doc is None:
            return None
        bv = self._views(bucket)
        views = doc.get("views") if isinstance(doc.get("views"), dict) else {}
        sig = signature(views)
        idx = bv.indexes.get(ddid)
        if idx is None or idx.signature != sig:
            idx = DesignIndex(bucket, ddid, views, self.engine)
            idx.signature = sig
            bv.indexes[ddid] = idx
        return idx

    def rev(self, bucket, ddid):
        doc = bucket.design_docs.get(ddid)
        n = self._views(bucket).revs.get(ddid, 1)
        crc = zlib.crc32(json.dumps(doc, sort_keys=True).encode()) if doc is not None else 0
        return "%d-%08x" % (n, crc)

    def ddoc_rows(self, bucket):
        """Rows of the management port's ``/pools/default/buckets/NAME/ddocs``."""
        return [{"doc": {"meta": {"id": ddid, "rev": self.rev(bucket, ddid)},
                         "json": {k: v for k, v in doc.items() if k != "_id"}},
                 "controllers": {"compact": "/pools/default/buckets/%s/ddocs/%s/controller/compactView"
                                 % (bucket.name, ddid.replace("/", "%2F")),
                                 "setUpdateMinChanges": "/pools/default/buckets/%s/ddocs/%s/controller/"
                                 "setUpdateMinChanges" % (bucket.name, ddid.replace("/", "%2F"))}}
                for ddid, doc in sorted(bucket.design_docs.items())]

    def schedule(self, idx, delay=None):
        """Update ``idx`` in the background after ``delay`` (any thread may call this)."""
        loop = self.core.loop
        if loop is None or loop.is_closed():
            idx.scheduled = False
            return
        wait = self.update_interval if delay is None else delay

        def run():
            idx.scheduled = False
            self._spawn(idx.update())

        loop.call_soon_threadsafe(lambda: loop.call_later(wait, run))

    # -- HTTP -------------------------------------------------------------------------------
    def _authorized(self, req, bucket_name, bucket):
        topo = self.core.topo
        creds = req.credentials()
        if creds is not None and topo.users.get(creds[0]) == creds[1]:
            return True
        if creds is None:
            return not bucket.password
        return creds[0] == bucket_name and (bucket.password or "") == creds[1]

    async def handle(self, req, node=None):
        parts = [p for p in req.path.split("/") if p]
        if not parts:
            return json_response({"couchdb": "Welcome", "version": "v2.1.1", "couchbase": "7.6.0"})
        name = parts[0].split("+", 1)[0]
        bucket = self.core.topo.buckets.get(name)
        if bucket is None:
            return _error(404, "not_found", "no_db_file")
        if not self._authorized(req, name, bucket):
            return _error(401, "unauthorized", "Authentication required for bucket %s" % name)
        if len(parts) == 1:
            return json_response({"db_name": name})
        if parts[1] != "_design" or len(parts) < 3:
            return _error(404, "not_found", "missing")
        ddid = "_design/" + parts[2]
        if len(parts) == 3:
            if req.method == "GET":
                return self.get_ddoc(bucket, ddid)
            if req.method == "PUT":
                return self.put_ddoc(bucket, ddid, req)
            if req.method == "DELETE":
                return self.delete_ddoc(bucket, ddid)
            return _error(405, "method_not_allowed", "Only GET,PUT,DELETE allowed")
        if len(parts) == 5 and parts[3] == "_view":
            if req.method not in ("GET", "POST"):
                return _error(405, "method_not_allowed", "Only GET,POST allowed")
            return await self.query(bucket, ddid, parts[4], req)
        if len(parts) == 5 and parts[3] == "_spatial":
            return _error(501, "not_implemented", "Spatial views are not supported by this cluster")
        return _error(404, "not_found", "missing")

    # -- design documents -------------------------------------------------------------------
    def get_ddoc(self, bucket, ddid):
        doc = bucket.design_docs.get(ddid)
        if doc is None:
            return _error(404, "not_found", "missing")
        meta = json.dumps({"id": ddid, "rev": self.rev(bucket, ddid), "type": "json"})
        return HttpResponse(200, json.dumps({k: v for k, v in doc.items() if k != "_id"}).encode(),
                            headers={"X-Couchbase-Meta": meta})

    def put_ddoc(self, bucket, ddid, req):
        try:
            doc = json.loads(req.body or b"")
        except ValueError:
            return _error(400, "bad_request", "invalid UTF-8 JSON")
        if not isinstance(doc, dict):
            return _error(400, "invalid_design_document", "Document must be a JSON object")
        problem = self._invalid(doc)
        if problem:
            return _error(400, "invalid_design_document", problem)
        doc = dict(doc, _id=ddid)
        bv = self._views(bucket)
        bv.revs[ddid] = bv.revs.get(ddid, 0) + 1 if ddid in bucket.design_docs else 1
        bucket.design_docs[ddid] = doc
        idx = self.index(bucket, ddid)
        if idx.views and not idx.scheduled:
            idx.scheduled = True
            self.schedule(idx, 0.0)               # the initial build starts at once
        return json_response({"ok": True, "id": ddid}, 201)

    def _invalid(self, doc):
        views = doc.get("views", {})
        if not isinstance(views, dict):
            return "`views` is not a JSON object"
        for name, spec in views.items():
            if not isinstance(spec, dict) or not isinstance(spec.get("map"), str):
                return "View %s has no map function" % name
            try:
                self.engine.compile(spec["map"])
            except JsError as e:
                return "Syntax error in the map function of the view `%s': %s" % (name, e)
            red = spec.get("reduce")
            if red is None:
                continue
            if not isinstance(red, str):
                return "The reduce of view %s is not a string" % name
            if red.startswith("_"):
                if red.strip() not in BUILTINS:
                    return "Unknown builtin reduce function `%s' in view `%s'" % (red, name)
                spec["reduce"] = red.strip()
                continue
            try:
                self.engine.compile(red)
            except JsError as e:
                return "Syntax error in the reduce function of the view `%s': %s" % (name, e)
        return None

    def delete_ddoc(self, bucket, ddid):
        if bucket.design_docs.pop(ddid, None) is None:
            return _error(404, "not_found", "missing")
        bv = self._views(bucket)
        bv.indexes.pop(ddid, None)
        bv.revs[ddid] = bv.revs.get(ddid, 1) + 1
        return json_response({"ok": True, "id": ddid})

    # -- queries ---------------------------------------------------------------------------
    async def query(self, bucket, ddid, view_name, req):
        body_keys = None
        if req.method == "POST" and req.body:
            try:
                body = json.loads(req.body)
            except ValueError:
                return _error(400, "bad_request", "invalid UTF-8 JSON")
            if isinstance(body, dict) and "keys" in body:
                body_keys = body["keys"]
        try:
            params = Params(req.query, body_keys)
        except QueryError as e:
            return _error(400, "query_parse_error", str(e))
        idx = self.index(bucket, ddid)
        if idx is None:
            return _error(404, "not_found", "Design document %s not found" % ddid)
        view = idx.views.get(view_name)
        if view is None:
            return _error(404, "not_found", "Error opening view `%s`, from set `%s`, design document "
                          "`%s`: {not_found,missing_named_view}" % (view_name, bucket.name, ddid))
        try:
            reducing = params.check_view(view)
        except QueryError as e:
            return _error(400, "query_parse_error", str(e))
        if params.stale == "false":
            try:
                await idx.update()
            except JsError as e:
                return _error(500, "map_error", str(e))
        rows = view.rows
        if (ddid.startswith("_design/dev_") and not params.full_set
                and bucket.item_count() > bucket.num_vbuckets * 20):
            rows = dev_subset(rows, bucket, 0)
        total = len(rows)
        try:
            if reducing:
                texts = reduce_rows(rows, params, view.reduce, self.engine)
                head = '{"rows":[\r\n'
            else:
                texts = map_rows(list(rows), params)
                head = '{"total_rows":%d,"rows":[\r\n' % total
        except (ReduceError, JsError) as e:
            return _error(500, "reduce_error", str(e))
        except QueryError as e:
            return _error(400, "query_parse_error", str(e))
        if params.debug:
            info = {"local": {"ddoc": ddid, "view": view_name, "updates": idx.updates,
                              "docs_mapped": idx.docs_mapped, "map_errors": idx.map_errors,
                              "total_rows": total}}
            head = '{"debug_info":%s,%s' % (json.dumps(info), head[1:])
        if params.stale == "update_after" and idx.pending and not idx.scheduled:
            idx.scheduled = True
            self.schedule(idx, 0.0)
        return Stream(lambda writer: self._spawn(self._write(writer, head, texts)))

    async def _write(self, writer, head, texts):
        writer.send(head.encode())
        batch = []
        first = True
        for t in texts:
            batch.append(t)
            if len(batch) >= ROWS_PER_CHUNK:
                writer.send((("" if first else ",\r\n") + ",\r\n".join(batch)).encode())
                first = False
                batch = []
                await writer.drain()
                if writer.closed:
                    return
        if batch:
            writer.send((("" if first else ",\r\n") + ",\r\n".join(batch)).encode())
        writer.send(b"\r\n]\r\n}")
        writer.finish()
