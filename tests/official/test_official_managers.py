"""The official SDK's own managers (4.6.3, its own venv) create, list and drop buckets,
scopes, collections, users and groups on the embedded cluster without error."""
import os

import pytest

from couchbase.mock import MockCluster
from official import run_script

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def outcomes():
    with MockCluster(nodes=2, replicas=1, vbuckets=64, users={"Administrator": "password"}) as mock:
        return run_script(os.path.join(HERE, "official_managers_script.py"), mock.info())


@pytest.mark.parametrize("step,expected", [
    ("create_bucket", "ok"),
    ("list_buckets", "ok:app,default"),
    ("get_bucket", "ok:app/100/True"),
    ("update_bucket", "ok"),
    ("flush_bucket", "ok"),
    ("create_scope", "ok"),
    ("create_collection", "ok"),
    ("list_scopes", "ok:_default._default,tenant.users"),
    ("use_collection", "ok"),
    ("drop_collection", "ok"),
    ("drop_scope", "ok"),
    ("upsert_group", "ok"),
    ("upsert_user", "ok"),
    ("list_users", "ok:alice"),
    ("get_user_roles", "ok:bucket_admin,data_reader"),
    ("drop_user", "ok"),
    ("drop_group", "ok"),
    ("drop_bucket", "ok"),
    ("list_after", "ok:default"),
])
def test_official_manager_step(outcomes, step, expected):
    assert outcomes.get(step) == expected, outcomes
