# lockbench — build, test and benchmark.
#
#   make bench   install what is missing, build, run the default suite, chart it
#   make plots   chart the newest result in results/ again
#   make test    install what is missing, build, run the test suite
#   make asan    the test suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make tsan    lockbench under ThreadSanitizer, every lock at 2 and 4 threads
#   make overhead  what the instrumentation costs, against the bare lock
#   make deps    install missing Debian packages (apt-get; sudo when not root)
#   make gate-check  measure the regression gate here (scripts/gate-check.sh, ~25 min)
#   make check-extend-lock  prove on a copy of the tree that a lock is one file + one registry line
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
# The tests link the validation build of the locks: compiled with LB_LOCK_CHECKS,
# the misuse checks lockbench keeps off its hot paths (locks/registry.h).
LOCK_SRC := $(sort $(wildcard locks/*.c))
CHECKED_LOCK_OBJ := $(LOCK_SRC:%.c=$(BUILD)/checked/%.o)
TEST_LIB_OBJ := $(CHECKED_LOCK_OBJ) $(filter-out $(LOCK_SRC:%.c=$(BUILD)/%.o),$(LIB_OBJ))
TEST_SRC := $(sort $(wildcard tests/*.c))
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
BIN      := $(if $(filter build,$(BUILD)),lockbench,$(BUILD)/lockbench)

# Criterion runs each test in its own process; two at a time on this class of machine.
TEST_JOBS ?= 2

# Where `make bench` writes its result (and then charts it, into plots/out/bench-<stamp>/).
BENCH_STAMP := $(shell date -u +%Y%m%dT%H%M%SZ)
BENCH_OUT   ?= results/bench-$(BENCH_STAMP).json

.PHONY: all deps test check bench plots overhead gate-check check-extend-lock asan tsan clean
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

$(BUILD)/checked/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (LB_LOCK_CHECKS)"
	$(Q)$(CC) $(ALL_CFLAGS) -DLB_LOCK_CHECKS -c -o $@ $<

$(BUILD)/tests/run-tests: $(TEST_OBJ) $(TEST_LIB_OBJ)
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

# Adding a lock takes one file in locks/ and one line in locks/registry.def:
# a copy of the tree gets tests/extend/fixture_lock.c that way, builds, and its
# new lock must pass the lock validation suite and a short run.
check-extend-lock: deps
	scripts/check-extend-lock.sh

asan:
	@$(MAKE) --no-print-directory check BUILD=build/asan OPT=-O1 \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

# Criterion cannot start under TSan, so under TSan the lock tests are built
# against a minimal stand-in (tests/tsan/), and the runner itself drives
# every built-in lock through the real harness.
TSAN := -fsanitize=thread
LOCK_TEST_SRC := tests/lock_util.c tests/test_locks_validate.c tests/test_locks_mechanisms.c
tsan: deps
	@$(MAKE) --no-print-directory all BUILD=build/tsan OPT=-O1 SAN="$(TSAN)"
	@echo "  LD      build/tsan/validate-locks"
	$(Q)$(CC) $(WARN) -O1 -g $(TSAN) -DLB_LOCK_CHECKS -pthread -Itests/tsan -I. -Iinclude -Irunner \
	  -o build/tsan/validate-locks $(LOCK_TEST_SRC) tests/tsan/main.c $(LOCK_SRC) -ldl -lm
	TSAN_OPTIONS=halt_on_error=1 ./build/tsan/validate-locks
	TSAN_OPTIONS=halt_on_error=1 ./build/tsan/lockbench run -q -l all -t 2,4 -d 200ms --warmup 20ms -o /dev/null
	TSAN_OPTIONS=halt_on_error=1 ./build/tsan/lockbench stress -d 300ms -o /dev/null

clean:
	rm -rf build lockbench

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
