"""Mutation fuzzing of the real client against a fake server, and the short pass of the
coverage-guided harnesses (tests/fuzz/fuzz_core.c under libFuzzer with ASan+UBSan,
tests/fuzz/fuzz_python.py under atheris) that `make fuzz` runs for longer.

The fake server answers each request with a mutated form of the right answer (bytes
flipped, dropped, repeated, inserted, lengths changed, cut short). Whatever it sends,
the client must return a result for each key it asked for (the value may be the mutated
one: nothing in the protocol checks a value's bytes) or raise a CouchbaseError within its
timeout, never another exception or a hang, and work again once the server behaves.
FUZZ_CLIENT_RUNS, FUZZ_CORE_RUNS and FUZZ_PY_RUNS set the number of inputs."""
import os
import random
import socket
import struct
import subprocess
import sys
import threading

import pytest

from couchbase import Couchbase
from couchbase.exceptions import CouchbaseError

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HDR = struct.Struct(">BBHBBHIIQ")
CLIENT_RUNS = int(os.environ.get("FUZZ_CLIENT_RUNS", "1000"))


def value_of(key):
    """The stored JSON (flags 0) of a key."""
    return b'"value-of-' + key + b'"'


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(7)
        if not data:
            break
        i = rng.randrange(len(data))
        if kind == 0:
            data[i] ^= 1 << rng.randrange(8)
        elif kind == 1:
            data[i] = rng.randrange(256)
        elif kind == 2:
            del data[i:i + rng.randint(1, 8)]
        elif kind == 3:
            data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif kind == 4:
            data[i:i] = data[i:i + rng.randint(1, 32)]
        elif kind == 5 and len(data) >= 12:  # a body length (binary) or digits (text) changed
            j = rng.randrange(0, len(data) - 4)
            data[j:j + 4] = struct.pack(">I", rng.choice([0, 1, 0xFFFFFFFF, 0x7FFFFFFF, rng.randrange(1 << 32)]))
        else:
            del data[i:]
    return bytes(data)


class MutatingServer:
    """One port; each request line or packet is answered, mutated while `hostile` is set."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.hostile = True
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(16)
        self.port = self.lsock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _answer(self, c, reply):
        if not self.hostile:
            c.sendall(reply)
            return
        c.sendall(mutate(self.rng, reply))
        if self.rng.random() < 0.5:  # end the stream too, so a cut answer is not left to time out
            raise OSError("closed")

    def _serve(self, c):
        buf = b""
        try:
            while True:
                data = c.recv(65536)
                if not data:
                    return
                buf += data
                if buf[:1] == b"\x80":
                    while len(buf) >= 24:
                        _m, op, nkey, next_, _dt, _vb, nbody, opaque, _cas = HDR.unpack_from(buf)
                        if len(buf) < 24 + nbody:
                            break
                        key = buf[24 + next_:24 + next_ + nkey]
                        buf = buf[24 + nbody:]
                        v = value_of(key)
                        body = struct.pack(">I", 0) + v
                        self._answer(c, HDR.pack(0x81, op, 0, 4, 0, 0, len(body), opaque, 7) + body)
                else:
                    while b"\n" in buf:
                        line, buf = buf.split(b"\n", 1)
                        keys = line.strip().split()[1:]
                        reply = b"".join(b"VALUE %s 0 %d 7\r\n%s\r\n" % (k, len(value_of(k)), value_of(k))
                                         for k in keys) + b"END\r\n"
                        self._answer(c, reply)
        except OSError:
            return
        finally:
            c.close()


@pytest.mark.parametrize("text", [False, True], ids=["binary", "text"])
def test_client_survives_mutated_answers(text, monkeypatch):
    monkeypatch.setenv("COUCHBASE_TEXT_GETS", "1" if text else "0")
    srv = MutatingServer(seed=1234 + text)
    conn = Couchbase.connect(host="memcached://127.0.0.1:%d" % srv.port, timeout=0.1)
    keys = ["k%d" % i for i in range(6)]
    outcomes = {"ok": 0, "error": 0}
    for i in range(CLIENT_RUNS):
        try:
            if i % 2:
                got = conn.get_multi(keys, quiet=True)
                assert sorted(got) == keys, i
            else:
                r = conn.get(keys[i % 6], quiet=True)
                assert r.key == keys[i % 6], i
            outcomes["ok"] += 1
        except CouchbaseError:
            outcomes["error"] += 1
    assert outcomes["error"] > 0 and outcomes["ok"] > 0  # the mutations reached the parser
    srv.hostile = False
    got = conn.get_multi(keys)
    assert {k: r.value for k, r in got.items()} == {k: "value-of-" + k for k in keys}


def _libfuzzer_binary():
    subprocess.run(["make", "-s", "fuzz-build"], cwd=ROOT, check=True)
    return os.path.join(ROOT, "build", "fuzz_core")


def test_core_parsers_short_libfuzzer_pass(tmp_path):
    """A few thousand inputs through the C parsers under ASan+UBSan, from the seeds and the
    regression inputs (tests/fuzz/regressions/: inputs that once failed)."""
    binary = _libfuzzer_binary()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    subprocess.run([sys.executable, os.path.join(HERE, "make_seeds.py"), str(corpus)], check=True)
    regressions = os.path.join(HERE, "regressions")
    runs = os.environ.get("FUZZ_CORE_RUNS", "5000")
    # the harness carries clang's ASan runtime: not the one `make sanitize` preloads
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    inputs = [os.path.join(regressions, f) for f in sorted(os.listdir(regressions)) if not f.endswith(".md")]
    if inputs:
        subprocess.run([binary] + inputs, check=True, cwd=tmp_path, capture_output=True, env=env)
    r = subprocess.run([binary, "-runs=" + runs, "-max_len=4096", "-seed=1", str(corpus)], cwd=tmp_path,
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Done %s runs" % runs in r.stderr


def test_python_parsers_short_atheris_pass(tmp_path):
    runs = os.environ.get("FUZZ_PY_RUNS", "3000")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in os.listdir(os.path.join(HERE, "corpus", "python")):
        with open(os.path.join(HERE, "corpus", "python", f), "rb") as src:
            (corpus / f).write_bytes(src.read())
    env = dict(os.environ, PYTHONPATH=ROOT)
    r = subprocess.run([sys.executable, os.path.join(HERE, "fuzz_python.py"), "-runs=" + runs, "-seed=1",
                        str(corpus)], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Done %s runs" % runs in r.stderr
