"""Sub-document lookups (SUBDOC_MULTI_LOOKUP 0xd0) including `$document` virtual xattrs, and
the path syntax and doc flags the mutations (subdoc_mutation.py) share."""

import json
import struct

from . import codec
from . import status as st
from .response import Response
from .store import LOCKED_CAS

PATH_FLAG_XATTR = 0x04
LOOKUP_GET = 0xC5
LOOKUP_EXISTS = 0xC6
LOOKUP_GET_COUNT = 0xD2
LOOKUP_GET_DOC = 0x00
MAX_SPECS = 16

# doc flags (the optional last extras byte; docs/protocol.md section 2.2.18)
DOC_MKDOC = 0x01
DOC_ADD = 0x02
DOC_ACCESS_DELETED = 0x04
DOC_CREATE_AS_DELETED = 0x08
DOC_REVIVE = 0x10
DOC_REPLICA_READ = 0x20

_SPEC = struct.Struct(">BBH")
_RESULT = struct.Struct(">HI")


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC32C[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def parse_path(path):
    """``a.b[0].`c.d``` -> ['a', 'b', 0, 'c.d']; ValueError if malformed."""
    out = []
    i = 0
    n = len(path)
    if n == 0:
        return out
    expect_name = True
    while i < n:
        ch = path[i]
        if ch == "[":
            j = path.index("]", i)
            out.append(int(path[i + 1:j]))
            i = j + 1
            expect_name = False
        elif ch == ".":
            if expect_name:
                raise ValueError("empty path component")
            i += 1
            expect_name = True
        elif ch == "`":
            j = i + 1
            name = []
            while True:
                k = path.index("`", j)
                if k + 1 < n and path[k + 1] == "`":
                    name.append(path[j:k + 1])
                    j = k + 2
                    continue
                name.append(path[j:k])
                i = k + 1
                break
            out.append("".join(name))
            expect_name = False
        else:
            j = i
            while j < n and path[j] not in ".[`":
                j += 1
            out.append(path[i:j])
            i = j
            expect_name = False
    if expect_name:
        raise ValueError("path ends with a dot")
    return out


def resolve(doc, parts):
    """(status, value) walking ``parts`` through a decoded JSON document."""
    cur = doc
    for p in parts:
        if isinstance(p, int):
            if not isinstance(cur, list):
                return st.SUBDOC_PATH_MISMATCH, None
            if p >= len(cur) or p < -len(cur):
                return st.SUBDOC_PATH_ENOENT, None
            cur = cur[p]
        else:
            if not isinstance(cur, dict):
                return st.SUBDOC_PATH_MISMATCH, None
            if p not in cur:
                return st.SUBDOC_PATH_ENOENT, None
            cur = cur[p]
    return st.SUCCESS, cur


def _dumps(v):
    return json.dumps(v, separators=(",", ":")).encode()


class SubdocOps:
    def _document_vattr(self, b, vb, item, deleted=False):
        vbk = b.vbuckets[vb]
        return {
            "CAS": "0x%016x" % item.cas,
            "vbucket_uuid": "0x%016x" % vbk.uuid,
            "seqno": "0x%016x" % item.seqno,
            "revid": str(item.seqno),
            "exptime": int(item.expiry),
            "value_bytes": len(item.value),
            "datatype": ["json"] if item.datatype & codec.DT_JSON else ["raw"],
            "deleted": deleted,
            "flags": item.flags,
            "last_modified": str(item.cas // 1_000_000_000),
            "value_crc32c": "0x%08x" % crc32c(item.value),
        }

    def _xattr_lookup(self, b, vb, item, parts, deleted=False):
        head = parts[0]
        if head == "$document":
            root = self._document_vattr(b, vb, item, deleted)
        elif head == "$vbucket":
            root = {"HLC": {"now": str(int(b.clock.now())), "mode": "real"}}
        elif head == "$XTOC":
            root = sorted((item.xattrs or {}).keys())
        elif head.startswith("$"):
            return st.SUBDOC_XATTR_UNKNOWN_VATTR, None
        else:
            raw = (item.xattrs or {}).get(head)
            if raw is None:
                return st.SUBDOC_PATH_ENOENT, None
            root = json.loads(raw)
        return resolve(root, parts[1:])

    def op_multi_lookup(self, s, pkt, fr):
        if len(pkt.extras) not in (0, 1):
            return Response(st.EINVAL)
        docflags = pkt.extras[0] if pkt.extras else 0
        if docflags & ~(DOC_ACCESS_DELETED | DOC_REPLICA_READ):
            return Response(st.EINVAL)
        r = self._prep(s, pkt, replica=bool(docflags & DOC_REPLICA_READ))
        if type(r) is not tuple:
            return r
        b, vb, cid, key = r
        specs = []
        data = pkt.value
        i = 0
        seen_body = False
        while i < len(data):
            op, flags, plen = _SPEC.unpack_from(data, i)
            path = data[i + 4:i + 4 + plen].decode()
            i += 4 + plen
            if flags & PATH_FLAG_XATTR:
                if seen_body:
                    return Response(st.SUBDOC_INVALID_XATTR_ORDER)
            else:
                seen_body = True
            if op not in (LOOKUP_GET, LOOKUP_EXISTS, LOOKUP_GET_COUNT, LOOKUP_GET_DOC):
                return Response(st.SUBDOC_INVALID_COMBO)
            specs.append((op, flags, path))
        if not specs or len(specs) > MAX_SPECS:
            return Response(st.SUBDOC_INVALID_COMBO)
        item = b.get_item(vb, cid, key)
        deleted = False
        if item is None and docflags & DOC_ACCESS_DELETED:
            item = b.tombstone(vb, cid, key)
            deleted = item is not None
        if item is None:
            return Response(st.KEY_ENOENT)
        body = None
        out = []
        failed = False
        for op, flags, path in specs:
            value = b""
            if op == LOOKUP_GET_DOC and not flags & PATH_FLAG_XATTR:
                code, value = st.SUCCESS, item.value
            else:
                try:
                    parts = parse_path(path)
                except ValueError:
                    parts = None
                if parts is None or (flags & PATH_FLAG_XATTR and not parts):
                    code, found = st.SUBDOC_PATH_EINVAL, None
                elif flags & PATH_FLAG_XATTR:
                    code, found = self._xattr_lookup(b, vb, item, parts, deleted)
                else:
                    if body is None:
                        try:
                            body = json.loads(item.value) if not deleted else {}
                        except ValueError:
                            body = ValueError
                        except RecursionError:
                            body = RecursionError
                    if body is ValueError:
                        code, found = st.SUBDOC_DOC_NOT_JSON, None
                    elif body is RecursionError:
                        code, found = st.SUBDOC_DOC_E2DEEP, None
                    else:
                        code, found = resolve(body, parts)
                if code == st.SUCCESS:
                    if op == LOOKUP_GET or op == LOOKUP_GET_DOC:
                        value = _dumps(found)
                    elif op == LOOKUP_GET_COUNT:
                        if isinstance(found, (list, dict)):
                            value = _dumps(len(found))
                        else:
                            code = st.SUBDOC_PATH_MISMATCH
            if code != st.SUCCESS:
                failed = True
                value = b""
            out.append(_RESULT.pack(code, len(value)) + value)
        cas = LOCKED_CAS if item.locked(b.clock.now()) else item.cas
        if deleted:
            code = st.SUBDOC_MULTI_PATH_FAILURE_DELETED if failed else st.SUBDOC_SUCCESS_DELETED
        else:
            code = st.SUBDOC_MULTI_PATH_FAILURE if failed else st.SUCCESS
        return Response(code, value=b"".join(out), cas=cas)
