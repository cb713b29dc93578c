"""Bucket configuration JSON -> flat server list and vBucket map for the C core (pure)."""
import json

from couchbase.exceptions import ProtocolError


class BucketConfig:
    """What the core needs from a bucket config, plus the revision to order configs by."""

    __slots__ = ("rev", "name", "locator", "servers", "rest", "capi", "vbmap", "ncopies", "nreplicas",
                 "uuid", "capabilities", "raw")

    def __init__(self):
        self.rev = (-1, -1)
        self.servers = []   # [(host, kv_port)] in map index order
        self.rest = []      # [(host, rest_port)] same order
        self.capi = []      # [(host, capi_port) or None] same order
        self.vbmap = []     # rows of ncopies server indices
        self.ncopies = 1
        self.nreplicas = 0
        self.capabilities = ()

    def newer_than(self, other):
        return other is None or self.rev > other.rev

    @property
    def nvbuckets(self):
        return len(self.vbmap)

    def flat_map(self):
        """The map as one list of len(vbmap) * ncopies ints, rows padded with -1."""
        out = []
        for row in self.vbmap:
            row = list(row[: self.ncopies])
            out.extend(row + [-1] * (self.ncopies - len(row)))
        return out


def _host(h, origin):
    if not h or h == "$HOST":
        return origin
    h = h.replace("$HOST", origin)
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    return h


def _split(hostport, origin):
    host, _, port = hostport.rpartition(":")
    return _host(host, origin), int(port)


def _capi_base(url, origin):
    """(host, port) of a ``couchApiBase`` such as ``http://h:8092/bucket%2Buuid``, or None."""
    if not isinstance(url, str) or "://" not in url:
        return None
    hostport = url.split("://", 1)[1].split("/", 1)[0]
    try:
        return _split(hostport, origin)
    except ValueError:
        return None


def _tls_port(svc, name, node):
    port = svc.get(name)
    if port is None:
        raise ProtocolError.pyexc("The bucket configuration advertises no %s port for %s: it cannot be used over TLS"
                                  % (name, node))
    return int(port)


def parse(data, origin, tls=False):
    """Parse a terse or verbose config; `origin` replaces ``$HOST`` (the node it came from).
    With `tls` the ports are the TLS ones a node advertises (``kvSSL``, ``mgmtSSL``,
    ``capiSSL`` in ``nodesExt``); a node that advertises none is an error, never a
    silent fall back to plaintext."""
    try:
        if isinstance(data, (bytes, bytearray)):
            data = data.decode("utf-8")
        doc = json.loads(data.replace("$HOST", origin))
    except (UnicodeDecodeError, ValueError) as e:
        raise ProtocolError({"message": "Invalid bucket configuration", "inner_cause": e})
    if not isinstance(doc, dict):
        raise ProtocolError.pyexc("Invalid bucket configuration: not an object")
    cfg = BucketConfig()
    cfg.raw = doc
    cfg.name = doc.get("name")
    cfg.uuid = doc.get("uuid")
    cfg.locator = doc.get("nodeLocator", "vbucket")
    cfg.rev = (doc.get("revEpoch", -1), doc.get("rev", -1))
    cfg.capabilities = tuple(doc.get("bucketCapabilities", ()))
    smap = doc.get("vBucketServerMap") or {}
    ext = doc.get("nodesExt")
    try:
        if ext:
            for node in ext:
                svc = node.get("services", {})
                if "kv" not in svc:
                    break
                host = _host(node.get("hostname"), origin)
                if tls:
                    cfg.servers.append((host, _tls_port(svc, "kvSSL", host)))
                    cfg.rest.append((host, int(svc.get("mgmtSSL", 18091))))
                    cfg.capi.append((host, int(svc["capiSSL"])) if "capiSSL" in svc else None)
                    continue
                cfg.servers.append((host, int(svc["kv"])))
                cfg.rest.append((host, int(svc.get("mgmt", 8091))))
                cfg.capi.append((host, int(svc["capi"])) if "capi" in svc else None)
        elif tls:
            raise ProtocolError.pyexc("The bucket configuration has no nodesExt: it advertises no TLS ports")
        elif smap.get("serverList"):
            nodes = {}
            for node in doc.get("nodes", []):
                h, p = _split(node["hostname"], origin)
                nodes[(h, int(node["ports"]["direct"]))] = (h, p, node.get("couchApiBase"))
            for entry in smap["serverList"]:
                h, p = _split(entry, origin)
                cfg.servers.append((h, p))
                rest = nodes.get((h, p))
                cfg.rest.append((h, rest[1]) if rest else (h, 8091))
                cfg.capi.append(_capi_base(rest[2], origin) if rest else None)
        else:
            for node in doc.get("nodes", []):
                h, p = _split(node["hostname"], origin)
                cfg.servers.append((h, int(node["ports"]["direct"])))
                cfg.rest.append((h, p))
                cfg.capi.append(None)
        if cfg.locator == "vbucket":
            cfg.nreplicas = int(smap.get("numReplicas", 0))
            cfg.ncopies = cfg.nreplicas + 1
            cfg.vbmap = smap.get("vBucketMap") or []
            if not cfg.vbmap:
                raise ProtocolError.pyexc("Bucket configuration has no vBucketMap")
    except (KeyError, TypeError, ValueError) as e:
        raise ProtocolError({"message": "Invalid bucket configuration", "inner_cause": e})
    if not cfg.servers:
        raise ProtocolError.pyexc("Bucket configuration lists no data nodes")
    return cfg
