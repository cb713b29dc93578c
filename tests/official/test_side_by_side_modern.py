"""tests/official/scenario_modern.py (sub-document, projections, preserve-expiry, replica
reads, multi operations, data structures, management, diagnostics, unavailable services,
MutationState, error contexts, options, keyword names) under our SDK and under the official
couchbase==4.6.3, each against its own fresh embedded cluster of 1 and of 3 nodes: every
step's outcome must be the same, except the deliberate differences listed here (and in
docs/modern.md, "Differences from the official 4.6.3 SDK")."""
import os

import pytest

from official import assert_same_outcomes, run_ours

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO = os.path.join(HERE, "scenario_modern.py")

#: step -> why our outcome differs on purpose
DELIBERATE = {
    "users_get_missing": "a missing user raises UserNotFoundException (4.6.3: the base CouchbaseException)",
    "users_drop_missing": "a missing user raises UserNotFoundException (4.6.3: the base CouchbaseException)",
    "connstr_kv_timeout": "?kv_timeout=2.5s is honoured (4.6.3 rejects the duration with InvalidArgumentException)",
    "connstr_unknown": "an unknown connection-string option is refused (4.6.3 ignores it)",
    "cluster_option_unknown": "an unknown ClusterOptions key is refused (4.6.3 ignores it)",
    "timeout_option_unknown": "an unknown ClusterTimeoutOptions key is refused (4.6.3 ignores it)",
    "timeout_option_type": "a timeout that is not a timedelta is refused at once (4.6.3 accepts it)",
}


@pytest.mark.parametrize("nodes", [1, 3])
def test_same_outcomes_as_official_sdk(nodes):
    assert_same_outcomes(SCENARIO, nodes, DELIBERATE, 200)


def test_ours_alone_matches_the_tutorial_facts():
    """Facts that do not depend on the official SDK: projections, counters, replica counts."""
    ours = dict(run_ours(SCENARIO, 3))
    assert ours["project_nested"] == {"b": {"c": 2}}
    assert ours["mutate_counter"] == 3
    assert ours["all_replicas"] == [[False, 1], [True, 1]]
    assert ours["query_rows"] == "EXC:ServiceUnavailableException"
    assert ours["diag_state"] == "ClusterState.Online"
    assert ours["mgmt_create_again"] == "EXC:BucketAlreadyExistsException"
