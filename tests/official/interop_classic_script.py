"""Run by the official SDK: read what the other SDK wrote, write documents for it to read."""
import json
import sys
from datetime import timedelta

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.options import ClusterOptions, UpsertOptions
from couchbase.transcoder import RawBinaryTranscoder, RawStringTranscoder

arg = json.loads(sys.argv[1])
cluster = Cluster(arg["connstr"], ClusterOptions(PasswordAuthenticator("Administrator", "password")))
cluster.wait_until_ready(timedelta(seconds=10))
coll = cluster.bucket("default").default_collection()
p = arg["prefix"]
out = {
    "json": coll.get(p + "ours-json").content_as[dict],
    "str": coll.get(p + "ours-str", transcoder=RawStringTranscoder()).content_as[str],
    "bytes": coll.get(p + "ours-bytes", transcoder=RawBinaryTranscoder()).content_as[bytes].hex(),
    "counter": coll.get(p + "ours-counter").content_as[int],
}
coll.upsert(p + "official-json", {"from": "official", "n": [1, 2]})
coll.upsert(p + "official-str", "plain text \u00e9", UpsertOptions(transcoder=RawStringTranscoder()))
coll.upsert(p + "official-bytes", b"\x00\x01\xfe", UpsertOptions(transcoder=RawBinaryTranscoder()))
cluster.close()
print(json.dumps(out))
