# lockbench — build, test and benchmark.
#
#   make bench   install what is missing, build, run the default suite, chart it
#   make plots   chart the newest result in results/ again
#   make test    install what is missing, build, run the test suite
#   make asan    the test suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make tsan    lockbench under ThreadSanitizer, every lock at 2 and 4 threads
#   make check-extend  prove the add-a-workload (and add-a-lock) recipe on a copy of the tree
#   make overhead  what the instrumentation costs, against the bare lock
#   make deps    install missing Debian packages (apt-get; sudo when not root)
#   make gate-check  measure the regression gate here (scripts/gate-check.sh, ~25 min)
#   make         just build ./lockbench

VERSION    := 0.1.0
CC         ?= cc
BUILD      ?= build
OPT        ?= -O2
SAN        ?=
PKGS       := hwloc jansson
GIT_COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD -- 2>/dev/null || echo -dirty)

WARN     := -std=gnu11 -Wall -Wextra -Werror
CFLAGS   ?= $(OPT) -g
ALL_CFLAGS = $(WARN) $(CFLAGS) $(SAN) -pthread -MMD -MP \
	     -I. -Iinclude -Irunner $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
	     -DLB_VERSION='"$(VERSION)"' -DLB_GIT_COMMIT='"$(GIT_COMMIT)"' \
	     -DLB_CFLAGS='"$(strip $(WARN) $(CFLAGS) $(SAN))"'
LDLIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ldl -lm
TEST_LIBS = $(shell pkg-config --libs criterion 2>/dev/null)

LIB_SRC  := $(sort $(wildcard locks/*.c workloads/*.c) $(filter-out runner/cmd/main.c,$(wildcard runner/*/*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(sort $(wildcard tests/*.c))
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
BIN      := $(if $(filter build,$(BUILD)),lockbench,$(BUILD)/lockbench)

# Criterion runs each test in its own process; two at a time on this class of machine.
TEST_JOBS ?= 2

# Where `make bench` writes its result (and then charts it, into plots/out/bench-<stamp>/).
BENCH_STAMP := $(shell date -u +%Y%m%dT%H%M%SZ)
BENCH_OUT   ?= results/bench-$(BENCH_STAMP).json

.PHONY: all deps test check check-extend check-extend-workload bench plots overhead gate-check asan tsan clean
all: $(BIN)

# V=1 shows the full commands.
Q := $(if $(V),,@)

$(BIN): $(BUILD)/runner/cmd/main.o $(LIB_OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/run-tests: $(TEST_OBJ) $(LIB_OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(TEST_LIBS) $(LDLIBS)

deps:
	@missing=; \
	command -v pkg-config >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	for p in hwloc:libhwloc-dev jansson:libjansson-dev criterion:libcriterion-dev; do \
	  pkg-config --exists $${p%%:*} 2>/dev/null || missing="$$missing $${p#*:}"; \
	done; \
	command -v gnuplot >/dev/null 2>&1 || missing="$$missing gnuplot-nox"; \
	[ -f /usr/include/ck_spinlock.h ] || missing="$$missing libck-dev"; \
	/usr/bin/python3 -c 'import jsonschema' >/dev/null 2>&1 || missing="$$missing python3-jsonschema"; \
	if [ -n "$$missing" ]; then \
	  sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "make deps: installing$$missing"; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

# Sub-makes, so that pkg-config is asked only after deps installed it.
test: deps
	@$(MAKE) --no-print-directory check

check: $(BIN) $(BUILD)/tests/run-tests
	LOCKBENCH=./$(BIN) LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  $(BUILD)/tests/run-tests --jobs $(TEST_JOBS)

# Adding a workload is one file in workloads/ and one LB_WORKLOAD line in
# workloads/registry.def, nothing else. Proved on a copy of the tree (git
# ls-files, working-tree contents) with tests/extend/fixture_workload.c
# added exactly that way: the copy builds, `list` shows the fixture, the
# generic workload test runs it (clean under a real lock, caught under
# none) and `run` measures it. The copy is removed afterwards.
check-extend-workload:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	fail() { echo "check-extend-workload: $$*" >&2; exit 1; }; \
	git ls-files -z | xargs -0 cp --parents -t "$$tmp"; \
	cp tests/extend/fixture_workload.c "$$tmp/workloads/"; \
	echo 'LB_WORKLOAD(extend_fixture)' >> "$$tmp/workloads/registry.def"; \
	echo "check-extend-workload: a copy of the tree in $$tmp, + workloads/fixture_workload.c," \
	     "+ LB_WORKLOAD(extend_fixture) in workloads/registry.def"; \
	$(MAKE) --no-print-directory -C "$$tmp" lockbench build/tests/run-tests; \
	cd "$$tmp"; \
	./lockbench list | grep -q '^  extend-fixture ' || fail "lockbench list does not show extend-fixture"; \
	LOCKBENCH=./lockbench build/tests/run-tests --filter 'workloads_all/*' --jobs $(TEST_JOBS) --verbose \
	  >test.log 2>&1 || { cat test.log; fail "the generic workload test failed"; }; \
	grep 'workload extend-fixture: clean under' test.log || { cat test.log; fail "the generic test did not run extend-fixture"; }; \
	tail -n 1 test.log; \
	./lockbench run -w extend-fixture -l pthread -t 2 -d 100ms -o out.json || fail "lockbench run -w extend-fixture failed"; \
	echo "check-extend-workload: ok"

# Both recipes; check-extend-lock (the add-a-lock proof) joins when the Makefile has it.
check-extend: check-extend-workload
	@if grep -qE '^check-extend-lock[[:space:]]*:' $(filter-out %.d,$(MAKEFILE_LIST)); then \
	  $(MAKE) --no-print-directory check-extend-lock; \
	else \
	  echo "check-extend: no check-extend-lock target in this Makefile; workloads only"; \
	fi

bench: deps
	@$(MAKE) --no-print-directory lockbench
	@mkdir -p $(dir $(BENCH_OUT))
	@# Chart what was measured even when a check failed (exit 1), then report that failure.
	@rc=0; echo "./lockbench run -o $(BENCH_OUT)"; ./lockbench run -o $(BENCH_OUT) || rc=$$?; \
	if [ -f $(BENCH_OUT) ]; then echo "./lockbench plot $(BENCH_OUT)"; ./lockbench plot $(BENCH_OUT) || exit $$?; fi; \
	exit $$rc

# The newest result in results/ (by modification time; schema.json is not a result).
plots: $(BIN)
	@newest=$$(ls -t results/*.json 2>/dev/null | grep -v '^results/schema\.json$$' | head -n 1); \
	if [ -z "$$newest" ]; then echo "make plots: no result in results/ (make bench makes one)" >&2; exit 2; fi; \
	echo "./$(BIN) plot $$newest"; ./$(BIN) plot "$$newest"

# The harness's cost against the bare lock (a benchmark, not a test).
overhead: deps
	@$(MAKE) --no-print-directory lockbench
	./lockbench selftest overhead

# A benchmark of the gate itself, not a test; its size comes from the
# environment (PAIRS, REPEAT, DURATION, LOCKS, THREADS, ...: see the script).
gate-check: deps
	@$(MAKE) --no-print-directory lockbench
	scripts/gate-check.sh

asan:
	@$(MAKE) --no-print-directory check BUILD=build/asan OPT=-O1 \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

# Criterion cannot start under TSan, so under TSan the lock validation tests
# are built against a minimal stand-in (tests/tsan/), and the runner itself
# drives every built-in lock through the real harness.
TSAN := -fsanitize=thread
tsan: deps
	@$(MAKE) --no-print-directory all BUILD=build/tsan OPT=-O1 SAN="$(TSAN)"
	@echo "  LD      build/tsan/validate-locks"
	$(Q)$(CC) $(WARN) -O1 -g $(TSAN) -pthread -Itests/tsan -I. -Iinclude -Irunner -o build/tsan/validate-locks \
	  tests/test_locks_validate.c tests/tsan/main.c $(wildcard locks/*.c) -ldl -lm
	TSAN_OPTIONS=halt_on_error=1 ./build/tsan/validate-locks
	TSAN_OPTIONS=halt_on_error=1 ./build/tsan/lockbench run -q -l all -t 2,4 -d 200ms --warmup 20ms -o /dev/null
	TSAN_OPTIONS=halt_on_error=1 ./build/tsan/lockbench stress -d 300ms -o /dev/null

clean:
	rm -rf build lockbench

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
