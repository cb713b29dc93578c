"""Every Python snippet of README.md and docs/*.md runs as printed, so none can rot.

A document's snippets run in order, in one interpreter, from an empty directory. What they
need is started first, exactly as the document tells its reader: the commands of the block
that follows a ``<!-- snippet setup -->`` line (``couchbase-mock ...``, which is
``python -m couchbase.mock ...``, and ``memcached ...``) run for the duration. A Python
block that follows ``<!-- not run: REASON -->`` is shown only. Documents whose snippets
have a test of their own are listed in DEDICATED."""
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time

import pytest

from fixedports import fixed_ports
from servers import memcached_binary

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEDICATED = {"docs/views.md": "tests/classic/test_views_doc.py", "docs/security.md": "tests/security/test_security_doc.py"}
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)


def _documents():
    docs = ["README.md"] + sorted("docs/" + f for f in os.listdir(os.path.join(ROOT, "docs")) if f.endswith(".md"))
    return [d for d in docs if d not in DEDICATED]


def _blocks(text):
    """(language, code, the comment line just before the fence or "") for each fenced block."""
    out = []
    for m in FENCE.finditer(text):
        before = text[:m.start()].rstrip("\n").rsplit("\n", 1)[-1].strip()
        out.append((m.group(1), m.group(2), before))
    return out


def _plan(doc):
    with open(os.path.join(ROOT, doc)) as f:
        blocks = _blocks(f.read())
    setup = [code for lang, code, before in blocks if before == "<!-- snippet setup -->"]
    code = [c for lang, c, before in blocks if lang == "python" and not before.startswith("<!-- not run:")]
    return setup, code


def _wait_port(port, proc, deadline):
    while True:
        if proc.poll() is not None:
            raise AssertionError("%s exited: %s" % (proc.args, proc.stderr.read()[-2000:]))
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if time.monotonic() > deadline:
            raise AssertionError("%s did not listen on %d" % (proc.args, port))
        time.sleep(0.05)


def _start(line, tmp):
    """One setup command, as a process of this test; returns (process, ports it serves)."""
    argv = shlex.split(line.strip().rstrip("&").strip())
    if argv[0] == "couchbase-mock":
        ready = os.path.join(tmp, "ready-%d.json" % time.monotonic_ns())
        argv = [sys.executable, "-m", "couchbase.mock"] + argv[1:] + ["--ready-file", ready]
        proc = subprocess.Popen(argv, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                env=dict(os.environ, PYTHONPATH=ROOT))
        deadline = time.monotonic() + 60
        while not os.path.exists(ready):
            if proc.poll() is not None:
                raise AssertionError("%s exited: %s" % (line, proc.stderr.read()[-2000:]))
            if time.monotonic() > deadline:
                raise AssertionError("the embedded cluster did not start")
            time.sleep(0.05)
        with open(ready) as f:
            return proc, [n["kv"] for n in json.load(f)["nodes"]]
    if argv[0] == "memcached":
        port = int(argv[argv.index("-p") + 1])
        argv = [memcached_binary()] + argv[1:] + (["-u", "root"] if os.geteuid() == 0 else [])
        proc = subprocess.Popen(argv, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        _wait_port(port, proc, time.monotonic() + 30)
        return proc, [port]
    raise AssertionError("unknown setup command %r" % line)


def _ports_of(setup):
    ports = []
    for block in setup:
        for line in block.splitlines():
            argv = shlex.split(line.strip().rstrip("&").strip()) if line.strip() else []
            for flag in ("--port", "--kv-port", "-p"):
                if flag in argv:
                    ports.append(int(argv[argv.index(flag) + 1]))
    return ports


@pytest.mark.parametrize("doc", _documents())
def test_snippets_run_as_printed(doc, tmp_path):
    setup, code = _plan(doc)
    if not code:
        assert not setup, "%s has a setup block but no snippet" % doc
        return
    procs = []
    with fixed_ports(_ports_of(setup)):
        try:
            for block in setup:
                for line in block.splitlines():
                    if line.strip():
                        procs.append(_start(line, str(tmp_path))[0])
            script = "\n".join("exec(compile(%r, %r, 'exec'))" % (c, "%s snippet %d" % (doc, i + 1))
                               for i, c in enumerate(code))
            p = subprocess.run([sys.executable, "-c", script], cwd=str(tmp_path), capture_output=True, text=True,
                               timeout=300, env=dict(os.environ, PYTHONPATH=ROOT))
            assert p.returncode == 0, "%s: %s" % (doc, p.stderr[-3000:])
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
                proc.wait(30)


def test_documents_with_their_own_snippet_tests_still_have_them():
    for doc, test in DEDICATED.items():
        assert os.path.exists(os.path.join(ROOT, test)), test
        with open(os.path.join(ROOT, test)) as f:
            assert os.path.basename(doc) in f.read()


def test_not_run_markers_give_a_reason():
    for doc in _documents():
        with open(os.path.join(ROOT, doc)) as f:
            for _lang, _code, before in _blocks(f.read()):
                if before.startswith("<!-- not run"):
                    assert re.match(r"<!-- not run: \S.+ -->$", before), (doc, before)
