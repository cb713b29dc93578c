"""get/set single and get_multi/set_multi against one real memcached, ours vs pylibmc and pymemcache.

Values are bytes (FMT_BYTES for us, raw for the peers), so every client moves the same bytes.
"""
import pytest

from conftest import SIZES, Measured, make_client

CLIENTS = ["ours", "ours-py", "pylibmc", "pymemcache"]


def _kv(prefix, n, size):
    blob = (b"0123456789abcdef" * (size // 16 + 1))[:size]
    return {"%s:%d" % (prefix, i): blob for i in range(n)}


def _setter(client, name):
    if name.startswith("ours"):
        return lambda k, v: client.set(k, v)
    return lambda k, v: client.set(k, v)


def _multi_setter(client, name):
    if name.startswith("ours"):
        return client.set_multi
    if name == "pylibmc":
        return client.set_multi
    return client.set_many


def _multi_getter(client, name):
    if name.startswith("ours"):
        return client.get_multi
    if name == "pylibmc":
        return client.get_multi
    return client.get_many


def _check_multi(name, got, kv):
    if name.startswith("ours"):
        return all(got[k].value == v for k, v in kv.items())
    return got == kv


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("client_name", CLIENTS)
def bench_get_single(benchmark, memcached_server, client_name, size):
    client = make_client(client_name, memcached_server)
    kv = _kv("single-%s" % client_name, 1, SIZES[size])
    (key, value), = kv.items()
    _setter(client, client_name)(key, value)
    benchmark.group = "get single %s" % size
    benchmark.extra_info["client"] = client_name
    get = client.get
    m = Measured(benchmark, 1)
    got = m.run(lambda: get(key), rounds=2000)
    assert (got.value if client_name.startswith("ours") else got) == value


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("client_name", CLIENTS)
def bench_set_single(benchmark, memcached_server, client_name, size):
    client = make_client(client_name, memcached_server)
    (key, value), = _kv("sset-%s" % client_name, 1, SIZES[size]).items()
    benchmark.group = "set single %s" % size
    benchmark.extra_info["client"] = client_name
    setter = _setter(client, client_name)
    Measured(benchmark, 1).run(lambda: setter(key, value), rounds=2000)


@pytest.mark.parametrize("n", [100, 1000])
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("client_name", CLIENTS)
def bench_get_multi(benchmark, memcached_server, client_name, size, n):
    client = make_client(client_name, memcached_server)
    kv = _kv("gm-%s-%d" % (client_name, n), n, SIZES[size])
    _multi_setter(client, client_name)(kv)
    keys = list(kv)
    benchmark.group = "get_multi n=%d %s" % (n, size)
    benchmark.extra_info["client"] = client_name
    getter = _multi_getter(client, client_name)
    got = Measured(benchmark, n).run(lambda: getter(keys), rounds=max(20, 20000 // n))
    assert _check_multi(client_name, got, kv)


@pytest.mark.parametrize("n", [100, 1000])
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("client_name", CLIENTS)
def bench_set_multi(benchmark, memcached_server, client_name, size, n):
    client = make_client(client_name, memcached_server)
    kv = _kv("sm-%s-%d" % (client_name, n), n, SIZES[size])
    benchmark.group = "set_multi n=%d %s" % (n, size)
    benchmark.extra_info["client"] = client_name
    setter = _multi_setter(client, client_name)
    Measured(benchmark, n).run(lambda: setter(kv), rounds=max(20, 20000 // n))
