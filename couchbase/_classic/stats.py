"""STAT over every server: one request per server and group, replies merged per stat name."""
from couchbase._core.protocol import OP, parse_stat_records
from couchbase._core.session import Request
from couchbase.exceptions import ArgumentError, CouchbaseError
from couchbase.result import MultiResult, Result


def _convert(value):
    try:
        return int(value)
    except ValueError:
        return value


def groups(keys):
    """The stat groups asked for: None (the default group), a str, or a list/tuple of str."""
    if keys is None:
        out = [""]
    elif isinstance(keys, str):
        out = [keys]
    elif isinstance(keys, (list, tuple)):
        out = list(keys)
    else:
        raise ArgumentError.pyexc("stats keys must be a str, list or tuple", obj=keys)
    if not out:
        raise ArgumentError.pyexc("stats keys must name at least one group", obj=keys)
    for g in out:
        if not isinstance(g, str):
            raise ArgumentError.pyexc("stat group must be a str", obj=g)
        if len(g.encode("utf-8")) > 250:
            raise ArgumentError.pyexc("stat group name too long", obj=g)
    return out


def stats(conn, groups):
    """STAT for each group on every server, merged: {stat name: {"host:port": value}}."""
    session = conn._session
    session.check_open()
    nservers = session.nservers
    requests = [Request(OP.STAT, key=g.encode(), server=i) for g in groups for i in range(nservers)]
    answers = session.raw_run(requests, retry=False)
    out = MultiResult()
    first_error = None
    nodes = session.nodes
    for r in answers:
        node = nodes[r.server] if 0 <= r.server < len(nodes) else "?"
        if r.rc:
            if first_error is None:
                first_error = r
            continue
        for name, value in parse_stat_records(r.value):
            out.setdefault(name, {})[node] = _convert(value)
    if first_error is not None:
        rc = first_error.rc
        res = Result()
        res.rc = rc
        raise CouchbaseError.rc_to_exctype(rc)({"rc": rc, "message": "Operational Error", "result": res,
                                                "csrc_info": first_error.csrc})
    return out
