"""Sub-document requests of the modern API: ``lookup_in`` and ``mutate_in``.

Three separate steps, so that another face (asyncio) can reuse the first and the last:

* build: specs -> the request body and extras (``lookup_request``, ``mutation_request``);
* run: one native call on the bucket's session (``Session.run_single`` with the
  ``add_subdoc`` adder and the ``subdoc`` result kind), with the retries of single
  operations (``run``);
* finish: the answer -> a LookupInResult/MutateInResult, or the exception (``finish_*``).

Xattr specs must precede body specs on the wire; specs given in another order are sent
xattrs first and their results are put back in the caller's order.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional

    from couchbase._modern.results import LookupInResult, MutateInResult

import json
import struct
import time

from couchbase import exceptions as _exc
from couchbase._core import ops
from couchbase._core.binding import C
from couchbase._core.protocol import code_for_status
from couchbase._core.batch import PRESERVE_TTL
from couchbase._modern.kv import (
    ERRORS, _RETRY, RetryLog, _cas_arg, _check_key, _check_keys, _exception as _kv_exception, _merge, retried_out,
)
from couchbase._modern.results import LookupInResult, MutateInResult, _SubdocMeta, raw_body
from couchbase.durability import ClientDurability
from couchbase.exceptions import InvalidArgumentException
from couchbase.options import LookupInOptions, MutateInOptions, expiry_to_wire
from couchbase.subdocument import ArrayValues, StoreSemantics, SubDocOp

_LOOKUP_WIRE = {SubDocOp.GET_DOC: 0x00, SubDocOp.GET: 0xC5, SubDocOp.EXISTS: 0xC6, SubDocOp.GET_COUNT: 0xD2}
_MUTATION_OPS = frozenset((SubDocOp.SET_DOC, SubDocOp.REMOVE_DOC, SubDocOp.DICT_ADD, SubDocOp.DICT_UPSERT,
                           SubDocOp.REMOVE, SubDocOp.REPLACE, SubDocOp.ARRAY_PUSH_LAST, SubDocOp.ARRAY_PUSH_FIRST,
                           SubDocOp.ARRAY_INSERT, SubDocOp.ARRAY_ADD_UNIQUE, SubDocOp.COUNTER))
_NO_VALUE = frozenset((SubDocOp.REMOVE, SubDocOp.REMOVE_DOC))
MAX_SPECS = 16

# path flags and doc flags (docs/protocol.md section 2.2.18)
PATH_MKDIR_P = 0x01
PATH_XATTR = 0x04
PATH_EXPAND_MACROS = 0x10
DOC_MKDOC = 0x01
DOC_ADD = 0x02
DOC_ACCESS_DELETED = 0x04
DOC_CREATE_AS_DELETED = 0x08
DOC_REPLICA_READ = 0x20

_LOOKUP_SPEC = struct.Struct(">BBH")
_MUTATION_SPEC = struct.Struct(">BBHI")
_EXPIRY = struct.Struct(">I")

LOOKUP_CLASSES = _LOOKUP_CLASSES = (dict, LookupInResult, LookupInResult)
_MUTATION_CLASSES = (dict, MutateInResult, MutateInResult)

#: encoded lookups by spec list: applications repeat the same few lookups
_LOOKUP_CACHE: Dict[Any, Any] = {}
_CACHE_MAX = 512


def _specs_list(specs):
    if isinstance(specs, tuple) and specs and not isinstance(specs[0], tuple):
        specs = [specs]  # one spec given alone
    if not isinstance(specs, (list, tuple)):
        raise InvalidArgumentException("Specs must be a list or tuple of sub-document specs.")
    if not 1 <= len(specs) <= MAX_SPECS:
        raise InvalidArgumentException("A sub-document request takes 1 to %d specs, got %d." % (MAX_SPECS, len(specs)))
    return specs


def _path(spec):
    path = spec[1]
    if not isinstance(path, str):
        raise InvalidArgumentException("A sub-document path must be a str, not %s." % type(path).__name__)
    return path.encode()


def _ordered(parts, xattrs):
    """(parts in wire order, position -> spec index or None): xattr specs first."""
    if not any(xattrs) or all(xattrs[:xattrs.count(True)]):
        return parts, None
    order = tuple([i for i, x in enumerate(xattrs) if x] + [i for i, x in enumerate(xattrs) if not x])
    return [parts[i] for i in order], order


def lookup_request(specs):
    """(body, order, specs) of a SUBDOC_MULTI_LOOKUP for these specs."""
    specs = _specs_list(specs)
    key = tuple(specs)
    try:
        hit = _LOOKUP_CACHE.get(key)
    except TypeError:  # a spec with an unhashable element: checked below
        hit = key = None
    if hit is not None:
        return hit
    parts = []
    xattrs = []
    for spec in specs:
        if not isinstance(spec, tuple) or len(spec) < 2 or spec[0] not in _LOOKUP_WIRE:
            raise InvalidArgumentException("%r is not a lookup spec." % (spec,))
        path = _path(spec)
        xattr = bool(spec[2]) if len(spec) > 2 else False
        parts.append(_LOOKUP_SPEC.pack(_LOOKUP_WIRE[spec[0]], PATH_XATTR if xattr else 0, len(path)) + path)
        xattrs.append(xattr)
    parts, order = _ordered(parts, xattrs)
    out = (b"".join(parts), order, key if key is not None else tuple(specs))
    if key is not None:
        if len(_LOOKUP_CACHE) >= _CACHE_MAX:
            _LOOKUP_CACHE.clear()
        _LOOKUP_CACHE[key] = out
    return out


def _json(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _value_bytes(op, value):
    if op in _NO_VALUE:
        return b""
    if op == SubDocOp.COUNTER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidArgumentException("A counter delta must be an int.")
        return str(value).encode()
    try:
        if isinstance(value, ArrayValues):
            return b",".join(_json(v) for v in value)
        return _json(value)
    except (TypeError, ValueError) as e:
        raise _exc.ValueFormatException("Cannot encode the sub-document value as JSON.", inner_cause=e) from None


def mutation_request(specs):
    """(body, order, specs) of a SUBDOC_MULTI_MUTATION for these specs."""
    specs = _specs_list(specs)
    parts = []
    xattrs = []
    for spec in specs:
        if not isinstance(spec, tuple) or len(spec) < 5 or spec[0] not in _MUTATION_OPS:
            raise InvalidArgumentException("%r is not a mutation spec." % (spec,))
        op = spec[0]
        path = _path(spec)
        xattr = bool(spec[3])
        flags = (PATH_MKDIR_P if spec[2] else 0) | (PATH_XATTR if xattr else 0) | \
            (PATH_EXPAND_MACROS if spec[4] else 0)
        value = _value_bytes(op, spec[5] if len(spec) > 5 else None)
        parts.append(_MUTATION_SPEC.pack(op, flags, len(path), len(value)) + path + value)
        xattrs.append(xattr)
    parts, order = _ordered(parts, xattrs)
    return b"".join(parts), order, tuple(specs)


def mutation_extras(expiry, semantics, access_deleted, create_as_deleted):
    """The extras of a SUBDOC_MULTI_MUTATION: the expiry when set, then the doc flags when any."""
    docflags = 0
    if semantics is not None and semantics != StoreSemantics.REPLACE:
        if semantics == StoreSemantics.UPSERT:
            docflags = DOC_MKDOC
        elif semantics == StoreSemantics.INSERT:
            docflags = DOC_ADD
        else:
            raise InvalidArgumentException("store_semantics must be a StoreSemantics, got %r." % (semantics,))
    if access_deleted:
        docflags |= DOC_ACCESS_DELETED
    if create_as_deleted:
        docflags |= DOC_CREATE_AS_DELETED
    out = _EXPIRY.pack(expiry) if expiry else b""
    return out + bytes((docflags,)) if docflags else out


def run(coll, op, key, body, extras, cas, durability, durability_timeout, timeout, name, mutation, classes,
        missing_ok=False):
    """Run one sub-document request with the retries of single operations; returns the
    result (rc 0 or SUBDOC_MULTI_FAILURE, or KEY_ENOENT when `missing_ok`) or raises the
    operation's exception."""
    session = coll._session()
    keys = [key]
    deadline = time.monotonic() + timeout
    left = timeout
    refreshed = False
    pause = 0.005
    retries = None
    while True:
        res, _failed = session.run_single(
            keys, op, 2, (key, op.opcode, body, extras, cas, coll._cid, durability, durability_timeout, 0, ERRORS),
            True, classes, left)
        rc = res.rc
        if not rc or rc == C.SUBDOC_MULTI_FAILURE or (missing_ok and rc == C.KEY_ENOENT):
            return res
        if rc in _RETRY:
            left = deadline - time.monotonic()
            if left > pause:
                time.sleep(pause)
                pause = min(pause * 2, 0.1)
                left = deadline - time.monotonic()
                retries = RetryLog.after(retries, rc)
                continue
            raise retried_out(rc, key, name, mutation, res, coll, retries, _exception)
        if rc == C.UNKNOWN_COLLECTION and not refreshed and coll._cid:
            refreshed = True
            if coll._refresh_cid(timeout):
                left = max(0.001, deadline - time.monotonic())
                retries = RetryLog.after(retries, rc)
                continue
        raise _exception(rc, key, name, mutation, res, coll, retries)


def _exception(rc, key, name, mutation, result=None, coll=None, retries=None):
    """The modern exception of a failed sub-document request: the key-value one
    (couchbase._modern.kv._exception) with a SubdocumentErrorContext."""
    return _kv_exception(rc, key, name, mutation, result, coll, retries, _exc.SubdocumentErrorContext)


def finish_lookup(res, order, specs, replica=False):
    """The LookupInResult of a lookup's answer (a document found, whatever its paths)."""
    res._extra = _SubdocMeta(specs, order, replica)
    return res


def finish_mutation(res, order, specs, key, bucket, insert):
    """The MutateInResult of a mutation's answer, or the exception of the spec that failed."""
    if res.rc:  # SUBDOC_MULTI_FAILURE: index u8, status u16 of the first failing spec
        body = raw_body(res)
        if len(body) >= 3:
            index, status = struct.unpack_from(">BH", body)
            spec_index = order[index] if order and index < len(order) else index
            path = specs[spec_index][1] if spec_index < len(specs) else None
            e = _exc.exception_for(_exc.MODERN, code_for_status(status), key=key, op="mutate_in",
                                   context=_exc.SubdocumentErrorContext(
                                       key=key, bucket_name=bucket, status_code=status, first_error_index=spec_index,
                                       first_error_path=path))
            raise e
        raise _exception(res.rc, key, "mutate_in", True, res)
    res._extra = _SubdocMeta(specs, order, False, bucket)
    return res


# ---- the Collection methods ----

def lookup_in(coll, key, spec, opts, kwargs) -> LookupInResult:
    """Collection.lookup_in: LookupInResult (DocumentNotFoundException when missing)."""
    body, extras, timeout, order, specs = lookup_in_args(coll, key, spec, opts, kwargs)
    res = run(coll, LOOKUP, key, body, extras, 0, 0, 0, timeout, "lookup_in", False, _LOOKUP_CLASSES)
    res._extra = _SubdocMeta(specs, order)
    return res


def lookup_in_args(coll, key, spec, opts, kwargs):
    """lookup_in's request: (body, extras, timeout, order, specs)."""
    o = _merge(opts, kwargs)
    extras = b""
    if o:
        _check_keys(o, LookupInOptions._valid, "lookup_in")
        if o.get("access_deleted"):
            extras = b"\x04"
    _check_key(key)
    body, order, specs = lookup_request(spec)
    return body, extras, coll._timeout(o), order, specs


def mutate_in(coll, key, spec, opts, kwargs) -> MutateInResult:
    """Collection.mutate_in: MutateInResult, or the exception of the first spec that failed."""
    a = mutate_in_args(coll, key, spec, opts, kwargs)
    body, extras, cas, durability, dto, timeout, name, order, specs, client, insert = a
    res = run(coll, MUTATION, key, body, extras, cas, durability, dto, timeout, name, True, _MUTATION_CLASSES)
    res = finish_mutation(res, order, specs, key, coll._bucket_name, insert)
    if client is not None:
        coll._observe(res, key, client, timeout)
    return res


def mutate_in_args(coll, key, spec, opts, kwargs):
    """mutate_in's request: (body, extras, cas, durability, durability_timeout, timeout, name,
    order, specs, ClientDurability or None, insert semantics?)."""
    o = _merge(opts, kwargs)
    _check_key(key)
    exp = cas = 0
    semantics = None
    dur = None
    durability = dto = 0
    extras = b""
    if o:
        _check_keys(o, MutateInOptions._valid, "mutate_in")
        if "expiry" in o:
            exp = expiry_to_wire(o["expiry"])
        if "cas" in o:
            cas = _cas_arg(o["cas"])
        semantics = o.get("store_semantics")
        if semantics == StoreSemantics.INSERT and cas:
            raise InvalidArgumentException("Cannot use cas with the INSERT store semantics.")
        extras = mutation_extras(exp, semantics, o.get("access_deleted"), o.get("create_as_deleted"))
        if o.get("preserve_expiry"):
            durability = PRESERVE_TTL
        dur = o.get("durability")
    body, order, specs = mutation_request(spec)
    timeout = coll._timeout(o, durable=dur is not None and not isinstance(dur, ClientDurability))
    client = None
    if dur is not None:
        level, dto, client = coll._durability(o, timeout)
        durability |= level
    name = "insert" if semantics == StoreSemantics.INSERT else "mutate_in"
    return body, extras, cas, durability, dto, timeout, name, order, specs, client, semantics == StoreSemantics.INSERT


# ---- get(project=[...]): the listed paths, through a lookup ----

def _path_parts(path):
    """``a.b[2]`` -> ['a', 'b', 2] (backtick-quoted names kept whole)."""
    parts = []
    name = []
    i, n = 0, len(path)
    while i < n:
        ch = path[i]
        if ch == "`":
            j = path.find("`", i + 1)
            if j < 0:
                raise InvalidArgumentException("Unterminated backtick in path %r." % path)
            name.append(path[i + 1:j])
            i = j + 1
        elif ch == ".":
            parts.append("".join(name))
            name = []
            i += 1
        elif ch == "[":
            if name:
                parts.append("".join(name))
                name = []
            j = path.find("]", i)
            if j < 0 or not path[i + 1:j].lstrip("-").isdigit():
                raise InvalidArgumentException("Invalid array index in path %r." % path)
            parts.append(int(path[i + 1:j]))
            i = j + 1
            if i < n and path[i] == ".":
                i += 1
        else:
            name.append(ch)
            i += 1
    if name:
        parts.append("".join(name))
    return parts


def _place(doc, parts, value):
    """Put `value` at `parts` in `doc`, creating the objects and arrays on the way; an array
    element is appended to its (new) array, as the 4.x SDK does."""
    cur = doc
    for i, p in enumerate(parts):
        last = i == len(parts) - 1
        nxt = value if last else ([] if isinstance(parts[i + 1], int) else {})
        if isinstance(p, int):
            if not isinstance(cur, list):
                return
            cur.append(nxt)
            cur = nxt
        else:
            if not isinstance(cur, dict):
                return
            if last or p not in cur:
                cur[p] = nxt
            cur = cur[p]


def _pick(doc, parts):
    cur = doc
    for p in parts:
        if isinstance(p, int):
            if not isinstance(cur, list) or not -len(cur) <= p < len(cur):
                return _MISSING
        elif not isinstance(cur, dict) or p not in cur:
            return _MISSING
        cur = cur[p]
    return cur


_MISSING = object()
_EXPIRY_SPEC = (SubDocOp.GET, "$document.exptime", True)


def get_projected(coll, key, project, with_expiry, timeout):
    """(document bytes, cas, expiry or None) of the `project` paths of `key`: one lookup of the
    paths when they fit in one request, else the whole document, projected here."""
    plan = projection(project, with_expiry)
    res = run(coll, LOOKUP, key, plan[2], b"", 0, 0, 0, timeout, "get", False, _LOOKUP_CLASSES)
    return projected(res, plan, with_expiry)


def projection(project, with_expiry):
    """get(project=...)'s request: (wanted paths, whole document?, body, order, specs)."""
    if isinstance(project, str) or not isinstance(project, (list, tuple)) or \
            not all(isinstance(p, str) for p in project):
        raise InvalidArgumentException("project must be a list of str.")
    wanted = [(p, _path_parts(p)) for p in project]
    extra = [_EXPIRY_SPEC] if with_expiry else []
    whole = len(project) + len(extra) > MAX_SPECS
    specs = extra + ([(SubDocOp.GET_DOC, "", False)] if whole else [(SubDocOp.GET, p, False) for p in project])
    body, order, specs = lookup_request(specs)
    return wanted, whole, body, order, specs


def projected(res, plan, with_expiry):
    """(document bytes, cas, expiry or None) of the lookup `res` of a projection `plan`."""
    wanted, whole, _body, order, specs = plan
    res._extra = _SubdocMeta(specs, order)
    fields = res._fields()
    expiry = None
    if with_expiry:
        status, raw = fields[0]
        expiry = int(raw) if status == 0 and raw else 0
        fields = fields[1:]
    doc = {}
    if whole:
        status, raw = fields[0]
        full = json.loads(raw) if status == 0 and raw else {}
        for _p, parts in wanted:
            value = _pick(full, parts)
            if value is not _MISSING:
                _place(doc, parts, value)
    else:
        for (_p, parts), (status, raw) in zip(wanted, fields):
            if status == 0:
                _place(doc, parts, json.loads(raw))
    return _json(doc), res.cas, expiry


__all__ = ["lookup_request", "mutation_request", "mutation_extras", "run", "finish_lookup", "finish_mutation",
           "lookup_in_args", "mutate_in_args", "projection", "projected",
           "LOOKUP", "MUTATION", "DOC_ACCESS_DELETED", "DOC_REPLICA_READ"]

LOOKUP = ops.SUBDOC_LOOKUP
MUTATION = ops.SUBDOC_MUTATION
