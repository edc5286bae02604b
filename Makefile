# lockbench — build, test and benchmark.
#
#   make bench   install what is missing, build, run the default suite, chart it
#   make plots   chart the newest result in results/ again
#   make test    install what is missing, build, run the test suite (with check-slurm)
#   make check-slurm  lockbench sweep through a private single-node Slurm cluster (root)
#   make check-report lockbench report's pages in headless Chromium (part of make test)
#   make check-gate   examples/ci/gate.sh end to end in a throwaway git repository (~1-3 min)
#   make asan    the whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make check-asan  the part of it make test runs (input, model, CLI suites; fuzz corpora)
#   make check-tsan-locks  the lock validation suites under ThreadSanitizer (part of make test)
#   make tsan    lockbench under ThreadSanitizer, every lock at 2 and 4 threads (RW locks also under rw)
#   make check-extend  prove the add-a-workload (and add-a-lock) recipe on a copy of the tree
#   make overhead  what the instrumentation costs, against the bare lock
#   make deps    install missing Debian packages (apt-get; sudo when not root)
#   make gate-check  measure both regression gates here (scripts/gate-check.sh, ~45 min)
#   make validate-python  the GIL model against this machine's CPython, into docs/python.md (a few minutes)
#   make fuzz    libFuzzer over every target in tests/fuzz/ (FUZZ_SECONDS each, default 60)
#   make soak DURATION=T  stress every lock for T, streaming verified acquisitions per lock
#   make check-docs  run every command README.md and docs/ show, as written (a few minutes)
#   make check-extend-lock  prove on a copy of the tree that a lock is one file + one registry line
#   make         just build ./lockbench

VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
CC         ?= cc
BUILD      ?= build
OPT        ?= -O2
SAN        ?=
PKGS       := hwloc jansson libdw
GIT_COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD -- 2>/dev/null || echo -dirty)

WARN     := -std=gnu11 -Wall -Wextra -Werror
CFLAGS   ?= $(OPT) -g
ALL_CFLAGS = $(WARN) $(CFLAGS) $(SAN) -pthread -MMD -MP \
	     -I. -Iinclude -Irunner $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
	     -DLB_VERSION='"$(VERSION)"' -DLB_DATADIR='"$(PREFIX)/share/lockbench"' -DLB_GIT_COMMIT='"$(GIT_COMMIT)"' \
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

# Criterion runs each test in its own process, two at a time. Most tests wait on a measuring window
# or a child process, so more jobs are faster (on the 2-vCPU VM the plain suite took 2:33 at 2
# jobs, 1:58 at 3, 1:40 at 4), but every extra job is load that can keep another test's threads
# off their CPUs for a whole window: at 3 and 4, now and then one was (tests/run_util.h).
TEST_JOBS ?= 2

# Where `make bench` writes its result (and then charts it, into plots/out/bench-<stamp>/).
BENCH_STAMP := $(shell date -u +%Y%m%dT%H%M%SZ)
BENCH_OUT   ?= results/bench-$(BENCH_STAMP).json

# Fuzz targets (tests/fuzz/fuzz_NAME.c): replayed over their corpus by `make test`,
# searched with libFuzzer by `make fuzz` (FUZZ_SECONDS each).
FUZZ_TARGETS := topo params plugin spec result
FUZZ_REPLAY  := $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz/replay-%)
FUZZ_SECONDS ?= 60
# Keep the fuzz targets' objects (pattern-rule intermediates) between runs.
.SECONDARY:

.PHONY: soak all deps test check check-asan check-tsan-locks check-report check-slurm check-gate check-extend check-extend-workload check-extend-lock bench fuzz fuzz-run validate-python install uninstall man check-install plots overhead gate-check asan tsan clean check-docs
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

$(BUILD)/tests/fuzz/replay-%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay.o $(LIB_OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

deps:
	@missing=; \
	command -v pkg-config >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	for p in hwloc:libhwloc-dev jansson:libjansson-dev libdw:libdw-dev criterion:libcriterion-dev; do \
	  pkg-config --exists $${p%%:*} 2>/dev/null || missing="$$missing $${p#*:}"; \
	done; \
	command -v gnuplot >/dev/null 2>&1 || missing="$$missing gnuplot-nox"; \
	command -v groff >/dev/null 2>&1 || missing="$$missing groff-base"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	[ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/slurmd ] && command -v sbatch >/dev/null 2>&1 || \
	  missing="$$missing slurm-wlm"; \
	[ -x /usr/sbin/munged ] || missing="$$missing munge"; \
	[ -f /usr/include/ck_spinlock.h ] || missing="$$missing libck-dev"; \
	/usr/bin/python3 -c 'import jsonschema' >/dev/null 2>&1 || missing="$$missing python3-jsonschema"; \
	if [ -n "$$missing" ]; then \
	  sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "make deps: installing$$missing"; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

# Sub-makes, so that pkg-config is asked only after deps installed it.
# Sanitizers on every `make test`, each suite run once. The suites of
# tests/test_locks_validate.c, test_locks_mechanisms.c and test_rw_validate.c
# (TSAN_SUITES) run under ThreadSanitizer only (check-tsan-locks); the
# suites that handle input, files and memory most (ASAN_SUITES: bad input of
# every command, the result model and its JSON, plug-in loading, sweeps'
# specs, compare, history, ab, report, export, charts' refusals) under
# AddressSanitizer + UndefinedBehaviorSanitizer only (check-asan, with the
# fuzz corpora, against a lockbench built the same way, leak checks on);
# everything else in the plain build. `make asan` runs the whole suite under
# ASan+UBSan, `make tsan` the runner under TSan as well.
# (The lists are continued over lines; the blanks that leaves are taken out.)
TSAN_SUITES := validate_exclusion|validate_registry|validate_release|validate_rlock|validate_timed|validate_try|\
  validate_rw_exclusion|validate_rw_registry|validate_rw_sharing|futex|gil|gil_old|mcs_park|rlock|ticket_futex|params
ASAN_SUITES := cli_bad_input|robust|sweep_bad_spec|plugin_refused|plugin_abi|model_json|merge_model|output|\
  topo_parse|topo_load|identity|hist|orderlog|compare_inputs|compare_cli|plot_refused|plot_hostile|history|ab_cli|\
  report|export|schema
empty :=
TSAN_SUITES := $(subst $(empty) ,,$(TSAN_SUITES))
ASAN_SUITES := $(subst $(empty) ,,$(ASAN_SUITES))
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# `make test` builds with one job per CPU (its sub-makes would otherwise build one file at a time).
BUILD_JOBS ?= $(shell nproc 2>/dev/null || echo 2)

test: deps
	@$(MAKE) --no-print-directory -j$(BUILD_JOBS) $(BIN) $(BUILD)/tests/run-tests $(FUZZ_REPLAY)
	@$(MAKE) --no-print-directory check CHECK_FILTER="--filter '!(@($(TSAN_SUITES)|$(ASAN_SUITES)))/*'"
	@$(MAKE) --no-print-directory check-asan
	@$(MAKE) --no-print-directory check-tsan-locks
	@$(MAKE) --no-print-directory check-slurm
	@$(MAKE) --no-print-directory check-gate

# ASAN_SUITES and the fuzz corpora under ASan+UBSan (part of make test).
check-asan:
	@$(MAKE) --no-print-directory -j$(BUILD_JOBS) BUILD=build/asan OPT=-O1 SAN="$(ASAN_FLAGS)" \
	  build/asan/lockbench build/asan/tests/run-tests $(FUZZ_TARGETS:%=build/asan/tests/fuzz/replay-%)
	@for t in $(FUZZ_TARGETS); do build/asan/tests/fuzz/replay-$$t tests/fuzz/corpus/$$t || exit 1; done
	LOCKBENCH=build/asan/lockbench LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  build/asan/tests/run-tests --jobs $(TEST_JOBS) --filter '@($(ASAN_SUITES))/*'

check: $(BIN) $(BUILD)/tests/run-tests $(FUZZ_REPLAY)
	@for t in $(FUZZ_TARGETS); do $(BUILD)/tests/fuzz/replay-$$t tests/fuzz/corpus/$$t || exit 1; done
	@scripts/check-install.sh
	@scripts/check-soak.sh ./$(BIN)
	LOCKBENCH=./$(BIN) LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  $(BUILD)/tests/run-tests --jobs $(TEST_JOBS) $(CHECK_FILTER)
	@$(MAKE) --no-print-directory check-report

# lockbench report's pages in headless Chromium (installed by make deps; missing, this fails, never
# skips): the rendered summary and charts, nothing fetched, every chart text inside its canvas.
check-report: $(BIN)
	LOCKBENCH=./$(BIN) tests/report/check-report.py

# gate.sh on two commits of one tree (exit 0), on the same commit twice (refused) and on a
# commit that halves ticket's speed (exit 1 naming ticket only), in a throwaway repository
# made of this tree; its checkouts reuse this tree's objects (tests/gate/test-gate.sh).
check-gate: $(BIN)
	LOCKBENCH=./$(BIN) tests/gate/test-gate.sh

# Starts its own Slurm cluster (tests/slurm/cluster.sh) and stops it by PID.
check-slurm: $(BIN)
	LOCKBENCH=./$(BIN) tests/slurm/test-sweep.sh

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
	./lockbench list > list.txt; grep -q '^  extend-fixture ' list.txt || fail "lockbench list does not show extend-fixture"; \
	LOCKBENCH=./lockbench build/tests/run-tests --filter 'workloads_all/*' --jobs $(TEST_JOBS) --verbose \
	  >test.log 2>&1 || { cat test.log; fail "the generic workload test failed"; }; \
	grep 'workload extend-fixture: clean under' test.log || { cat test.log; fail "the generic test did not run extend-fixture"; }; \
	tail -n 1 test.log; \
	./lockbench run -w extend-fixture -l pthread -t 2 -d 100ms -o out.json || fail "lockbench run -w extend-fixture failed"; \
	echo "check-extend-workload: ok"

# Both recipes, one after the other (each builds a copy of the tree).
check-extend: check-extend-workload
	@$(MAKE) --no-print-directory check-extend-lock

bench: deps
	@$(MAKE) --no-print-directory lockbench
	@mkdir -p $(dir $(BENCH_OUT))
	@# Chart what was measured even when a check failed (exit 1), then report that failure.
	@rc=0; echo "./lockbench run -o $(BENCH_OUT)"; ./lockbench run -o $(BENCH_OUT) || rc=$$?; \
	if [ -f $(BENCH_OUT) ]; then echo "./lockbench plot $(BENCH_OUT)"; ./lockbench plot $(BENCH_OUT) || exit $$?; fi; \
	exit $$rc

# make soak DURATION=1h [CHUNK=2s] [LOCKS=all]: stress every lock round after round,
# printing verified acquisitions per lock after every round (scripts/soak.py).
DURATION ?=
soak: $(BIN)
	@[ -n "$(DURATION)" ] || { echo "make soak: say how long, e.g. make soak DURATION=10m" >&2; exit 2; }
	scripts/soak.py --lockbench ./$(BIN) --duration $(DURATION) --chunk $(or $(CHUNK),2s) --locks $(or $(LOCKS),all) \
	  --log results/soak-$(BENCH_STAMP).jsonl

# The newest result in results/ (by modification time; schema.json is not a result).
plots: $(BIN)
	@newest=$$(ls -t results/*.json 2>/dev/null | grep -v '^results/schema\.json$$' | head -n 1); \
	if [ -z "$$newest" ]; then echo "make plots: no result in results/ (make bench makes one)" >&2; exit 2; fi; \
	echo "./$(BIN) plot $$newest"; ./$(BIN) plot "$$newest"

# The harness's cost against the bare lock, bare against the same lock inlined
# (engine/refloop.c) and our locks against Concurrency Kit's, each against its
# target; fails when one is missed. A benchmark, not a test.
overhead: deps
	@$(MAKE) --no-print-directory lockbench
	./lockbench selftest overhead

# A benchmark of the gate itself, not a test; its size comes from the
# environment (PAIRS, REPEAT, DURATION, LOCKS, THREADS, ...: see the script).
gate-check: deps
	@$(MAKE) --no-print-directory lockbench
	scripts/gate-check.sh

# A benchmark, not a test: real CPython's GIL and the model in the same scenarios
# (DURATION, REPEAT from the environment), tables into docs/python.md.
validate-python: deps
	@$(MAKE) --no-print-directory lockbench
	/usr/bin/python3 scripts/validate-python.py --duration $(or $(DURATION),3s) --repeat $(or $(REPEAT),5)

# Adding a lock takes one file in locks/ and one line in locks/registry.def:
# a copy of the tree gets tests/extend/fixture_lock.c that way, builds, and its
# new lock must pass the lock validation suite and a short run.
check-extend-lock: deps
	scripts/check-extend-lock.sh

asan:
	@$(MAKE) --no-print-directory check BUILD=build/asan OPT=-O1 SAN="$(ASAN_FLAGS)"

# Criterion cannot start under TSan, so under TSan the lock tests are built
# against a minimal stand-in (tests/tsan/), and the runner itself drives
# every built-in lock through the real harness.
TSAN := -fsanitize=thread
LOCK_TEST_SRC := tests/lock_util.c tests/test_locks_validate.c tests/test_locks_mechanisms.c tests/test_rw_validate.c
# The lock validation suite under TSan (part of make test; make tsan runs it too).
check-tsan-locks: build/tsan/validate-locks
	TSAN_OPTIONS=halt_on_error=1 ./build/tsan/validate-locks

build/tsan/validate-locks: $(LOCK_TEST_SRC) tests/tsan/main.c $(LOCK_SRC) $(wildcard tests/tsan/*.h tests/*.h locks/*.h)
	@mkdir -p build/tsan
	@echo "  LD      build/tsan/validate-locks"
	$(Q)$(CC) $(WARN) -O1 -g $(TSAN) -DLB_LOCK_CHECKS -pthread -Itests/tsan -I. -Iinclude -Irunner \
	  -o build/tsan/validate-locks $(LOCK_TEST_SRC) tests/tsan/main.c $(LOCK_SRC) -ldl -lm

tsan: deps
	@$(MAKE) --no-print-directory all BUILD=build/tsan OPT=-O1 SAN="$(TSAN)"
	@$(MAKE) --no-print-directory check-tsan-locks
	TSAN_OPTIONS=halt_on_error=1 ./build/tsan/lockbench run -q -l all -t 2,4 -d 200ms --warmup 20ms -o /dev/null
	TSAN_OPTIONS=halt_on_error=1 ./build/tsan/lockbench run -q -l all-rw -w rw:writers=1 -t 2,4 -d 200ms --warmup 20ms \
	  -o /dev/null
	TSAN_OPTIONS=halt_on_error=1 ./build/tsan/lockbench stress -d 300ms -o /dev/null
	TSAN_OPTIONS=halt_on_error=1 ./build/tsan/lockbench run -q -l pthread,futex -t 2,4 -d 200ms --warmup 20ms -o /dev/null \
	  -w bank -w striped -w lockorder:order=random,avoid=trylock -w lockorder:order=random,avoid=timeout,locks=4,k=3 \
	  -w condhold:waiter_holds=0
	TSAN_OPTIONS=halt_on_error=1 ./build/tsan/lockbench run -q -l pthread,gil,pymutex,ticket -t 2,3 -p none -d 200ms \
	  --warmup 20ms -o /dev/null -w interp:io=socket,io_ns=100us -w event -w barrier -w timedlock \
	  -w condition:notify_all=1,timeout_ns=50us -w semaphore:over_release=5,bounded=0

# Every command the README and docs/ show runs as written (scripts/check-docs.sh).
check-docs: deps
	scripts/check-docs.sh

# libFuzzer needs clang and its runtime (Debian: clang, libclang-rt-14-dev); new inputs go to
# build/fuzz/corpus-NAME, crashers to build/fuzz/crash-NAME-* (commit them to tests/fuzz/corpus/NAME/).
fuzz: deps
	@command -v clang >/dev/null 2>&1 && echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; return (int)n * 0; }' | \
	  clang -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null || { \
	  sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq clang libclang-rt-14-dev; }
	@$(MAKE) --no-print-directory fuzz-run BUILD=build/fuzz CC=clang OPT=-O1 \
	  SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

fuzz-run: $(FUZZ_TARGETS:%=$(BUILD)/fuzz-%)
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(BUILD)/corpus-$$t; touch $(BUILD)/fuzz-$$t.stamp; \
	  $(BUILD)/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 -rss_limit_mb=4096 \
	    -artifact_prefix=$(BUILD)/crash-$$t- $(BUILD)/corpus-$$t tests/fuzz/corpus/$$t 2>$(BUILD)/fuzz-$$t.log; \
	  rc=$$?; execs=$$(grep -o 'stat::number_of_executed_units: *[0-9]*\|Done [0-9]* runs' $(BUILD)/fuzz-$$t.log | grep -o '[0-9]*' | tail -1); \
	  found=$$(find $(BUILD) -maxdepth 1 -name "crash-$$t-*" -newer $(BUILD)/fuzz-$$t.stamp | wc -l); \
	  echo "fuzz $$t: $${execs:-?} execs in $(FUZZ_SECONDS) s, $$found findings (exit $$rc; log $(BUILD)/fuzz-$$t.log)"; \
	done

$(BUILD)/fuzz-%: $(BUILD)/tests/fuzz/fuzz_%.o $(LIB_OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

# The man page, from the same text as --help (scripts/manpage.sh).
man: $(BUILD)/lockbench.1
$(BUILD)/lockbench.1: $(BIN) scripts/manpage.sh
	@mkdir -p $(dir $@)
	$(Q)scripts/manpage.sh ./$(BIN) > $@.tmp && mv $@.tmp $@

# make install [PREFIX=/usr/local] [DESTDIR=]: the command, the public header and
# lockbench.pc for plug-in authors, the gnuplot scripts, the man page, the plug-in example.
install: $(BIN) $(BUILD)/lockbench.1
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include/lockbench \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/lockbench/plots \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/doc/lockbench/examples/plugin
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/lockbench
	install -m 644 include/lockbench/lock.h $(DESTDIR)$(PREFIX)/include/lockbench/lock.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' lockbench.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/lockbench.pc
	install -m 644 plots/*.gp $(DESTDIR)$(PREFIX)/share/lockbench/plots/
	install -m 644 $(BUILD)/lockbench.1 $(DESTDIR)$(PREFIX)/share/man/man1/lockbench.1
	install -m 644 examples/plugin/Makefile examples/plugin/README.md examples/plugin/mylock.c \
	  $(DESTDIR)$(PREFIX)/share/doc/lockbench/examples/plugin/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/lockbench $(DESTDIR)$(PREFIX)/include/lockbench/lock.h \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/lockbench.pc $(DESTDIR)$(PREFIX)/share/man/man1/lockbench.1
	rm -rf $(DESTDIR)$(PREFIX)/share/lockbench $(DESTDIR)$(PREFIX)/share/doc/lockbench
	-rmdir $(DESTDIR)$(PREFIX)/include/lockbench

# Install into a scratch DESTDIR, build the example plug-in against the installed
# header through pkg-config, and run it with the installed command (part of make test).
check-install: $(BIN)
	$(Q)scripts/check-install.sh

clean:
	rm -rf build lockbench

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
