"""docs/security.md: its Python blocks run verbatim, in order, in one namespace."""
import os
import re

import pytest

pytestmark = pytest.mark.mock

DOC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "docs",
                   "security.md")


def test_every_python_block_of_the_security_doc_runs():
    text = open(DOC).read()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 6
    namespace = {"__name__": "security_doc"}
    try:
        for i, block in enumerate(blocks):
            exec(compile(block, "%s block %d" % (DOC, i + 1), "exec"), namespace)
    finally:
        mock = namespace.get("mock")
        if mock is not None:
            mock.stop()
