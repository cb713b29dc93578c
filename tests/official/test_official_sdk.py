"""Conformance: the official Couchbase Python SDK (4.6.3, its own venv) against the mock."""

import os

import pytest

from couchbase.mock import MockCluster

HERE = os.path.dirname(os.path.abspath(__file__))

from official import run_script  # noqa: E402


@pytest.fixture(scope="module")
def outcomes():
    with MockCluster(nodes=1, replicas=1, vbuckets=64) as one, \
            MockCluster(nodes=3, replicas=1, vbuckets=64) as three:
        return run_script(os.path.join(HERE, "official_sdk_script.py"), {"one": one.info(), "three": three.info()})


@pytest.mark.parametrize("op,expected", [
    ("upsert", "ok"),
    ("get", "ok:1"),
    ("insert_existing", "DocumentExistsException"),
    ("replace_stale_cas", "CasMismatchException"),
    ("replace_good_cas", "ok"),
    ("remove", "ok"),
    ("get_missing", "DocumentNotFoundException"),
    ("durable_upsert_1node", "DurabilityImpossibleException"),
    ("get_and_lock_unlock", "ok:locked_get_cas_hidden=True"),
    ("upsert_while_locked", "DocumentLockedException"),
    ("touch", "ok"),
    ("get_with_expiry", "ok:expiry_in_range=True"),
    ("increment", "ok:1"),
    ("named_collection", "ok:x"),
    ("durable_upsert_3nodes", "ok"),
    ("get_3nodes", "ok:3"),
])
def test_official_sdk_operation(outcomes, op, expected):
    assert outcomes.get(op) == expected, outcomes
