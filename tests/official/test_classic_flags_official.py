"""The classic face stores the 1.x client's flags (JSON 0, pickle 1, bytes 2, UTF-8 4); the
official 4.x SDK reads them: flags 0 as JSON with its JSONTranscoder, and each format with
its LegacyTranscoder."""
import os

from official import run_script

from couchbase import FMT_BYTES, FMT_JSON, FMT_UTF8, Couchbase

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "read_classic_script.py")


def test_official_sdk_reads_documents_written_with_1x_flags(mock_cluster):
    c = Couchbase.connect(bucket="default", host="127.0.0.1", port=mock_cluster.rest_port)
    c.set("classic-json", {"a": [1, "é"]}, format=FMT_JSON)
    c.set("classic-utf8", "héllo", format=FMT_UTF8)
    c.set("classic-bytes", b"\x00\x01", format=FMT_BYTES)
    out = run_script(SCRIPT, {"connstr": mock_cluster.connstr, "keys": ["classic-json", "classic-utf8",
                                                                         "classic-bytes"]})
    assert out["classic-json"] == {"json": {"a": [1, "é"]}, "legacy": {"a": [1, "é"]}, "flags": 0}
    assert out["classic-utf8"]["legacy"] == "héllo" and out["classic-utf8"]["flags"] == 4
    assert out["classic-bytes"]["legacy"] == {"bytes": "\x00\x01"} and out["classic-bytes"]["flags"] == 2
