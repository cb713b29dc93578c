"""Reduce functions (docs/protocol.md section 10.7): the built-ins, and JavaScript reduces run
in chunks with a rereduce step, the way a server combines the reductions of index pages."""

import numbers

BUILTINS = ("_count", "_sum", "_stats")
#: Rows per first-level reduce call of a JavaScript reduce; partial results are rereduced.
CHUNK = 64


class ReduceError(Exception):
    pass


def _numbers(values, name):
    for v in values:
        if isinstance(v, bool) or not isinstance(v, numbers.Number):
            raise ReduceError("Builtin %s function requires map values to be numbers, got %s"
                              % (name, _json_text(v)))
    return values


def _json_text(v):
    import json
    return json.dumps(v)


def _count(values):
    return len(values)


def _sum(values):
    return sum(_numbers(values, "_sum"))


def _stats(values):
    if not values:
        return {}
    vals = _numbers(values, "_stats")
    return {"sum": sum(vals), "count": len(vals), "min": min(vals), "max": max(vals),
            "sumsqr": sum(v * v for v in vals)}


_BUILTIN_FN = {"_count": _count, "_sum": _sum, "_stats": _stats}


def reduce_groups(spec, engine, groups):
    """One reduced value per group. ``groups`` is a list of lists of (key, docid, value);
    ``spec`` is a built-in name or a JavaScript reduce function's source."""
    fn = _BUILTIN_FN.get(spec)
    if fn is not None:
        return [fn([r[2] for r in g]) for g in groups]
    fid = engine.compile(spec)
    # first level: every group in chunks of CHUNK rows, all chunks in one engine call
    calls, owner = [], []
    for gi, g in enumerate(groups):
        if not g:
            calls.append([[], []])
            owner.append(gi)
        for i in range(0, len(g), CHUNK):
            part = g[i:i + CHUNK]
            calls.append([[[r[0], r[1]] for r in part], [r[2] for r in part]])
            owner.append(gi)
    partials = [[] for _ in groups]
    for gi, value in zip(owner, engine.reduce(fid, calls, False)):
        partials[gi].append(value)
    # rereduce until one value is left per group
    while True:
        todo = [gi for gi, p in enumerate(partials) if len(p) > 1]
        if not todo:
            break
        calls, owner = [], []
        for gi in todo:
            p = partials[gi]
            for i in range(0, len(p), CHUNK):
                calls.append([None, p[i:i + CHUNK]])
                owner.append(gi)
            partials[gi] = []
        for gi, value in zip(owner, engine.reduce(fid, calls, True)):
            partials[gi].append(value)
    return [p[0] for p in partials]
