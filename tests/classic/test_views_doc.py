"""The Python snippets of docs/views.md, run as written, in order, in one namespace."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_views_guide_snippets_run_as_written(monkeypatch, capsys):
    with open(os.path.join(ROOT, "docs", "views.md")) as f:
        blocks = re.findall(r"```python\n(.*?)```", f.read(), re.S)
    assert len(blocks) >= 8
    monkeypatch.chdir(ROOT)
    ns = {}
    try:
        for i, code in enumerate(blocks):
            exec(compile(code, "docs/views.md block %d" % (i + 1), "exec"), ns)
    finally:
        if "cluster" in ns:
            ns["cluster"].stop()
    assert "21st_amendment_brewery_cafe" in capsys.readouterr().out
