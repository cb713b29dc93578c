"""Client-side durability for the classic API: poll OBSERVE until enough nodes hold a mutation."""
import time

from couchbase._classic.replicas import observe, observe_keys
from couchbase._core.binding import C
from couchbase.exceptions import ArgumentError, CouchbaseError, NotSupportedError
from couchbase.result import MultiResult, OperationResult
from couchbase.user_constants import OBS_NOTFOUND, OBS_PERSISTED


def requirements(conn, persist_to, replicate_to):
    """Validate and resolve (persist_to, replicate_to); negative means "as many as exist"."""
    for name, v in (("persist_to", persist_to), ("replicate_to", replicate_to)):
        if isinstance(v, bool) or not isinstance(v, int):
            raise ArgumentError.pyexc("%s must be an int" % name, obj=v)
    if not persist_to and not replicate_to:
        return 0, 0
    if conn._session.topology is None:
        raise NotSupportedError({"rc": C.NOT_SUPPORTED,
                                 "message": "persist_to/replicate_to need a Couchbase bucket"})
    nrep = conn._session.replicas
    if persist_to < 0:
        persist_to = nrep + 1
    if replicate_to < 0:
        replicate_to = nrep
    if replicate_to > nrep or persist_to > nrep + 1:
        raise ArgumentError({"rc": C.DURABILITY_ETOOMANY,
                             "message": "Durability requirements exceed the cluster (%d replicas)" % nrep})
    return persist_to, replicate_to


def _satisfied(infos, cas, persist_to, replicate_to, check_removed):
    persisted = replicated = 0
    for info in infos:
        if check_removed:
            ok = info.flags & OBS_NOTFOUND
            done = info.flags == OBS_NOTFOUND | OBS_PERSISTED or info.flags == OBS_NOTFOUND
        else:
            ok = info.flags in (0, OBS_PERSISTED) and (not cas or info.cas == cas)
            done = ok and info.flags == OBS_PERSISTED
        if ok and not info.from_master:
            replicated += 1
        if done:
            persisted += 1
    return persisted >= persist_to and replicated >= replicate_to


def endure(conn, cas_by_key, persist_to, replicate_to, timeout, interval, check_removed=False):
    """Wait until every key meets the requirements; returns a MultiResult of OperationResults."""
    deadline = time.monotonic() + timeout
    pending = dict(cas_by_key)
    out = MultiResult()
    while pending:
        keys = list(pending)
        seen = observe(conn, keys, observe_keys(conn, keys), False, False)
        for key, res in seen.items():
            if _satisfied(res.value, pending[key], persist_to, replicate_to, check_removed):
                r = OperationResult()
                r.rc, r.key, r.cas = 0, key, pending.pop(key)
                out[key] = r
        if not pending:
            break
        if time.monotonic() >= deadline:
            for key, cas in pending.items():
                r = OperationResult()
                r.rc, r.key, r.cas = C.ETIMEDOUT, key, cas
                out[key] = r
            first = next(iter(pending))
            cls = CouchbaseError.rc_to_exctype(C.ETIMEDOUT)
            raise cls({"rc": C.ETIMEDOUT, "key": first, "message": "Durability requirements not met in time",
                       "result": out[first], "all_results": out})
        time.sleep(interval)
    return out


class DurabilityContext:
    """``Connection.durability()`` (1.2): inside the block, mutations that pass neither
    ``persist_to`` nor ``replicate_to`` wait for these; ``timeout`` seconds (0: the
    connection's durability timeout). ``__enter__`` returns None."""

    def __init__(self, parent, persist_to=-1, replicate_to=-1, timeout=0.0):
        requirements(parent, persist_to, replicate_to)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0:
            raise ArgumentError.pyexc("durability timeout must be a non-negative number", obj=timeout)
        self._parent = parent
        self._spec = (persist_to, replicate_to, float(timeout))
        self._saved = None

    def __enter__(self):
        self._saved = self._parent._dur_ctx
        self._parent._dur_ctx = self._spec
        self._parent._update_fast()
        return None

    def __exit__(self, *exc):
        self._parent._dur_ctx = self._saved
        self._parent._update_fast()
        return False
