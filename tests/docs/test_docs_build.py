"""The documentation site builds with warnings as errors, so a broken docstring, a guide
left out of the table of contents or a bad cross-reference fails the suite."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_sphinx_builds_the_site_without_warnings(tmp_path):
    p = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                        os.path.join(ROOT, "docs"), str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-4000:]
    assert (tmp_path / "api" / "modern.html").exists()
    assert (tmp_path / "architecture.html").exists()


def test_every_guide_is_in_the_site():
    """Each Markdown guide is listed in a table of contents (Sphinx would warn, but say which)."""
    with open(os.path.join(ROOT, "docs", "guides.rst")) as f:
        listed = {line.strip() for line in f if line.startswith("   ") and not line.strip().startswith(":")}
    guides = {f[:-3] for f in os.listdir(os.path.join(ROOT, "docs")) if f.endswith(".md")}
    assert guides <= listed
