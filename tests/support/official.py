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
