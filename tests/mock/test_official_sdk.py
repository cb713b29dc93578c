"""Conformance: the official Couchbase Python SDK (4.6.3, its own venv) against the mock."""

import json
import os
import subprocess
import sys

import pytest

from couchbase.mock import MockCluster

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VENV = os.path.join(ROOT, ".venv-official")
PY = os.path.join(VENV, "bin", "python")
SDK = "couchbase==4.6.3"


def _ensure_venv():
    """Create the official SDK's venv once; later runs reuse it."""
    if os.path.exists(PY):
        probe = subprocess.run([PY, "-c", "import couchbase.cluster"], cwd="/tmp",
                               capture_output=True)
        if probe.returncode == 0:
            return
    else:
        subprocess.run([sys.executable if not os.path.exists("/usr/bin/python3")
                        else "/usr/bin/python3", "-m", "venv", VENV], check=True)
    subprocess.run([PY, "-m", "pip", "install", "-q", SDK], check=True)


@pytest.fixture(scope="module")
def outcomes():
    _ensure_venv()
    with MockCluster(nodes=1, replicas=1, vbuckets=64) as one, \
            MockCluster(nodes=3, replicas=1, vbuckets=64) as three:
        arg = json.dumps({"one": one.info(), "three": three.info()})
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        # run outside the repository so that `import couchbase` finds the official SDK
        p = subprocess.run([PY, os.path.join(HERE, "official_sdk_script.py"), arg],
                           cwd="/tmp", env=env, capture_output=True, text=True, timeout=180)
        assert p.returncode == 0, p.stderr[-3000:]
        return json.loads(p.stdout.strip().splitlines()[-1])


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
