"""KV command semantics: decoded request in, response out. No sockets, no event loop.

The engine is shared by every node; a Session carries what one connection negotiated
and which node it is connected to.
"""

import json
import logging
import struct
import time

from . import codec, sasl, stats
from . import status as st
from .kvops import KVOps
from .response import Deferred, Response, error
from .subdoc import SubdocOps
from .subdoc_mutation import SubdocMutationOps

LOG = logging.getLogger("couchbase.mock")

_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_II = struct.Struct(">qq")

# features this server implements, with their prerequisites
_FEATURES = {
    codec.F_TCPNODELAY: (), codec.F_MUTATION_SEQNO: (), codec.F_XATTR: (),
    codec.F_XERROR: (), codec.F_SELECT_BUCKET: (), codec.F_JSON: (), codec.F_DUPLEX: (),
    codec.F_CLUSTERMAP_NOTIF: (codec.F_DUPLEX,), codec.F_UNORDERED: (),
    codec.F_TRACING: (), codec.F_ALT_REQUEST: (), codec.F_SYNC_REPLICATION: (),
    codec.F_COLLECTIONS: (), codec.F_PRESERVE_TTL: (), codec.F_VATTR: (codec.F_XATTR,),
    codec.F_CONFIG_WITH_KNOWN_VERSION: (), codec.F_DEDUPE_NMV: (),
    codec.F_CLUSTERMAP_NOTIF_BRIEF: (codec.F_DUPLEX,),
    codec.F_SUBDOC_CREATE_AS_DELETED: (), codec.F_SUBDOC_DOCUMENT_MACRO: (),
    codec.F_SUBDOC_REPLICA_READ: (),
}

DURABLE_OPS = frozenset((codec.SET, codec.ADD, codec.REPLACE, codec.DELETE, codec.INCREMENT,
                         codec.DECREMENT, codec.APPEND, codec.PREPEND, codec.TOUCH,
                         codec.GAT, codec.SUBDOC_MULTI_MUTATION))
PRESERVE_TTL_OPS = frozenset((codec.SET, codec.REPLACE, codec.INCREMENT, codec.DECREMENT,
                              codec.APPEND, codec.PREPEND, codec.SETQ, codec.REPLACEQ,
                              codec.INCREMENTQ, codec.DECREMENTQ, codec.APPENDQ,
                              codec.PREPENDQ, codec.SUBDOC_MULTI_MUTATION))


class Frames:
    __slots__ = ("level", "timeout", "preserve_ttl")

    def __init__(self):
        self.level = 0
        self.timeout = None
        self.preserve_ttl = False


class Session:
    """Per-connection state."""

    def __init__(self, node_id=0):
        self.node_id = node_id
        self.features = ()
        self.xerror = self.collections = self.json = self.mseqno = False
        self.tracing = self.xattr = self.dedupe = self.known_version = False
        self.push = 0            # 0 none, 1 full config, 2 brief
        self.agent = b""
        self.user = None         # authenticated user name
        self.bucket_only = None  # set when authenticated as a bucket (1.x style)
        self.bucket = None       # selected bucket name
        self.scram = None
        self.sent_rev = {}       # bucket name -> config rev sent on this connection
        self.close = False       # transport closes after writing pending output


class Engine(KVOps, SubdocOps, SubdocMutationOps):
    def __init__(self, topology):
        self.topo = topology
        self.timings = stats.Timings()  # the "timings" stat group
        self.no_plain = False  # --no-plain: SASL PLAIN is neither offered nor accepted
        c = codec
        self.handlers = {
            c.GET: self.op_get, c.GETQ: self.op_get, c.GETK: self.op_get,
            c.GETKQ: self.op_get, c.GET_REPLICA: self.op_get_replica,
            c.SET: self.op_store, c.ADD: self.op_store, c.REPLACE: self.op_store,
            c.SETQ: self.op_store, c.ADDQ: self.op_store, c.REPLACEQ: self.op_store,
            c.DELETE: self.op_delete, c.DELETEQ: self.op_delete,
            c.INCREMENT: self.op_counter, c.DECREMENT: self.op_counter,
            c.INCREMENTQ: self.op_counter, c.DECREMENTQ: self.op_counter,
            c.APPEND: self.op_concat, c.PREPEND: self.op_concat,
            c.APPENDQ: self.op_concat, c.PREPENDQ: self.op_concat,
            c.TOUCH: self.op_touch, c.GAT: self.op_touch, c.GATQ: self.op_touch,
            c.GET_LOCKED: self.op_getl, c.UNLOCK_KEY: self.op_unlock,
            c.GET_META: self.op_get_meta, c.OBSERVE: self.op_observe,
            c.OBSERVE_SEQNO: self.op_observe_seqno,
            c.SUBDOC_MULTI_LOOKUP: self.op_multi_lookup,
            c.SUBDOC_MULTI_MUTATION: self.op_multi_mutation,
            c.NOOP: self.op_noop, c.VERSION: self.op_version, c.VERBOSITY: self.op_noop,
            c.QUIT: self.op_quit, c.QUITQ: self.op_quit, c.FLUSH: self.op_unsupported,
            c.FLUSHQ: self.op_unsupported, c.STAT: self.op_stat, c.HELLO: self.op_hello,
            c.SASL_LIST_MECHS: self.op_sasl_list, c.SASL_AUTH: self.op_sasl_auth,
            c.SASL_STEP: self.op_sasl_step, c.SELECT_BUCKET: self.op_select_bucket,
            c.GET_CLUSTER_CONFIG: self.op_get_config, c.GET_ERROR_MAP: self.op_error_map,
            c.GET_COLLECTIONS_MANIFEST: self.op_manifest,
            c.GET_COLLECTION_ID: self.op_collection_id, c.GET_SCOPE_ID: self.op_scope_id,
        }

    # -- entry point ----------------------------------------------------------------------
    def execute(self, s, pkt):
        """Run one request. Returns Response, None (quiet), a list (STAT) or Deferred."""
        h = self.handlers.get(pkt.opcode)
        if h is None:
            return self._finish(s, pkt.opcode, Response(st.UNKNOWN_COMMAND))
        fr = None
        if pkt.framing:
            fr = self._frames(pkt)
            if isinstance(fr, Response):
                return self._finish(s, pkt.opcode, fr)
        started = time.perf_counter_ns()
        try:
            res = h(s, pkt, fr)
        except (struct.error, IndexError, ValueError):
            res = Response(st.EINVAL)
        self.timings.record(s.node_id, pkt.opcode, time.perf_counter_ns() - started)
        if s.xerror or res is None:
            return res
        return self._finish(s, pkt.opcode, res)

    def _finish(self, s, opcode, res):
        if s.xerror:
            return res
        if isinstance(res, Response):
            if res.status > st.NO_BUCKET:
                code = st.legacy(res.status, opcode)
                if code is None:
                    s.close = True
                    return None
                if code != res.status:
                    return Response(code)
        elif isinstance(res, Deferred):
            res.fail = self._finish(s, opcode, res.fail)
        return res

    def _frames(self, pkt):
        try:
            frames = codec.parse_frames(pkt.framing)
        except ValueError:
            return Response(st.EINVAL)
        fr = Frames()
        for fid, data in frames:
            if fid == codec.FRAME_DURABILITY:
                if pkt.opcode not in DURABLE_OPS:
                    return Response(st.EINVAL)
                if len(data) not in (1, 3):
                    return Response(st.EINVAL)
                if data[0] not in (1, 2, 3):
                    return Response(st.DURABILITY_INVALID_LEVEL)
                fr.level = data[0]
                if len(data) == 3:
                    t = _U16.unpack_from(data, 1)[0]
                    if t in (0, 0xFFFF):
                        return Response(st.EINVAL)
                    fr.timeout = t / 1000.0
            elif fid == codec.FRAME_PRESERVE_TTL:
                if pkt.opcode not in PRESERVE_TTL_OPS:
                    return Response(st.NOT_SUPPORTED)
                fr.preserve_ttl = True
            elif fid in (codec.FRAME_BARRIER, codec.FRAME_IMPERSONATE, 6):
                pass
            else:
                return Response(st.UNKNOWN_FRAME_INFO)
        return fr

    # -- helpers shared with KVOps --------------------------------------------------------
    def _bucket(self, s):
        """The selected bucket as this node holds it (store.NodeStore: its own copies)."""
        if s.bucket is not None:
            b = self.topo.buckets.get(s.bucket)
            return None if b is None else b.node(s.node_id)
        if s.user is None:
            b = self.topo.buckets.get("default")
            if b is not None and not b.password:
                return b.node(s.node_id)  # 2013 behaviour: unauthenticated connections use "default"
        return None

    def nmv(self, s, bucket):
        """NOT_MY_VBUCKET with this node's terse config (omitted if already sent)."""
        rev = self.topo.rev
        if s.dedupe and s.sent_rev.get(bucket.name) == rev:
            return Response(st.NOT_MY_VBUCKET)
        s.sent_rev[bucket.name] = rev
        return Response(st.NOT_MY_VBUCKET, value=self.topo.config_bytes(bucket.name, s.node_id),
                        datatype=codec.DT_JSON if s.json else 0)

    def unknown_collection(self, bucket):
        return error(st.UNKNOWN_COLLECTION, body={"manifest_uid": "%x" % bucket.manifest.uid})

    # -- handshake, auth and cluster commands ------------------------------------------------
    def op_noop(self, s, pkt, fr):
        return Response()

    def op_unsupported(self, s, pkt, fr):
        return Response(st.NOT_SUPPORTED)

    def op_version(self, s, pkt, fr):
        return Response(value=b"7.6.2-3721-enterprise")

    def op_quit(self, s, pkt, fr):
        s.close = True
        return None if pkt.opcode == codec.QUITQ else Response()

    def op_hello(self, s, pkt, fr):
        if len(pkt.value) % 2:
            return Response(st.EINVAL)
        wanted = [_U16.unpack_from(pkt.value, i)[0] for i in range(0, len(pkt.value), 2)]
        acked = []
        for f in wanted:
            if f in _FEATURES and f not in acked:
                acked.append(f)
        for f in acked:
            for need in _FEATURES[f]:
                if need not in acked:
                    return Response(st.EINVAL)
        on = set(acked)
        s.features = tuple(acked)
        s.agent = pkt.key
        s.xerror = codec.F_XERROR in on
        s.collections = codec.F_COLLECTIONS in on
        s.json = codec.F_JSON in on
        s.mseqno = codec.F_MUTATION_SEQNO in on
        s.tracing = codec.F_TRACING in on
        s.xattr = codec.F_XATTR in on
        s.dedupe = codec.F_DEDUPE_NMV in on
        s.known_version = codec.F_CONFIG_WITH_KNOWN_VERSION in on
        s.push = 2 if codec.F_CLUSTERMAP_NOTIF_BRIEF in on else \
            1 if codec.F_CLUSTERMAP_NOTIF in on else 0
        if LOG.isEnabledFor(logging.DEBUG):
            LOG.debug("node %d: HELLO from %s: features %s", s.node_id, pkt.key.decode(errors="replace"),
                      " ".join("0x%02x" % f for f in acked))
        return Response(value=codec.hello_features(acked))

    def op_error_map(self, s, pkt, fr):
        if len(pkt.value) != 2:
            return Response(st.EINVAL)
        version = _U16.unpack(pkt.value)[0]
        if version == 0:
            return Response(st.EINVAL)
        return Response(value=st.error_map(version), datatype=codec.DT_JSON if s.json else 0)

    def op_sasl_list(self, s, pkt, fr):
        mechs = sasl.MECHANISMS.replace(" PLAIN", "") if self.no_plain else sasl.MECHANISMS
        return Response(value=mechs.encode())

    def login_certificate(self, s, user):
        """A verified client certificate names `user`: the connection is authenticated as
        that RBAC user (a name that is no user authenticates nothing)."""
        if user in self.topo.users:
            self._login(s, user)

    def _password_for(self, user):
        """Password SCRAM checks against: an RBAC user first, then a bucket name."""
        if user in self.topo.users:
            return self.topo.users[user]
        b = self.topo.buckets.get(user)
        if b is not None:
            return b.password or ""
        return None

    def _login(self, s, user):
        s.user = user
        s.bucket = None
        s.bucket_only = None
        if user not in self.topo.users and user in self.topo.buckets:
            s.bucket_only = user
            s.bucket = user      # 1.x style: the bucket is selected implicitly

    def op_sasl_auth(self, s, pkt, fr):
        mech = pkt.key.decode(errors="replace")
        s.scram = None
        if mech == "PLAIN" and self.no_plain:
            return error(st.AUTH_ERROR, "PLAIN is disabled on this cluster")
        if mech == "PLAIN":
            creds = sasl.parse_plain(pkt.value)
            if creds is None:
                return Response(st.AUTH_ERROR)
            user, password = creds
            ok = self.topo.users.get(user) == password
            if not ok and user not in self.topo.users:
                b = self.topo.buckets.get(user)
                ok = b is not None and (b.password or "") == password
            if not ok:
                return error(st.AUTH_ERROR, "Authentication failed")
            self._login(s, user)
            return Response()
        if mech in sasl.SCRAM_HASHES:
            srv = sasl.ScramServer(mech, self._password_for)
            first = srv.first(pkt.value)
            if first is None:
                return Response(st.AUTH_ERROR)
            s.scram = srv
            return Response(st.AUTH_CONTINUE, value=first.encode())
        return Response(st.AUTH_ERROR)

    def op_sasl_step(self, s, pkt, fr):
        srv = s.scram
        s.scram = None
        if srv is None:
            return Response(st.AUTH_ERROR)
        final = srv.final(pkt.value)
        if final is None:
            return error(st.AUTH_ERROR, "Authentication failed")
        self._login(s, srv.user)
        return Response(value=final.encode())

    def op_select_bucket(self, s, pkt, fr):
        name = pkt.key.decode(errors="replace")
        if name == "@no bucket@":
            s.bucket = None
            return Response()
        if s.user is None:
            return Response(st.EACCESS)
        if name not in self.topo.buckets or (s.bucket_only and s.bucket_only != name):
            return error(st.EACCESS, "No access to bucket")
        s.bucket = name
        return Response()

    def op_get_config(self, s, pkt, fr):
        b = self._bucket(s)
        if b is None and s.user is None:
            return Response(st.NO_BUCKET)
        name = None if b is None else b.name
        if pkt.extras:
            if len(pkt.extras) != 16:
                return Response(st.EINVAL)
            epoch, rev = _II.unpack(pkt.extras)
            if (epoch, rev) >= (self.topo.epoch, self.topo.rev):
                return Response()
        if name is not None:
            s.sent_rev[name] = self.topo.rev
        return Response(value=self.topo.config_bytes(name, s.node_id),
                        datatype=codec.DT_JSON if s.json else 0)

    def op_manifest(self, s, pkt, fr):
        b = self._bucket(s)
        if b is None:
            return Response(st.NO_BUCKET)
        return Response(value=json.dumps(b.manifest.to_json()).encode(),
                        datatype=codec.DT_JSON if s.json else 0)

    def _path(self, pkt):
        path = pkt.value or pkt.key
        return path.decode(errors="replace")

    def op_collection_id(self, s, pkt, fr):
        b = self._bucket(s)
        if b is None:
            return Response(st.NO_BUCKET)
        if pkt.key and pkt.value:
            return Response(st.EINVAL)
        path = self._path(pkt)
        if path.count(".") != 1:
            return Response(st.EINVAL)
        scope, coll = path.split(".")
        try:
            cid = b.manifest.collection_id(scope or "_default", coll or "_default")
        except LookupError as e:
            code = st.UNKNOWN_SCOPE if e.args[0] == "scope" else st.UNKNOWN_COLLECTION
            return error(code, body={"manifest_uid": "%x" % b.manifest.uid})
        return Response(extras=_U64.pack(b.manifest.uid) + _U32.pack(cid))

    def op_scope_id(self, s, pkt, fr):
        b = self._bucket(s)
        if b is None:
            return Response(st.NO_BUCKET)
        scope = self._path(pkt).split(".")[0] or "_default"
        sc = b.manifest.scopes.get(scope)
        if sc is None:
            return error(st.UNKNOWN_SCOPE, body={"manifest_uid": "%x" % b.manifest.uid})
        return Response(extras=_U64.pack(b.manifest.uid) + _U32.pack(sc["uid"]))

    def op_stat(self, s, pkt, fr):
        answer = stats.group(self, s, self._bucket(s), pkt.key.decode(errors="replace"))
        if answer is None:
            return Response(st.KEY_ENOENT)
        out = [Response(key=k.encode(), value=v.encode()) for k, v in answer]
        out.append(Response())
        return out
