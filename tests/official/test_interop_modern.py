"""Documents written by our SDK read the same in the official 4.6.3 SDK, and the reverse
(same values, same flags), for every transcoder, a counter and an appended string."""
import json
import os
import subprocess

from official import ensure_venv
from test_side_by_side import OURS, ROOT, fresh_mock

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "interop_modern_script.py")


def _run(python, official, *args):
    env = dict(os.environ, PYTHONPATH="" if official else ROOT)
    p = subprocess.run([python, SCRIPT] + list(args), env=env, cwd="/tmp" if official else ROOT,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-3000:]
    for line in p.stdout.splitlines():
        if line.startswith("OUT "):
            return json.loads(line[4:])
    return None


def test_each_sdk_reads_the_others_documents():
    official = ensure_venv()
    with fresh_mock() as m:
        _run(OURS, False, "write", m.connstr, "ours-")
        _run(official, True, "write", m.connstr, "theirs-")
        grid = {(reader, writer): _run(py, off, "read", m.connstr, writer + "-")
                for reader, py, off in (("ours", OURS, False), ("theirs", official, True))
                for writer in ("ours", "theirs")}
    base = grid[("theirs", "theirs")]
    for k, v in grid.items():
        assert v == base, (k, {n: (v[n], base[n]) for n in v if v[n] != base[n]})
    assert base["json"] == [{"a": [1, 2.5, None, "é"]}, 0x02000000]
    assert base["binary"] == [{"bytes": "\x00\x01\xff"}, 0x03000002]
    assert base["string"] == ["héllo", 0x04000004]
    assert base["counter"] == [0, 0]
    assert base["app"] == ["abcd", 0x04000004]
