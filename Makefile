# bulkhead build: `make` builds build/bulkhead; `make test` runs unit + end-to-end tests;
# `make SAN=1` builds into build-san/ with AddressSanitizer + UndefinedBehaviorSanitizer; SAN=thread: build-tsan/.
CC ?= cc
SHELL := /bin/bash
# Libraries per binary: the scanner library and CLI link LIB_PKGS; a binary with needs of its own
# (the server: libmicrohttpd + libpq; the sensor: libbpf) adds a <name>_PKGS list and links only those.
LIB_PKGS := libarchive jansson yaml-0.1 sqlite3 libcurl libcrypto zlib libisal libpcre2-8 expat libmicrohttpd
# The server's store (src/store/) is in the library and speaks PostgreSQL through libpq when its
# pkg-config file is there (Debian: libpq-dev); without it the store is SQLite only.
ifeq ($(shell pkg-config --exists libpq && echo yes),yes)
LIB_PKGS += libpq
HAVE_LIBPQ := -DBH_HAVE_LIBPQ
endif
bulkhead_PKGS :=
PKGS := $(LIB_PKGS)
ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT ?= -O1
else ifeq ($(SAN),thread)
# `make SAN=thread` builds into build-tsan/ with ThreadSanitizer (the threaded directory walk, layer streams)
BUILD ?= build-tsan
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer
OPT ?= -O1
else
BUILD ?= build
SANFLAGS :=
OPT ?= -O2
endif
WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes -Wno-unused-parameter
CFLAGS ?= $(OPT) -g
override CFLAGS += -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(HAVE_LIBPQ) $(WARN) $(SANFLAGS) -Isrc $(shell pkg-config --cflags $(PKGS))
LDLIBS := $(shell pkg-config --libs $(LIB_PKGS)) -lm
# libs of one binary: $(call bin_libs,NAME)
bin_libs = $(if $(strip $($(1)_PKGS)),$(shell pkg-config --libs $($(1)_PKGS))) $(LDLIBS)
LDFLAGS += $(SANFLAGS)

# Sources at any depth (src/AREA/*.c and nested areas such as src/runtime/bpf/); kernel-side eBPF
# programs (*.bpf.c) are built by clang for the BPF target, not into the library.
LIB_SRC := $(sort $(shell find src -name '*.c' ! -name '*.bpf.c' ! -path 'src/cli/*'))
CLI_SRC := $(sort $(shell find src/cli -name '*.c'))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(sort $(shell find tests -name 'test_*.c' ! -path 'tests/fixtures/*'))
TEST_BIN := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
TEST_SUPPORT := $(wildcard tests/support/*.c)

all: $(BUILD)/bulkhead

# The eBPF sensor (src/runtime/bpf/): when clang, bpftool, libbpf (pkg-config) and the kernel's BTF
# are all there, sensor.bpf.c is compiled for the BPF target against a vmlinux.h dumped from this
# kernel into $(BUILD)/bpf/ (never committed), `bpftool gen skeleton` turns the object into a header
# that carries its bytes, and runtime/sensor.c is built with it (-DBH_HAVE_BPF) and the binary links
# libbpf. Without them sensor.c builds a stub whose start says what to install.
BPFTOOL := $(or $(shell command -v bpftool 2>/dev/null),$(wildcard /usr/sbin/bpftool))
ifneq ($(and $(shell command -v clang 2>/dev/null),$(BPFTOOL),$(wildcard /sys/kernel/btf/vmlinux),$(shell pkg-config --exists libbpf && echo yes)),)
bulkhead_PKGS += libbpf libelf zlib
$(BUILD)/src/runtime/sensor.o: override CFLAGS += -DBH_HAVE_BPF -I$(BUILD)/bpf $(shell pkg-config --cflags libbpf)
$(BUILD)/src/runtime/sensor.o: $(BUILD)/bpf/sensor.skel.h
# the east-west policy (runtime/netpol.c): its own object, netpol.bpf.c, embedded the same way
$(BUILD)/src/runtime/netpol.o: override CFLAGS += -DBH_HAVE_BPF -I$(BUILD)/bpf $(shell pkg-config --cflags libbpf)
$(BUILD)/src/runtime/netpol.o: $(BUILD)/bpf/netpol.skel.h
endif
$(BUILD)/bpf/vmlinux.h:
	@mkdir -p $(dir $@)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c >$@.tmp && mv $@.tmp $@
$(BUILD)/bpf/%.bpf.o: src/runtime/bpf/%.bpf.c $(wildcard src/runtime/bpf/*.h) $(BUILD)/bpf/vmlinux.h
	clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror -I$(BUILD)/bpf -Isrc -c -o $@ $<
# sensor.skel.h declares struct sensor_bpf, netpol.skel.h struct netpol_bpf
$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $*_bpf >$@.tmp && mv $@.tmp $@
.PRECIOUS: $(BUILD)/bpf/%.bpf.o

$(BUILD)/libbulkhead.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/bulkhead: $(CLI_OBJ) $(BUILD)/libbulkhead.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libbulkhead.a $(call bin_libs,bulkhead)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/%.c $(TEST_SUPPORT) $(BUILD)/libbulkhead.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(TEST_SUPPORT) $(BUILD)/libbulkhead.a $(call bin_libs,bulkhead) -lcmocka $(LDFLAGS)

tests: $(TEST_BIN)

# Benchmark programs (bench/*.c) link the library; the bench/*.sh scripts build them with `make bench-tools`.
# (sensor_floor and its BPF object are built by bench/sensor.sh itself: they need libbpf and clang)
BENCH_BIN := $(patsubst bench/%.c,$(BUILD)/bench/%,$(filter-out bench/%.bpf.c bench/sensor_floor.c,$(wildcard bench/*.c)))
$(BUILD)/bench/%: bench/%.c $(BUILD)/libbulkhead.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libbulkhead.a $(call bin_libs,bulkhead) $(LDFLAGS)

bench-tools: $(BENCH_BIN)

# Unit tests (cmocka) then end-to-end tests that drive the binary on real images, each script run
# to its end (tests/run-e2e.sh prints their times). The sanitizer pass (SAN=1) runs the scripts
# that drive the C code through different paths; the ones left out check output conformance
# (schemas, rendering, the README, the container image) or figures (load, PSS sets) over the same
# paths, which the plain pass runs.
# one script per line: helpers and branches add lines, not edits of a shared one
E2E_SAN := \
	e2e/run.sh \
	malicious/run.sh \
	e2e/vuln.sh \
	e2e/checks.sh \
	e2e/containers.sh \
	e2e/compliance.sh \
	e2e/registry.sh \
	e2e/server.sh \
	e2e/agent.sh \
	e2e/reeval.sh \
	e2e/multiserver.sh \
	e2e/regwatch.sh \
	e2e/scanupload.sh \
	e2e/platform.sh \
	e2e/notify.sh \
	e2e/exceptions.sh \
	e2e/risk.sh \
	e2e/tracker.sh \
	e2e/blapi.sh \
	e2e/baseline-server.sh \
	e2e/drift.sh \
	e2e/rules.sh \
	e2e/cli.sh \
	e2e/fallback.sh \
	e2e/netpol.sh \
	e2e/agent-network.sh
E2E_ALL := \
	e2e/run.sh \
	malicious/run.sh \
	e2e/vuln.sh \
	e2e/reference.sh \
	e2e/checks.sh \
	e2e/containers.sh \
	e2e/compliance.sh \
	e2e/pss.sh \
	e2e/formats.sh \
	e2e/sbomformats.sh \
	e2e/table.sh \
	e2e/html.sh \
	e2e/dashboard.sh \
	e2e/network-dashboard.sh \
	e2e/registry.sh \
	e2e/server.sh \
	e2e/agent.sh \
	e2e/agent-runtime.sh \
	e2e/agent-network.sh \
	e2e/reeval.sh \
	e2e/multiserver.sh \
	e2e/load.sh \
	e2e/regwatch.sh \
	e2e/scanupload.sh \
	e2e/platform.sh \
	e2e/notify.sh \
	e2e/exceptions.sh \
	e2e/risk.sh \
	e2e/tracker.sh \
	e2e/blapi.sh \
	e2e/baseline-server.sh \
	e2e/tracker-gitlab.sh \
	e2e/deploy.sh \
	e2e/watch.sh \
	e2e/fallback.sh \
	e2e/drift.sh \
	e2e/rules.sh \
	e2e/rules-default.sh \
	e2e/actions.sh \
	e2e/baseline.sh \
	e2e/agent-baseline.sh \
	e2e/cli.sh \
	e2e/netpol.sh \
	e2e/readme.sh
test: all tests
	BUILD=$(BUILD) sh tests/run-unit.sh
	BUILD=$(BUILD) BH_SAN=$(if $(SANFLAGS),1,0) BH_E2E="$(if $(SANFLAGS),$(E2E_SAN),$(E2E_ALL))" bash tests/run-e2e.sh

unit: all tests
	BUILD=$(BUILD) sh tests/run-unit.sh

# libFuzzer targets (clang): one per analyzer listed in fuzz/targets.txt plus layer, archive, json.
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(HAVE_LIBPQ) -g -O1 -fsanitize=fuzzer-no-link,address,undefined -Isrc $(shell pkg-config --cflags $(PKGS))
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=build-fuzz/%.o)
FUZZ_ANALYZERS := $(shell awk '!/^\#/ && NF==3 {print $$1}' $(wildcard fuzz/targets.txt) /dev/null)
# fuzz/fuzz_NAME.c is a target of its own; fuzz_analyzer.c is built once per line of targets.txt
FUZZ_SINGLE := $(filter-out analyzer,$(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c)))
FUZZ_BINS := $(addprefix build-fuzz/fuzz_,$(FUZZ_ANALYZERS) $(FUZZ_SINGLE))

build-fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

build-fuzz/libbulkhead.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(addprefix build-fuzz/fuzz_,$(FUZZ_SINGLE)): build-fuzz/fuzz_%: fuzz/fuzz_%.c build-fuzz/libbulkhead.a
	clang $(FUZZ_CFLAGS) -MMD -MP -fsanitize=fuzzer -o $@ $< build-fuzz/libbulkhead.a $(LDLIBS)

$(addprefix build-fuzz/fuzz_,$(FUZZ_ANALYZERS)): build-fuzz/fuzz_%: fuzz/fuzz_analyzer.c build-fuzz/libbulkhead.a fuzz/targets.txt
	clang $(FUZZ_CFLAGS) -MMD -MP -fsanitize=fuzzer \
		-DANALYZER=$$(awk '$$1=="$*" {print $$2}' fuzz/targets.txt) \
		-DFUZZ_PATH="\"$$(awk '$$1=="$*" {print $$3}' fuzz/targets.txt)\"" \
		-o $@ $< build-fuzz/libbulkhead.a $(LDLIBS)

fuzz: $(FUZZ_BINS)

# Static analysis, clean in CI: cppcheck and clang-tidy (analyzer + bugprone checks).
TIDY_CHECKS := -*,clang-analyzer-*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-bugprone-narrowing-conversions,-bugprone-assignment-in-if-condition,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,-bugprone-implicit-widening-of-multiplication-result,-clang-analyzer-unix.Malloc,-clang-analyzer-valist.Uninitialized
lint: check-includes
	cppcheck -q --std=c11 --enable=warning,performance,portability --inline-suppr --error-exitcode=1 -Isrc --suppress=missingIncludeSystem src
	@# one clang-tidy per core, a dozen files each (xargs exits non-zero when any of them did)
	printf '%s\n' $(LIB_SRC) $(CLI_SRC) | xargs -P$$(nproc) -n12 sh -c 'exec clang-tidy -quiet --warnings-as-errors="*" \
		--checks="$$0" "$$@" -- -std=c11 -D_GNU_SOURCE $(HAVE_LIBPQ) -Isrc $(shell pkg-config --cflags $(PKGS))' '$(TIDY_CHECKS)' \
		2>&1 | grep -v 'warnings generated' ; test $${PIPESTATUS[1]} -eq 0

# Folders include only folders below them, and no header cycles (the map: docs/ARCHITECTURE.md).
check-includes:
	bash tests/scripts/check-includes.sh

clean:
	rm -rf build build-san build-fuzz

# Header dependencies (build-fuzz too: a stale object there once kept an old struct layout and
# crashed a fuzz target). Objects also depend on this file, so a change of flags (such as adding
# -MMD) rebuilds every object instead of leaving ones that have no dependency file yet.
$(LIB_OBJ) $(CLI_OBJ) $(FUZZ_LIB_OBJ): Makefile

# the default runtime rules are embedded into this object by the assembler (.incbin)
$(BUILD)/src/runtime/defrules.o build-fuzz/src/runtime/defrules.o: rules/default.yaml
# the dashboard's files are embedded with .incbin: editing one rebuilds the object
$(BUILD)/src/server/webui.o build-fuzz/src/server/webui.o: $(wildcard web/*)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_BINS:=.d)

.PHONY: all tests test unit clean fuzz lint check-includes
