"""ClientDurability (replicate_to / persist_to) of the modern API: poll OBSERVE_SEQNO on
every copy of a document's vBucket until enough of them hold the mutation."""
import struct
import time

from couchbase._core.protocol import OP, parse_observe_seqno
from couchbase._core.session import Request
from couchbase.exceptions import AmbiguousTimeoutException, DurabilityImpossibleException


def wait(session, res, key, durability, timeout):
    """Return once the mutation `res` of `key` meets `durability`, within `timeout` seconds."""
    p = plan(session, res, key, durability)
    if p is None:
        return
    deadline = time.monotonic() + timeout
    pause = 0.002
    while True:
        if met(p, session.raw_run(p.requests, max(0.001, deadline - time.monotonic()))):
            return
        if time.monotonic() + pause >= deadline:
            raise not_met(key, durability)
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


class _Plan:
    __slots__ = ("servers", "requests", "replicate", "persist_nodes", "seqno")


def plan(session, res, key, durability):
    """What to poll for `durability` of mutation `res` (None: nothing to wait for): the
    OBSERVE_SEQNO requests to every copy of the key's vBucket. DurabilityImpossibleException
    when the copies cannot meet it."""
    replicate = int(durability.replicate_to)
    persist = int(durability.persist_to)
    persist_nodes = 0 if persist == 0 else (1 if persist == 1 else persist - 1)
    if not replicate and not persist_nodes:
        return None
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
    p = _Plan()
    p.servers = servers
    p.requests = [Request(OP.OBSERVE_SEQNO, value=uuid, server=server, vbucket=vbid) for _c, server, vbid in servers]
    p.replicate = replicate
    p.persist_nodes = persist_nodes
    p.seqno = res._seqno
    return p


def met(p, answers):
    """Whether the OBSERVE_SEQNO `answers` (raw results of p.requests) meet the plan."""
    replicated = persisted = 0
    for (copy, _s, _v), r in zip(p.servers, answers):
        state = None if r.rc else parse_observe_seqno(r.value)
        if state is None:
            continue
        _uuid, last_persisted, current = state
        if copy and current >= p.seqno:
            replicated += 1
        if last_persisted >= p.seqno:
            persisted += 1
    return replicated >= p.replicate and persisted >= p.persist_nodes


def not_met(key, durability):
    return AmbiguousTimeoutException("Client durability %r not met in time" % (durability,), key=key)
