# Front door. `make demo` runs the demo booking flow, `make test` runs every
# test (debug, ASan+UBSan, TSan on the concurrency tests, Python). Both
# install missing Debian packages first (scripts/deps.sh).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PY ?= /usr/bin/python3

.PHONY: all demo test deps deps-test build release asan tsan test-debug \
        test-asan test-tsan test-python test-browser install clean docs test-valgrind test-long fuzz bench bench-quick deps-bench

all: build

deps:
	bash scripts/deps.sh core
deps-test:
	bash scripts/deps.sh test

build: deps
	cmake --preset debug >/dev/null
	cmake --build --preset debug -j$(JOBS)

release: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j$(JOBS)

DEMO_STORE ?= demo-store

demo: release
	./build/release/examples/tix-demo $(DEMO_STORE)
	@echo; echo "== The tix tool: import a sample layout, then check the store"
	./build/release/cli/tix -s $(DEMO_STORE) import examples/data/multiplex.json
	./build/release/cli/tix -s $(DEMO_STORE) check

test-debug: deps-test
	cmake --preset debug >/dev/null
	cmake --build --preset debug -j$(JOBS)
	ctest --preset debug -j$(JOBS)

test-asan: deps-test
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --preset asan -j$(JOBS) -LE 'install|readme'

test-tsan: deps-test
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan -j$(JOBS)
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	ctest --preset tsan -j$(JOBS)

test-python: test-debug
	@if [ -d bindings/python/tests ]; then \
	  TIX_LIB=$(CURDIR)/build/debug/libtix.so $(PY) -m pytest -q bindings/python/tests; \
	  rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; \
	  exit $$rc; \
	fi

# The seat-map page in headless chromium against the HTTP example
# (tests/browser; about 15 s). Fails, never skips, when chromium or
# playwright-core cannot be installed.
test-browser: test-debug
	bash scripts/deps.sh browser
	node --test --test-timeout=110000 tests/browser/

test: test-debug test-asan test-tsan test-python test-valgrind test-browser
	@echo "make test: all suites passed"

FUZZ_SECONDS ?= 60
FUZZ_TARGETS := codec hold ticket outbox text tz

test-valgrind: test-debug
	bash tests/valgrind.sh build/debug

# 200 crash-loop kills, every LMDB error at every call site, 4x torture, then fuzzing.
test-long: export TIX_CRASH_ITERS = 200
test-long: export TIX_FAULT_LEVEL = full
test-long: export TIX_TORTURE_OPS = 1200
test-long: export TIX_PL_ITERS = 200
test-long:
	$(MAKE) test
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

fuzz: deps-test
	cmake -S . -B build/fuzz -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTIX_SANITIZE=address,undefined \
	  -DTIX_LIBFUZZER=ON -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link \
	  -DTIX_BUILD_EXAMPLES=OFF -DTIX_BUILD_BENCH=OFF >/dev/null
	cmake --build build/fuzz -j$(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	@mkdir -p build/fuzz/artifacts build/fuzz/tmp
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz/corpus/$$t; \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  TIX_TEST_TMP=$(CURDIR)/build/fuzz/tmp ./build/fuzz/tests/fuzz/fuzz_$$t \
	    -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=build/fuzz/artifacts/$$t- \
	    build/fuzz/corpus/$$t tests/fuzz/corpus/$$t >build/fuzz/$$t.log 2>&1 \
	    || { tail -40 build/fuzz/$$t.log; exit 1; }; \
	  tail -3 build/fuzz/$$t.log; \
	done

# Benchmarks against real peers (bench/COMPARE.md). Not tests: they exit 0
# whether or not a target is met. `make bench` (about 17 minutes) writes
# bench/results/<date>-<host>.json, BENCHMARKS.md and the plots;
# `make bench-quick` (about a minute) writes bench/results/<date>-<host>-quick.json.
# BENCH_ARGS adds options, e.g. BENCH_ARGS='--peers sqlite,redis'.
BENCH_ARGS ?=

deps-bench:
	bash scripts/deps.sh bench

bench: deps-bench
	$(MAKE) release
	./build/release/bench/tix-bench compare --flash-threads 1,2,16,64,256 $(BENCH_ARGS)
	$(PY) bench/gen_report.py

bench-quick: deps-bench
	$(MAKE) release
	./build/release/bench/tix-bench compare --quick $(BENCH_ARGS)

docs:
	bash scripts/deps.sh docs
	doxygen docs/Doxyfile

# make install [PREFIX=DIR]: the release build into DIR (default
# /usr/local). A system prefix needs the loader cache refreshed: done when
# root, else printed.
PREFIX ?=
install: release
	cmake --install build/release $(if $(PREFIX),--prefix "$(PREFIX)")
	@p="$(or $(PREFIX),/usr/local)"; case "$$p" in \
	  /usr|/usr/local) if [ "$$(id -u)" -eq 0 ]; then ldconfig; \
	    else echo "make install: now run 'sudo ldconfig' so programs find libtix.so"; fi ;; \
	  *) echo "make install: in $$p; use PKG_CONFIG_PATH=$$p/lib/pkgconfig (or CMAKE_PREFIX_PATH=$$p) to build, LD_LIBRARY_PATH=$$p/lib to run" ;; \
	esac

clean:
	rm -rf build demo-store
