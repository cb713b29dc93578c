"""Documents written by this SDK read back by the official 4.6.3 SDK, and the other way round."""
import os

import pytest

from couchbase import FMT_BYTES, FMT_UTF8, Couchbase
from official import run_script

pytestmark = pytest.mark.mock
HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def exchange(mock_cluster):
    prefix = "interop-%d-" % os.getpid()
    c = Couchbase.connect(bucket="default", host="127.0.0.1", port=mock_cluster.rest_port)
    c.set(prefix + "ours-json", {"from": "ours", "list": [1, "two"]})
    c.set(prefix + "ours-str", "caf\u00e9", format=FMT_UTF8)
    c.set(prefix + "ours-bytes", b"\x00\xff\x10", format=FMT_BYTES)
    c.incr(prefix + "ours-counter", initial=41)
    c.incr(prefix + "ours-counter")
    seen = run_script(os.path.join(HERE, "interop_classic_script.py"),
                      {"connstr": mock_cluster.connstr, "prefix": prefix})
    return c, prefix, seen


def test_official_sdk_reads_our_json(exchange):
    assert exchange[2]["json"] == {"from": "ours", "list": [1, "two"]}


def test_official_sdk_reads_our_utf8_string(exchange):
    assert exchange[2]["str"] == "caf\u00e9"


def test_official_sdk_reads_our_bytes(exchange):
    assert exchange[2]["bytes"] == "00ff10"


def test_official_sdk_reads_our_counter(exchange):
    assert exchange[2]["counter"] == 42


def test_we_read_official_json(exchange):
    c, prefix, _ = exchange
    assert c.get(prefix + "official-json").value == {"from": "official", "n": [1, 2]}


def test_we_read_official_string(exchange):
    c, prefix, _ = exchange
    assert c.get(prefix + "official-str").value == "plain text \u00e9"


def test_we_read_official_bytes(exchange):
    c, prefix, _ = exchange
    assert c.get(prefix + "official-bytes").value == b"\x00\x01\xfe"
