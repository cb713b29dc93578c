"""tests/official/scenario_async.py (the asyncio face: CRUD, CAS, locks, counters, sub-document,
replicas, durability, concurrency through asyncio.gather, cancellation, argument errors,
management, views and design documents, ping, diagnostics) under our ``acouchbase`` and
under the official couchbase==4.6.3's, each against its own fresh embedded cluster of 1 and
of 3 nodes: every step's outcome must be the same, except the deliberate differences listed
here (and in docs/asyncio.md and docs/modern.md)."""
import os

import pytest

from official import assert_same_outcomes, run_ours

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO = os.path.join(HERE, "scenario_async.py")

#: step -> why our outcome differs on purpose (the blocking modern face's differences)
DELIBERATE = {
    "option_unknown_kwarg": "an unknown option raises InvalidArgumentException (4.6.3: AttributeError)",
    "named_missing": "an unknown collection raises CollectionNotFoundException after one refresh (4.6.3 retries "
                     "until its timeout: UnAmbiguousTimeoutException)",
    "view_request_plus_new_index": "scan_consistency=REQUEST_PLUS is sent (stale=false), so the first query of a "
                                   "new index has its rows (4.6.3 sends no stale parameter: the server's default "
                                   "update_after answers from the index not built yet, no rows)",
}


@pytest.mark.parametrize("nodes", [1, 3])
def test_same_outcomes_as_official_acouchbase(nodes):
    assert_same_outcomes(SCENARIO, nodes, DELIBERATE, 80)


def test_ours_alone_gives_the_scenarios_facts():
    """Facts that do not depend on the official SDK."""
    ours = dict(run_ours(SCENARIO, 3))
    assert ours["get"] == {"name": "x", "n": 1, "tags": ["a", "b"]}
    assert ours["insert_exists"] == "EXC:DocumentExistsException"
    assert ours["lock_cycle"] == ["DocumentLockedException", "CasMismatchException", True]
    assert ours["all_replicas"] == [[False, 1], [True, 1]]
    assert ours["gather_gets"] is True
    assert ours["cancel_then_use"][1] == "many-3"
    assert ours["durable_majority"] is True
    assert ours["view_request_plus_new_index"] == ours["view_rows"]
    assert ours["view_rows"][1] == 12 and ours["view_rows"][0][0] == [0, "view-00", "k0"]
    assert ours["view_missing_ddoc"] == ours["view_missing_view"] == "EXC:DesignDocumentNotFoundException"
    assert ours["view_iterate_twice"] == "EXC:AlreadyQueriedException"
