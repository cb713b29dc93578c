"""Connection arguments: host forms (tried in order, REST port 8091 unless given), the
configuration cache, _no_connect_exceptions, host names refused before any network I/O,
and Couchbase.connect passing everything through."""
import json

import pytest

import couchbase._libcouchbase as LCB
from couchbase import FMT_UTF8, LOCKMODE_EXC, Couchbase
from couchbase._core import http as _http
from couchbase._core.session import Session
from couchbase.connection import Connection
from couchbase.exceptions import ArgumentError, ConnectError, CouchbaseError, InvalidError
from support_ports import dead_port


@pytest.fixture
def no_io(monkeypatch):
    """Any bootstrap or server setup fails the test: nothing may reach the network."""
    def refuse(*a, **kw):
        raise AssertionError("network I/O attempted")

    monkeypatch.setattr(Session, "bootstrap", refuse)
    monkeypatch.setattr(Session, "use_memcached", refuse)


@pytest.mark.parametrize("host", ["12345:qwer###", "bad host", "h@st", "[::1", "a..b:", "-lead", [("x", "y")]])
def test_invalid_host_raises_invalid_error_before_any_io(no_io, host):
    with pytest.raises((InvalidError, ArgumentError)) as ei:
        Couchbase.connect(bucket="default", host=host)
    if isinstance(host, str):
        assert isinstance(ei.value, InvalidError) and ei.value.rc == LCB.LCB_INVALID_HOST_FORMAT


@pytest.mark.parametrize("port", [0, 70000, -1])
def test_invalid_port_raises_before_any_io(no_io, port):
    with pytest.raises(InvalidError):
        Couchbase.connect(bucket="default", host="localhost", port=port)


def test_non_int_port_is_an_argument_error(no_io):
    with pytest.raises(ArgumentError):
        Couchbase.connect(bucket="default", host="localhost", port="8091")


def test_constructor_is_keyword_only():
    with pytest.raises(TypeError):
        Connection("default")


def test_unknown_keyword_is_an_argument_error_with_inner_type_error(no_io):
    with pytest.raises(ArgumentError) as ei:
        Couchbase.connect(bucket="default", bogus=1)
    assert isinstance(ei.value.inner_cause, TypeError)
    assert "Bad/insufficient arguments" in str(ei.value)


@pytest.mark.parametrize("kw", [{"quiet": None}, {"timeout": "x"}, {"timeout": 0}, {"default_format": "json"},
                                {"lockmode": 9}])
def test_wrongly_typed_argument_is_an_argument_error(no_io, kw):
    with pytest.raises(ArgumentError):
        Couchbase.connect(bucket="default", **kw)


def test_missing_bucket_is_an_argument_error(mock_cluster):
    with pytest.raises(ArgumentError):
        Couchbase.connect(host="127.0.0.1", port=mock_cluster.rest_port)


@pytest.mark.parametrize("form", ["str", "str_with_port", "list", "tuple_list", "pair"])
def test_host_forms(mock_cluster, uniq, form):
    port = mock_cluster.rest_port
    host, kw = {"str": ("127.0.0.1", {"port": port}), "str_with_port": ("127.0.0.1:%d" % port, {}),
                "list": (["127.0.0.1"], {"port": port}), "tuple_list": ([("127.0.0.1", port)], {}),
                "pair": (("127.0.0.1", port), {})}[form]
    c = Couchbase.connect(bucket="default", host=host, **kw)
    c.set(uniq, 1)
    assert c.get(uniq).value == 1


def test_hosts_are_tried_in_order_until_one_answers(mock_cluster, uniq):
    c = Couchbase.connect(bucket="default", host=[("127.0.0.1", dead_port()), "127.0.0.1"],
                          port=mock_cluster.rest_port)
    assert c.set(uniq, 1).success


def test_no_host_answering_raises_connect_error(mock_cluster):
    with pytest.raises(CouchbaseError) as ei:
        Couchbase.connect(bucket="default", host=[("127.0.0.1", dead_port())], timeout=1.0)
    assert isinstance(ei.value, (ConnectError, CouchbaseError)) and ei.value.rc


def test_couchbase_connect_passes_every_argument_through(mock_cluster):
    c = Couchbase.connect("default", "127.0.0.1", mock_cluster.rest_port, None, True, None, True, 4.5, None,
                          LOCKMODE_EXC, default_format=FMT_UTF8)
    assert (c.bucket, c.quiet, c.timeout, c.lockmode, c.default_format) == ("default", 1, 4.5, LOCKMODE_EXC,
                                                                            FMT_UTF8)


def test_no_connect_exceptions_leaves_an_unconnected_connection(uniq):
    c = Couchbase.connect(bucket="default", host="127.0.0.1", port=dead_port(), timeout=0.5,
                          _no_connect_exceptions=True)
    assert c.connected is False and c.closed is False
    errors = c.errors()
    assert errors and errors[0][0] and c.errors() == ()
    with pytest.raises(CouchbaseError) as ei:
        c.get(uniq)
    assert ei.value.rc == errors[0][0]


def test_connected_is_true_and_stays_true_after_close(cb):
    assert cb.connected
    cb._close()
    assert cb.connected and cb.closed


# ---- the configuration cache ----

def _loaded(c):
    return c._cntl(LCB.LCB_CNTL_CONFIG_CACHE_LOADED)


@pytest.mark.parametrize("arg", ["conncache", "config_cache"])
def test_cache_is_written_then_used_by_the_next_connection(mock_cluster, tmp_path, uniq, monkeypatch, arg):
    path = str(tmp_path / "cache")
    c1 = Couchbase.connect(bucket="default", host="127.0.0.1", port=mock_cluster.rest_port, **{arg: path})
    assert _loaded(c1) == 0
    assert json.load(open(path))["bucket"] == "default"
    c1.set(uniq, "cached")

    def no_http(*a, **kw):
        raise AssertionError("the HTTP bootstrap ran although the cache is valid")

    monkeypatch.setattr(_http, "first_streamed_config", no_http)
    c2 = Couchbase.connect(bucket="default", host="127.0.0.1", port=mock_cluster.rest_port, **{arg: path})
    assert _loaded(c2) == 1
    assert c2.get(uniq).value == "cached"


def test_stale_cache_falls_back_to_bootstrap_and_is_rewritten(mock_cluster, mock_cluster_factory, tmp_path, uniq):
    path = str(tmp_path / "cache")
    with mock_cluster_factory(nodes=1, vbuckets=16) as other:
        Couchbase.connect(bucket="default", host="127.0.0.1", port=other.rest_port, conncache=path)
    stale = json.load(open(path))
    c = Couchbase.connect(bucket="default", host="127.0.0.1", port=mock_cluster.rest_port, conncache=path)
    assert _loaded(c) == 0
    c.set(uniq, 1)
    assert c.get(uniq).value == 1
    assert json.load(open(path)) != stale


@pytest.mark.parametrize("content", [b"garbage{", b"", b'{"bucket": "default", "config": 5}', b"\xff\xfe",
                                     b'{"bucket": "other", "config": {}}'])
def test_corrupt_or_foreign_cache_falls_back_to_bootstrap(mock_cluster, tmp_path, uniq, content):
    path = tmp_path / "cache"
    path.write_bytes(content)
    c = Couchbase.connect(bucket="default", host="127.0.0.1", port=mock_cluster.rest_port, conncache=str(path))
    assert _loaded(c) == 0
    assert c.set(uniq, 1).success
    assert json.loads(path.read_text())["bucket"] == "default"


def test_unwritable_cache_path_is_not_an_error(mock_cluster, tmp_path):
    c = Couchbase.connect(bucket="default", host="127.0.0.1", port=mock_cluster.rest_port,
                          conncache=str(tmp_path / "missing-dir" / "cache"))
    assert c.connected


def test_subclass_may_defer_connecting(mock_cluster, uniq):
    class Lazy(Connection):
        def _do_ctor_connect(self):
            pass

    c = Lazy(bucket="default", host="127.0.0.1", port=mock_cluster.rest_port)
    assert not c.connected
    c._connect()
    assert c.connected and c.set(uniq, 1).success
