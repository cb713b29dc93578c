"""Read documents written by the classic (1.x) face, with the official SDK.

Usage: python read_classic_script.py '{"connstr": ..., "keys": [...]}'; prints one JSON
object {key: {"json": value or "EXC:<name>", "legacy": value, "flags": n}}.
"""
import json
import sys

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.options import ClusterOptions
from couchbase.transcoder import JSONTranscoder, LegacyTranscoder


def show(v):
    return {"bytes": v.decode("latin-1")} if isinstance(v, bytes) else v


def main(arg):
    c = Cluster.connect(arg["connstr"], ClusterOptions(PasswordAuthenticator("Administrator", "password")))
    coll = c.bucket("default").default_collection()
    out = {}
    for key in arg["keys"]:
        entry = {}
        try:
            r = coll.get(key, transcoder=JSONTranscoder())
            entry["json"] = show(r.value)
            entry["flags"] = r.flags
        except Exception as e:
            entry["json"] = "EXC:" + type(e).__name__
        r = coll.get(key, transcoder=LegacyTranscoder())
        entry["legacy"] = show(r.value)
        entry["flags"] = r.flags
        out[key] = entry
    c.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
