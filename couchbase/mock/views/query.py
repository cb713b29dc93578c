"""View query parameters (docs/protocol.md section 10.2) and the rows they select."""

import bisect
import json

from .. import codec
from .collation import sort_key
from .reduce import reduce_groups

STALE = ("false", "ok", "update_after")
_BOOL = {"true": True, "false": False}
_ALIASES = {"start_key": "startkey", "end_key": "endkey", "start_key_doc_id": "startkey_docid",
            "end_key_doc_id": "endkey_docid"}
_INF = float("inf")


class QueryError(Exception):
    """A 400 query_parse_error."""


class _Top:
    """Greater than any document id."""

    def __lt__(self, other):
        return False

    def __gt__(self, other):
        return True

    __le__ = __lt__
    __ge__ = __gt__


TOP = _Top()


class Params:
    """Parsed and checked parameters of one query."""

    def __init__(self, raw, body_keys=None):
        p = {}
        for k, v in raw.items():
            p[_ALIASES.get(k, k)] = v
        self.stale = p.get("stale", "update_after")
        if self.stale not in STALE:
            raise QueryError("Invalid value for parameter `stale`: %r, expected one of %s"
                             % (self.stale, ", ".join(STALE)))
        self.descending = self._bool(p, "descending", False)
        self.inclusive_end = self._bool(p, "inclusive_end", True)
        self.full_set = self._bool(p, "full_set", False)
        self.debug = self._bool(p, "debug", False)
        self.reduce = self._bool(p, "reduce", None)
        self.group = self._bool(p, "group", None)
        self.group_level = self._int(p, "group_level", None)
        self.limit = self._int(p, "limit", None)
        self.skip = self._int(p, "skip", 0)
        self.connection_timeout = self._int(p, "connection_timeout", 60000)
        self.on_error = p.get("on_error", "continue")
        if self.on_error not in ("continue", "stop"):
            raise QueryError("Invalid value for parameter `on_error`: %r" % self.on_error)
        self.key = self._json(p, "key")
        self.keys = self._json(p, "keys")
        if body_keys is not None:
            self.keys = body_keys
        if self.keys is not _MISSING and not isinstance(self.keys, list):
            raise QueryError("`keys` must be a JSON array")
        self.startkey = self._json(p, "startkey")
        self.endkey = self._json(p, "endkey")
        if self.key is not _MISSING:
            if self.keys is not _MISSING:
                raise QueryError("`key` and `keys` cannot be used together")
            self.startkey = self.endkey = self.key
        if self.keys is not _MISSING and (self.startkey is not _MISSING or self.endkey is not _MISSING):
            raise QueryError("`keys` cannot be used together with `startkey` or `endkey`")
        self.startkey_docid = p.get("startkey_docid")
        self.endkey_docid = p.get("endkey_docid")
        if self.group is not None and self.group_level is not None:
            raise QueryError("`group` and `group_level` cannot be used together")

    @staticmethod
    def _bool(p, name, default):
        v = p.get(name)
        if v is None:
            return default
        if v not in _BOOL:
            raise QueryError("Invalid value for boolean parameter `%s`: %r" % (name, v))
        return _BOOL[v]

    @staticmethod
    def _int(p, name, default):
        v = p.get(name)
        if v is None:
            return default
        if not v.isdigit():
            raise QueryError("Invalid value for non-negative integer parameter `%s`: %r" % (name, v))
        return int(v)

    @staticmethod
    def _json(p, name):
        v = p.get(name)
        if v is None:
            return _MISSING
        try:
            return json.loads(v)
        except ValueError:
            raise QueryError("Invalid JSON value for parameter `%s`: %r" % (name, v))

    def check_view(self, view):
        """Checks that need the view: reduce and grouping."""
        if view.reduce is None:
            if self.reduce:
                raise QueryError("Invalid URL parameter `reduce` for map view.")
            if self.group is not None or self.group_level is not None:
                raise QueryError("Invalid URL parameter `group` or `group_level` for non-reduce view.")
            return False
        reducing = self.reduce is not False
        if not reducing and (self.group is not None or self.group_level is not None):
            raise QueryError("Query parameter `group` or `group_level` is invalid with reduce=false")
        if reducing and self.keys is not _MISSING and not self.group and self.group_level is None:
            raise QueryError("Multi-key fetches for reduce views must use `group=true`")
        return reducing


class _Missing:
    def __repr__(self):
        return "<missing>"


_MISSING = _Missing()


def _range(rows, params):
    """(lo, hi) indices of the rows the key range selects, in ascending order."""
    sk, ek = params.startkey, params.endkey
    sdoc, edoc = params.startkey_docid, params.endkey_docid
    if params.descending:
        sk, ek, sdoc, edoc = ek, sk, edoc, sdoc     # sk/sdoc is now the low end
        low_inclusive, high_inclusive = params.inclusive_end, True
    else:
        low_inclusive, high_inclusive = True, params.inclusive_end
    if sk is not _MISSING and ek is not _MISSING:
        a, b = (sort_key(sk), sdoc or ""), (sort_key(ek), edoc if edoc is not None else TOP)
        if a > b:
            raise QueryError("No rows can match your key range, reverse your start_key and end_key "
                             "or set descending=%s" % ("false" if params.descending else "true"))
    lo, hi = 0, len(rows)
    if sk is not _MISSING:
        k = sort_key(sk)
        if low_inclusive:
            probe = (k, sdoc) if sdoc is not None else (k,)
            lo = bisect.bisect_left(rows, probe)
        else:
            probe = (k, sdoc, _INF) if sdoc is not None else (k, TOP)
            lo = bisect.bisect_right(rows, probe)
    if ek is not _MISSING:
        k = sort_key(ek)
        if high_inclusive:
            probe = (k, edoc, _INF) if edoc is not None else (k, TOP)
            hi = bisect.bisect_right(rows, probe)
        else:
            probe = (k, edoc) if edoc is not None else (k,)
            hi = bisect.bisect_left(rows, probe)
    return lo, max(lo, hi)


def _selected(rows, params):
    """Rows in answer order, before skip/limit (a generator or a list)."""
    if params.keys is not _MISSING:
        out = []
        for key in params.keys:
            k = sort_key(key)
            lo = bisect.bisect_left(rows, (k,))
            hi = bisect.bisect_right(rows, (k, TOP))
            part = rows[lo:hi]
            out.append(part[::-1] if params.descending else part)
        return [r for part in out for r in part]
    lo, hi = _range(rows, params)
    if params.descending:
        return (rows[i] for i in range(hi - 1, lo - 1, -1))
    return rows[lo:hi] if (lo, hi) != (0, len(rows)) else rows


def dev_subset(rows, bucket, vb):
    """Development views on a large bucket see one vBucket only."""
    n = bucket.num_vbuckets
    return [r for r in rows if codec.vbucket_of(r[1].encode("utf-8", "surrogateescape"), n) == vb]


def map_rows(rows, params):
    """Row texts of a map query: (total_rows, iterable of row JSON texts)."""
    sel = _selected(rows, params)
    return _page(sel, params, lambda r: r[5])


def _page(sel, params, text):
    skip, limit = params.skip, params.limit
    if isinstance(sel, list):
        end = None if limit is None else skip + limit
        return (text(r) for r in sel[skip:end])

    def gen():
        n = 0
        for i, r in enumerate(sel):
            if i < skip:
                continue
            if limit is not None and n >= limit:
                return
            n += 1
            yield text(r)
    return gen()


def _group_key(r, params):
    if params.group:
        return r[0]
    level = params.group_level
    if level is None:
        return None
    sk = r[0]
    if sk[0] == 5:
        return (5, sk[1][:level])
    return sk


def _group_value(r, params):
    if params.group:
        return r[3]
    k = r[3]
    return k[:params.group_level] if isinstance(k, list) else k


def reduce_rows(rows, params, spec, engine):
    """Row texts of a reduce query (grouped per params), after skip/limit."""
    dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    loads = json.loads
    if params.keys is not _MISSING:
        # one group per requested key (group=true); then group_level within it
        groups, gkeys = [], []
        for key in params.keys:
            k = sort_key(key)
            part = rows[bisect.bisect_left(rows, (k,)):bisect.bisect_right(rows, (k, TOP))]
            if part:
                groups.append([(r[3], r[1], loads(r[4])) for r in part])
                gkeys.append(_group_value(part[0], params) if params.group_level is not None else key)
    else:
        groups, gkeys = [], []
        current = object()
        for r in _selected(rows, params):
            gk = _group_key(r, params)
            if not groups or gk != current:
                current = gk
                groups.append([])
                gkeys.append(_group_value(r, params) if gk is not None else None)
            groups[-1].append((r[3], r[1], loads(r[4])))
    end = None if params.limit is None else params.skip + params.limit
    groups, gkeys = groups[params.skip:end], gkeys[params.skip:end]
    values = reduce_groups(spec, engine, groups)
    return ['{"key":%s,"value":%s}' % (dumps(k), dumps(v)) for k, v in zip(gkeys, values)]
