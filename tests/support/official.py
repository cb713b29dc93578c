"""The official Couchbase Python SDK (4.6.3) in its own venv, run as a subprocess."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv-official")
PY = os.path.join(VENV, "bin", "python")
SDK = "couchbase==4.6.3"


def ensure_venv():
    """Create the official SDK's venv once; later runs reuse it."""
    if os.path.exists(PY):
        probe = subprocess.run([PY, "-c", "import couchbase.cluster"], cwd="/tmp", capture_output=True)
        if probe.returncode == 0:
            return PY
    else:
        base = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
        subprocess.run([base, "-m", "venv", VENV], check=True)
    subprocess.run([PY, "-m", "pip", "install", "-q", SDK], check=True)
    return PY


def run_script(path, arg, timeout=180):
    """Run `path` with the official SDK, outside the repository so that `import couchbase`
    finds it; return the JSON object printed on its last line."""
    py = ensure_venv()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    p = subprocess.run([py, path, json.dumps(arg)], cwd="/tmp", env=env, capture_output=True, text=True,
                       timeout=timeout)
    if p.returncode != 0:
        raise AssertionError("official SDK script failed:\n" + p.stderr[-3000:])
    return json.loads(p.stdout.strip().splitlines()[-1])


#: our venv's Python (the interpreter running the tests when there is none)
OURS = os.path.join(ROOT, ".venv", "bin", "python")
if not os.path.exists(OURS):
    OURS = sys.executable


def run_scenario(scenario, python, nodes, env_extra, cwd):
    """Run the side-by-side `scenario` script under `python` against a fresh embedded cluster
    of `nodes` nodes (one replica); its steps as (name, outcome) in order."""
    from couchbase.mock import MockCluster

    env = dict(os.environ, **env_extra)
    with MockCluster(nodes=nodes, replicas=1, vbuckets=64, users={"Administrator": "password"}) as mock:
        p = subprocess.run([python, scenario, mock.connstr, str(nodes)], capture_output=True, text=True, cwd=cwd,
                           env=env, timeout=600)
    assert "DONE" in p.stdout.splitlines(), "scenario did not finish under %s: %s" % (python, p.stderr[-3000:])
    return [tuple(json.loads(line[4:])) for line in p.stdout.splitlines() if line.startswith("OUT ")]


def run_ours(scenario, nodes):
    """The scenario's steps under our SDK (the repository on the path)."""
    return run_scenario(scenario, OURS, nodes, {"PYTHONPATH": ROOT}, ROOT)


def assert_same_outcomes(scenario, nodes, deliberate, min_steps):
    """The scenario under ours and under the official SDK, each against its own cluster:
    the same steps in the same order, every outcome the same except the steps in
    `deliberate` (which must be steps of the scenario), at least `min_steps` of them."""
    official = ensure_venv()
    ours = run_ours(scenario, nodes)
    # /tmp as the working directory, so that the repository's packages do not shadow the installed SDK
    theirs = run_scenario(scenario, official, nodes, {"PYTHONPATH": ""}, "/tmp")
    assert [s for s, _ in ours] == [s for s, _ in theirs]
    pairs = list(zip(ours, theirs))
    same = [s for (s, a), (_s, b) in pairs if a == b]
    diffs = [(s, a, b) for (s, a), (_s, b) in pairs if a != b and s not in deliberate]
    print("\n%d nodes: %d same, %d different (all deliberate), %d steps"
          % (nodes, len(same), len(pairs) - len(same), len(pairs)))
    assert not diffs, "outcomes differ (step, ours, official): %r" % (diffs,)
    assert len(pairs) >= min_steps
    assert set(deliberate) <= {s for s, _ in ours}
