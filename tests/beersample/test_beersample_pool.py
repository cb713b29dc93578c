"""The application's connection pool: each request takes a connection for its duration."""
import threading

import pytest

from couchbase.exceptions import ConnectError, TimeoutError
from examples.beersample.pool import ConnectionPool


class Factory:
    def __init__(self, fail=False):
        self.made = 0
        self.fail = fail

    def __call__(self):
        if self.fail:
            raise ConnectError.pyexc("nothing listens")
        self.made += 1
        return "conn-%d" % self.made


def test_a_released_connection_is_reused():
    factory = Factory()
    pool = ConnectionPool(factory, 4)
    for _ in range(3):
        pool.release(pool.acquire())
    assert factory.made == 1


def test_at_most_size_connections_are_opened_and_the_next_caller_waits_for_one():
    factory = Factory()
    pool = ConnectionPool(factory, 2)
    held = [pool.acquire(), pool.acquire()]
    got = []
    waiter = threading.Thread(target=lambda: got.append(pool.acquire(timeout=10)))
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive() and factory.made == 2
    pool.release(held[0])
    waiter.join(10)
    assert got == [held[0]] and factory.made == 2


def test_waiting_past_the_timeout_raises_timeout_error():
    pool = ConnectionPool(Factory(), 1)
    pool.acquire()
    with pytest.raises(TimeoutError, match="No database connection became free"):
        pool.acquire(timeout=0.05)


def test_a_failed_connect_frees_its_place():
    factory = Factory(fail=True)
    pool = ConnectionPool(factory, 1)
    with pytest.raises(ConnectError):
        pool.acquire(timeout=0.05)
    factory.fail = False
    assert pool.acquire(timeout=0.05) == "conn-1"


def test_a_pool_needs_a_connection():
    with pytest.raises(ValueError):
        ConnectionPool(Factory(), 0)


def test_each_request_returns_its_connection(make_app):
    from beersample_helpers import Client

    app = make_app(POOL_SIZE=1)
    client = Client(app)
    for path in ("/beers", "/beers/show/no-such-beer", "/beers/search?value=a"):
        client.get(path)  # one connection, so each request must have given it back
    pool = app.extensions["couchbase_pool"]
    assert pool.acquire(timeout=0.05) is not None
