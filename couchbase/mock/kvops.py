"""Document commands (GET/SET/.../OBSERVE) as a mixin of Engine."""

import struct

from . import codec
from . import status as st
from .response import DEFAULT_DURABILITY_TIMEOUT, Deferred, Response as R
from .store import LOCKED_CAS, MAX_ITEM_SIZE, Item, is_json

_FLAGS = struct.Struct(">I")
_MS = struct.Struct(">QQ")
_STORE_EXTRAS = struct.Struct(">II")
_COUNTER_EXTRAS = struct.Struct(">QQI")
_META = struct.Struct(">IIIQ")
_OBS_ENTRY = struct.Struct(">HH")

GETL_DEFAULT = 15
GETL_MAX = 30
NO_CREATE = 0xFFFFFFFF
U64 = 1 << 64

_QUIET = {codec.GETQ: codec.GET, codec.GETKQ: codec.GETK, codec.SETQ: codec.SET,
          codec.ADDQ: codec.ADD, codec.REPLACEQ: codec.REPLACE,
          codec.DELETEQ: codec.DELETE, codec.INCREMENTQ: codec.INCREMENT,
          codec.DECREMENTQ: codec.DECREMENT, codec.APPENDQ: codec.APPEND,
          codec.PREPENDQ: codec.PREPEND, codec.GATQ: codec.GAT}


class KVOps:
    """Needs ``topo``, ``_bucket``, ``nmv``, ``unknown_collection`` from Engine."""

    # -- common preamble ------------------------------------------------------------------
    def _prep(self, s, pkt, replica=False):
        """(bucket, vb, cid, key) or an error Response."""
        b = self._bucket(s)
        if b is None:
            return R(st.NO_BUCKET)
        key = pkt.key
        cid = 0
        if s.collections:
            try:
                cid, n = codec.leb128_decode(key)
            except ValueError:
                return R(st.EINVAL)
            key = key[n:]
            if cid:
                if cid < 8:
                    return R(st.EINVAL)
                if cid not in b.manifest.by_cid:
                    return self.unknown_collection(b)
        if not key or len(key) > 250:
            return R(st.EINVAL)
        vb = pkt.vbucket
        if vb >= b.num_vbuckets:
            return self.nmv(s, b)
        row = self.topo.maps[b.name].map[vb]
        if replica:
            if s.node_id not in row[1:]:
                return self.nmv(s, b)
        elif row[0] != s.node_id:
            return self.nmv(s, b)
        return b, vb, cid, key

    def _ms(self, s, vbk, seqno):
        return _MS.pack(vbk.uuid, seqno) if s.mseqno else b""

    def _incoming(self, s, pkt):
        """(body, datatype, xattrs) of a request value, or an error Response."""
        dt = pkt.datatype
        value = pkt.value
        if dt & codec.DT_SNAPPY:
            return R(st.EINVAL)
        xattrs = None
        if dt & codec.DT_XATTR:
            if not s.xattr:
                return R(st.EINVAL)
            try:
                total = _FLAGS.unpack_from(value)[0]
                section = value[4:4 + total]
                xattrs = {}
                i = 0
                while i < len(section):
                    ln = _FLAGS.unpack_from(section, i)[0]
                    pair = section[i + 4:i + 4 + ln]
                    k, v = pair.split(b"\0")[:2]
                    xattrs[k.decode()] = v
                    i += 4 + ln
                value = value[4 + total:]
            except (struct.error, ValueError, UnicodeDecodeError):
                return R(st.XATTR_EINVAL)
        return value, (codec.DT_JSON if is_json(value) else 0), xattrs

    def _expiry(self, b, cid, wire):
        exp = b.abs_expiry(wire)
        if cid:
            max_ttl = b.manifest.by_cid[cid][2]
            if max_ttl:
                cap = int(b.clock.now()) + max_ttl
                if exp == 0 or exp > cap:
                    exp = cap
        return exp

    def _check_cas_lock(self, item, cas, now):
        """Error Response if ``cas``/the lock forbid modifying ``item`` else None."""
        if cas:
            if cas != item.cas:
                return R(st.LOCKED if item.locked(now) else st.KEY_EEXISTS)
        elif item.locked(now):
            return R(st.LOCKED)
        return None

    # -- durability -----------------------------------------------------------------------
    def _prep_mutation(self, s, pkt, fr):
        """_prep, then the durability requirement check: (bucket, vb, cid, key) or an error."""
        r = self._prep(s, pkt)
        if type(r) is not tuple:
            return r
        err = self._durability_check(r[0], r[1], fr)
        return r if err is None else err

    def _existing(self, b, vb, cid, key, cas, missing):
        """The item a modification needs, or an error Response: `missing` when there is none,
        a CAS or lock refusal from _check_cas_lock."""
        item = b.get_item(vb, cid, key)
        if item is None:
            return R(missing)
        err = self._check_cas_lock(item, cas, b.clock.now())
        return item if err is None else err

    def _durability_check(self, b, vb, fr):
        if fr is None or not fr.level:
            return None
        if b.bucket_type == "ephemeral" and fr.level != 1:
            return R(st.DURABILITY_INVALID_LEVEL)
        configured, placed, _ = self.topo.copies(b.name, vb)
        if placed < configured // 2 + 1:
            return R(st.DURABILITY_IMPOSSIBLE)
        return None

    def _durable(self, b, vb, fr, ok):
        """``ok`` once the write meets its level on a majority of the vbucket's copies; else
        wait for the replicas' acknowledgements (Deferred)."""
        if fr is None or not fr.level:
            return ok
        repl = self.topo.replication
        bucket = self.topo.buckets[b.name]
        vbk = b.vbuckets[vb]
        uuid, seqno, level = vbk.uuid, vbk.seqno, fr.level

        def reached():
            # a majority of the copies acknowledged (and persisted, for levels 2 and 3)
            return repl.durable(bucket, vb, uuid, seqno, level)

        if reached():
            return ok
        return Deferred(reached, fr.timeout or DEFAULT_DURABILITY_TIMEOUT, ok,
                        R(st.SYNC_WRITE_AMBIGUOUS))

    # -- reads ------------------------------------------------------------------------------
    def op_get(self, s, pkt, fr):
        r = self._prep(s, pkt)
        if type(r) is not tuple:
            return r
        b, vb, cid, key = r
        op = pkt.opcode
        item = b.get_item(vb, cid, key)
        if item is None:
            if op == codec.GETQ or op == codec.GETKQ:
                return None
            return R(st.KEY_ENOENT)
        cas = LOCKED_CAS if item.lock_until and item.locked(b.clock.now()) else item.cas
        return R(0, _FLAGS.pack(item.flags),
                       pkt.key if op == codec.GETK or op == codec.GETKQ else b"",
                       item.value, cas, item.datatype if s.json else 0)

    def op_get_replica(self, s, pkt, fr):
        r = self._prep(s, pkt, replica=True)
        if type(r) is not tuple:
            return r
        b, vb, cid, key = r
        item = b.get_item(vb, cid, key)
        if item is None:
            return R(st.KEY_ENOENT)
        return R(0, _FLAGS.pack(item.flags), b"", item.value, item.cas,
                       item.datatype if s.json else 0)

    def op_get_meta(self, s, pkt, fr):
        r = self._prep(s, pkt)
        if type(r) is not tuple:
            return r
        b, vb, cid, key = r
        item = b.get_item(vb, cid, key)
        if item is None:
            return R(st.KEY_ENOENT)
        extras = _META.pack(0, item.flags, item.expiry, item.seqno)
        if pkt.extras[:1] == b"\x02":
            extras += bytes([item.datatype])
        return R(0, extras, b"", b"", item.cas)

    def op_getl(self, s, pkt, fr):
        if len(pkt.extras) not in (0, 4):
            return R(st.EINVAL)
        r = self._prep(s, pkt)
        if type(r) is not tuple:
            return r
        b, vb, cid, key = r
        t = _FLAGS.unpack(pkt.extras)[0] if pkt.extras else 0
        if t == 0 or t > GETL_MAX:
            t = GETL_DEFAULT
        item = b.get_item(vb, cid, key)
        if item is None:
            return R(st.KEY_ENOENT)
        now = b.clock.now()
        if item.locked(now):
            return R(st.LOCKED)
        item.cas = b.new_cas()
        item.lock_until = now + t
        return R(0, _FLAGS.pack(item.flags), b"", item.value, item.cas,
                       item.datatype if s.json else 0)

    def op_unlock(self, s, pkt, fr):
        if not pkt.cas:
            return R(st.EINVAL)
        r = self._prep(s, pkt)
        if type(r) is not tuple:
            return r
        b, vb, cid, key = r
        item = b.get_item(vb, cid, key)
        if item is None:
            return R(st.KEY_ENOENT)
        if not item.locked(b.clock.now()):
            return R(st.NOT_LOCKED)
        if pkt.cas != item.cas:
            return R(st.LOCKED)
        item.lock_until = 0.0
        return R(cas=item.cas)

    # -- mutations --------------------------------------------------------------------------
    def op_store(self, s, pkt, fr):
        op = _QUIET.get(pkt.opcode, pkt.opcode)
        quiet = op != pkt.opcode
        if len(pkt.extras) != 8:
            return R(st.EINVAL)
        r = self._prep(s, pkt)
        if type(r) is not tuple:
            return r
        b, vb, cid, key = r
        if op == codec.ADD and pkt.cas:
            return R(st.EINVAL)
        inc = self._incoming(s, pkt)
        if type(inc) is not tuple:
            return inc
        value, dt, xattrs = inc
        if len(value) > MAX_ITEM_SIZE:
            return R(st.E2BIG)
        err = self._durability_check(b, vb, fr)
        if err is not None:
            return err
        flags, wire_exp = _STORE_EXTRAS.unpack(pkt.extras)
        item = b.get_item(vb, cid, key)
        if item is None:
            if op == codec.REPLACE or pkt.cas:
                return R(st.KEY_ENOENT)
        else:
            if op == codec.ADD:
                return R(st.KEY_EEXISTS)
            err = self._check_cas_lock(item, pkt.cas, b.clock.now())
            if err is not None:
                return err
        if fr is not None and fr.preserve_ttl and item is not None:
            exp = item.expiry
        else:
            exp = self._expiry(b, cid, wire_exp) if wire_exp or cid else 0
        cas = b.new_cas()
        vbk = b.put_item(vb, cid, key, Item(value, flags, dt, cas, exp, xattrs=xattrs))
        if quiet and (fr is None or not fr.level):
            return None
        return self._durable(b, vb, fr, R(0, self._ms(s, vbk, vbk.seqno), b"", b"", cas))

    def op_delete(self, s, pkt, fr):
        quiet = pkt.opcode == codec.DELETEQ
        if pkt.extras:
            return R(st.EINVAL)
        r = self._prep_mutation(s, pkt, fr)
        if type(r) is not tuple:
            return r
        b, vb, cid, key = r
        item = self._existing(b, vb, cid, key, pkt.cas, st.KEY_ENOENT)
        if not isinstance(item, Item):
            return item
        cas = b.new_cas()
        vbk = b.remove_item(vb, cid, key, cas)
        if quiet:
            return None
        return self._durable(b, vb, fr, R(0, self._ms(s, vbk, vbk.seqno), b"", b"", cas))

    def op_counter(self, s, pkt, fr):
        op = _QUIET.get(pkt.opcode, pkt.opcode)
        quiet = op != pkt.opcode
        if len(pkt.extras) != 20 or pkt.cas or pkt.value:
            return R(st.EINVAL)
        r = self._prep_mutation(s, pkt, fr)
        if type(r) is not tuple:
            return r
        b, vb, cid, key = r
        delta, initial, wire_exp = _COUNTER_EXTRAS.unpack(pkt.extras)
        item = b.get_item(vb, cid, key)
        if item is None:
            if wire_exp == NO_CREATE:
                return R(st.KEY_ENOENT)
            value, flags, exp, xattrs = initial, 0, self._expiry(b, cid, wire_exp), None
        else:
            if item.locked(b.clock.now()):
                return R(st.LOCKED)
            raw = item.value
            if not raw or len(raw) > 20 or not raw.isdigit() or int(raw) >= U64:
                return R(st.DELTA_BADVAL)
            cur = int(raw)
            if op == codec.INCREMENT:
                value = (cur + delta) % U64
            else:
                value = cur - delta if cur > delta else 0
            flags, exp, xattrs = item.flags, item.expiry, item.xattrs
        cas = b.new_cas()
        vbk = b.put_item(vb, cid, key, Item(str(value).encode(), flags, codec.DT_JSON, cas,
                                            exp, xattrs=xattrs))
        if quiet:
            return None
        return self._durable(b, vb, fr, R(0, self._ms(s, vbk, vbk.seqno), b"",
                                          struct.pack(">Q", value), cas))

    def op_concat(self, s, pkt, fr):
        op = _QUIET.get(pkt.opcode, pkt.opcode)
        quiet = op != pkt.opcode
        if pkt.extras:
            return R(st.EINVAL)
        r = self._prep_mutation(s, pkt, fr)
        if type(r) is not tuple:
            return r
        b, vb, cid, key = r
        item = self._existing(b, vb, cid, key, pkt.cas, st.NOT_STORED)
        if not isinstance(item, Item):
            return item
        value = item.value + pkt.value if op == codec.APPEND else pkt.value + item.value
        if len(value) > MAX_ITEM_SIZE:
            return R(st.E2BIG)
        cas = b.new_cas()
        vbk = b.put_item(vb, cid, key, Item(value, item.flags,
                                            codec.DT_JSON if is_json(value) else 0, cas,
                                            item.expiry, xattrs=item.xattrs))
        if quiet:
            return None
        return self._durable(b, vb, fr, R(0, self._ms(s, vbk, vbk.seqno), b"", b"", cas))

    def op_touch(self, s, pkt, fr):
        op = pkt.opcode
        if len(pkt.extras) != 4:
            return R(st.EINVAL)
        r = self._prep_mutation(s, pkt, fr)
        if type(r) is not tuple:
            return r
        b, vb, cid, key = r
        item = b.get_item(vb, cid, key)
        if item is None:
            return None if op == codec.GATQ else R(st.KEY_ENOENT)
        if item.locked(b.clock.now()):
            return R(st.LOCKED)
        item.expiry = self._expiry(b, cid, _FLAGS.unpack(pkt.extras)[0])
        item.cas = b.new_cas()
        b.put_item(vb, cid, key, item)  # a new seqno, replicated like any mutation
        if op == codec.TOUCH:
            res = R(cas=item.cas)
        else:
            res = R(0, _FLAGS.pack(item.flags), b"", item.value, item.cas,
                    item.datatype if s.json else 0)
        return self._durable(b, vb, fr, res)

    # -- observe ----------------------------------------------------------------------------
    def op_observe(self, s, pkt, fr):
        b = self._bucket(s)
        if b is None:
            return R(st.NO_BUCKET)
        data = pkt.value
        out = []
        i = 0
        bm = self.topo.maps[b.name]
        while i < len(data):
            vb, klen = _OBS_ENTRY.unpack_from(data, i)
            wire_key = data[i + 4:i + 4 + klen]
            if len(wire_key) != klen:
                return R(st.EINVAL)
            i += 4 + klen
            key, cid = wire_key, 0
            if s.collections:
                cid, n = codec.leb128_decode(wire_key)
                key = wire_key[n:]
            if vb >= b.num_vbuckets or s.node_id not in bm.map[vb]:
                return self.nmv(s, b)
            item = b.get_item(vb, cid, key)
            if item is not None:
                state, cas = (0x01 if b.is_persisted(vb, cid, key, item) else 0x00), item.cas
            else:
                # a deleted document: logically deleted (0x81) while its tombstone exists
                dead = b.tombstone(vb, cid, key)
                state, cas = (0x81, dead.cas) if dead is not None else (0x80, 0)
            out.append(_OBS_ENTRY.pack(vb, klen) + wire_key + struct.pack(">BQ", state, cas))
        return R(value=b"".join(out))

    def op_observe_seqno(self, s, pkt, fr):
        b = self._bucket(s)
        if b is None:
            return R(st.NO_BUCKET)
        if len(pkt.value) != 8:
            return R(st.EINVAL)
        vb = pkt.vbucket
        if vb >= b.num_vbuckets or s.node_id not in self.topo.maps[b.name].map[vb]:
            return self.nmv(s, b)
        uuid = struct.unpack(">Q", pkt.value)[0]
        vbk = b.vbuckets[vb]
        log = vbk.failover_log
        for idx, (old, _start) in enumerate(log):
            if old == uuid and idx > 0:
                last = log[idx - 1][1]
                return R(value=struct.pack(">BHQQQQQ", 1, vb, vbk.uuid, vbk.persisted_seqno, vbk.seqno,
                                           old, last))
        return R(value=struct.pack(">BHQQQ", 0, vb, vbk.uuid, vbk.persisted_seqno, vbk.seqno))
