"""Paged view listings that move by key, never by ``skip``.

A page starts at a (key, document id) position: the next page is queried with
``startkey``/``startkey_docid`` set to the row after the page's last one, the previous
page by reading ``descending`` from the page's first row. Only the rows shown (and one
more) are read, however deep into the index the page is.
"""
import json
from collections import namedtuple

from couchbase.views.params import UNSPEC

Page = namedtuple("Page", "items next prev")


class BadCursor(ValueError):
    """A paging parameter that is not a JSON key."""


def cursor(args, name):
    """(key, docid) from the request arguments ``name`` and ``name_docid``, or None."""
    raw = args.get(name)
    if raw is None:
        return None
    try:
        key = json.loads(raw)
    except ValueError:
        raise BadCursor("The paging parameter %r is not a JSON value." % name) from None
    return key, args.get(name + "_docid", "")


def cursor_args(name, position):
    """The query-string arguments that name ``position``."""
    key, docid = position
    return {name: json.dumps(key), name + "_docid": docid}


def fetch_page(db, design, view, row_processor, per_page, stale=False, low=UNSPEC, high=UNSPEC,
               start=None, before=None):
    """The page of ``design/view`` (keys between ``low`` and ``high``) starting at
    ``start``, or ending just before ``before``, or the first page."""
    def query(**params):
        return list(db.query(design, view, row_processor=row_processor, stale=stale, **params))

    if before is not None:
        rows = query(descending=True, startkey=before[0], startkey_docid=before[1],
                     endkey=low, limit=per_page + 2)
        if rows and (rows[0].key, rows[0].id) == tuple(before):
            rows = rows[1:]
        if len(rows) > per_page:
            items = rows[:per_page][::-1]
            return Page(items, tuple(before), (items[0].key, items[0].id))
        # fewer rows than a page precede it: that is the first page
        start = None
    if start is not None:
        rows = query(startkey=start[0], startkey_docid=start[1], endkey=high, limit=per_page + 1)
        items = rows[:per_page]
        nxt = (rows[per_page].key, rows[per_page].id) if len(rows) > per_page else None
        prev = (items[0].key, items[0].id) if items else None
        return Page(items, nxt, prev)
    rows = query(startkey=low, endkey=high, limit=per_page + 1)
    nxt = (rows[per_page].key, rows[per_page].id) if len(rows) > per_page else None
    return Page(rows[:per_page], nxt, None)
