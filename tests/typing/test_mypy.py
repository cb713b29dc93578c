"""Static typing as users get it: the packages (couchbase and acouchbase) pass ``mypy --strict``
(configured in pyproject.toml), the stubs of the compiled modules agree with them (mypy's
stubtest), typed application code of the blocking faces and of the asyncio face passes
``mypy --strict`` and runs, and the deliberate type errors of user_errors.py are each reported.
mypy runs as a subprocess, as a user runs it."""
import importlib.util
import os
import re
import subprocess
import sys

import pytest

from aiohelpers import LOOPS, run

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ERRORS_FILE = os.path.join("tests", "typing", "user_errors.py")
CORRECT_FILE = os.path.join("tests", "typing", "user_correct.py")
ASYNCIO_FILE = os.path.join("tests", "typing", "user_correct_asyncio.py")
_MARK = re.compile(r"# error: \[([a-z-]+)\]")
_REPORTED = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: .*\[(?P<code>[a-z-]+)\]$")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("mypy-cache"))


def _mypy(cache_dir, *args):
    return subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", cache_dir, *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def _errors(output):
    """{(line, code): count} of the errors mypy reported."""
    found = {}
    for line in output.splitlines():
        m = _REPORTED.match(line)
        if m:
            k = (int(m.group("line")), m.group("code"))
            found[k] = found.get(k, 0) + 1
    return found


def test_package_passes_mypy_strict(cache_dir):
    p = _mypy(cache_dir, "--strict")
    assert p.returncode == 0, p.stdout[-5000:] + p.stderr[-2000:]
    assert p.stdout.startswith("Success: no issues found")


def test_compiled_module_stubs_match_the_built_modules():
    p = subprocess.run([sys.executable, "-m", "mypy.stubtest", "couchbase._core._fastpath", "couchbase._core._cbc",
                        "--allowlist", os.path.join("tests", "typing", "stubtest_allowlist.txt")],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout[-5000:] + p.stderr[-2000:]


@pytest.mark.parametrize("path", [CORRECT_FILE, ASYNCIO_FILE])
def test_typed_user_code_passes_mypy_strict(cache_dir, path):
    p = _mypy(cache_dir, "--strict", path)
    assert p.returncode == 0, p.stdout[-5000:] + p.stderr[-2000:]


def test_each_deliberate_type_error_is_reported_and_nothing_else(cache_dir):
    expected = {}
    with open(os.path.join(ROOT, ERRORS_FILE)) as f:
        for n, line in enumerate(f, 1):
            for code in _MARK.findall(line):
                expected[(n, code)] = expected.get((n, code), 0) + 1
    assert len(expected) >= 30
    p = _mypy(cache_dir, "--strict", ERRORS_FILE)
    assert p.returncode == 1, p.stdout[-5000:] + p.stderr[-2000:]
    assert _errors(p.stdout) == expected, p.stdout[-5000:]


def test_the_error_markers_are_read_from_mypy_output():
    out = ("tests/typing/user_errors.py:21: error: Argument 1 to \"get\" of \"Collection\" has incompatible type "
           "\"int\"; expected \"str\"  [arg-type]\ntests/typing/user_errors.py:21: note: a note\n"
           "tests/typing/user_errors.py:21: error: Another  [arg-type]\n")
    assert _errors(out) == {(21, "arg-type"): 2}


def _load(path):
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, path))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _mock_cluster():
    from couchbase.mock import MockCluster

    return MockCluster(nodes=1, replicas=1, vbuckets=16, buckets={"default": None, "travel-sample": None},
                       users={"Administrator": "password"},
                       collections=[("travel-sample", "tenant_agent_00", "users")])


@pytest.mark.mock
def test_typed_user_code_runs_against_the_embedded_cluster():
    user = _load(CORRECT_FILE)
    with _mock_cluster() as m:
        cluster = user.connect(m.connstr, "Administrator", "password")
        try:
            modern = user.tutorial(cluster)
        finally:
            cluster.close()
        classic = user.classic("127.0.0.1", m.rest_port)
    assert modern["get"] == {"foo": "bar", "bar": "foo"}
    assert modern["upserted"] == {"foobar": "barfoo"}
    assert modern["durable_upsert"] == "DurabilityImpossibleException"
    assert modern["lookup"] == ("baz", False)
    assert modern["counter"] == 10 and modern["insert_exists"] and modern["missing"] and modern["has_expiry"]
    assert modern["token_bucket"] == "travel-sample"
    assert classic["greeting"] == "Why, Hello World!"
    assert classic["formats"] == ({1, 2, 3}, b"\x01\x02\x03\x04", "\u03EE")
    assert classic["multi"] == {"multi-1": {"a": 1}, "multi-2": [1, 2, 3]}
    assert classic["piped"] == [None, 1] and classic["zlib"] is True
    assert classic["add_exists"] and classic["deleted"] and classic["quiet_success"] is False


@pytest.mark.mock
@pytest.mark.parametrize("loop", LOOPS)
def test_typed_asyncio_user_code_runs_against_the_embedded_cluster(loop):
    user = _load(ASYNCIO_FILE)
    with _mock_cluster() as m:
        seen = run(lambda: user.run(m.connstr, "Administrator", "password"), loop)
    assert seen["token_bucket"] == "travel-sample" and seen["cas_matches"]
    assert seen["get"] == {"foo": "bar"}
    assert seen["multi"] == {"async-key": {"foo": "bar"}, "async-key-2": {"n": 2}}
    assert seen["multi_failed"] == ["async-missing"]
    assert seen["lookup"] == ("bar", False)
    assert seen["counter"] == (10, 15)
    assert seen["exists"] is True and seen["missing"] is True
    assert seen["scopes"] == ["_default", "tenant_agent_00"]
    assert seen["views"] == ["by_foo"] and seen["view_ids"] == ["async-key"] and seen["view_rows"] == 1
    assert seen["view_keys"] == ["bar"] and seen["view_total"] == 1 and seen["view_is_result"] is True
