"""The embedded cluster's command line (`couchbase-mock`, `python -m couchbase.mock`) reports
start-up failures in one line, with exit status 1, and never a traceback."""
import os
import socket
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(*args):
    return subprocess.run([sys.executable, "-m", "couchbase.mock"] + list(args), cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def _one_line_error(p, text):
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert "Traceback" not in p.stderr
    assert p.stderr.strip().splitlines() == ["couchbase-mock: error: " + text]


def test_missing_sample_zip_is_one_line(tmp_path):
    path = str(tmp_path / "nope.zip")
    _one_line_error(_run("--load", "beer-sample=" + path), "--load %s: no such file" % path)


def test_file_that_is_not_a_zip_is_one_line(tmp_path):
    path = tmp_path / "bad.zip"
    path.write_bytes(b"this is not a zip archive")
    _one_line_error(_run("--load", "beer-sample=%s" % path), "--load %s: not a zip file" % path)


def test_busy_port_is_one_line():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        p = _run("--port", str(port))
    assert p.returncode == 1 and "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("couchbase-mock: error: cannot listen on 127.0.0.1 (--port %d" % port)
    assert "address already in use" in lines[0]


def test_version_option():
    p = _run("--version")
    from couchbase._version import __version__
    assert (p.returncode, p.stdout.strip()) == (0, "couchbase-mock " + __version__)
