"""STAT groups, as a Couchbase 2.x node answered them (so 1.x applications' stats calls work).

Every node answers for itself; a bucket's figures cover the vBuckets the node is active for.

  ""            general: pid, version, uptime, time, curr_connections, curr_items, mem_used ...
  "memory"      mem_used (bytes of keys and values held), mem_total, ep_max_size, water marks
  "tap"         ep_tap_count (always 0: no TAP streams) and the replication state
  "timings"     per command family, a histogram of the node's handling times:
                ``<family>_cmd_<lo>,<hi>`` = commands that took lo..hi microseconds
  "vbucket"     vb_<n> = active | replica, for the vBuckets the node holds
  "key KEY [VB]", "vkey KEY [VB]"
                key_exptime, key_flags, key_cas, key_vb_state (vkey: also key_valid) of
                KEY, from the node active for it; other nodes answer with no stats
  "keylen KEY"  KEY = the length in bytes of KEY's value, from the node active for it
Any other group is KEY_ENOENT, as ep-engine answers an unknown group.
"""
import os
import time

from . import codec

_STARTED = time.time()

# opcode -> command family of the "timings" group
_FAMILY = {}
for _name, _family in (("GET", "get"), ("GETQ", "get"), ("GETK", "get"), ("GETKQ", "get"),
                       ("GET_REPLICA", "get"), ("GET_LOCKED", "getl"), ("SET", "store"), ("ADD", "store"),
                       ("REPLACE", "store"), ("SETQ", "store"), ("ADDQ", "store"), ("REPLACEQ", "store"),
                       ("APPEND", "store"), ("PREPEND", "store"), ("APPENDQ", "store"), ("PREPENDQ", "store"),
                       ("DELETE", "del"), ("DELETEQ", "del"), ("INCREMENT", "arith"), ("DECREMENT", "arith"),
                       ("INCREMENTQ", "arith"), ("DECREMENTQ", "arith"), ("TOUCH", "touch"), ("GAT", "touch"),
                       ("GATQ", "touch"), ("UNLOCK_KEY", "unlock"), ("OBSERVE", "observe"), ("STAT", "stats")):
    if hasattr(codec, _name):
        _FAMILY[getattr(codec, _name)] = _family


class Timings:
    """Handling-time histograms per node and command family (powers of two microseconds)."""

    def __init__(self):
        self.hist = {}

    def record(self, node_id, opcode, nanoseconds):
        family = _FAMILY.get(opcode)
        if family is None:
            return
        us = nanoseconds // 1000
        lo = 0 if us < 1 else 1 << (us.bit_length() - 1)
        key = (family, lo)
        per = self.hist.setdefault(node_id, {})
        per[key] = per.get(key, 0) + 1

    def stats(self, node_id):
        out = []
        for (family, lo), n in sorted(self.hist.get(node_id, {}).items()):
            out.append(("%s_cmd_%d,%d" % (family, lo, max(1, lo * 2)), str(n)))
        return out


def _owner(topo, bucket, key, vb_text, node_id):
    """(vb, item or None) when `node_id` is active for KEY's vBucket, else None."""
    try:
        vb = int(vb_text) if vb_text is not None else codec.vbucket_of(key, bucket.num_vbuckets)
    except ValueError:
        return None
    if not 0 <= vb < bucket.num_vbuckets or topo.maps[bucket.name].map[vb][0] != node_id:
        return None
    return vb, bucket.get_item(vb, 0, key)


def group(engine, s, bucket, text):
    """[(name, value)] for group `text` on the node of session `s`, or None (unknown group)."""
    topo = engine.topo
    words = text.split()
    name = words[0] if words else ""
    if name == "":
        out = [("pid", str(os.getpid())), ("version", "7.6.2-3721-enterprise"),
               ("uptime", str(int(time.time() - _STARTED))), ("time", str(int(time.time()))),
               ("curr_connections", "1"), ("node_id", str(s.node_id))]
        if bucket is not None:
            out += [("curr_items", str(bucket.item_count())), ("ep_bucket_type", "persistent"),
                    ("ep_num_vbuckets", str(bucket.num_vbuckets)), ("mem_used", str(_mem_used(topo, bucket, s)))]
        return out
    if name == "memory":
        used = _mem_used(topo, bucket, s) if bucket is not None else 0
        return [("mem_used", str(used)), ("mem_total", str(used)), ("ep_max_size", "104857600"),
                ("ep_mem_high_wat", "89128960"), ("ep_mem_low_wat", "78643200")]
    if name == "tap":
        return [("ep_tap_count", "0"), ("ep_replication_state", "enabled"), ("ep_tap_total_queue", "0")]
    if name == "timings":
        return engine.timings.stats(s.node_id)
    if bucket is None:
        return None
    if name == "vbucket":
        out = []
        for vb, row in enumerate(topo.maps[bucket.name].map):
            state = "active" if row[0] == s.node_id else "replica" if s.node_id in row[1:] else None
            if state:
                out.append(("vb_%d" % vb, state))
        return out
    if name in ("key", "vkey", "keylen") and 2 <= len(words) <= 3:
        found = _owner(topo, bucket, words[1].encode(), words[2] if len(words) == 3 else None, s.node_id)
        if found is None:
            return []
        vb, item = found
        if item is None:
            return None
        if name == "keylen":
            return [(words[1], str(len(item.value)))]
        out = [("key_exptime", str(item.expiry)), ("key_flags", str(item.flags)), ("key_cas", str(item.cas)),
               ("key_vb_state", "active"), ("key_is_dirty", "0")]
        if name == "vkey":
            out.append(("key_valid", "valid"))
        return out
    return None


def _mem_used(topo, bucket, s):
    total = 0
    for vb, row in enumerate(topo.maps[bucket.name].map):
        if row and row[0] == s.node_id:
            for (_cid, key), item in bucket.vbuckets[vb].items.items():
                total += len(key) + len(item.value)
    return total
