"""Write documents with every transcoder, or read them back: run under our SDK and the official one.

Usage: python interop.py write|read CONNSTR PREFIX. ``read`` prints one JSON line,
``OUT {name: [value, flags]}``, bytes shown as latin-1 text.
"""
import json
import sys

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.options import ClusterOptions

from couchbase.transcoder import (
    JSONTranscoder, LegacyTranscoder, RawBinaryTranscoder, RawJSONTranscoder, RawStringTranscoder,
)

DOCS = [
    ("json", JSONTranscoder(), {"a": [1, 2.5, None, "é"]}),
    ("json_str", JSONTranscoder(), "just text"),
    ("json_num", JSONTranscoder(), 12),
    ("string", RawStringTranscoder(), "héllo"),
    ("binary", RawBinaryTranscoder(), b"\x00\x01\xff"),
    ("rawjson", RawJSONTranscoder(), '{"raw":1}'),
    ("legacy_str", LegacyTranscoder(), "legacy"),
    ("legacy_bytes", LegacyTranscoder(), b"lb"),
    ("legacy_dict", LegacyTranscoder(), {"x": 1}),
]


def show(v):
    if isinstance(v, bytes):
        return {"bytes": v.decode("latin-1")}
    return v


def main(mode, connstr, prefix):
    c = Cluster.connect(connstr, ClusterOptions(PasswordAuthenticator("Administrator", "password")))
    coll = c.bucket("default").default_collection()
    if mode == "write":
        for name, tc, value in DOCS:
            coll.upsert(prefix + name, value, transcoder=tc)
        coll.binary().increment(prefix + "counter")
        coll.upsert(prefix + "app", "ab", transcoder=RawStringTranscoder())
        coll.binary().append(prefix + "app", "cd")
    else:
        out = {}
        for name, tc, _value in DOCS + [("counter", JSONTranscoder(), None), ("app", RawStringTranscoder(), None)]:
            r = coll.get(prefix + name, transcoder=tc)
            out[name] = [show(r.value), r.flags]
            try:
                out[name + "/default"] = show(coll.get(prefix + name).value)
            except Exception as e:
                out[name + "/default"] = "EXC:" + type(e).__name__
        print("OUT " + json.dumps(out, sort_keys=True), flush=True)
    c.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
