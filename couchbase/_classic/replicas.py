"""Replica reads (``rget``) and ``observe`` of the classic API, on a Couchbase bucket."""
from couchbase._core import batch as _batch
from couchbase._core import ops
from couchbase._core import protocol
from couchbase._core.binding import C
from couchbase._core.session import Request
from couchbase.exceptions import ArgumentError, CouchbaseError, ValueFormatError
from couchbase.result import MultiResult, ObserveInfo, OperationResult, ValueResult

_CLASSES = (MultiResult, ValueResult, OperationResult)


def rget(conn, keys, replica_index, quiet, single):
    """Read `keys` from replica `replica_index`, or from the first replica that has them."""
    session = conn._session
    topo = session.topology
    nrep = topo.config.nreplicas if topo.config else 0
    if nrep == 0:
        raise CouchbaseError.rc_to_exctype(C.NO_MATCHING_SERVER)(
            {"rc": C.NO_MATCHING_SERVER, "message": "The bucket has no replicas"})
    if replica_index is not None:
        if not isinstance(replica_index, int) or not 0 <= replica_index < nrep:
            raise ArgumentError.pyexc("replica_index must be in 0..%d" % (nrep - 1), obj=replica_index)
        indexes = [replica_index + 1]
    else:
        indexes = list(range(1, nrep + 1))
    wire = conn._keys_for_wire(keys)
    tagged = [(k, i) for i in indexes for k in keys]

    def add(batch):
        for i in indexes:
            _batch.add_keys(batch, wire, ops.GET_REPLICA.opcode, replica=i)

    mres, _failed = session.execute(tagged, ops.GET_REPLICA, add, classes=_CLASSES)
    out = MultiResult()
    for k in keys:
        best = None
        for i in indexes:
            r = mres[(k, i)]
            if best is None or (r.success and not best.success):
                best = r
        best.key = k
        out[k] = best
    failed = [r for r in out.values() if not r.success and not (quiet and r.rc == C.KEY_ENOENT)]
    if failed:
        conn._raise(failed, out)
    return out[keys[0]] if single else out


def observe_keys(conn, keys):
    """The wire keys of an observe, checked as every operation checks them (ArgumentError
    for an empty key or one over 250 bytes) before anything is sent."""
    wire = []
    for k in conn._keys_for_wire(keys):
        if isinstance(k, str):
            try:
                k = k.encode("utf-8")
            except UnicodeError:
                k = None
        if not isinstance(k, bytes):
            raise ValueFormatError.pyexc("Key must be a str", obj=k)
        if not k:
            raise ArgumentError.pyexc("Empty key (i.e. '', empty string) passed", obj=k)
        if len(k) > 250:
            raise ArgumentError.pyexc("Key too long (%d bytes; at most 250)" % len(k), obj=k)
        wire.append(k)
    return wire


def observe(conn, keys, wire, master_only, single):
    """Where each key's copies stand: a ValueResult whose value lists one ObserveInfo per node."""
    session = conn._session
    topo = session.topology
    ncopies = 1 if master_only else (topo.config.ncopies if topo.config else 1)
    # One OBSERVE per server, listing the keys that server holds a copy of.
    per_server = {}
    for idx, k in enumerate(wire):
        for copy in range(ncopies):
            vb, srv = session.map_key(k, copy)
            if srv >= 0:
                per_server.setdefault(srv, []).append((idx, vb, copy))
    order = sorted(per_server.items())
    requests = [Request(protocol.OP.OBSERVE, server=server,
                        value=protocol.observe_body([(vb, wire[idx]) for idx, vb, _c in entries]))
                for server, entries in order]
    answers = session.raw_run(requests, retry=False) if requests else []
    infos = {i: [] for i in range(len(keys))}
    for (_server, entries), r in zip(order, answers):
        if r.rc:
            continue
        copies = {idx: c for idx, _vb, c in entries}
        lookup = {wire[idx]: idx for idx, _vb, _c in entries}
        for key, state, cas in protocol.parse_observe(r.value):
            idx = lookup.get(key)
            if idx is not None:
                infos[idx].append(ObserveInfo(state, int(copies[idx] == 0), cas))
    out = MultiResult()
    for i, k in enumerate(keys):
        r = ValueResult()
        r.rc = 0
        r.key = k
        r.value = infos[i]
        out[k] = r
    return out[keys[0]] if single else out
