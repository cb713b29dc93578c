"""Design documents and raw view requests of the classic face (docs/protocol.md 10.5, 10.6)."""
import copy
import json
import time
from urllib.parse import quote

from couchbase._classic import http as _chttp
from couchbase.exceptions import ArgumentError, HTTPError, TimeoutError
from couchbase.views.params import Query

POLL_INTERVAL = 0.05


def dev_name(name, use_devmode):
    if use_devmode and not name.startswith("dev_"):
        return "dev_" + name
    return name


def _path(conn, name):
    return "/%s/_design/%s" % (quote(conn.bucket, safe=""), quote(name, safe=""))


def _exchange(conn, method, name, body=None, quiet=False):
    conn._session.enter()
    try:
        return _chttp.exchange(conn._session.http("capi"), method, _path(conn, name), "_design/" + name, body,
                               "application/json", quiet=quiet, timeout=conn.views_timeout)
    finally:
        conn._session.leave()


def _check_syncwait(syncwait):
    if isinstance(syncwait, bool) or not isinstance(syncwait, (int, float)) or syncwait < 0:
        raise ArgumentError.pyexc("syncwait must be a non-negative number of seconds", obj=syncwait)


def _poll(conn, name, want_present, syncwait, what):
    """Until the design document answers as wanted (a view of it answers a stale=ok query
    when it must be present), or TimeoutError after ``syncwait`` seconds."""
    deadline = time.monotonic() + syncwait
    while True:
        res = _exchange(conn, "GET", name, quiet=True)
        if want_present and res.success:
            views = (res.value or {}).get("views") or {}
            if not views:
                return
            vname = next(iter(views))
            probe = view(conn, name, vname, params="stale=ok&limit=1", quiet=True)
            if probe.success:
                return
        elif not want_present and res.http_status == 404:
            return
        if time.monotonic() >= deadline:
            raise TimeoutError.pyexc("Design document %s was not %s within %s seconds" % (name, what, syncwait))
        time.sleep(POLL_INTERVAL)


def design_create(conn, name, ddoc, use_devmode=True, syncwait=0):
    _check_syncwait(syncwait)
    name = dev_name(name, use_devmode)
    if isinstance(ddoc, dict):
        ddoc = copy.deepcopy(ddoc)
        ddoc["_id"] = "_design/" + name
        body = json.dumps(ddoc)
    elif isinstance(ddoc, str):
        if use_devmode:
            raise ArgumentError.pyexc("A design document given as a str needs use_devmode=False", obj=ddoc)
        body = ddoc
    else:
        raise ArgumentError.pyexc("A design document must be a dict or a JSON str", obj=ddoc)
    res = _exchange(conn, "PUT", name, body.encode("utf-8"))
    if syncwait:
        _poll(conn, name, True, syncwait, "created")
    return res


def design_get(conn, name, use_devmode=True):
    return _exchange(conn, "GET", dev_name(name, use_devmode))


def design_publish(conn, name, syncwait=0):
    """Copy ``dev_NAME`` to the production ``NAME`` (the development copy stays)."""
    _check_syncwait(syncwait)
    dev = dev_name(name, True)
    prod = dev[4:]
    doc = design_get(conn, dev, use_devmode=False).value
    if not isinstance(doc, dict):
        raise HTTPError.pyexc("Development design document %s is not a JSON object" % dev, obj=doc)
    doc.pop("_rev", None)
    return design_create(conn, prod, doc, use_devmode=False, syncwait=syncwait)


def design_delete(conn, name, use_devmode=True, syncwait=0):
    _check_syncwait(syncwait)
    name = dev_name(name, use_devmode)
    res = _exchange(conn, "DELETE", name)
    if syncwait:
        _poll(conn, name, False, syncwait, "deleted")
    return res


def view(conn, ddoc, view_name, use_devmode=False, params=None, unrecognized_ok=False, passthrough=False,
         quiet=False):
    """``Connection._view``: the whole answer of a view query as one HttpResult."""
    ddoc = dev_name(ddoc, use_devmode)
    if params is None:
        qs = ""
    elif isinstance(params, str):
        qs = params
    elif isinstance(params, Query):
        qs = params.encoded
    elif isinstance(params, dict):
        qs = Query(passthrough=passthrough, unrecognized_ok=unrecognized_ok, **params).encoded
    else:
        raise ArgumentError.pyexc("params must be a str, a dict or a Query", obj=params)
    rel = "_design/%s/_view/%s" % (quote(ddoc, safe=""), quote(view_name, safe=""))
    path = "/%s/%s" % (quote(conn.bucket, safe=""), rel) + ("?" + qs if qs else "")
    conn._session.enter()
    try:
        return _chttp.exchange(conn._session.http("capi"), "GET", path, rel, quiet=quiet,
                               timeout=conn.views_timeout)
    finally:
        conn._session.leave()
