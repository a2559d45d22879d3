/* test_llgen.c - generated expect, row and on_demand functions, the fn table, AOT objects, errors. */
#include "test_llgen.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define I FT_INT
#define F FT_FLOAT
#define S FT_STRING
#define BO FT_BOOL
#define TS FT_TIMESTAMP

/* transactions: card string, amount float, country string, n int, ts timestamp */
static plan_field txn_fields[] = {
    {"card", S, true}, {"amount", F, false}, {"country", S, false}, {"n", I, false}, {"ts", TS, true},
};
enum { CARD, AMOUNT, COUNTRY, N, TSF, BIG, AMT2 }; /* columns: fields, then lets */

static plan_source txn_source(void)
{
    return (plan_source){.name = "transactions", .kind = PS_STREAM, .nfields = 5, .fields = txn_fields,
                         .time_field = TSF, .seq_field = -1};
}

static plan_expr *col(arena *a, int i, ftype t) { return tx_leaf(a, PX_COLUMN, t, i); }

static plan_feature feat(plan_agg agg, plan_expr *input, ftype type, plan_expr *filter)
{
    return (plan_feature){.name = "f", .agg = agg, .input = input, .input_type = input ? input->type : FT_ERROR,
                          .type = type, .filter = filter};
}

static rt_slot *txn(rt_slot *r, const char *card, double amount, const char *country, int64_t n)
{
    r[CARD] = card ? sl_str(card) : sl_null();
    r[AMOUNT] = isnan(amount) ? sl_null() : sl_flt(amount);
    r[COUNTRY] = country ? sl_str(country) : sl_null();
    r[N] = n == INT64_MIN ? sl_null() : sl_int(n);
    r[TSF] = sl_int(1000);
    return r;
}

static llgen_unit *compile_ok(const plan *p)
{
    char err[1024] = "";
    llgen_unit *u = llgen_compile(p, NULL, 0, false, err, sizeof err);
    if (!u)
        fail_msg("llgen_compile: %s", err);
    return u;
}

static const rt_fn_table *jit_ok(llgen_unit *u)
{
    char err[1024] = "";
    const rt_fn_table *t = llgen_jit(u, err, sizeof err);
    if (!t)
        fail_msg("llgen_jit: %s", err);
    return t;
}

/* A view with lets, a where, per-feature filters and count(); composite keys (card, n). */
static void test_row_function(void **state)
{
    (void)state;
    arena ar;
    arena_init(&ar);
    arena *a = &ar;
    plan_source src = txn_source();
    plan_field keys[2] = {{"card", S, true}, {"n", I, false}};
    plan_entity ent[2] = {{"card", 1, keys}, {"card_n", 2, keys}};
    int key_cols[2] = {CARD, N};
    plan_let lets[2] = {
        {"big", BO, tx_cmp(a, PC_GT, F, col(a, AMOUNT, F), tx_flt(a, 1000.0))},
        {"amt2", F, tx_arith(a, PA_MUL, F, col(a, AMOUNT, F), tx_float_of(a, col(a, N, I)))},
    };
    plan_feature fs[6] = {
        feat(PG_COUNT_ROWS, NULL, I, NULL),
        feat(PG_COUNT_ROWS, NULL, I, col(a, BIG, BO)),
        feat(PG_SUM, col(a, AMOUNT, F), F, NULL),
        feat(PG_LAST, col(a, COUNTRY, S), S, tx_op(a, PX_NOT, BO, 1, col(a, BIG, BO))),
        feat(PG_MAX, col(a, AMT2, F), F, tx_cmp(a, PC_GT, I, col(a, N, I), tx_int(a, 1))),
        feat(PG_COUNT_DISTINCT, tx_call(a, PF_LOWER, S, 1, col(a, COUNTRY, S)), I, NULL),
    };
    plan_view views[2] = {
        {.name = "v", .source = 0, .entity = 0, .key_columns = key_cols,
         .where = tx_cmp(a, PC_GT, F, col(a, AMOUNT, F), tx_flt(a, 0.0)), .nlets = 2, .lets = lets,
         .nfeatures = 6, .features = fs},
        {.name = "v2", .source = 0, .entity = 1, .key_columns = key_cols, .nfeatures = 1, .features = fs},
    };
    plan p = {.nsources = 1, .sources = &src, .nentities = 2, .entities = ent, .nviews = 2, .views = views};
    llgen_unit *u = compile_ok(&p);
    const rt_fn_table *t = jit_ok(u);
    assert_int_equal(t->nviews, 2);
    assert_int_equal(t->nsources, 1);
    assert_null(t->expect[0]);
    rt_scratch scratch;
    rt_scratch_init(&scratch);
    rt_slot rec[5], k[2], in[6];

    assert_int_equal(t->row[0](&scratch, txn(rec, "c1", 1500.0, "FR", 2), k, in), 1);
    assert_str_slot(k[0], "c1");
    assert_true(k[0].v.s == rec[CARD].v.s); /* keys point into the record */
    assert_int_equal(in[0].null, 0);
    assert_int_equal(in[1].null, 0); /* big */
    assert_flt_slot(in[2], 1500.0);
    assert_slot_null(in[3]); /* not big is false */
    assert_flt_slot(in[4], 3000.0);
    assert_str_slot(in[5], "fr");

    assert_int_equal(t->row[0](&scratch, txn(rec, "c2", 20.0, "De", 1), k, in), 1);
    assert_str_slot(k[0], "c2");
    assert_int_equal(in[0].null, 0);
    assert_slot_null(in[1]);
    assert_flt_slot(in[2], 20.0);
    assert_str_slot(in[3], "De");
    assert_slot_null(in[4]); /* n > 1 is false */
    assert_str_slot(in[5], "de");

    /* null let input and filters: big null, n null */
    assert_int_equal(t->row[0](&scratch, txn(rec, "c3", 5.0, NULL, INT64_MIN), k, in), 1);
    assert_int_equal(in[0].null, 0);
    assert_slot_null(in[1]);
    assert_flt_slot(in[2], 5.0);
    assert_slot_null(in[3]); /* input null */
    assert_slot_null(in[4]); /* filter null */
    assert_slot_null(in[5]);

    assert_int_equal(t->row[0](&scratch, txn(rec, "c4", -1.0, "FR", 1), k, in), 0);  /* where false */
    assert_int_equal(t->row[0](&scratch, txn(rec, "c4", NAN, "FR", 1), k, in), 0);   /* where null */
    assert_int_equal(t->row[0](&scratch, txn(rec, NULL, 10.0, "FR", 1), k, in), 0);  /* key null */

    /* composite key: a null second key drops the row; no where */
    assert_int_equal(t->row[1](&scratch, txn(rec, "c5", -3.0, "FR", 7), k, in), 1);
    assert_str_slot(k[0], "c5");
    assert_int_slot(k[1], 7);
    assert_int_equal(in[0].null, 0);
    assert_int_equal(t->row[1](&scratch, txn(rec, "c5", -3.0, "FR", INT64_MIN), k, in), 0);

    rt_scratch_free(&scratch);
    llgen_free(u);
    arena_free(&ar);
}

static void test_expect_function(void **state)
{
    (void)state;
    arena ar;
    arena_init(&ar);
    arena *a = &ar;
    plan_source srcs[3] = {txn_source(), txn_source(), txn_source()};
    plan_expect rules[3] = {
        {tx_cmp(a, PC_GE, F, col(a, AMOUNT, F), tx_flt(a, 0.0)), "amount >= 0"},
        {tx_cmp(a, PC_NE, S, col(a, COUNTRY, S), tx_str(a, "")), "country != ''"},
        /* lower() needs scratch memory, which the expect function provides itself */
        {tx_cmp(a, PC_NE, S, tx_call(a, PF_LOWER, S, 1, col(a, COUNTRY, S)), tx_str(a, "xx")), "lower(country) != 'xx'"},
    };
    srcs[0].nexpects = 3;
    srcs[0].expects = rules;
    srcs[2].nexpects = 1;
    srcs[2].expects = &rules[1];
    plan p = {.nsources = 3, .sources = srcs};
    llgen_unit *u = compile_ok(&p);
    const rt_fn_table *t = jit_ok(u);
    assert_int_equal(t->nsources, 3);
    assert_int_equal(t->nviews, 0);
    assert_int_equal(t->nblocks, 0);
    assert_non_null(t->expect[0]);
    assert_null(t->expect[1]);
    assert_non_null(t->expect[2]);
    rt_slot rec[5];
    assert_int_equal(t->expect[0](txn(rec, "c", 1.0, "FR", 1)), -1);
    assert_int_equal(t->expect[0](txn(rec, "c", -1.0, "FR", 1)), 0);
    assert_int_equal(t->expect[0](txn(rec, "c", NAN, "", 1)), 1); /* null passes rule 0 */
    assert_int_equal(t->expect[0](txn(rec, "c", 0.0, "xX", 1)), 2);
    assert_int_equal(t->expect[0](txn(rec, "c", -1.0, "XX", 1)), 0); /* the first false rule */
    assert_int_equal(t->expect[0](txn(rec, "c", NAN, NULL, 1)), -1);
    assert_int_equal(t->expect[2](txn(rec, "c", -1.0, "", 1)), 0);
    assert_int_equal(t->expect[2](txn(rec, "c", -1.0, "XX", 1)), -1);
    llgen_free(u);
    arena_free(&ar);
}

/* Two views, a request source and two blocks; the second block reads the first and itself. */
static void test_od_function(void **state)
{
    (void)state;
    arena ar;
    arena_init(&ar);
    arena *a = &ar;
    plan_field req_fields[3] = {{"amount", F, false}, {"lat", F, false}, {"lon", F, false}};
    plan_source srcs[2] = {txn_source(),
                           {.name = "checkout", .kind = PS_REQUEST, .nfields = 3, .fields = req_fields,
                            .time_field = -1, .seq_field = -1}};
    plan_field key = {"card", S, true};
    plan_entity ent = {"card", 1, &key};
    int key_cols[1] = {CARD};
    plan_feature v0f[3] = {feat(PG_AVG, col(a, AMOUNT, F), F, NULL), feat(PG_LAST, col(a, TSF, TS), TS, NULL),
                           feat(PG_COUNT_ROWS, NULL, I, NULL)};
    plan_feature v1f[1] = {feat(PG_LAST, col(a, COUNTRY, S), S, NULL)};
    plan_view views[2] = {
        {.name = "activity", .source = 0, .entity = 0, .key_columns = key_cols, .nfeatures = 3, .features = v0f},
        {.name = "profile", .source = 0, .entity = 0, .key_columns = key_cols, .nfeatures = 1, .features = v1f},
    };
    plan_expr *vf0 = tx_leaf(a, PX_FEATURE, F, 0), *vf1 = tx_leaf(a, PX_FEATURE, TS, 1);
    plan_expr *pf0 = tx_leaf(a, PX_FEATURE, S, 0);
    vf0->view = vf1->view = 0;
    pf0->view = 1;
    plan_od_feature b0f[4] = {
        {"ratio", F, tx_arith(a, PA_DIV, F, tx_leaf(a, PX_REQUEST, F, 0), vf0)},
        {"secs", F, tx_call(a, PF_SECONDS_BETWEEN, F, 2, vf1, tx_node(a, PX_NOW, TS))},
        {"cell", S, tx_call(a, PF_GEOHASH, S, 3, tx_leaf(a, PX_REQUEST, F, 1), tx_leaf(a, PX_REQUEST, F, 2),
                            tx_int(a, 5))},
        {"seg", S, tx_call(a, PF_UPPER, S, 1, pf0)},
    };
    plan_expr *b0ratio = tx_leaf(a, PX_OD_FEATURE, F, 0), *b1x = tx_leaf(a, PX_OD_FEATURE, F, 0);
    plan_expr *b0cell = tx_leaf(a, PX_OD_FEATURE, S, 2);
    b0ratio->block = 0;
    b0cell->block = 0;
    b1x->block = 1; /* an earlier feature of the same block */
    plan_od_feature b1f[3] = {
        {"x", F, tx_arith(a, PA_MUL, F, b0ratio, tx_flt(a, 2.0))},
        {"y", F, tx_arith(a, PA_ADD, F, b1x, tx_flt(a, 1.0))},
        {"z", S, tx_op(a, PX_CONCAT, S, 2, b0cell, tx_str(a, "!"))},
    };
    int b0views[2] = {0, 1}, b1blocks[1] = {0};
    plan_on_demand blocks[2] = {
        {.name = "risk", .request_source = 1, .nviews = 2, .views = b0views, .nfeatures = 4, .features = b0f},
        {.name = "more", .request_source = -1, .nblocks = 1, .blocks = b1blocks, .nfeatures = 3, .features = b1f},
    };
    plan p = {.nsources = 2, .sources = srcs, .nentities = 1, .entities = &ent, .nviews = 2, .views = views,
              .nblocks = 2, .blocks = blocks};
    llgen_unit *u = compile_ok(&p);
    const rt_fn_table *t = jit_ok(u);
    assert_int_equal(t->nblocks, 2);
    assert_null(t->expect[0]);
    assert_null(t->expect[1]);
    rt_scratch scratch;
    rt_scratch_init(&scratch);

    int64_t now = INT64_C(1700000000) * 1000000;
    rt_slot req[3] = {sl_flt(30.0), sl_flt(57.64911), sl_flt(10.40744)};
    rt_slot v0[3] = {sl_flt(12.0), sl_int(now - 90500000), sl_int(4)}, v1[1] = {sl_str("gold")};
    const rt_slot *vv[2] = {v0, v1};
    rt_slot b0[4], b1[3];
    const rt_slot *bv[2] = {b0, NULL};
    t->od[0](&scratch, req, vv, bv, now, b0);
    assert_flt_slot(b0[0], 2.5);
    assert_flt_slot(b0[1], 90.5);
    assert_str_slot(b0[2], "u4pru");
    assert_str_slot(b0[3], "GOLD");
    t->od[1](&scratch, NULL, vv, bv, now, b1);
    assert_flt_slot(b1[0], 5.0);
    assert_flt_slot(b1[1], 6.0);
    assert_str_slot(b1[2], "u4pru!");

    /* a view that was not computed reads as nulls; a missing request too; lat out of range */
    const rt_slot *vv_missing[2] = {v0, NULL};
    req[1] = sl_flt(91.0);
    t->od[0](&scratch, req, vv_missing, bv, now, b0);
    assert_flt_slot(b0[0], 2.5);
    assert_slot_null(b0[2]);
    assert_slot_null(b0[3]);
    t->od[0](&scratch, NULL, vv, bv, now, b0);
    assert_slot_null(b0[0]);
    assert_flt_slot(b0[1], 90.5);
    assert_slot_null(b0[2]);
    assert_str_slot(b0[3], "GOLD");
    v0[0] = sl_flt(0.0); /* division by zero */
    t->od[0](&scratch, req, vv, bv, now, b0);
    assert_slot_null(b0[0]);
    t->od[1](&scratch, NULL, vv, bv, now, b1);
    assert_slot_null(b1[0]);
    assert_slot_null(b1[1]);
    assert_slot_null(b1[2]);

    rt_scratch_free(&scratch);
    llgen_free(u);
    arena_free(&ar);
}

/* A plan with one view and one block, for the object-file and IR tests. */
static plan small_plan(arena *a, plan_source *src, plan_entity *ent, plan_view *v, plan_feature *f, int *kc)
{
    static plan_field key = {"card", S, true};
    *src = txn_source();
    *ent = (plan_entity){"card", 1, &key};
    kc[0] = CARD;
    *f = feat(PG_SUM, col(a, AMOUNT, F), F, NULL);
    *v = (plan_view){.name = "v", .source = 0, .entity = 0, .key_columns = kc, .nfeatures = 1, .features = f};
    return (plan){.nsources = 1, .sources = src, .nentities = 1, .entities = ent, .nviews = 1, .views = v};
}

/* Runs `nm` on path and returns its output (caller frees). */
static char *nm_output(const char *path)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "nm %s", path);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    char *buf = calloc(1, 65536);
    size_t n = fread(buf, 1, 65535, f);
    buf[n] = 0;
    assert_int_equal(pclose(f), 0);
    return buf;
}

/* Whether nm output lists `name` defined as data (D, R: with relocations a constant table
 * may land in .data.rel.ro). */
static bool defines_data(const char *syms, const char *name)
{
    char d[128], r[128];
    snprintf(d, sizeof d, " D %s\n", name);
    snprintf(r, sizeof r, " R %s\n", name);
    return strstr(syms, d) || strstr(syms, r);
}

static void check_elf(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char magic[4] = {0};
    assert_int_equal(fread(magic, 1, 4, f), 4);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    assert_memory_equal(magic, "\177ELF", 4);
    assert_true(size > 64);
}

static void test_aot_object(void **state)
{
    (void)state;
    arena ar;
    arena_init(&ar);
    plan_source src;
    plan_entity ent;
    plan_view v;
    plan_feature f;
    int kc[1];
    plan p = small_plan(&ar, &src, &ent, &v, &f, kc);
    char dir[] = "/tmp/test_llgen_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64], stub[64], exe[64], cmd[256];
    snprintf(path, sizeof path, "%s/unit.o", dir);
    snprintf(stub, sizeof stub, "%s/stub.c", dir);
    snprintf(exe, sizeof exe, "%s/exe", dir);
    char err[1024] = "";

    llgen_unit *u = compile_ok(&p);
    assert_int_equal(llgen_emit_object(u, path, err, sizeof err), 0);
    check_elf(path);
    char *syms = nm_output(path);
    assert_true(defines_data(syms, "featc_fn_table"));
    assert_null(strstr(syms, " U ")); /* this plan calls no runtime function */
    assert_null(strstr(syms, " main\n"));
    assert_null(strstr(syms, "featc_manifest"));
    free(syms);
    llgen_free(u);

    static const char manifest[] = "{\"m\":1}\0tail";
    u = llgen_compile(&p, manifest, sizeof manifest - 1, true, err, sizeof err);
    assert_non_null(u);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_int_equal(llgen_dump_ir(u, mem), 0);
    fclose(mem);
    assert_non_null(strstr(text, "c\"{\\22m\\22:1}\\00tail\""));  /* every byte, the NUL too */
    assert_non_null(strstr(text, "@featc_manifest_len = "));
    assert_non_null(strstr(text, "i64 12"));
    free(text);
    assert_int_equal(llgen_emit_object(u, path, err, sizeof err), 0);
    check_elf(path);
    syms = nm_output(path);
    assert_true(defines_data(syms, "featc_fn_table"));
    assert_non_null(strstr(syms, " T main\n"));
    assert_non_null(strstr(syms, " U rt_binary_main\n"));
    assert_true(defines_data(syms, "featc_manifest"));
    assert_true(defines_data(syms, "featc_manifest_len"));
    free(syms);

    /* The object links into a (PIE) executable whose main calls rt_binary_main with the
     * table and the manifest; this stand-in checks both and runs the row function. */
    FILE *sf = fopen(stub, "w");
    assert_non_null(sf);
    fputs("#include <stdint.h>\n#include <string.h>\n"
          "typedef struct { union { int64_t i; double f; const char *s; } v; uint32_t len; uint8_t null, pad[3]; } slot;\n"
          "typedef int32_t (*row_fn)(void *, const slot *, slot *, slot *);\n"
          "typedef struct { int32_t ns; const void *e; int32_t nv; const row_fn *row; int32_t nb; const void *od; } table;\n"
          "int rt_binary_main(int argc, char **argv, const table *t, const char *m, size_t n);\n"
          "int rt_binary_main(int argc, char **argv, const table *t, const char *m, size_t n) {\n"
          "    slot rec[5] = {{.v.s = \"c\", .len = 1}, {.v.f = 2.5}}, k[1], in[1];\n"
          "    if (argc != 2 || strcmp(argv[1], \"go\") || n != 12 || memcmp(m, \"{\\\"m\\\":1}\\0tail\", 12)) return 1;\n"
          "    if (t->ns != 1 || t->nv != 1 || t->nb != 0 || t->row[0](0, rec, k, in) != 1) return 2;\n"
          "    return in[0].null == 0 && in[0].v.f == 2.5 && k[0].len == 1 ? 42 : 3;\n"
          "}\n", sf);
    assert_int_equal(fclose(sf), 0);
    snprintf(cmd, sizeof cmd, "cc -pie -o %s %s %s", exe, path, stub);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s go", exe);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 42);

    /* an executable's unit is not for the JIT */
    assert_null(llgen_jit(u, err, sizeof err));
    assert_non_null(strstr(err, "main"));
    llgen_free(u);

    /* an unwritable path is an error, not a crash */
    u = compile_ok(&p);
    assert_int_equal(llgen_emit_object(u, "/nonexistent-dir/x.o", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent-dir/x.o"));
    llgen_free(u);
    unlink(path);
    unlink(stub);
    unlink(exe);
    assert_int_equal(rmdir(dir), 0);
    arena_free(&ar);
}

static void test_dump_and_jit_lifecycle(void **state)
{
    (void)state;
    arena ar;
    arena_init(&ar);
    plan_source src;
    plan_entity ent;
    plan_view v;
    plan_feature f;
    int kc[1];
    plan p = small_plan(&ar, &src, &ent, &v, &f, kc);
    llgen_unit *u = compile_ok(&p);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_int_equal(llgen_dump_ir(u, mem), 0);
    fclose(mem);
    assert_non_null(strstr(text, "@featc_fn_table = "));
    assert_non_null(strstr(text, "featc_row_0"));
    free(text);
    const rt_fn_table *t = jit_ok(u);
    assert_ptr_equal(jit_ok(u), t); /* a second call returns the same table */
    char err[256] = "";
    assert_int_equal(llgen_emit_object(u, "/tmp/never-written.o", err, sizeof err), -1);
    assert_int_equal(llgen_dump_ir(u, stderr), -1);
    rt_slot rec[5], k[1], in[1];
    assert_int_equal(t->row[0](NULL, txn(rec, "c", 2.5, "FR", 1), k, in), 1);
    assert_flt_slot(in[0], 2.5);
    llgen_free(u);
    llgen_free(NULL);

    /* an empty plan still has a table, with no arrays */
    plan empty = {0};
    u = compile_ok(&empty);
    t = jit_ok(u);
    assert_int_equal(t->nsources, 0);
    assert_int_equal(t->nviews, 0);
    assert_int_equal(t->nblocks, 0);
    assert_null(t->expect);
    assert_null(t->row);
    assert_null(t->od);
    llgen_free(u);
    arena_free(&ar);
}

/* Malformed plans are internal errors with a message, never a crash. */
static void test_malformed_plans(void **state)
{
    (void)state;
    arena ar;
    arena_init(&ar);
    arena *a = &ar;
    plan_source src;
    plan_entity ent;
    plan_view v;
    plan_feature f;
    int kc[1];
    plan p = small_plan(a, &src, &ent, &v, &f, kc);
    struct {
        plan_expr *input;
        const char *msg;
    } bad[] = {
        {col(a, 42, F), "column 42"},
        {tx_leaf(a, PX_REQUEST, F, 0), "request"},
        {tx_node(a, PX_NOW, TS), "now()"},
        {tx_node(a, (plan_expr_kind)99, F), "unknown expression node"},
        {tx_call(a, PF_TO_STRING, S, 1, tx_flt(a, 1.0)), "to_string"},
        {tx_call(a, PF_SQRT, F, 1, tx_str(a, "x")), "string value"},
        {tx_arith(a, PA_MOD, F, tx_flt(a, 1.0), tx_flt(a, 2.0)), "arithmetic"},
        {tx_case(a, F, false, 1, tx_bool(a, true)), "case"},
        {tx_op(a, PX_AND, BO, 1, tx_bool(a, true)), "operands"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[512] = "";
        f.input = bad[i].input;
        f.input_type = bad[i].input->type;
        assert_null(llgen_compile(&p, NULL, 0, false, err, sizeof err));
        if (!strstr(err, bad[i].msg))
            fail_msg("case %zu: message '%s' lacks '%s'", i, err, bad[i].msg);
        assert_non_null(strstr(err, "view 'v'"));
    }
    v.source = 5;
    assert_null(llgen_compile(&p, NULL, 0, false, NULL, 0));
    arena_free(&ar);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_function),   cmocka_unit_test(test_expect_function),
        cmocka_unit_test(test_od_function),    cmocka_unit_test(test_aot_object),
        cmocka_unit_test(test_dump_and_jit_lifecycle), cmocka_unit_test(test_malformed_plans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
