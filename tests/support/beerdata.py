"""The beer-sample documents and an independent computation of its two views' rows, for
checking the embedded cluster's answers. String order comes from V8's ICU collator
(``Intl.Collator`` in the root locale), not from the cluster's own collation code."""
import functools
import json
import os
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ZIP = os.path.join(ROOT, "..", "shared", "data", "beer-sample.zip")


@functools.lru_cache(maxsize=1)
def docs():
    out = {}
    with zipfile.ZipFile(ZIP) as z:
        for n in z.namelist():
            if "/docs/" in n and n.endswith(".json"):
                out[n.rsplit("/", 1)[1][:-5]] = json.loads(z.read(n))
    return out


def brewery_beers_rows():
    """(key, docid) of beer/brewery_beers, unordered."""
    rows = []
    for k, d in docs().items():
        if d.get("type") == "brewery":
            rows.append(([k], k))
        elif d.get("type") == "beer" and d.get("brewery_id"):
            rows.append(([d["brewery_id"], k], k))
    return rows


def by_location_rows():
    """(key, docid) of beer/by_location (its map tests the last of comma-separated fields)."""
    rows = []
    for k, d in docs().items():
        if d.get("city"):
            rows.append(([d.get("country"), d.get("state"), d.get("city")], k))
        elif d.get("state"):
            rows.append(([d.get("country"), d.get("state")], k))
        elif d.get("country"):
            rows.append(([d.get("country")], k))
    return rows


_CTX = []


def _context():
    """A V8 context of the tests' own, on the process's V8 thread, kept for the process's
    life (a V8 context must not be freed from another thread)."""
    if not _CTX:
        from couchbase.mock.views.jsengine import new_context
        _CTX.append(new_context())
    return _CTX[0]


class IcuOrder:
    """Ranks of strings in ICU root collation order, computed by V8."""

    def __init__(self, strings):
        ctx = _context()
        uniq = sorted(set(strings))
        ordered = json.loads(ctx.eval("JSON.stringify(%s.sort(new Intl.Collator('und').compare))"
                                      % json.dumps(uniq)))
        same = json.loads(ctx.eval("var c = new Intl.Collator('und'), a = %s;"
                                   "JSON.stringify(a.map(function (s, i) { return i > 0 && c.compare(a[i-1], s) == 0; }))"
                                   % json.dumps(ordered)))
        self.rank = {}
        r = 0
        for i, s in enumerate(ordered):
            if i and not same[i]:
                r += 1
            self.rank[s] = r

    def key(self, v):
        """A sort key for a JSON value: type order, numbers, ICU string ranks, arrays."""
        if v is None:
            return (0,)
        if v is False:
            return (1,)
        if v is True:
            return (2,)
        if isinstance(v, (int, float)):
            return (3, v)
        if isinstance(v, str):
            return (4, self.rank[v])
        if isinstance(v, list):
            return (5, [self.key(x) for x in v])
        raise TypeError(v)


def strings_of(rows):
    out = []
    for key, docid in rows:
        out.extend(x for x in key if isinstance(x, str))
    return out


def ordered(rows, icu):
    """Rows in view order: key by collation, then document id by raw bytes."""
    return sorted(rows, key=lambda r: (icu.key(r[0]), r[1].encode()))
