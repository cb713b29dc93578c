"""Cluster state: nodes, buckets, vbucket ownership, config revisions and config JSON."""

import json
import os

from .replication import Replication
from .store import BucketStore

ACTIVE = "active"      # member of the cluster and of every bucket's server list
PENDING = "pending"    # added, waiting for a rebalance
FAILED = "failed"      # failed over; ejected at the next rebalance
EJECTED = "ejected"    # removed from the cluster

BUCKET_CAPABILITIES = ["couchapi", "collections", "durableWrite", "tombstonedUserXAttrs",
                       "dcp", "cbhello", "touch", "cccp", "xdcrCheckpointing", "nodesExt",
                       "xattr", "preserveExpiry", "subdoc.ReplicaRead", "subdoc.DocumentMacroSupport"]
CLUSTER_CAPABILITIES = {"n1ql": ["enhancedPreparedStatements"]}
VERSION = "7.6.2-3721-enterprise"


class Node:
    __slots__ = ("id", "host", "kv_port", "rest_port", "capi_port", "kv_tls_port", "rest_tls_port",
                 "capi_tls_port", "state", "running", "ejecting", "uuid", "kv_advertised")

    def __init__(self, nid, host, kv_port=0, rest_port=0, capi_port=0):
        self.id = nid
        self.host = host
        self.kv_port = kv_port
        self.kv_advertised = 0  # KV port configs name instead of kv_port (a proxy in front); 0: kv_port
        self.rest_port = rest_port
        self.capi_port = capi_port
        self.kv_tls_port = self.rest_tls_port = self.capi_tls_port = 0  # 0: no TLS listener
        self.state = PENDING
        self.running = False
        self.ejecting = False
        self.uuid = os.urandom(16).hex()

    @property
    def otp_name(self):
        return "n_%d@%s" % (self.id, self.host)

    def ports(self):
        out = {"host": self.host, "rest": self.rest_port, "kv": self.kv_port, "capi": self.capi_port}
        if self.kv_tls_port:
            out.update(kv_tls=self.kv_tls_port, rest_tls=self.rest_tls_port, capi_tls=self.capi_tls_port)
        return out


class BucketMap:
    __slots__ = ("map", "forward", "active")

    def __init__(self, rows):
        self.map = rows
        self.forward = None
        self.active = [r[0] for r in rows]


def balanced_map(node_ids, num_vbuckets, replicas):
    """Active vb i on node i mod n, replica j on the (j+1)-th next node; -1 if none."""
    n = len(node_ids)
    rows = []
    for vb in range(num_vbuckets):
        if n == 0:
            rows.append([-1] * (replicas + 1))
            continue
        row = [node_ids[vb % n]]
        for j in range(replicas):
            row.append(node_ids[(vb + j + 1) % n] if j + 1 < n else -1)
        rows.append(row)
    return rows


class Topology:
    """Everything the KV engine and the REST service share. Not thread-safe: the cluster's
    event loop owns it."""

    def __init__(self, host="127.0.0.1", users=None, num_vbuckets=1024, replicas=0,
                 clock=None):
        self.host = host
        self.users = dict(users if users is not None else {"Administrator": "password"})
        self.num_vbuckets = num_vbuckets
        self.replicas = replicas
        self.clock = clock
        self.nodes = {}         # id -> Node (insertion order = id order)
        self.buckets = {}       # name -> BucketStore
        self.maps = {}          # name -> BucketMap
        self.rev = 1
        self.epoch = 1
        self.uuid = os.urandom(16).hex()
        self.listeners = []     # callables(topology) after every change
        self.replication = Replication(self)
        self._next_node = 0
        self._cache = {}

    # -- nodes --------------------------------------------------------------------------
    def new_node(self):
        node = Node(self._next_node, self.host)
        self._next_node += 1
        self.nodes[node.id] = node
        return node

    def config_nodes(self):
        """Nodes listed in configs, in server-index order."""
        return [n for n in self.nodes.values() if n.state == ACTIVE]

    def node(self, nid):
        return self.nodes[nid]

    def find_node(self, ref):
        """Node by id, otp name (n_<id>@host) or "host:restport"."""
        for n in self.nodes.values():
            if ref in (str(n.id), n.otp_name, "%s:%d" % (n.host, n.rest_port),
                       "ns_1@%s:%d" % (n.host, n.rest_port)):
                return n
        raise LookupError("unknown node %r" % (ref,))

    # -- buckets ------------------------------------------------------------------------
    def create_bucket(self, name, password=None, replicas=None, num_vbuckets=None, **kw):
        if name in self.buckets:
            raise KeyError("bucket %s exists" % name)
        replicas = self.replicas if replicas is None else replicas
        nvb = num_vbuckets or self.num_vbuckets
        b = BucketStore(name, password, replicas, nvb, clock=self.clock, **kw)
        self._place(b)
        self.buckets[name] = b
        ids = [n.id for n in self.config_nodes()]
        self.maps[name] = BucketMap(balanced_map(ids, nvb, replicas))
        self.changed()
        return b

    def _place(self, b):
        """Tie a bucket's documents to the nodes: its map decides which copy is which."""
        maps = self.maps
        name = b.name
        b.placement = lambda vb: maps[name].map[vb]
        b.replication = self.replication

    def delete_bucket(self, name):
        self.replication.drop_bucket(self.buckets[name])
        del self.buckets[name]
        del self.maps[name]
        self.changed()

    # -- change notification ------------------------------------------------------------
    def changed(self):
        self.rev += 1
        self._cache.clear()
        for cb in list(self.listeners):
            cb(self)

    # -- topology operations --------------------------------------------------------------
    def activate_initial(self):
        for n in self.nodes.values():
            if n.state == PENDING:
                n.state = ACTIVE
        ids = [n.id for n in self.config_nodes()]
        for name, b in self.buckets.items():
            self.maps[name] = BucketMap(balanced_map(ids, b.num_vbuckets, b.replicas))
        self.changed()

    def failover(self, nid):
        """Hard failover: promote the first live replica of every vbucket the node owned."""
        node = self.nodes[nid]
        if node.state != ACTIVE:
            raise ValueError("node %d is not active" % nid)
        node.state = FAILED
        # the failed node's streams die: what they had not delivered is gone
        self.replication.drop_node(nid)
        for name, bm in self.maps.items():
            store = self.buckets[name]
            for vb, row in enumerate(bm.map):
                if nid not in row:
                    continue
                if row[0] == nid:
                    rest = [r for r in row[1:] if r != -1 and r != nid]
                    new = rest + [-1] * (len(row) - len(rest))
                    if rest:
                        # the first replica is promoted as it is; the others follow it
                        promoted = store.node(rest[0]).vbuckets[vb]
                        promoted.new_branch()
                        for other in rest[1:]:
                            store.node(other).vbuckets[vb].load_from(promoted)
                    else:
                        new[0] = -1
                    bm.map[vb] = new
                else:
                    bm.map[vb] = [(-1 if r == nid else r) for r in row]
                bm.active[vb] = bm.map[vb][0]
            bm.forward = None
            store.nodes.pop(nid, None)
        self.changed()

    def rebalance_plan(self, eject=()):
        """Phase 1: pending nodes join, ejected ones are marked; forward maps published.
        Returns the target maps {bucket: rows}."""
        for nid in eject:
            self.nodes[nid].ejecting = True
        for n in self.nodes.values():
            if n.state == PENDING:
                n.state = ACTIVE
        keep = [n.id for n in self.nodes.values() if n.state == ACTIVE and not n.ejecting]
        target = {}
        for name, b in self.buckets.items():
            bm = self.maps[name]
            rows = balanced_map(keep, b.num_vbuckets, b.replicas)
            target[name] = rows
            bm.forward = rows
        self.changed()
        return target

    def rebalance_commit(self, target):
        """Phase 2: the forward maps become current; ejected and failed nodes leave."""
        for name, rows in target.items():
            if name not in self.maps:
                continue
            bm = self.maps[name]
            store = self.buckets[name]
            # the takeover waits for the streams to catch up, then copies move
            self.replication.settle(store)
            for vb, row in enumerate(rows):
                old = bm.map[vb]
                if old[0] == -1:
                    if row[0] != -1:
                        store.node(row[0]).vbuckets[vb].new_branch()
                    continue
                source = store.node(old[0]).vbuckets[vb]
                for nid in row:
                    if nid != -1 and nid != old[0] and nid not in old:
                        store.node(nid).vbuckets[vb].load_from(source)
                    elif nid != -1 and nid != old[0] and nid in old:
                        copy = store.node(nid).vbuckets[vb]
                        if copy.uuid != source.uuid or copy.seqno != source.seqno:
                            copy.load_from(source)
                for nid in old:
                    if nid != -1 and nid not in row and nid in store.nodes:
                        store.nodes[nid].vbuckets.pop(vb)
            bm.map = [list(r) for r in rows]
            bm.active = [r[0] for r in rows]
            bm.forward = None
        for n in self.nodes.values():
            if n.ejecting or n.state == FAILED:
                n.state = EJECTED
                n.ejecting = False
        self.changed()

    # -- vbucket queries ------------------------------------------------------------------
    def copies(self, bucket, vb):
        """(configured copies, placed copies, placed copies on running nodes)."""
        row = self.maps[bucket].map[vb]
        placed = [r for r in row if r != -1]
        live = [r for r in placed if self.nodes[r].running]
        return len(row), len(placed), len(live)

    # -- config JSON --------------------------------------------------------------------
    def _node_entries(self, this_id, host, bucket=None):
        nodes, ext, servers = [], [], []
        for n in self.config_nodes():
            h = host
            kv = n.kv_advertised or n.kv_port
            servers.append("%s:%d" % (h, kv))
            entry = {"hostname": "%s:%d" % (h, n.rest_port), "ports": {"direct": kv}}
            if bucket is not None:
                entry["couchApiBase"] = "http://%s:%d/%s%%2B%s" % (h, n.capi_port, bucket.name,
                                                                  bucket.uuid)
            if n.id == this_id:
                entry["thisNode"] = True
            nodes.append(entry)
            e = {"services": {"mgmt": n.rest_port, "kv": kv, "capi": n.capi_port},
                 "hostname": h, "nodeUUID": n.uuid}
            if n.kv_tls_port:
                e["services"].update(kvSSL=n.kv_tls_port, mgmtSSL=n.rest_tls_port, capiSSL=n.capi_tls_port)
                entry["ports"].update(httpsMgmt=n.rest_tls_port, httpsCAPI=n.capi_tls_port)
            if n.id == this_id:
                e["thisNode"] = True
            ext.append(e)
        return nodes, ext, servers

    def _render_map(self, rows):
        idx = {n.id: i for i, n in enumerate(self.config_nodes())}
        return [[idx.get(r, -1) for r in row] for row in rows]

    def bucket_config(self, name, this_id=None, host="$HOST"):
        """Terse bucket config dict (docs/protocol.md section 8)."""
        b = self.buckets[name]
        bm = self.maps[name]
        nodes, ext, servers = self._node_entries(this_id, host, b)
        vbsm = {"hashAlgorithm": "CRC", "numReplicas": b.replicas, "serverList": servers,
                "vBucketMap": self._render_map(bm.map)}
        if bm.forward is not None:
            vbsm["vBucketMapForward"] = self._render_map(bm.forward)
        return {
            "rev": self.rev, "revEpoch": self.epoch, "name": name, "nodeLocator": "vbucket",
            "uuid": b.uuid, "bucketType": b.bucket_type,
            "uri": "/pools/default/buckets/%s?bucket_uuid=%s" % (name, b.uuid),
            "streamingUri": "/pools/default/bucketsStreaming/%s?bucket_uuid=%s" % (name,
                                                                                   b.uuid),
            "numVBuckets": b.num_vbuckets,
            "bucketCapabilitiesVer": "", "bucketCapabilities": list(BUCKET_CAPABILITIES),
            "collectionsManifestUid": "%x" % b.manifest.uid,
            "ddocs": {"uri": "/pools/default/buckets/%s/ddocs" % name},
            "vBucketServerMap": vbsm, "nodes": nodes, "nodesExt": ext,
            "clusterCapabilitiesVer": [1, 0], "clusterCapabilities": CLUSTER_CAPABILITIES,
        }

    def cluster_config(self, this_id=None, host="$HOST"):
        nodes, ext, _ = self._node_entries(this_id, host)
        return {"rev": self.rev, "revEpoch": self.epoch, "nodes": nodes, "nodesExt": ext,
                "clusterCapabilitiesVer": [1, 0], "clusterCapabilities": CLUSTER_CAPABILITIES}

    def config_bytes(self, name, this_id):
        """Cached terse JSON of a bucket config (or the cluster config for name None)."""
        key = (name, this_id)
        data = self._cache.get(key)
        if data is None:
            cfg = self.cluster_config(this_id) if name is None else \
                self.bucket_config(name, this_id)
            data = self._cache[key] = json.dumps(cfg, separators=(",", ":")).encode()
        return data

    def verbose_bucket(self, name, this_id, host):
        """Verbose form served by /pools/default/buckets/NAME (real host, node details)."""
        cfg = self.bucket_config(name, this_id, host)
        b = self.buckets[name]
        for n, entry in zip(self.config_nodes(), cfg["nodes"]):
            entry.update({"status": "healthy", "clusterMembership": "active",
                          "version": VERSION, "otpNode": n.otp_name,
                          "services": ["kv"], "thisNode": n.id == this_id})
        cfg.update({
            "bucketType": "membase" if b.bucket_type == "membase" else b.bucket_type,
            "authType": "sasl", "replicaNumber": b.replicas, "saslPassword": b.password or "",
            "quota": {"ram": b.ram_quota_mb * 1048576, "rawRAM": b.ram_quota_mb * 1048576},
            "basicStats": {"itemCount": b.item_count(), "quotaPercentUsed": 0.0,
                           "opsPerSec": 0, "diskUsed": 0, "memUsed": 0},
            "controllers": {"flush": "/pools/default/buckets/%s/controller/doFlush" % name},
            "evictionPolicy": "valueOnly", "maxTTL": 0,
        })
        return cfg
