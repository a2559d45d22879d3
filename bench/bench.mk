# bench.mk - builds the benchmark programs; read after the top Makefile so flags and libraries are the same:
#     make -f Makefile -f bench/bench.mk B=build bench-tools

BENCH_DIR   := $(B)/bench
BENCH_LINK  := $(BENCH_DIR)/bench_common.o -Wl,--whole-archive $(B)/libfeatrt.a -Wl,--no-whole-archive \
               $(B)/libfeatc.a $(B)/libfeatrt.a $(LIBS)
BENCH_FEAT  := $(BENCH_DIR)/bench_ingest $(BENCH_DIR)/bench_serve $(BENCH_DIR)/bench_compile $(BENCH_DIR)/bench_stream
BENCH_TOOLS := $(BENCH_DIR)/gen_events $(BENCH_DIR)/bench_duck $(BENCH_DIR)/loadgen $(BENCH_FEAT)

.PHONY: bench-tools
bench-tools: $(BENCH_TOOLS)

$(BENCH_DIR)/%.o: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ibench -c $< -o $@

# Standalone programs: no featc libraries.
$(BENCH_DIR)/gen_events: $(BENCH_DIR)/gen_events.o
	$(CC) $(LDFLAGS) -o $@ $< -lm

$(BENCH_DIR)/loadgen: $(BENCH_DIR)/loadgen.o
	$(CC) $(LDFLAGS) -o $@ $< -lm

$(BENCH_DIR)/bench_duck: $(BENCH_DIR)/bench_duck.o $(BENCH_DIR)/bench_common.o $(B)/libfeatc.a $(B)/libfeatrt.a
	$(CC) $(LDFLAGS) -o $@ $< $(BENCH_LINK)

# Programs that compile a .feat in-process and run it on libfeatrt.
$(BENCH_FEAT): $(BENCH_DIR)/%: $(BENCH_DIR)/%.o $(BENCH_DIR)/bench_common.o $(B)/libfeatc.a $(B)/libfeatrt.a
	$(CC) $(LDFLAGS) -o $@ $< $(BENCH_LINK)
