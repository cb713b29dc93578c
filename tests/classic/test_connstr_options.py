"""Options in a classic connection string have the effect of the arguments they name, and
an unknown one is refused with its name before any connection is made."""
import pytest

from couchbase import Couchbase
from couchbase.exceptions import ArgumentError


def _connstr(mock_cluster, query):
    return "%s/default?%s" % (mock_cluster.connstr, query)


def test_unknown_option_is_refused_with_its_name(mock_cluster):
    with pytest.raises(ArgumentError) as e:
        Couchbase.connect(connstr=_connstr(mock_cluster, "bogus_option=1"))
    assert "bogus_option" in str(e.value)


def test_unknown_option_is_refused_for_memcached_too(memcached):
    with pytest.raises(ArgumentError) as e:
        Couchbase.connect(host="memcached://%s?nonsense=2" % memcached.address)
    assert "nonsense" in str(e.value)


@pytest.mark.parametrize("query,expected", [("operation_timeout=7", 7.0), ("kv_timeout=3500ms", 3.5),
                                            ("operation_timeout=1.25", 1.25)])
def test_operation_timeout_sets_the_connection_timeout(mock_cluster, query, expected):
    assert Couchbase.connect(connstr=_connstr(mock_cluster, query)).timeout == expected


def test_views_timeout_option(mock_cluster):
    assert Couchbase.connect(connstr=_connstr(mock_cluster, "views_timeout=12")).views_timeout == 12.0


def test_max_response_size_option(mock_cluster):
    c = Couchbase.connect(connstr=_connstr(mock_cluster, "max_response_size=4096"))
    assert c.max_response_size == 4096


def test_config_cache_option_writes_the_cache(mock_cluster, tmp_path):
    path = tmp_path / "cache.json"
    Couchbase.connect(connstr=_connstr(mock_cluster, "config_cache=%s" % path))
    assert path.exists() and b"vBucketServerMap" in path.read_bytes()


@pytest.mark.parametrize("query", ["operation_timeout=-1", "operation_timeout=abc", "max_response_size=x",
                                   "network=external", "enable_tls=maybe"])
def test_bad_option_value_is_refused(mock_cluster, query):
    with pytest.raises(ArgumentError) as e:
        Couchbase.connect(connstr=_connstr(mock_cluster, query))
    assert query.split("=")[1] in str(e.value)


def test_bootstrap_timeout_bounds_the_bootstrap_and_not_the_operations(mock_cluster):
    c = Couchbase.connect(connstr=_connstr(mock_cluster, "bootstrap_timeout=5&operation_timeout=1.5"))
    assert c.timeout == 1.5
