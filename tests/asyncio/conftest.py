"""Fixtures of the asyncio-face tests: embedded clusters and event loops (helpers in
tests/support/aiohelpers.py)."""
import pytest

from aiohelpers import LOOPS, mock


@pytest.fixture(scope="session")
def one_node():
    """One node, one replica configured (durable writes are impossible)."""
    with mock(1) as m:
        yield m


@pytest.fixture(scope="session")
def three_nodes():
    """Three nodes, one replica."""
    with mock(3) as m:
        yield m


@pytest.fixture(params=LOOPS)
def loop_kind(request):
    """asyncio's own event loop, then uvloop."""
    return request.param
