"""Replica reads of the modern API: ``get_any_replica``, ``get_all_replicas``, their
``_multi`` forms, and ``lookup_in_any_replica``/``lookup_in_all_replicas``.

Every copy of a document (the active one with GET or a plain lookup, each placed replica
with GET_REPLICA or a lookup with the replica-read doc flag) is asked in one batch, run in
one C call. Copies the map does not place are not asked. Then:

* any: the first copy that answered, the active one first; DocumentUnretrievableException
  when none did;
* all: every copy that answered; DocumentNotFoundException when the document is missing
  everywhere, DocumentUnretrievableException when no copy could be read.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterator

    from couchbase._modern.results import GetReplicaResult, LookupInReplicaResult, MultiGetReplicaResult

from couchbase._core import batch as _batch
from couchbase._core import ops
from couchbase._core.binding import C
from couchbase._modern import subdoc as _subdoc
from couchbase._modern.kv import ERRORS, _check_key, _check_keys, _merge
from couchbase._modern.results import (
    GetReplicaResult, LookupInReplicaResult, MultiGetReplicaResult, _ReplicaMeta, _SubdocMeta,
)
from couchbase._modern.transcoders import JSONTranscoder
from couchbase.exceptions import (
    DocumentNotFoundException, DocumentUnretrievableException, InvalidArgumentException,
)
from couchbase.options import (
    GetAllReplicasMultiOptions, GetAllReplicasOptions, GetAnyReplicaMultiOptions, GetAnyReplicaOptions,
    LookupInAllReplicasOptions, LookupInAnyReplicaOptions,
)

_GET_CLASSES = (dict, GetReplicaResult, GetReplicaResult)
_LOOKUP_CLASSES = (dict, LookupInReplicaResult, LookupInReplicaResult)
_DEFAULT_JSON = JSONTranscoder()


def _copies(session, key):
    """The copies of `key` the map places: 0 (active) and the replica numbers."""
    kb = key.encode()
    return [0] + [i for i in range(1, session.replicas + 1) if session.map_key(kb, i)[1] >= 0]


def _read_copies(coll, keys, timeout):
    """{key: [(copy, GetReplicaResult)]} with every copy of every key read in one batch."""
    session = coll._session()
    plan, add = read_plan(session, coll._cid, keys)
    mres, _failed = session.execute([k for k, _c in plan], ops.GET, add, False, True,
                                    result_keys=list(range(len(plan))), classes=_GET_CLASSES, timeout=timeout)
    return read_answers(keys, plan, mres)


def read_plan(session, cid, keys):
    """([(key, copy)], add(batch)): the reads of every copy of every key, in one batch."""
    plan = [(k, c) for k in keys for c in _copies(session, k)]

    def add(batch):
        for k, c in plan:
            if c:
                _batch.add_keys(batch, [k], ops.GET_REPLICA.opcode, 0, 0, cid, c, errors=ERRORS)
            else:
                _batch.add_keys(batch, [k], ops.GET.opcode, 0, 0, cid, errors=ERRORS)

    return plan, add


def read_answers(keys, plan, mres):
    """{key: [(copy, GetReplicaResult)]} of the results (keyed by position) of a read plan."""
    out = {k: [] for k in keys}
    for i, (k, c) in enumerate(plan):
        r = mres[i]
        r.key = k
        out[k].append((c, r))
    return out


def _transcoder(coll, o):
    tc = o.get("transcoder") if o else None
    return tc or coll._tc or _DEFAULT_JSON


def _any(key, answers, tc):
    for copy, r in answers:
        if not r.rc:
            r._extra = _ReplicaMeta(tc, copy > 0)
            return r
    raise DocumentUnretrievableException("No copy of the document could be read.", key=key,
                                         rc=answers[0][1].rc if answers else 0)


def _all(key, answers, tc):
    found = []
    for copy, r in answers:
        if not r.rc:
            r._extra = _ReplicaMeta(tc, copy > 0)
            found.append(r)
    if found:
        return found
    if any(r.rc == C.KEY_ENOENT for _c, r in answers):
        raise DocumentNotFoundException("The document does not exist.", key=key, rc=C.KEY_ENOENT)
    raise DocumentUnretrievableException("No copy of the document could be read.", key=key)


def single_args(key, opts, kwargs, valid, name):
    """The options of a replica read of one key, checked with the key."""
    o = _merge(opts, kwargs)
    if o:
        _check_keys(o, valid, name)
    _check_key(key)
    return o


def get_any_replica(coll, key, opts, kwargs) -> GetReplicaResult:
    o = single_args(key, opts, kwargs, GetAnyReplicaOptions._valid, "get_any_replica")
    return _any(key, _read_copies(coll, [key], coll._timeout(o))[key], _transcoder(coll, o))


def get_all_replicas(coll, key, opts, kwargs) -> Iterator[GetReplicaResult]:
    """A generator of GetReplicaResult, one per copy that answered."""
    o = single_args(key, opts, kwargs, GetAllReplicasOptions._valid, "get_all_replicas")
    found = _all(key, _read_copies(coll, [key], coll._timeout(o))[key], _transcoder(coll, o))
    return (r for r in found)


def _multi(coll, keys, opts, kwargs, valid, name, pick):
    o = multi_args(keys, opts, kwargs, valid, name)
    return multi_result(coll, o, _read_copies(coll, keys, coll._timeout(o)), pick)


def multi_args(keys, opts, kwargs, valid, name):
    """The options of a replica read of several keys, checked with the keys."""
    o = _merge(opts, kwargs)
    if o:
        _check_keys(o, valid, name)
    if not isinstance(keys, list):
        raise InvalidArgumentException("keys must be a list of str.")
    for k in keys:
        _check_key(k)
    return o


def multi_result(coll, o, copies, pick):
    """MultiGetReplicaResult of {key: [(copy, result)]}, each key's picked by `pick`."""
    tc = _transcoder(coll, o)
    results, errors = {}, {}
    for k, answers in copies.items():
        try:
            results[k] = pick(k, answers, tc)
        except (DocumentNotFoundException, DocumentUnretrievableException) as e:
            errors[k] = e
    if errors and o and o.get("return_exceptions") is False:
        raise next(iter(errors.values()))
    return MultiGetReplicaResult(results, errors)


def get_any_replica_multi(coll, keys, opts, kwargs) -> MultiGetReplicaResult:
    return _multi(coll, keys, opts, kwargs, GetAnyReplicaMultiOptions._valid, "get_any_replica_multi", _any)


def get_all_replicas_multi(coll, keys, opts, kwargs) -> MultiGetReplicaResult:
    return _multi(coll, keys, opts, kwargs, GetAllReplicasMultiOptions._valid, "get_all_replicas_multi", _all)


def _lookup_copies(coll, key, spec, o, valid, name):
    session = coll._session()
    copies, add, order, specs = lookup_plan(session, coll._cid, key, spec, o, valid, name)
    mres, _failed = session.execute([key] * len(copies), _subdoc.LOOKUP, add, False, True,
                                    result_keys=list(range(len(copies))), classes=_LOOKUP_CLASSES,
                                    timeout=coll._timeout(o))
    return lookup_answers(key, copies, mres, order, specs)


def lookup_plan(session, cid, key, spec, o, valid, name):
    """(copies, add(batch), order, specs): a lookup of every copy of `key`, in one batch."""
    if o:
        _check_keys(o, valid, name)
    _check_key(key)
    body, order, specs = _subdoc.lookup_request(spec)
    copies = _copies(session, key)

    def add(batch):
        for c in copies:
            _batch.add_subdoc(batch, key, _subdoc.LOOKUP.opcode, body,
                              bytes((_subdoc.DOC_REPLICA_READ,)) if c else b"", 0, cid, 0, 0, c, ERRORS)

    return copies, add, order, specs


def lookup_answers(key, copies, mres, order, specs):
    """[(copy, LookupInReplicaResult)] of the results (keyed by position) of a lookup plan."""
    answers = []
    for i, c in enumerate(copies):
        r = mres[i]
        r.key = key
        if r.rc in (0, C.SUBDOC_MULTI_FAILURE):
            r.rc = 0
            r._extra = _SubdocMeta(specs, order, c > 0)
        answers.append((c, r))
    return answers


def lookup_in_any_replica(coll, key, spec, opts, kwargs) -> LookupInReplicaResult:
    return lookup_any(key, _lookup_copies(coll, key, spec, _merge(opts, kwargs), LookupInAnyReplicaOptions._valid,
                                          "lookup_in_any_replica"))


def lookup_any(key, answers) -> LookupInReplicaResult:
    """lookup_in_any_replica's result: the first copy that answered."""
    for _c, r in answers:
        if not r.rc:
            return r
    raise DocumentUnretrievableException("No copy of the document could be read.", key=key)


def lookup_in_all_replicas(coll, key, spec, opts, kwargs) -> Iterator[LookupInReplicaResult]:
    return lookup_all(key, _lookup_copies(coll, key, spec, _merge(opts, kwargs), LookupInAllReplicasOptions._valid,
                                          "lookup_in_all_replicas"))


def lookup_all(key, answers) -> Iterator[LookupInReplicaResult]:
    """lookup_in_all_replicas's result: a generator of every copy that answered."""
    found = [r for _c, r in answers if not r.rc]
    if found:
        return (r for r in found)
    if any(r.rc == C.KEY_ENOENT for _c, r in answers):
        raise DocumentNotFoundException("The document does not exist.", key=key, rc=C.KEY_ENOENT)
    raise DocumentUnretrievableException("No copy of the document could be read.", key=key)
