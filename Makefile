# Every target installs what it needs: venv, pip packages, Debian packages.
PY      ?= python3
VENV    ?= .venv
VPY     := $(VENV)/bin/python
STAMP   := $(VENV)/.deps-stamp
CORE_SRC := $(wildcard csrc/*.c csrc/*.h csrc/py/*.c csrc/py/*.h) csrc/build_cffi.py setup.py

.PHONY: all deps sysdeps build debug test test-unit test-fast demo bench csrc-check docs clean

all: build

sysdeps:
	@command -v memcached >/dev/null 2>&1 || { \
	  echo "installing memcached (Debian package)"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq memcached >/dev/null; }
	@command -v memcached >/dev/null 2>&1 || { echo "memcached could not be installed" >&2; exit 1; }

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip setuptools wheel
	$(VPY) -m pip install -q "cffi>=1.15" "pytest>=7" "pytest-benchmark>=4" "build>=1" "sphinx>=7" "furo" "myst-parser>=2" "mini-racer>=0.12" "flask>=2" "pylibmc>=1.6" "pymemcache>=4"
	touch $@

deps: $(STAMP) sysdeps

# The C core and the native result builder, built in place.
couchbase/.build-stamp: $(STAMP) $(CORE_SRC)
	$(VPY) setup.py -q build_ext --inplace --force  # setuptools does not track headers: rebuild both
	touch $@

build: couchbase/.build-stamp

# -O0 -g3 for gdb (see docs/debugging.md).
debug: $(STAMP)
	CBC_DEBUG=1 $(VPY) setup.py -q build_ext --inplace --force
	rm -f couchbase/.build-stamp

# C sources alone, with the project's warning level as errors.
csrc-check:
	@for f in csrc/*.c; do cc -std=c99 -Wall -Wextra -Werror -Icsrc -c $$f -o /dev/null || exit 1; done
	@echo "csrc: -Wall -Wextra clean"

test: deps build csrc-check
	$(VPY) -m pytest -q tests
	$(VPY) -m pytest -q benchmarks --benchmark-disable -p no:randomly

test-fast: deps build
	$(VPY) -m pytest -q -x tests -m "not slow"

demo: deps build
	$(VPY) examples/demo.py

# The API reference and the guides (docs/), warnings as errors; HTML in docs/_build/html.
docs: deps build
	$(VPY) -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "docs: docs/_build/html/index.html"

bench: deps build
	$(VPY) -m pytest benchmarks --benchmark-only --benchmark-columns=min,median,ops --benchmark-sort=name

clean:
	rm -rf build couchbase/_core/_cbc.* couchbase/_core/_fastpath*.so couchbase/.build-stamp
