"""SUBDOC_MULTI_MUTATION (0xd1): up to 16 path mutations applied atomically, with xattrs,
macros, create-as-deleted and access to deleted documents (docs/protocol.md 2.2.18)."""

import json
import struct

from . import codec
from . import status as st
from .response import Response
from .store import Item, MAX_ITEM_SIZE, is_json, system_xattrs
from .subdoc import (
    DOC_ACCESS_DELETED, DOC_ADD, DOC_CREATE_AS_DELETED, DOC_MKDOC, DOC_REVIVE, MAX_SPECS, PATH_FLAG_XATTR,
    crc32c, parse_path,
)

PATH_FLAG_MKDIR_P = 0x01
PATH_FLAG_EXPAND_MACROS = 0x10

DICT_ADD, DICT_UPSERT, DELETE, REPLACE = 0xC7, 0xC8, 0xC9, 0xCA
PUSH_LAST, PUSH_FIRST, ARRAY_INSERT, ADD_UNIQUE, COUNTER = 0xCB, 0xCC, 0xCD, 0xCE, 0xCF
SET_DOC, DELETE_DOC = 0x01, 0x04
_PATH_OPS = frozenset((DICT_ADD, DICT_UPSERT, DELETE, REPLACE, PUSH_LAST, PUSH_FIRST, ARRAY_INSERT,
                       ADD_UNIQUE, COUNTER))

_SPEC = struct.Struct(">BBHI")
_INT64 = (-(1 << 63), (1 << 63) - 1)
MACROS = ("${Mutation.CAS}", "${Mutation.seqno}", "${Mutation.value_crc32c}")


class SpecError(Exception):
    """A spec failed with ``status``."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


class _Macro:
    """A macro value, expanded once the new CAS, seqno and body are known."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


_MISSING = object()


def _primitive(v):
    return not isinstance(v, (dict, list))


def _parse_value(raw, macros):
    if macros:
        try:
            text = json.loads(raw)
        except (ValueError, RecursionError):
            text = None
        if isinstance(text, str) and text.startswith("${"):
            if text not in MACROS:
                raise SpecError(st.SUBDOC_XATTR_UNKNOWN_MACRO)
            return _Macro(text)
    try:
        return json.loads(raw)
    except ValueError:
        raise SpecError(st.SUBDOC_VALUE_CANTINSERT) from None
    except RecursionError:
        raise SpecError(st.SUBDOC_VALUE_ETOODEEP) from None


def _parse_values(raw):
    """The comma-separated values of an array push/insert."""
    try:
        return json.loads(b"[" + raw + b"]")
    except ValueError:
        raise SpecError(st.SUBDOC_VALUE_CANTINSERT) from None
    except RecursionError:
        raise SpecError(st.SUBDOC_VALUE_ETOODEEP) from None


def _parent(root, parts, mkdir):
    """(container, last component) of a path, creating missing dictionaries when `mkdir`."""
    cur = root
    for p in parts[:-1]:
        if isinstance(p, int):
            if not isinstance(cur, list):
                raise SpecError(st.SUBDOC_PATH_MISMATCH)
            if not -len(cur) <= p < len(cur):
                raise SpecError(st.SUBDOC_PATH_ENOENT)
            cur = cur[p]
        else:
            if not isinstance(cur, dict):
                raise SpecError(st.SUBDOC_PATH_MISMATCH)
            if p not in cur:
                if not mkdir:
                    raise SpecError(st.SUBDOC_PATH_ENOENT)
                cur[p] = {}
            cur = cur[p]
    return cur, parts[-1]


def _get(container, last):
    if isinstance(last, int):
        if not isinstance(container, list):
            raise SpecError(st.SUBDOC_PATH_MISMATCH)
        return container[last] if -len(container) <= last < len(container) else _MISSING
    if not isinstance(container, dict):
        raise SpecError(st.SUBDOC_PATH_MISMATCH)
    return container.get(last, _MISSING)


def _array_at(root, parts, mkdir):
    """The array a push or add-unique targets (created when missing and `mkdir`)."""
    if not parts:
        target = root
    else:
        container, last = _parent(root, parts, mkdir)
        target = _get(container, last)
        if target is _MISSING:
            if not mkdir or isinstance(last, int):
                raise SpecError(st.SUBDOC_PATH_ENOENT)
            target = container[last] = []
    if not isinstance(target, list):
        raise SpecError(st.SUBDOC_PATH_MISMATCH)
    return target


def apply_spec(root, op, parts, raw, mkdir, macros):
    """Apply one path spec to `root` (a dict or list, changed in place). Returns the
    value a COUNTER answers with, else None; raises SpecError."""
    if op in (PUSH_LAST, PUSH_FIRST):
        arr = _array_at(root, parts, mkdir)
        values = _parse_values(raw)
        arr[len(arr) if op == PUSH_LAST else 0:len(arr) if op == PUSH_LAST else 0] = values
        return None
    if op == ADD_UNIQUE:
        value = _parse_value(raw, False)
        if not _primitive(value):
            raise SpecError(st.SUBDOC_VALUE_CANTINSERT)
        arr = _array_at(root, parts, mkdir)
        if not all(_primitive(v) for v in arr):
            raise SpecError(st.SUBDOC_PATH_MISMATCH)
        if any(v == value and type(v) is type(value) for v in arr):
            raise SpecError(st.SUBDOC_PATH_EEXISTS)
        arr.append(value)
        return None
    if not parts:
        raise SpecError(st.SUBDOC_PATH_EINVAL)
    container, last = _parent(root, parts, mkdir)
    if op == ARRAY_INSERT:
        if not isinstance(last, int) or last < 0:
            raise SpecError(st.SUBDOC_PATH_EINVAL)
        if not isinstance(container, list):
            raise SpecError(st.SUBDOC_PATH_MISMATCH)
        if last > len(container):
            raise SpecError(st.SUBDOC_PATH_ENOENT)
        container[last:last] = _parse_values(raw)
        return None
    if op == COUNTER:
        try:
            delta = json.loads(raw)
        except ValueError:
            delta = None
        if type(delta) is not int or delta == 0 or not _INT64[0] <= delta <= _INT64[1]:
            raise SpecError(st.SUBDOC_DELTA_EINVAL)
        cur = _get(container, last)
        if cur is _MISSING:
            if isinstance(last, int):
                raise SpecError(st.SUBDOC_PATH_ENOENT)
            cur = 0
        elif type(cur) is not int:
            raise SpecError(st.SUBDOC_PATH_MISMATCH)
        new = cur + delta
        if not _INT64[0] <= new <= _INT64[1]:
            raise SpecError(st.SUBDOC_NUM_ERANGE)
        container[last] = new
        return new
    if op in (DICT_ADD, DICT_UPSERT):
        if isinstance(last, int):
            raise SpecError(st.SUBDOC_PATH_EINVAL)
        if not isinstance(container, dict):
            raise SpecError(st.SUBDOC_PATH_MISMATCH)
        if op == DICT_ADD and last in container:
            raise SpecError(st.SUBDOC_PATH_EEXISTS)
        container[last] = _parse_value(raw, macros)
        return None
    # REPLACE, DELETE: the path must exist
    if _get(container, last) is _MISSING:
        raise SpecError(st.SUBDOC_PATH_ENOENT)
    if op == REPLACE:
        container[last] = _parse_value(raw, macros)
    else:
        del container[last]
    return None


def _expand(value, cas, seqno, crc):
    if isinstance(value, _Macro):
        if value.name == "${Mutation.CAS}":
            # as the server writes it: the CAS bytes in little-endian order, as hex
            return "0x" + cas.to_bytes(8, "little").hex()
        if value.name == "${Mutation.seqno}":
            return "0x%016x" % seqno
        return "0x%08x" % crc
    if isinstance(value, dict):
        return {k: _expand(v, cas, seqno, crc) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, cas, seqno, crc) for v in value]
    return value


def parse_specs(data):
    """[(opcode, path flags, path str, value bytes)]; raises SpecError for a bad request."""
    specs = []
    i = 0
    while i < len(data):
        op, flags, plen, vlen = _SPEC.unpack_from(data, i)
        i += _SPEC.size
        path = data[i:i + plen].decode()
        value = data[i + plen:i + plen + vlen]
        i += plen + vlen
        specs.append((op, flags, path, value))
    if not specs or len(specs) > MAX_SPECS:
        raise SpecError(st.SUBDOC_INVALID_COMBO)
    return specs


class SubdocMutationOps:
    """SUBDOC_MULTI_MUTATION, as a mixin of Engine (uses KVOps' helpers)."""

    def op_multi_mutation(self, s, pkt, fr):
        ext = pkt.extras
        if len(ext) not in (0, 1, 4, 5):
            return Response(st.EINVAL)
        wire_exp = struct.unpack(">I", ext[:4])[0] if len(ext) >= 4 else None
        docflags = ext[-1] if len(ext) in (1, 5) else 0
        mkdoc, add = docflags & DOC_MKDOC, docflags & DOC_ADD
        if (mkdoc and add) or (add and pkt.cas) or docflags & ~0x1F:
            return Response(st.EINVAL)
        if docflags & DOC_CREATE_AS_DELETED and not (mkdoc or add):
            return Response(st.EINVAL)
        if docflags & DOC_REVIVE and not docflags & DOC_ACCESS_DELETED:
            return Response(st.EINVAL)
        r = self._prep_mutation(s, pkt, fr)
        if type(r) is not tuple:
            return r
        b, vb, cid, key = r
        try:
            specs = parse_specs(pkt.value)
            xkey = self._check_specs(specs, docflags)
        except SpecError as e:
            return Response(e.status)
        except (struct.error, UnicodeDecodeError):
            return Response(st.EINVAL)
        now = b.clock.now()
        item = b.get_item(vb, cid, key)
        deleted = False
        if item is None and docflags & DOC_ACCESS_DELETED:
            item = b.tombstone(vb, cid, key)
            deleted = item is not None
        if item is not None and not deleted and add:
            return Response(st.KEY_EEXISTS)
        if item is not None and deleted and add and docflags & DOC_CREATE_AS_DELETED:
            return Response(st.KEY_EEXISTS)
        if docflags & DOC_REVIVE and item is not None and not deleted:
            return Response(st.SUBDOC_CAN_ONLY_REVIVE_DELETED)
        if item is None or (deleted and add):
            if pkt.cas:
                return Response(st.KEY_ENOENT)
            if not (mkdoc or add):
                return Response(st.KEY_ENOENT)
            item, body, new_doc = None, {}, True
            deleted = bool(docflags & DOC_CREATE_AS_DELETED)
        else:
            new_doc = False
            if not deleted:
                if pkt.cas and pkt.cas != item.cas:
                    return Response(st.LOCKED if item.locked(now) else st.KEY_EEXISTS)
                if not pkt.cas and item.locked(now):
                    return Response(st.LOCKED)
            elif pkt.cas and pkt.cas != item.cas:
                return Response(st.KEY_EEXISTS)
            body = _MISSING
        if deleted and any(not flags & PATH_FLAG_XATTR for _op, flags, _p, _v in specs):
            return Response(st.SUBDOC_DELETED_DOC_CANT_HAVE_VALUE)
        revive = bool(docflags & DOC_REVIVE)
        return self._mutate(s, b, vb, cid, key, fr, item, body, specs, xkey, wire_exp, new_doc,
                            deleted and not revive, revive)

    @staticmethod
    def _check_specs(specs, docflags):
        """The request-level rules: spec kinds, xattrs first, one xattr key, no virtual xattrs."""
        seen_body = False
        xkey = None
        for op, flags, path, _v in specs:
            if op not in _PATH_OPS and op not in (SET_DOC, DELETE_DOC):
                raise SpecError(st.SUBDOC_INVALID_COMBO)
            if flags & PATH_FLAG_EXPAND_MACROS and not flags & PATH_FLAG_XATTR:
                raise SpecError(st.SUBDOC_XATTR_INVALID_FLAG_COMBO)
            if flags & PATH_FLAG_XATTR:
                if seen_body:
                    raise SpecError(st.SUBDOC_INVALID_XATTR_ORDER)
                if op in (SET_DOC, DELETE_DOC):
                    raise SpecError(st.SUBDOC_INVALID_COMBO)
                try:
                    head = parse_path(path)[:1]
                except (ValueError, IndexError):
                    head = []
                if not head or not isinstance(head[0], str):
                    continue  # reported per spec as an invalid path
                if head[0].startswith("$"):
                    raise SpecError(st.SUBDOC_XATTR_CANT_MODIFY_VATTR if head[0] in ("$document", "$XTOC")
                                    else st.SUBDOC_XATTR_UNKNOWN_VATTR)
                if xkey is not None and head[0] != xkey:
                    raise SpecError(st.SUBDOC_XATTR_INVALID_KEY_COMBO)
                xkey = head[0]
            else:
                seen_body = True
                if op in (SET_DOC, DELETE_DOC) and path:
                    raise SpecError(st.SUBDOC_INVALID_COMBO)
        return xkey

    def _mutate(self, s, b, vb, cid, key, fr, item, body, specs, xkey, wire_exp, new_doc, stay_deleted,
                revive):
        xattrs = {k: json.loads(v) for k, v in ((item.xattrs or {}) if item is not None else {}).items()}
        results = []
        remove_doc = False
        value_bytes = None
        for index, (op, flags, path, raw) in enumerate(specs):
            try:
                if op == SET_DOC:
                    value_bytes = bytes(raw)
                    body = _MISSING
                    continue
                if op == DELETE_DOC:
                    remove_doc = True
                    continue
                try:
                    parts = parse_path(path)
                except (ValueError, IndexError):
                    raise SpecError(st.SUBDOC_PATH_EINVAL) from None
                mkdir = bool(flags & PATH_FLAG_MKDIR_P) or new_doc
                if flags & PATH_FLAG_XATTR:
                    if not parts:
                        raise SpecError(st.SUBDOC_PATH_EINVAL)
                    out = apply_spec(xattrs, op, parts, raw, mkdir, bool(flags & PATH_FLAG_EXPAND_MACROS))
                else:
                    if body is _MISSING:
                        source = value_bytes if value_bytes is not None else (item.value if item else b"{}")
                        try:
                            body = json.loads(source) if source else _MISSING
                        except ValueError:
                            body = _MISSING
                        except RecursionError:
                            raise SpecError(st.SUBDOC_DOC_E2DEEP) from None
                        if body is _MISSING:
                            raise SpecError(st.SUBDOC_DOC_NOT_JSON)
                        value_bytes = None
                    out = apply_spec(body, op, parts, raw, mkdir, False)
                if out is not None:
                    results.append((index, json.dumps(out).encode()))
            except SpecError as e:
                code = st.SUBDOC_MULTI_PATH_FAILURE_DELETED if stay_deleted and not new_doc else \
                    st.SUBDOC_MULTI_PATH_FAILURE
                return Response(code, value=struct.pack(">BH", index, e.status))
        if body is not _MISSING:
            value_bytes = json.dumps(body, separators=(",", ":")).encode()
        elif value_bytes is None:
            value_bytes = item.value if item is not None and not stay_deleted else b""
        if stay_deleted:
            value_bytes = b""
        if len(value_bytes) > MAX_ITEM_SIZE:
            return Response(st.E2BIG)
        cas = b.new_cas()
        vbk = b.vbuckets[vb]
        seqno = vbk.seqno + 1
        crc = crc32c(value_bytes)
        xattrs = {k: _expand(v, cas, seqno, crc) for k, v in xattrs.items()}
        xbytes = {k: json.dumps(v, separators=(",", ":")).encode() for k, v in xattrs.items()} or None
        if fr is not None and fr.preserve_ttl and item is not None and not new_doc:
            exp = item.expiry
        else:
            exp = self._expiry(b, cid, wire_exp or 0) if wire_exp or cid else 0
        flags = item.flags if item is not None and not new_doc else 0
        # through the node's copy: each replicates, persists and reaches the view indexes
        if remove_doc:
            vbk = b.remove_item(vb, cid, key, cas, system_xattrs(xbytes))
        elif stay_deleted:
            vbk = b.remove_item(vb, cid, key, cas, xbytes)
        else:
            dt = codec.DT_JSON if is_json(value_bytes) else 0
            vbk = b.put_item(vb, cid, key, Item(value_bytes, flags, dt, cas, exp, xattrs=xbytes))
        out = b"".join(struct.pack(">BHI", i, 0, len(v)) + v for i, v in results)
        status = st.SUBDOC_SUCCESS_DELETED if (stay_deleted or remove_doc) and not revive else st.SUCCESS
        if remove_doc:
            status = st.SUCCESS
        return self._durable(b, vb, fr, Response(status, self._ms(s, vbk, vbk.seqno), b"", out, cas))
