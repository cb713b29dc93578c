"""ClientDurability (replicate_to / persist_to) of the modern API: poll OBSERVE_SEQNO on
every copy of a document's vBucket until enough of them hold the mutation."""
import struct
import time

from couchbase._core.protocol import OP, parse_observe_seqno
from couchbase._core.session import Request
from couchbase.exceptions import AmbiguousTimeoutException, DurabilityImpossibleException


def wait(session, res, key, durability, timeout):
    """Return once the mutation `res` of `key` meets `durability`, within `timeout` seconds."""
    replicate = int(durability.replicate_to)
    persist = int(durability.persist_to)
    persist_nodes = 0 if persist == 0 else (1 if persist == 1 else persist - 1)
    if not replicate and not persist_nodes:
        return
    cfg = session.topology.config if session.topology else None
    ncopies = cfg.ncopies if cfg else 1
    if replicate > ncopies - 1 or persist_nodes > ncopies:
        raise DurabilityImpossibleException("Not enough replicas for %r" % (durability,), key=key)
    kb = key.encode()
    servers = []
    for copy in range(ncopies):
        vb, srv = session.map_key(kb, copy)
        if srv >= 0:
            servers.append((copy, srv, vb))
    if len(servers) - 1 < replicate or len(servers) < persist_nodes:
        raise DurabilityImpossibleException("Not enough replicas available for %r" % (durability,), key=key)
    uuid = struct.pack(">Q", res._vbuuid)
    seqno = res._seqno
    deadline = time.monotonic() + timeout
    pause = 0.002
    requests = [Request(OP.OBSERVE_SEQNO, value=uuid, server=server, vbucket=vbid) for _c, server, vbid in servers]
    while True:
        out = session.raw_run(requests, max(0.001, deadline - time.monotonic()))
        replicated = persisted = 0
        for (copy, _s, _v), r in zip(servers, out):
            state = None if r.rc else parse_observe_seqno(r.value)
            if state is None:
                continue
            _uuid, last_persisted, current = state
            if copy and current >= seqno:
                replicated += 1
            if last_persisted >= seqno:
                persisted += 1
        if replicated >= replicate and persisted >= persist_nodes:
            return
        if time.monotonic() + pause >= deadline:
            raise AmbiguousTimeoutException("Client durability %r not met in time" % (durability,), key=key)
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
