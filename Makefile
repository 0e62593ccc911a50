# Front door. `make demo` runs the demo booking flow, `make test` runs every
# test (debug, ASan+UBSan, TSan on the concurrency tests, Python). Both
# install missing Debian packages first (scripts/deps.sh).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PY ?= /usr/bin/python3

.PHONY: all demo test deps deps-test build release asan tsan test-debug \
        test-asan test-tsan test-python install clean docs

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

demo: release
	./build/release/examples/tix-demo $(DEMO_ARGS)

test-debug: deps-test
	cmake --preset debug >/dev/null
	cmake --build --preset debug -j$(JOBS)
	ctest --preset debug -j$(JOBS)

test-asan: deps-test
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --preset asan -j$(JOBS) -LE install

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

test: test-debug test-asan test-tsan test-python
	@echo "make test: all suites passed"

docs:
	bash scripts/deps.sh docs
	doxygen docs/Doxyfile

install: release
	cmake --install build/release

clean:
	rm -rf build demo-store
