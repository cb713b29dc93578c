"""The _multi calls given an ItemCollection (couchbase.items): per-Item options, one batch,
and the results written into the Items themselves.

Results are keyed by position while the batch is built, so two Items with one key never
warn; the MultiResult returned maps each key to its (last) Item.
"""
from couchbase._classic import args as _args
from couchbase._core import batch as _batch
from couchbase._core import ops as _ops
from couchbase.exceptions import ArgumentError
from couchbase.items import ItemCollection
from couchbase.result import MultiResult, OperationResult, ValueResult

_CLASSES = (MultiResult, ValueResult, OperationResult)
_STORE_OPTIONS = frozenset(("ttl", "format", "ignore_cas", "fragment"))
_KEY_OPTIONS = {"get": frozenset(("ttl",)), "touch": frozenset(("ttl",)), "lock": frozenset(("ttl",)),
                "delete": frozenset(("ignore_cas",)), "unlock": frozenset(("ignore_cas",)),
                "counter": frozenset(("delta", "amount", "initial", "ttl"))}


def is_items(obj):
    return isinstance(obj, ItemCollection)


def _entries(items, allowed, fragment_required=False):
    """[(item, options dict)] with the options checked against `allowed`."""
    out = []
    for pair in items:
        try:
            itm, opts = pair
        except (TypeError, ValueError):
            raise ArgumentError.pyexc("An ItemCollection must yield (item, options) pairs", obj=pair)
        opts = opts or {}
        if not isinstance(opts, dict):
            raise ArgumentError.pyexc("Item options must be a dict", obj=opts)
        bad = set(opts) - allowed
        if bad:
            what = "fragment is only for append/prepend" if "fragment" in bad else \
                "Unknown item option(s) %s" % ", ".join(sorted(map(str, bad)))
            raise ArgumentError.pyexc(what, obj=itm)
        if fragment_required and "fragment" not in opts:
            raise ArgumentError.pyexc("append/prepend items need a 'fragment' option", obj=itm)
        out.append((itm, opts))
    if not out:
        raise ArgumentError.pyexc("Key list is empty", obj=items)
    return out


def _finish(conn, entries, order, op, out, failed, quiet, write):
    """Write the results into the Items; raise the first failure as the call would."""
    mres = MultiResult()
    for pos in order:
        itm = entries[pos][0]
        r = out[pos]
        itm.rc = r.rc
        if r.rc == 0:
            write(itm, r)
        mres[itm.key] = itm
    if failed:
        bad = []
        for r in failed:
            itm = entries[r.key][0]
            itm._extra = r._extra
            itm._csrc = r._csrc
            if r.rc == 0:  # a value that would not decode: the raw bytes, as a plain result has
                itm.value = r.value
            bad.append(itm)
        conn._check(bad, op, quiet, mres)
    return mres


def _write_store(itm, r):
    itm.cas = r.cas


def _write_value(itm, r):
    itm.value = r.value
    itm.flags = r.flags
    itm.cas = r.cas


def store(conn, name, items, ttl, format, persist_to, replicate_to):
    op = _ops.BY_NAME[name]
    appending = name in ("append", "prepend")
    entries = _entries(items, _STORE_OPTIONS - (set() if appending else {"fragment"}), appending)
    durable = conn._durable(persist_to, replicate_to)
    keys = [itm.key for itm, _ in entries]
    wire = conn._keys_for_wire(keys)
    groups = []  # runs of consecutive items sharing a format: (fmt, encoder, [positions])
    values, ttls, cas = [], [], []
    for pos, (itm, opts) in enumerate(entries):
        fmt, enc = conn._encoder_for(name, opts.get("format", format))
        values.append(opts["fragment"] if appending else itm.value)
        ttls.append(_args.ttl(opts.get("ttl", ttl)))
        cas.append(0 if opts.get("ignore_cas") else _args.cas(itm.cas))
        if groups and groups[-1][0] is fmt and groups[-1][1] is enc:
            groups[-1][2].append(pos)
        else:
            groups.append((fmt, enc, [pos]))
    legacy = conn._legacy

    def add(batch):
        for fmt, enc, ps in groups:
            _batch.add_items(batch, [wire[p] for p in ps], [values[p] for p in ps], op.opcode, fmt,
                             expiry=[ttls[p] for p in ps], cas=[cas[p] for p in ps], encoder=enc,
                             legacy_flags=legacy)

    order = list(range(len(entries)))
    out, failed = conn._session.execute(keys, op, add, result_keys=order, classes=_CLASSES)
    mres = _finish(conn, entries, order, op, out, failed, False, _write_store)
    if appending:
        for itm, opts in entries:
            if itm.rc == 0 and isinstance(itm.value, (str, bytes)) and type(itm.value) is type(opts["fragment"]):
                itm.value = itm.value + opts["fragment"] if name == "append" else opts["fragment"] + itm.value
    if durable[0] or durable[1]:
        conn._endure_results({itm.key: itm.cas for itm, _ in entries}, durable)
    return mres


def keyed(conn, name, items, quiet=None, ttl=0, amount=1, initial=None):
    """get/touch/lock/delete/unlock/incr/decr over Items (`name` is the method's)."""
    kind = "counter" if name in ("incr", "decr", "arithmetic") else name
    entries = _entries(items, _KEY_OPTIONS[kind])
    keys = [itm.key for itm, _ in entries]
    wire = conn._keys_for_wire(keys)
    groups = {}  # op name -> [(position, expiry, cas, delta, initial, create)]
    for pos, (itm, opts) in enumerate(entries):
        exp = _args.ttl(opts.get("ttl", ttl))
        if kind == "get":
            groups.setdefault("gat" if exp else "get", []).append((pos, exp, 0, 0, 0, 0))
        elif kind == "lock":
            groups.setdefault("lock", []).append((pos, exp, 0, 0, 0, 0))
        elif kind == "touch":
            groups.setdefault("touch", []).append((pos, exp, 0, 0, 0, 0))
        elif kind in ("delete", "unlock"):
            c = 0 if opts.get("ignore_cas") else _args.cas(itm.cas)
            if kind == "unlock" and not c:
                raise ArgumentError.pyexc("CAS must be specified for unlock", obj=itm)
            groups.setdefault(kind, []).append((pos, 0, c, 0, 0, 0))
        else:
            delta = opts.get("delta", opts.get("amount", amount))
            delta, init, create, exp = conn._counter_args(delta, opts.get("initial", initial), exp)
            if name == "decr" and "delta" not in opts:
                delta = -delta
            groups.setdefault("incr" if delta >= 0 else "decr", []).append((pos, exp, 0, abs(delta), init, create))
    if kind in ("lock", "unlock"):
        conn._bootstrap_required(kind)
    order = [g[0] for rows in groups.values() for g in rows]

    def add(batch):
        for opname, rows in groups.items():
            _batch.add_keys(batch, [wire[r[0]] for r in rows], _ops.BY_NAME[opname].opcode,
                            expiry=[r[1] for r in rows], cas=[r[2] for r in rows], delta=[r[3] for r in rows],
                            initial=[r[4] for r in rows], create=[r[5] for r in rows])

    op = _ops.BY_NAME[next(iter(groups))]
    out, failed = conn._session.execute(keys, op, add, result_keys=order, classes=_CLASSES)
    write = _write_value if op.kind in ("value", "counter") else _write_store
    q = conn._quiet_for(quiet) if op.quiet_ok else False
    return _finish(conn, entries, order, op, out, failed, q, write)


def cas_map(items):
    """{key: cas} of an ItemCollection (for endure_multi)."""
    return {itm.key: itm.cas for itm, _opts in _entries(items, frozenset(("ignore_cas",)))}
