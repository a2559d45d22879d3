# Makefile - builds featc, libfeatrt and the tests; `make test` runs everything.
#   make deps    install Debian packages and DuckDB (from npm)
#   make         build build/featc and build/libfeatrt.a
#   make test    unit, golden and end-to-end tests (T=NAME: one unit test, golden case or e2e script)
#   make format  clang-format the C files given in FILES (default: those changed from main)
#   make asan    the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make tsan    the concurrent serving tests under ThreadSanitizer
#   make fuzz    build and run every fuzz target in turn (FUZZ_SECONDS=60 each; TARGET=name for one)
#   make bench   benchmarks
#   make demo    build, stream, backfill and compare one example (EXAMPLE=fraud)
#   make parity-soak  the randomized differential tester over many seeds (SEEDS=2000)

B        ?= build
CC       ?= cc
SAN      ?=
OPT      ?= -O2 -g
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter -Wvla
DUCKDB   := third_party/duckdb
LLVM_CONFIG ?= llvm-config
LLVM_CFLAGS := $(shell $(LLVM_CONFIG) --includedir 2>/dev/null | sed 's/^/-isystem /')
LLVM_LIBS   := $(shell $(LLVM_CONFIG) --link-shared --ldflags --libs 2>/dev/null)
CFLAGS   := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SAN) -MMD -MP \
            -DFEATC_SAN_FLAGS='"$(SAN)"' -Icompiler -Icompiler/llvm -Iruntime -I$(B)/gen -isystem $(DUCKDB)/include $(LLVM_CFLAGS)
LDFLAGS  := $(SAN) -L$(abspath $(DUCKDB)/lib) -Wl,-rpath,$(abspath $(DUCKDB)/lib) -rdynamic
LIBS     := $(LLVM_LIBS) -lduckdb -lsqlite3 -lpq -lmicrohttpd -lyajl -lrdkafka -lhiredis -lm -lpthread -ldl

COMPILER_SRC := $(filter-out compiler/main.c,$(wildcard compiler/*.c compiler/sql/*.c compiler/llvm/*.c))
RUNTIME_SRC  := $(wildcard runtime/*.c)
GEN_SRC      := $(B)/gen/parser.c $(B)/gen/lexer.c
COMPILER_OBJ := $(COMPILER_SRC:%.c=$(B)/%.o) $(GEN_SRC:.c=.o)
RUNTIME_OBJ  := $(RUNTIME_SRC:%.c=$(B)/%.o)
TEST_SRC     := $(wildcard tests/unit/test_*.c)
TEST_BIN     := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: parity-soak demo all deps test unit golden e2e asan tsan tsan-run fuzz fuzz-bins fuzz-replay bench clean pg format
all: $(B)/featc $(B)/libfeatrt.a $(B)/tools/kafka_mock

deps:
	bash scripts/deps.sh

$(B)/gen/parser.c $(B)/gen/parser.h: grammar/parser.y
	@mkdir -p $(B)/gen
	bison -Wall -Werror --defines=$(B)/gen/parser.h -o $(B)/gen/parser.c $<

$(B)/gen/lexer.c $(B)/gen/lexer.h: grammar/lexer.l $(B)/gen/parser.h
	@mkdir -p $(B)/gen
	flex --header-file=$(B)/gen/lexer.h -o $(B)/gen/lexer.c $<

# Generated code is not ours to warn about beyond the basics.
$(B)/gen/%.o: $(B)/gen/%.c
	$(CC) $(filter-out $(WARN),$(CFLAGS)) -Wall -Werror -Wno-unused-function -Wno-sign-compare -c $< -o $@

$(B)/compiler/%.o: compiler/%.c | $(B)/gen/parser.h $(B)/gen/lexer.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/runtime/%.o: runtime/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/libfeatrt.a: $(RUNTIME_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/libfeatc.a: $(COMPILER_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/featc: $(B)/compiler/main.o $(B)/libfeatc.a $(B)/libfeatrt.a
	$(CC) $(LDFLAGS) -o $@ $(B)/compiler/main.o -Wl,--whole-archive $(B)/libfeatrt.a -Wl,--no-whole-archive $(B)/libfeatc.a $(B)/libfeatrt.a $(LIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libfeatc.a $(B)/libfeatrt.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libfeatc.a $(B)/libfeatrt.a $(LIBS) -lcmocka

# A SQL runner on the same DuckDB, for the shell tests that write Parquet files.
$(B)/tools/duckdb_sql: tests/tools/duckdb_sql.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lduckdb

# Runtime tests need only libfeatrt.
$(B)/tests/test_rt_%: tests/unit/test_rt_%.c $(B)/libfeatrt.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libfeatrt.a $(LIBS) -lcmocka

# A Kafka cluster (librdkafka's mock brokers) for the end-to-end tests and benchmarks.
$(B)/tools/kafka_mock: tests/tools/kafka_mock.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lrdkafka

unit: $(TEST_BIN)
	@fail=0; for t in $(TEST_BIN); do echo "== $$t"; $$t || fail=1; done; exit $$fail

golden: $(B)/featc
	bash tests/golden/run.sh $(B)/featc

e2e: $(B)/featc
	@fail=0; for t in $(sort $(wildcard tests/e2e/*.sh)); do echo "== $$t"; FEATC=$(B)/featc bash $$t || fail=1; done; exit $$fail

test: all
ifeq ($(T),)
	@bash tests/run-all.sh $(B)
else
	@bash tests/run-one.sh $(B) $(T)
endif

# clang-format, in place, on FILES (default: the C sources changed from main and not yet committed there).
format:
	@files="$(FILES)"; [ -n "$$files" ] || files=$$(git diff --name-only main -- '*.c' '*.h'; git ls-files --others --exclude-standard -- '*.c' '*.h'); \
	for f in $$files; do [ -f "$$f" ] && clang-format -i "$$f" && echo "formatted $$f"; done; true

asan:
	$(MAKE) B=build-asan SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" OPT="-O1 -g" test

# The tests where threads share a server: queries beside queries and beside ingestion, and
# stream consumers beside them.
TSAN_TESTS := $(B)/tests/test_rt_serve_concurrent $(B)/tests/test_rt_serve_http $(B)/tests/test_rt_engine_serve \
              $(B)/tests/test_rt_serve_stream
tsan:
	$(MAKE) B=build-tsan SAN="-fsanitize=thread" OPT="-O1 -g" tsan-run

tsan-run: $(TSAN_TESTS)
	@fail=0; for t in $(TSAN_TESTS); do echo "== $$t"; TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" $$t || fail=1; done; exit $$fail

# Thousands of random feature files through both paths on all three databases.
parity-soak: all
	FEATC=$(B)/featc bash tests/parity/soak.sh $${SEEDS:-2000}

demo: all
	B=$(B) bash scripts/demo.sh $(EXAMPLE)

pg:
	@bash scripts/pg-start.sh

fuzz:
	bash tests/fuzz/run.sh $${FUZZ_SECONDS:-60} $(TARGET)

# Fuzz targets (tests/fuzz/): one check function per input surface. With CC=clang and
# SAN holding -fsanitize=fuzzer-no-link (tests/fuzz/run.sh) fuzz-bins links libFuzzer in;
# fuzz-replay links the same checks to a plain main that runs kept inputs (make test).
FUZZ_RT_TARGETS := jsonl csv json spine manifest http
FUZZ_TARGETS    := parse $(FUZZ_RT_TARGETS)
FUZZ_OBJ        := $(patsubst tests/fuzz/%.c,$(B)/fuzz/obj/%.o,$(filter-out tests/fuzz/fuzz_main.c \
                   $(FUZZ_TARGETS:%=tests/fuzz/fuzz_%.c),$(wildcard tests/fuzz/fuzz_*.c)))
RT_LIBS         := -lmicrohttpd -lyajl -lrdkafka -lhiredis -lm -lpthread -ldl

$(B)/fuzz/obj/%.o: tests/fuzz/%.c | $(B)/gen/parser.h $(B)/gen/lexer.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/fuzz -c $< -o $@

$(B)/fuzz/bin/%: $(B)/fuzz/obj/fuzz_%.o $(FUZZ_OBJ) $(B)/libfeatrt.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(RT_LIBS)

$(B)/fuzz/replay/%: $(B)/fuzz/obj/fuzz_%.o $(B)/fuzz/obj/fuzz_main.o $(FUZZ_OBJ) $(B)/libfeatrt.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(RT_LIBS)

# The front end's check needs the compiler library too.
$(B)/fuzz/replay/parse: $(B)/fuzz/obj/fuzz_parse.o $(B)/fuzz/obj/fuzz_main.o $(B)/libfeatc.a $(B)/libfeatrt.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# Writes the manifests of feature files (the manifest target's seeds).
$(B)/fuzz/manifest_seeds: $(B)/fuzz/obj/manifest_seeds.o $(B)/libfeatc.a $(B)/libfeatrt.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

fuzz-bins: $(FUZZ_RT_TARGETS:%=$(B)/fuzz/bin/%)
fuzz-replay: $(FUZZ_TARGETS:%=$(B)/fuzz/replay/%) $(B)/fuzz/manifest_seeds

bench: all
	bash bench/run.sh $(B)

clean:
	rm -rf build build-asan build-tsan build-fuzz

-include $(shell find $(B) -name '*.d' 2>/dev/null)
