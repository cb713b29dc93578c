"""The classic counters' argument rules (incr, decr, arithmetic and their _multi forms)."""
import numbers

from couchbase._classic.args import key_list, ttl as _ttl
from couchbase._core import batch as _batch
from couchbase._core import ops as _ops
from couchbase.exceptions import ArgumentError


def counter_args(amount, initial, ttl):
    """(signed amount, initial, create flag, ttl) from the arguments of one counter call."""
    if isinstance(amount, bool) or not isinstance(amount, numbers.Integral):
        raise ArgumentError.pyexc("amount must be an int", obj=amount)
    if initial is not None and (isinstance(initial, bool) or not isinstance(initial, numbers.Integral)
                                or not 0 <= initial < 2**64):
        raise ArgumentError.pyexc("initial must be a non-negative int", obj=initial)
    if abs(amount) >= 2**64:
        raise ArgumentError.pyexc("amount out of range", obj=amount)
    return int(amount), (0 if initial is None else int(initial)), int(initial is not None), _ttl(ttl)


def per_key(klist, keys, amount, initial, ttl, sign):
    """Rows (key, signed delta, initial, create, ttl) of a _multi counter call. A dict's
    values are an int (that key's amount, negated for decr) or ``{'delta': n, 'initial': x,
    'ttl': t}`` (``delta`` required and not negated)."""
    rows = []
    if not isinstance(keys, dict):
        a, i, c, t = counter_args(amount, initial, ttl)
        return [(k, a * sign, i, c, t) for k in klist]
    for k in klist:
        spec = keys[k]
        if isinstance(spec, dict):
            if "delta" not in spec:
                raise ArgumentError.pyexc("Per-key counter options need 'delta'", obj=spec)
            a, i, c, t = counter_args(spec["delta"], spec.get("initial", initial), spec.get("ttl", ttl))
        elif isinstance(spec, numbers.Integral) and not isinstance(spec, bool):
            a, i, c, t = counter_args(spec * sign, initial, ttl)
        else:
            raise ArgumentError.pyexc("Per-key counter value must be an int or a dict", obj=spec)
        rows.append((k, a, i, c, t))
    return rows


def arith_multi(conn, keys, amount, initial, ttl, sign):
    """incr_multi/decr_multi/arithmetic_multi: increments and decrements in one batch."""
    klist = key_list(keys)
    rows = per_key(klist, keys, amount, initial, ttl, sign)
    groups = [(_ops.BY_NAME[n], [r for r in rows if (r[1] >= 0) == up]) for n, up in (("incr", True), ("decr", False))]
    groups = [(op, g) for op, g in groups if g]
    wire, rkeys = conn._wire([r[0] for _op, g in groups for r in g])
    spans, at = [], 0
    for op, g in groups:
        spans.append((op.opcode, at, at + len(g), g))
        at += len(g)

    def add(batch):
        for opcode, lo, hi, g in spans:
            _batch.add_keys(batch, wire[lo:hi], opcode, expiry=[r[4] for r in g], delta=[abs(r[1]) for r in g],
                            initial=[r[2] for r in g], create=[r[3] for r in g])

    return conn._execute(rkeys, groups[0][0], add)
