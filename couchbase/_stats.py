"""STAT over every server: one request per server and group, replies merged per stat name."""
import struct

from couchbase._binding import error_from, ffi, lib
from couchbase._ops import OP_STAT
from couchbase.exceptions import ArgumentError, CouchbaseError
from couchbase.result import MultiResult, Result

_REC = struct.Struct(">HI")


def parse_records(blob):
    """Split a STAT result value (u16 nkey, u32 nvalue, key, value)* into (name, value) pairs."""
    out = []
    pos, end = 0, len(blob)
    while pos + _REC.size <= end:
        nk, nv = _REC.unpack_from(blob, pos)
        pos += _REC.size
        name = blob[pos:pos + nk].decode("utf-8", "replace")
        value = blob[pos + nk:pos + nk + nv].decode("utf-8", "replace")
        pos += nk + nv
        out.append((name, value))
    return out


def _convert(value):
    try:
        return int(value)
    except ValueError:
        return value


def stats(conn, keys=None):
    if keys is None:
        groups = [""]
    elif isinstance(keys, str):
        groups = [keys]
    elif isinstance(keys, (list, tuple)):
        groups = list(keys)
    else:
        raise ArgumentError.pyexc("stats keys must be a str, list or tuple", obj=keys)
    for g in groups:
        if not isinstance(g, str):
            raise ArgumentError.pyexc("stat group must be a str", obj=g)
    conn._acquire()
    try:
        core = conn._core
        lib.cbc_batch_reset(core.batch)
        req = ffi.new("cbc_REQUEST *")
        keep = []
        nservers = lib.cbc_conn_nservers(core.conn)
        for g in groups:
            gb = g.encode()
            for i in range(nservers):
                req.opcode = OP_STAT
                req.server = i
                kb = ffi.new("char[]", gb) if gb else ffi.NULL
                keep.append(kb)
                req.key = kb
                req.nkey = len(gb)
                if lib.cbc_batch_add(core.batch, req, core.err):
                    raise error_from(core.err)
        if lib.cbc_batch_run(core.batch, conn._timeout_us, core.err):
            raise error_from(core.err)
        results = lib.cbc_batch_results(core.batch)
        out = MultiResult()
        first_error = None
        for j in range(lib.cbc_batch_size(core.batch)):
            r = results[j]
            node = conn._nodes[r.server] if 0 <= r.server < len(conn._nodes) else "?"
            if r.rc:
                if first_error is None:
                    first_error = (r.rc, ffi.string(r.file).decode() if r.file != ffi.NULL else "", r.line)
                continue
            blob = ffi.unpack(r.value, r.nvalue) if r.nvalue else b""
            for name, value in parse_records(blob):
                out.setdefault(name, {})[node] = _convert(value)
    finally:
        conn._release()
    if first_error is not None:
        rc, file, line = first_error
        res = Result()
        res.rc = rc
        raise CouchbaseError.rc_to_exctype(rc)({"rc": rc, "message": "Operational Error", "result": res,
                                                "csrc_info": (file, line) if file else ()})
    return out
