"""Connection string parsing."""
import pytest

from couchbase._core import connstr
from couchbase.exceptions import InvalidError


def test_memcached_hosts_with_ports():
    s = connstr.parse("memcached://h1:1,h2:2")
    assert (s.scheme, s.hosts) == ("memcached", [("h1", 1), ("h2", 2)])


def test_couchbase_hosts_and_bucket_and_options():
    s = connstr.parse("couchbase://a,b:11210/travel?kv_timeout=3")
    assert s.hosts == [("a", None), ("b", 11210)]
    assert s.bucket == "travel" and s.options == {"kv_timeout": "3"}


def test_ipv6_host():
    assert connstr.parse("couchbase://[::1]:11210").hosts == [("::1", 11210)]


def test_string_without_scheme_is_couchbase():
    assert connstr.parse("127.0.0.1").scheme == "couchbase"


@pytest.mark.parametrize("bad", ["foo://h", "couchbase://h:notaport", "couchbase://h:70000", "couchbase://,"])
def test_malformed_strings_raise_invalid_error(bad):
    with pytest.raises(InvalidError):
        connstr.parse(bad)


def test_non_str_raises_invalid_error():
    with pytest.raises(InvalidError):
        connstr.parse(42)
