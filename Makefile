# Every target installs what it needs: venv, pip packages, Debian packages.
PY      ?= python3
VENV    ?= .venv
VPY     := $(VENV)/bin/python
STAMP   := $(VENV)/.deps-stamp
CORE_SRC := $(wildcard csrc/*.c csrc/*.h csrc/py/*.c csrc/py/*.h) csrc/build_cffi.py setup.py

.PHONY: all deps sysdeps browserdeps build debug test test-unit test-fast test-browser demo beersample bench csrc-check docs clean fuzz fuzz-build sanitize

all: build

sysdeps:
	@command -v memcached >/dev/null 2>&1 || { \
	  echo "installing memcached (Debian package)"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq memcached >/dev/null; }
	@command -v memcached >/dev/null 2>&1 || { echo "memcached could not be installed" >&2; exit 1; }
	@{ command -v clang >/dev/null 2>&1 && [ -n "$$(find /usr/lib/llvm-* -name 'libclang_rt.fuzzer-x86_64.a' 2>/dev/null | head -1)" ]; } || { \
	  echo "installing clang and libFuzzer (Debian packages)"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-14-dev >/dev/null; }
	@test -f /usr/include/openssl/ssl.h || { \
	  echo "installing OpenSSL headers (Debian package libssl-dev)"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libssl-dev >/dev/null; }
	@test -f /usr/include/openssl/ssl.h || { echo "libssl-dev could not be installed" >&2; exit 1; }

# Debian's Chromium for the beer-sample browser tests (Playwright drives it; it never
# downloads a browser of its own).
browserdeps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (Debian package)"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v chromium >/dev/null 2>&1 || { echo "chromium could not be installed" >&2; exit 1; }

# Reinstalled when the project's requirements (pyproject.toml, or the list below) change;
# an existing venv (or a link to one) is kept.
$(STAMP): pyproject.toml Makefile
	test -x $(VPY) || $(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip setuptools wheel
	$(VPY) -m pip install -q "cffi>=1.15" "pytest>=7" "pytest-benchmark>=4" "build>=1" "sphinx>=7" "furo" "myst-parser>=2" "mini-racer>=0.12" "flask>=2" "bootstrap-flask>=2" "playwright>=1.40" "pylibmc>=1.6" "pymemcache>=4" "atheris>=2.3" "trustme>=1.1" "mypy>=1.18" "uvloop>=0.17"
	touch $@

deps: $(STAMP) sysdeps

# The C core and the native result builder, built in place.
couchbase/.build-stamp: $(STAMP) $(CORE_SRC) | sysdeps
	$(VPY) setup.py -q build_ext --inplace --force  # setuptools does not track headers: rebuild both
	touch $@

build: couchbase/.build-stamp

# -O0 -g3 for gdb (see docs/debugging.md).
debug: $(STAMP)
	CBC_DEBUG=1 $(VPY) setup.py -q build_ext --inplace --force
	rm -f couchbase/.build-stamp

# C sources alone, with the project's warning level as errors.
csrc-check: sysdeps
	@for f in csrc/*.c; do cc -std=c99 -Wall -Wextra -Werror -Icsrc -c $$f -o /dev/null || exit 1; done
	@echo "csrc: -Wall -Wextra clean"

test: deps browserdeps build csrc-check
	$(VPY) -m pytest -q tests
	$(VPY) -m pytest -q benchmarks --benchmark-disable -p no:randomly

test-fast: deps build
	$(VPY) -m pytest -q -x tests -m "not slow"

demo: deps build
	$(VPY) examples/demo.py

# The manual's Flask application on the embedded cluster: http://127.0.0.1:5000/
# (BEERSAMPLE_ARGS="--port 8000", "--generate" for the generated dataset).
beersample: deps build
	$(VPY) -m examples.beersample $(BEERSAMPLE_ARGS)

# The beer-sample application in headless Chromium, and its load test; screenshots and
# the latency report in build/test-output/beersample/.
test-browser: deps browserdeps build
	$(VPY) -m pytest -q -s tests/beersample/test_beersample_browser.py tests/beersample/test_beersample_load.py
	@echo "screenshots: build/test-output/beersample/screenshots/"

# The API reference and the guides (docs/), warnings as errors; HTML in docs/_build/html.
docs: deps build
	$(VPY) -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "docs: docs/_build/html/index.html"

bench: deps build
	$(VPY) -m pytest benchmarks --benchmark-only --benchmark-columns=min,median,ops --benchmark-sort=name
	$(VPY) benchmarks/bench_asyncio.py --check

# Coverage-guided fuzzing for FUZZ_TIME seconds per harness (tests/fuzz/): the C parsers
# under libFuzzer with ASan+UBSan, the Python parsers under atheris, then the mutation fuzzer
# against the real client. Crashes land in build/fuzz-crashes/.
FUZZ_TIME ?= 60
FUZZ_CC := clang -g -O1 -std=c99 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Icsrc

build/fuzz_core: $(wildcard csrc/*.c csrc/*.h) tests/fuzz/fuzz_core.c
	@mkdir -p build
	$(FUZZ_CC) -pthread csrc/*.c tests/fuzz/fuzz_core.c -o $@ -lssl -lcrypto

fuzz-build: sysdeps build/fuzz_core

fuzz: deps build fuzz-build
	@mkdir -p build/fuzz-corpus/core build/fuzz-corpus/python build/fuzz-crashes
	$(VPY) tests/fuzz/make_seeds.py build/fuzz-corpus/core
	cp tests/fuzz/corpus/python/* build/fuzz-corpus/python/
	build/fuzz_core -max_total_time=$(FUZZ_TIME) -max_len=4096 -artifact_prefix=build/fuzz-crashes/ \
	  -print_final_stats=1 build/fuzz-corpus/core tests/fuzz/regressions
	PYTHONPATH=. $(VPY) tests/fuzz/fuzz_python.py -max_total_time=$(FUZZ_TIME) \
	  -artifact_prefix=build/fuzz-crashes/ -print_final_stats=1 build/fuzz-corpus/python
	FUZZ_CLIENT_RUNS=$$(( $(FUZZ_TIME) * 200 )) $(VPY) -m pytest -q tests/fuzz -k mutated

# The core and the native module built with AddressSanitizer and UndefinedBehaviorSanitizer,
# running the unit and integration tests (both faces, asyncio, TLS/SCRAM) and a fuzz pass under them (CBC_SANITIZE=1 skips the
# memory-growth tests, whose figures mean nothing under ASan); a normal build is restored after.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
SAN_ENV := CBC_SANITIZE=1 ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	LD_PRELOAD="$$(gcc -print-file-name=libasan.so) $$(gcc -print-file-name=libubsan.so)"

sanitize: deps fuzz-build
	CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" $(VPY) setup.py -q build_ext --inplace --force
	rm -f couchbase/.build-stamp
	$(SAN_ENV) $(VPY) -m pytest -q -p no:cacheprovider tests/unit tests/core tests/memcached tests/classic \
	  tests/modern tests/asyncio tests/security tests/mock tests/fuzz; rc=$$?; \
	$(VPY) setup.py -q build_ext --inplace --force && touch couchbase/.build-stamp; exit $$rc

clean:
	rm -rf build couchbase/_core/_cbc.* couchbase/_core/_fastpath*.so couchbase/.build-stamp
