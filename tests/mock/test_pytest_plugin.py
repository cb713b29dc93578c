"""The pytest plugin's fixtures, exercised through pytester-free direct use."""

import subprocess
import sys
import os

HERE = os.path.dirname(os.path.abspath(__file__))

ROOT = os.path.dirname(os.path.dirname(HERE))

USER_TEST = '''
def test_uses_fixtures(couchbase_mock, couchbase_bucket):
    assert couchbase_bucket in couchbase_mock.topology.buckets
    couchbase_mock.bucket(couchbase_bucket).set("k", b"v")
    assert couchbase_mock.bucket(couchbase_bucket).get("k") == b"v"

def test_second_bucket_is_fresh(couchbase_mock, couchbase_bucket):
    assert couchbase_mock.bucket(couchbase_bucket).get("k") is None
    assert len([b for b in couchbase_mock.topology.buckets if b.startswith("test-")]) == 1
'''


def test_plugin_fixtures(tmp_path):
    (tmp_path / "test_user.py").write_text(USER_TEST)
    (tmp_path / "conftest.py").write_text("pytest_plugins = ['couchbase.mock.pytest_plugin']\n")
    env = dict(os.environ, PYTHONPATH=ROOT)
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        str(tmp_path)], cwd=str(tmp_path), capture_output=True, text=True,
                       timeout=120, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "2 passed" in p.stdout
