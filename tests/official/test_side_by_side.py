"""The same KV scenario (tests/official/scenario.py) under our SDK and under the official
couchbase==4.6.3 (its own venv, .venv-official), each in a subprocess against one
embedded cluster: the outcomes and exception class names must be the same.

Faults (temporary failure, ambiguous durable write, invalid level, timeouts) are
injected by this process when the scenario asks for them on its stdout.
"""
import json
import os
import subprocess
import sys

from official import ensure_venv

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCENARIO = os.path.join(HERE, "scenario.py")
OURS = os.path.join(ROOT, ".venv", "bin", "python")
if not os.path.exists(OURS):
    OURS = sys.executable


def _install(hooks, name):
    if name == "clear":
        hooks.clear()
    elif name == "tmpfail_get":
        hooks.force_status(0x86, count=None, opcode=0x00)
    elif name == "ambiguous_set":
        hooks.force_status(0xA3, count=1, opcode=0x01)
    elif name == "invalid_level_set":
        hooks.force_status(0xA0, count=1, opcode=0x01)
    elif name == "delay_get":
        hooks.delay(1.0, opcode=0x00, count=1)
    elif name == "delay_set":
        hooks.delay(1.0, opcode=0x01, count=1)
    else:
        raise AssertionError("unknown hook %r" % name)


def run_scenario(mock, python, env_extra, cwd, tls=False):
    env = dict(os.environ, **env_extra)
    args = [mock.connstr_tls, mock.ca_cert] if tls else [mock.connstr]
    p = subprocess.Popen([python, SCENARIO] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, cwd=cwd, env=env)
    outcomes = []
    done = False
    try:
        for line in p.stdout:
            line = line.rstrip("\n")
            if line.startswith("HOOK "):
                _install(mock.hooks, line[5:])
                p.stdin.write("ok\n")
                p.stdin.flush()
            elif line.startswith("OUT "):
                outcomes.append(tuple(json.loads(line[4:])))
            elif line == "DONE":
                done = True
        p.wait(120)
    finally:
        mock.hooks.clear()
        if p.poll() is None:
            p.kill()
    assert done, "scenario did not finish under %s: %s" % (python, p.stderr.read()[-3000:])
    return outcomes


def fresh_mock(tls=False):
    """A new embedded cluster (one node, one replica configured) for each run."""
    from couchbase.mock import MockCluster

    return MockCluster(nodes=1, replicas=1, vbuckets=64, users={"Administrator": "password"},
                       collections=[("default", "tenant_agent_00", "users")], tls=tls)


def test_same_outcomes_as_official_sdk():
    official = ensure_venv()
    with fresh_mock() as mock:
        ours = run_scenario(mock, OURS, {"PYTHONPATH": ROOT}, ROOT)
    with fresh_mock() as mock:
        # /tmp as the working directory, so that /work/main/couchbase does not shadow the installed SDK
        theirs = run_scenario(mock, official, {"PYTHONPATH": ""}, "/tmp")
    assert [s for s, _ in ours] == [s for s, _ in theirs]
    diffs = [(s, a, b) for (s, a), (_s, b) in zip(ours, theirs) if a != b]
    assert not diffs, "outcomes differ (step, ours, official): %r" % (diffs,)
    assert len(ours) >= 60
    names = {v for _s, v in ours if isinstance(v, str) and v.startswith("EXC:")}
    for cls in ("DocumentNotFoundException", "DocumentExistsException", "CasMismatchException",
                "DocumentLockedException", "DurabilityImpossibleException",
                "DurabilitySyncWriteAmbiguousException", "DurabilityInvalidLevelException",
                "AmbiguousTimeoutException", "UnAmbiguousTimeoutException", "InvalidArgumentException",
                "AuthenticationException", "BucketNotFoundException", "TemporaryFailException",
                "ValueFormatException", "DeltaInvalidException", "DocumentNotLockedException"):
        assert "EXC:" + cls in names, cls


def test_ours_alone():
    """The scenario under our SDK alone gives the tutorial's values and the impossible durability."""
    with fresh_mock() as mock:
        ours = dict(run_scenario(mock, OURS, {"PYTHONPATH": ROOT}, ROOT))
    assert ours["get"] == {"a": 1}
    assert ours["durable_majority"] == "EXC:DurabilityImpossibleException"
    assert ours["coll_get"] == {"name": "John Doe"}


def test_same_outcomes_as_official_sdk_over_tls():
    """couchbases:// and the cluster's CA file: the official SDK connects over TLS and runs the
    whole scenario, with the same outcomes as ours over TLS."""
    official = ensure_venv()
    with fresh_mock(tls=True) as mock:
        ours = run_scenario(mock, OURS, {"PYTHONPATH": ROOT}, ROOT, tls=True)
    with fresh_mock(tls=True) as mock:
        theirs = run_scenario(mock, official, {"PYTHONPATH": ""}, "/tmp", tls=True)
    assert len(theirs) >= 60 and dict(theirs)["get"] == {"a": 1}
    assert [s for s, _ in ours] == [s for s, _ in theirs]
    diffs = [(s, a, b) for (s, a), (_s, b) in zip(ours, theirs) if a != b]
    assert not diffs, "outcomes differ over TLS (step, ours, official): %r" % (diffs,)
