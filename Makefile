# lockbench — build, test and benchmark.
#
#   make bench   install what is missing, build, run the default suite
#   make test    install what is missing, build, run the test suite
#   make asan    the test suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make tsan    lockbench under ThreadSanitizer, every lock at 2 and 4 threads
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

LIB_SRC  := $(sort $(wildcard locks/*.c workloads/*.c) $(filter-out runner/main.c,$(wildcard runner/*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(sort $(wildcard tests/*.c))
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
BIN      := $(if $(filter build,$(BUILD)),lockbench,$(BUILD)/lockbench)

# Criterion runs each test in its own process; two at a time on this class of machine.
TEST_JOBS ?= 2

.PHONY: all deps test check bench gate-check asan tsan clean
all: $(BIN)

$(BIN): $(BUILD)/runner/main.o $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/run-tests: $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(TEST_LIBS) $(LDLIBS)

deps:
	@missing=; \
	command -v pkg-config >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	for p in hwloc:libhwloc-dev jansson:libjansson-dev criterion:libcriterion-dev; do \
	  pkg-config --exists $${p%%:*} 2>/dev/null || missing="$$missing $${p#*:}"; \
	done; \
	command -v gnuplot >/dev/null 2>&1 || missing="$$missing gnuplot-nox"; \
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
	LOCKBENCH=./$(BIN) $(BUILD)/tests/run-tests --jobs $(TEST_JOBS)

bench: deps
	@$(MAKE) --no-print-directory lockbench
	./lockbench run

# A benchmark of the gate itself, not a test; its size comes from the
# environment (PAIRS, REPEAT, DURATION, LOCKS, THREADS, ...: see the script).
gate-check: deps
	@$(MAKE) --no-print-directory lockbench
	scripts/gate-check.sh

asan:
	@$(MAKE) --no-print-directory check BUILD=build/asan OPT=-O1 \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

# Criterion's process sandbox cannot start under TSan, so TSan checks the
# runner itself: every built-in lock through the real harness.
tsan:
	@$(MAKE) --no-print-directory all BUILD=build/tsan OPT=-O1 SAN="-fsanitize=thread"
	./build/tsan/lockbench run -q -l all -t 2,4 -d 200ms --warmup 20ms -o /dev/null

clean:
	rm -rf build lockbench

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
