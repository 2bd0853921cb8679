# bulkhead build: `make` builds build/bulkhead; `make test` runs unit + end-to-end tests;
# `make SAN=1` builds into build-san/ with AddressSanitizer + UndefinedBehaviorSanitizer.
CC ?= cc
PKGS := libarchive jansson yaml-0.1 sqlite3 libcurl libcrypto zlib
ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT ?= -O1
else
BUILD ?= build
SANFLAGS :=
OPT ?= -O2
endif
WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes -Wno-unused-parameter
CFLAGS ?= $(OPT) -g
override CFLAGS += -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(WARN) $(SANFLAGS) -Isrc $(shell pkg-config --cflags $(PKGS))
LDLIBS := $(shell pkg-config --libs $(PKGS)) -lm
LDFLAGS += $(SANFLAGS)

LIB_SRC := $(sort $(filter-out src/cli/%,$(wildcard src/*/*.c)))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(sort $(wildcard tests/*/test_*.c))
TEST_BIN := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
TEST_SUPPORT := $(wildcard tests/support/*.c)

all: $(BUILD)/bulkhead

$(BUILD)/libbulkhead.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/bulkhead: $(CLI_OBJ) $(BUILD)/libbulkhead.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libbulkhead.a $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/%.c $(TEST_SUPPORT) $(BUILD)/libbulkhead.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(TEST_SUPPORT) $(BUILD)/libbulkhead.a $(LDLIBS) -lcmocka $(LDFLAGS)

tests: $(TEST_BIN)

# Unit tests (cmocka) then end-to-end tests that drive the binary on real images.
test: all tests
	BUILD=$(BUILD) sh tests/run-unit.sh
	BUILD=$(BUILD) bash tests/e2e/run.sh

unit: all tests
	BUILD=$(BUILD) sh tests/run-unit.sh

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

.PHONY: all tests test unit clean
