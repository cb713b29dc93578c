"""Fixtures for the beer-sample application: the embedded cluster with beer-sample and the
application's views, Flask test clients, and the application served the way
``make beersample`` serves it (for the browser and load tests)."""
import itertools
import re

import pytest

from beerdata import ZIP
from beersample_helpers import Client, ServedApp

_names = itertools.count()


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: end-to-end tests in headless Chromium (make test-browser)")


@pytest.fixture(scope="session")
def beer_cluster():
    """One node with the beer-sample bucket loaded and the application's views published."""
    from couchbase import Couchbase
    from couchbase.mock import MockCluster
    from examples.beersample.design_setup import setup_views

    with MockCluster(nodes=1, vbuckets=64, buckets={"beer-sample": None}) as cluster:
        cluster.load_sample("beer-sample", ZIP)
        setup_views(Couchbase.connect(bucket="beer-sample", host="127.0.0.1", port=cluster.rest_port))
        yield cluster


@pytest.fixture(scope="session")
def db(beer_cluster):
    from couchbase import Couchbase

    return Couchbase.connect(bucket="beer-sample", host="127.0.0.1", port=beer_cluster.rest_port)


@pytest.fixture(scope="session")
def make_app(beer_cluster):
    from examples.beersample import create_app

    def make(**config):
        conf = {"PORT": beer_cluster.rest_port, "TESTING": True}
        conf.update(config)
        return create_app(conf)

    return make


@pytest.fixture(scope="session")
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return Client(app)


@pytest.fixture
def new_client(app):
    """Another browser session."""
    return lambda: Client(app)


@pytest.fixture
def unique_name(request):
    """A beer or brewery name no other test uses."""
    stem = re.sub(r"[^A-Za-z0-9]+", " ", request.node.name).strip().title()[:60]
    return lambda: "Zz %s %d" % (stem, next(_names))


@pytest.fixture(scope="session")
def served_app():
    app = ServedApp()
    try:
        yield app
    finally:
        app.stop()


