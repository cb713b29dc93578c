"""Management REST service (the 8091 port) and the CAPI service (8092) of one node."""

import json
import re

from . import manage
from . import topology as tp
from .http import HttpResponse, Stream, json_response

DELIMITER = b"\n\n\n\n"
NAME_RE = re.compile(r"^[A-Za-z0-9_\-%][A-Za-z0-9_\-%]{0,250}$")


def _not_found(msg="Not found."):
    return HttpResponse(404, msg.encode(), content_type="text/plain")


UNAUTHORIZED = HttpResponse(401, b"", content_type="text/plain")


class RestService:
    """Routes of the management port. ``ctl`` is the running cluster core."""

    def __init__(self, ctl, node):
        self.ctl = ctl
        self.node = node
        B = r"/pools/default/buckets/([^/]+)"
        self.routes = [
            ("GET", r"/pools", self.pools, None),
            ("GET", r"/pools/default", self.pool_default, None),
            ("GET", r"/pools/default/buckets", self.bucket_list, None),
            ("POST", r"/pools/default/buckets", self.bucket_create, None),
            ("GET", B, self.bucket_verbose, 1),
            ("POST", B, self.bucket_edit, 1),
            ("DELETE", B, self.bucket_delete, None),
            ("POST", B + r"/controller/doFlush", self.bucket_flush, 1),
            ("GET", r"/pools/default/b/([^/]+)", self.bucket_terse, 1),
            ("GET", r"/pools/default/bs/([^/]+)", self.stream_terse, 1),
            ("GET", r"/pools/default/bucketsStreaming/([^/]+)", self.stream_verbose, 1),
            ("GET", B + r"/ddocs", self.ddocs, 1),
            ("GET", B + r"/scopes/?", self.scopes_get, 1),
            ("POST", B + r"/scopes/?", self.scope_create, None),
            ("DELETE", B + r"/scopes/([^/]+)", self.scope_drop, None),
            ("POST", B + r"/scopes/([^/]+)/collections/?", self.coll_create, None),
            ("DELETE", B + r"/scopes/([^/]+)/collections/([^/]+)", self.coll_drop, None),
            ("PATCH", B + r"/scopes/([^/]+)/collections/([^/]+)", self.coll_update, None),
            ("POST", r"/controller/failOver", self.failover, None),
            ("POST", r"/controller/startGracefulFailover", self.failover, None),
            ("POST", r"/controller/addNode", self.add_node, None),
            ("POST", r"/controller/rebalance", self.rebalance, None),
            ("POST", r"/mock/nodes/(\d+)/(stop|start)", self.node_power, None),
            ("GET", r"/mock/info", self.info, None),
            ("GET", r"/mock/hooks", self.hooks_get, None),
            ("POST", r"/mock/hooks", self.hooks_add, None),
            ("DELETE", r"/mock/hooks", self.hooks_clear, None),
        ]
        self.rbac = ctl.__dict__.setdefault("rbac", manage.Rbac(ctl))
        self.routes += manage.routes(self.rbac)
        self.routes = [(m, re.compile("^" + p + "$"), f, lvl) for m, p, f, lvl in self.routes]

    @property
    def topo(self):
        return self.ctl.topo

    # -- auth ---------------------------------------------------------------------------------
    def _admin(self, req):
        creds = req.credentials()
        if creds is None:  # a client certificate authenticates its user
            return req.cert_user is not None and req.cert_user in self.topo.users
        return self.topo.users.get(creds[0]) == creds[1]

    def _bucket_access(self, req, name):
        if self._admin(req):
            return True
        b = self.topo.buckets.get(name)
        if b is None:
            return False
        creds = req.credentials()
        if creds is None:
            return not b.password
        return creds[0] == name and (b.password or "") == creds[1]

    async def handle(self, req):
        path = req.path.rstrip("/") or "/"
        allowed = False
        for method, rx, fn, bucket_level in self.routes:
            m = rx.match(path)
            if m is None:
                continue
            allowed = True
            if method != req.method:
                continue
            args = m.groups()
            if bucket_level == "user":
                creds = req.credentials()
                if creds is None or self.topo.users.get(creds[0]) != creds[1]:
                    return UNAUTHORIZED
            elif bucket_level:
                name = args[0]
                exists = name in self.topo.buckets
                if not self._bucket_access(req, name):
                    creds = req.credentials()
                    if not exists and (self._admin(req) or (creds and creds[0] == name)):
                        return _not_found("Requested resource not found.")
                    return UNAUTHORIZED
                if not exists:
                    return _not_found("Requested resource not found.")
            elif not self._admin(req):
                return UNAUTHORIZED
            res = fn(req, *args)
            if hasattr(res, "__await__"):
                res = await res
            return res
        if allowed:
            return HttpResponse(405, b"", content_type="text/plain")
        return _not_found()

    # -- cluster ------------------------------------------------------------------------------
    def pools(self, req):
        return json_response({
            "isAdminCreds": True, "isROAdminCreds": False, "isEnterprise": True,
            "pools": [{"name": "default", "uri": "/pools/default?uuid=%s" % self.topo.uuid,
                       "streamingUri": "/poolsStreaming/default?uuid=%s" % self.topo.uuid}],
            "uuid": self.topo.uuid, "implementationVersion": tp.VERSION,
            "componentsVersion": {"ns_server": tp.VERSION}})

    def _node_json(self, n, host):
        return {"hostname": "%s:%d" % (host, n.rest_port), "otpNode": n.otp_name, "os": "x86_64-pc-linux-gnu",
                "nodeUUID": "%032x" % (n.id + 1),
                "status": "healthy" if n.running else "unhealthy",
                "clusterMembership": {tp.ACTIVE: "active", tp.PENDING: "inactiveAdded",
                                      tp.FAILED: "inactiveFailed"}.get(n.state, n.state),
                "ports": {"direct": n.kv_port, "httpsMgmt": 0}, "services": ["kv"],
                "version": tp.VERSION, "thisNode": n.id == self.node.id,
                "couchApiBase": "http://%s:%d/" % (host, n.capi_port)}

    def pool_default(self, req):
        t = self.topo
        nodes = [self._node_json(n, req.host) for n in t.nodes.values()
                 if n.state != tp.EJECTED]
        return json_response({
            "name": "default", "nodes": nodes, "rev": t.rev,
            "buckets": {"uri": "/pools/default/buckets?v=%d&uuid=%s" % (t.rev, t.uuid),
                        "terseBucketsBase": "/pools/default/b/",
                        "terseStreamingBucketsBase": "/pools/default/bs/"},
            "bucketNames": [{"bucketName": n, "uuid": b.uuid} for n, b in t.buckets.items()],
            "clusterName": "mock", "balanced": not any(m.forward for m in t.maps.values()),
            "rebalanceStatus": "running" if any(m.forward for m in t.maps.values())
            else "none",
            "controllers": {"addNode": {"uri": "/controller/addNode"},
                            "rebalance": {"uri": "/controller/rebalance"},
                            "failOver": {"uri": "/controller/failOver"}}})

    # -- buckets ------------------------------------------------------------------------------
    def _verbose(self, name, host):
        """The verbose bucket JSON: the map's, with the settings a real server reports."""
        cfg = self.topo.verbose_bucket(name, self.node.id, host)
        cfg.update(manage.bucket_fields(self.topo.buckets[name], name))
        return cfg

    def bucket_list(self, req):
        return json_response([self._verbose(n, req.host) for n in self.topo.buckets])

    def bucket_verbose(self, req, name):
        return json_response(self._verbose(name, req.host))

    def bucket_terse(self, req, name):
        return HttpResponse(200, self.topo.config_bytes(name, self.node.id))

    def _stream(self, name, render):
        topo = self.topo

        def start(writer):
            def on_change(t):
                if writer.closed:
                    topo.listeners.remove(on_change)
                elif name not in t.buckets:
                    topo.listeners.remove(on_change)
                    writer.end()
                else:
                    writer.send(render() + DELIMITER)
            writer.send(render() + DELIMITER)
            topo.listeners.append(on_change)
        return Stream(start)

    def stream_terse(self, req, name):
        return self._stream(name, lambda: self.topo.config_bytes(name, self.node.id))

    def stream_verbose(self, req, name):
        return self._stream(name, lambda: json.dumps(self._verbose(name, req.host)).encode())

    def bucket_create(self, req):
        f = req.form
        name = f.get("name", "")
        errors = {}
        if not name:
            errors["name"] = "Bucket name cannot be empty"
        elif not NAME_RE.match(name) or name.startswith((".", "_")):
            errors["name"] = "Bucket name can only contain characters in range A-Z, a-z, " \
                             "0-9 as well as underscore, period, dash & percent. Consult the documentation."
        elif name in self.topo.buckets:
            errors["name"] = "Bucket with given name already exists"
        btype = f.get("bucketType", "couchbase")
        if btype not in ("couchbase", "membase", "ephemeral"):
            errors["bucketType"] = "Unsupported bucket type (memcached buckets are not " \
                                   "supported by this server)"
        changes, more = manage.parse_bucket_form(f, btype, creating=True)
        errors.update(more)
        if errors:
            return json_response({"errors": errors, "summaries": {}}, 400)
        nvb = int(f["numVBuckets"]) if f.get("numVBuckets") else None
        b = self.ctl.create_bucket(name, password=f.get("saslPassword") or None,
                                   replicas=changes.get("replicaNumber", self.topo.replicas), num_vbuckets=nvb,
                                   bucket_type="ephemeral" if btype == "ephemeral" else "membase",
                                   flush_enabled=changes.get("flushEnabled", False),
                                   ram_quota_mb=changes.get("ramQuotaMB") or int(f.get("ramQuota") or 100))
        if b is not None:
            manage.apply_settings(b, changes)
        return HttpResponse(202, b"", headers={"Location": "/pools/default/buckets/" + name})

    def bucket_edit(self, req, name):
        b = self.topo.buckets[name]
        f = req.form
        changes, errors = manage.parse_bucket_form(f, b.bucket_type, creating=False)
        if "replicaNumber" in changes and changes["replicaNumber"] != b.replicas:
            errors.setdefault("replicaNumber", "Changing the number of replicas needs a rebalance, "
                                               "which this server does not run")
        if errors:
            return json_response({"errors": errors, "summaries": {}}, 400)
        manage.apply_settings(b, changes)
        if "saslPassword" in f:
            b.password = f["saslPassword"] or None
        self.topo.changed()
        return HttpResponse(200, b"")

    def bucket_delete(self, req, name):
        if name not in self.topo.buckets:
            return _not_found("Requested resource not found.")
        self.ctl.delete_bucket(name)
        return HttpResponse(200, b"")

    def bucket_flush(self, req, name):
        b = self.topo.buckets[name]
        if not b.flush_enabled:
            return json_response({"_": "Flush is disabled for the bucket"}, 400)
        b.flush()
        return HttpResponse(200, b"")

    def ddocs(self, req, name):
        return json_response({"rows": self.ctl.views.ddoc_rows(self.topo.buckets[name])})

    # -- collections --------------------------------------------------------------------------
    def scopes_get(self, req, name):
        return json_response(self.topo.buckets[name].manifest.to_json())

    def _manifest_change(self, name, fn):
        b = self.topo.buckets.get(name)
        if b is None:
            return _not_found("Requested resource not found.")
        result = fn(b)
        if isinstance(result, HttpResponse):
            return result
        self.topo.changed()
        return json_response({"uid": "%x" % b.manifest.uid})

    def scope_create(self, req, name):
        scope = req.form.get("name", "")

        def do(b):
            if not scope or not NAME_RE.match(scope) or scope[0] in "_%":
                return json_response({"errors": {"name": "Can only contain characters A-Z, a-z, 0-9 and "
                                                         "the following symbols _ - %% and can not start "
                                                         "with _ or %%"}}, 400)
            try:
                b.manifest.add_scope(scope)
            except KeyError:
                return json_response({"errors": {"_": 'Scope with name "%s" already exists' % scope}},
                                     400)
        return self._manifest_change(name, do)

    def scope_drop(self, req, name, scope):
        def do(b):
            try:
                cids = [c["uid"] for c in b.manifest.scopes.get(scope, {})
                        .get("collections", {}).values()]
                b.manifest.drop_scope(scope)
            except LookupError:
                return _not_found(json.dumps({"errors": {"_": 'Scope with name "%s" is not found' % scope}}))
            for cid in cids:
                b.drop_collection_items(cid)
        return self._manifest_change(name, do)

    def coll_create(self, req, name, scope):
        f = req.form
        coll = f.get("name", "")

        def do(b):
            if not coll or not NAME_RE.match(coll) or coll[0] in "_%":
                return json_response({"errors": {"name": "Can only contain characters A-Z, a-z, 0-9 and "
                                                         "the following symbols _ - %% and can not start "
                                                         "with _ or %%"}}, 400)
            try:
                max_ttl = int(f.get("maxTTL") or 0)
                if max_ttl < -1 or max_ttl > 2147483647:
                    raise ValueError
            except ValueError:
                return json_response({"errors": {"maxTTL": "The value must be an integer between -1 and "
                                                           "2147483647"}}, 400)
            if scope not in b.manifest.scopes:
                return self._scope_missing(scope)
            try:
                b.manifest.add_collection(scope, coll, max_ttl)
            except KeyError:
                return json_response({"errors": {"_": 'Collection with name "%s" in scope "%s" already exists'
                                                      % (coll, scope)}}, 400)
        return self._manifest_change(name, do)

    @staticmethod
    def _scope_missing(scope):
        return _not_found(json.dumps({"errors": {"_": 'Scope with name "%s" is not found' % scope}}))

    @staticmethod
    def _collection_missing(scope, coll):
        return _not_found(json.dumps({"errors": {"_": 'Collection with name "%s" in scope "%s" is not found'
                                                      % (coll, scope)}}))

    def coll_drop(self, req, name, scope, coll):
        def do(b):
            if scope not in b.manifest.scopes:
                return self._scope_missing(scope)
            try:
                cid = b.manifest.drop_collection(scope, coll)
            except LookupError:
                return self._collection_missing(scope, coll)
            b.drop_collection_items(cid)
        return self._manifest_change(name, do)

    def coll_update(self, req, name, scope, coll):
        f = req.form

        def do(b):
            m = b.manifest
            if scope not in m.scopes:
                return self._scope_missing(scope)
            entry = m.scopes[scope]["collections"].get(coll)
            if entry is None:
                return self._collection_missing(scope, coll)
            if "maxTTL" in f:
                try:
                    max_ttl = int(f["maxTTL"])
                    if max_ttl < -1 or max_ttl > 2147483647:
                        raise ValueError
                except ValueError:
                    return json_response({"errors": {"maxTTL": "The value must be an integer between -1 and "
                                                               "2147483647"}}, 400)
                entry["maxTTL"] = max_ttl
                m.by_cid[entry["uid"]] = (scope, coll, max_ttl)
            if f.get("history") == "true":
                return json_response({"errors": {"history": "Bucket must have storage_mode=magma"}}, 400)
            m.uid += 1
        return self._manifest_change(name, do)

    # -- topology control -----------------------------------------------------------------------
    def _node_ref(self, ref):
        try:
            return self.topo.find_node(ref)
        except LookupError:
            return None

    async def failover(self, req):
        n = self._node_ref(req.form.get("otpNode", ""))
        if n is None or n.state != tp.ACTIVE:
            return json_response({"errors": {"otpNode": "Unknown or inactive node"}}, 400)
        await self.ctl.failover(n.id)
        return HttpResponse(200, b"")

    async def add_node(self, req):
        node = await self.ctl.add_node()
        return json_response({"otpNode": node.otp_name, "id": node.id, **node.ports()})

    async def rebalance(self, req):
        f = req.form
        eject = []
        for ref in filter(None, f.get("ejectedNodes", "").split(",")):
            n = self._node_ref(ref)
            if n is None:
                return json_response({"mismatch": 1}, 400)
            eject.append(n.id)
        self.ctl.start_rebalance(eject)
        return HttpResponse(200, b"")

    async def node_power(self, req, nid, action):
        nid = int(nid)
        if nid not in self.topo.nodes:
            return _not_found("Unknown node.")
        if action == "stop":
            self.ctl.loop.call_soon(lambda: self.ctl.loop.create_task(self.ctl.stop_node(nid)))
        else:
            await self.ctl.start_node(nid)
        return HttpResponse(200, b"")

    def info(self, req):
        return json_response(self.ctl.info())

    def hooks_get(self, req):
        return json_response(self.ctl.hooks.to_json())

    def hooks_add(self, req):
        spec = req.json() or {}
        kind = spec.get("kind")
        opcode, node = spec.get("opcode"), spec.get("node")
        h = self.ctl.hooks
        if kind == "delay":
            h.delay(spec.get("value", 0), opcode=opcode, node=node, count=spec.get("count"))
        elif kind == "drop":
            h.drop(opcode=opcode, node=node, count=spec.get("count", 1))
        elif kind == "status":
            h.force_status(spec["value"], count=spec.get("count", 1), opcode=opcode, node=node)
        else:
            return json_response({"error": "kind must be delay, drop or status"}, 400)
        return json_response(h.to_json())

    def hooks_clear(self, req):
        self.ctl.hooks.clear()
        return HttpResponse(200, b"")


class CapiService:
    """The views port: requests go to the cluster core's ``views_handler`` (the view
    service of couchbase.mock.views; ``async fn(request, node) -> HttpResponse``); with no
    handler it answers 404."""

    def __init__(self, ctl, node):
        self.ctl = ctl
        self.node = node

    async def handle(self, req):
        handler = getattr(self.ctl, "views_handler", None)
        if handler is not None:
            res = handler(req, self.node)
            if hasattr(res, "__await__"):
                res = await res
            return res
        return json_response({"error": "not_found", "reason": "missing"}, 404)
