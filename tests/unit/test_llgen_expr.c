/* test_llgen_expr.c - JIT-compiled expressions against hand-computed results, edge by edge. */
#include "test_llgen.h"

#define I FT_INT
#define F FT_FLOAT
#define S FT_STRING
#define BO FT_BOOL
#define TS FT_TIMESTAMP

/* Operands come from the request (so nothing is folded away) and, for a second copy of
 * each check, from constants (so LLVM's constant folding must agree too). */
static void test_int_overflow(void **state)
{
    (void)state;
    th h;
    ftype types[] = {I, I, I};
    th_init(&h, 3, types);
    arena *a = &h.a;
    plan_expr *r0 = tx_leaf(a, PX_REQUEST, I, 0), *r1 = tx_leaf(a, PX_REQUEST, I, 1);
    int add = th_add(&h, tx_arith(a, PA_ADD, I, r0, r1));
    int sub = th_add(&h, tx_arith(a, PA_SUB, I, r0, r1));
    int mul = th_add(&h, tx_arith(a, PA_MUL, I, r0, r1));
    int neg = th_add(&h, tx_op(a, PX_NEG, I, 1, r0));
    int cadd = th_add(&h, tx_arith(a, PA_ADD, I, tx_int(a, INT64_MAX), tx_int(a, 1)));
    int cneg = th_add(&h, tx_op(a, PX_NEG, I, 1, tx_int(a, INT64_MIN)));
    int cmul = th_add(&h, tx_arith(a, PA_MUL, I, tx_int(a, 3037000500), tx_int(a, 3037000500)));
    int csub = th_add(&h, tx_arith(a, PA_SUB, I, tx_int(a, INT64_MIN), tx_int(a, 1)));
    int nul = th_add(&h, tx_arith(a, PA_ADD, I, r0, tx_leaf(a, PX_REQUEST, I, 2)));
    th_build(&h);

    rt_slot req[3] = {sl_int(INT64_MAX), sl_int(1), sl_null()};
    th_run(&h, req, 0);
    assert_slot_null(h.out[add]); /* INT64_MAX + 1 */
    assert_int_slot(h.out[sub], INT64_MAX - 1);
    assert_int_slot(h.out[mul], INT64_MAX);
    assert_int_slot(h.out[neg], -INT64_MAX);
    assert_slot_null(h.out[cadd]);
    assert_slot_null(h.out[cneg]);
    assert_slot_null(h.out[cmul]);
    assert_slot_null(h.out[csub]);
    assert_slot_null(h.out[nul]);
    assert_int_equal(h.out[add].v.i, 0); /* a null result has a zero payload */

    req[0] = sl_int(INT64_MIN);
    req[1] = sl_int(-1);
    req[2] = sl_int(5);
    th_run(&h, req, 0);
    assert_slot_null(h.out[add]);
    assert_int_slot(h.out[sub], INT64_MIN + 1);
    assert_slot_null(h.out[mul]); /* INT64_MIN * -1 */
    assert_slot_null(h.out[neg]); /* -INT64_MIN */
    assert_int_slot(h.out[nul], INT64_MIN + 5);

    req[0] = sl_int(-6);
    req[1] = sl_int(7);
    th_run(&h, req, 0);
    assert_int_slot(h.out[add], 1);
    assert_int_slot(h.out[sub], -13);
    assert_int_slot(h.out[mul], -42);
    assert_int_slot(h.out[neg], 6);
    th_free(&h);
}

static void test_int_mod(void **state)
{
    (void)state;
    static const struct {
        int64_t x, y, want;
        bool null;
    } cases[] = {
        {7, -2, 1, false},          {-7, 2, -1, false},         {7, 2, 1, false},
        {-7, -2, -1, false},        {INT64_MIN, -1, 0, false},  {INT64_MAX, -1, 0, false},
        {5, 0, 0, true},            {INT64_MIN, 0, 0, true},    {INT64_MIN, INT64_MAX, -1, false},
        {INT64_MAX, INT64_MIN, INT64_MAX, false},               {0, 3, 0, false},
    };
    th h;
    ftype types[] = {I, I};
    th_init(&h, 2, types);
    arena *a = &h.a;
    int m = th_add(&h, tx_arith(a, PA_MOD, I, tx_leaf(a, PX_REQUEST, I, 0), tx_leaf(a, PX_REQUEST, I, 1)));
    int consts[sizeof cases / sizeof cases[0]];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        consts[i] = th_add(&h, tx_arith(a, PA_MOD, I, tx_int(a, cases[i].x), tx_int(a, cases[i].y)));
    int nul = th_add(&h, tx_arith(a, PA_MOD, I, tx_int(a, 7), tx_null(a, I)));
    th_build(&h);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rt_slot req[2] = {sl_int(cases[i].x), sl_int(cases[i].y)};
        th_run(&h, req, 0);
        if (cases[i].null) {
            assert_slot_null(h.out[m]);
            assert_slot_null(h.out[consts[i]]);
        } else {
            assert_int_slot(h.out[m], cases[i].want);
            assert_int_slot(h.out[consts[i]], cases[i].want);
        }
        assert_slot_null(h.out[nul]);
    }
    th_free(&h);
}

static void test_float_arith(void **state)
{
    (void)state;
    th h;
    ftype types[] = {I, I, F, F};
    th_init(&h, 4, types);
    arena *a = &h.a;
    plan_expr *i0 = tx_leaf(a, PX_REQUEST, I, 0), *i1 = tx_leaf(a, PX_REQUEST, I, 1);
    plan_expr *f2 = tx_leaf(a, PX_REQUEST, F, 2), *f3 = tx_leaf(a, PX_REQUEST, F, 3);
    int div = th_add(&h, tx_arith(a, PA_DIV, F, tx_float_of(a, i0), tx_float_of(a, i1)));
    int fdiv = th_add(&h, tx_arith(a, PA_DIV, F, f2, f3));
    int fadd = th_add(&h, tx_arith(a, PA_ADD, F, f2, f3));
    int fsub = th_add(&h, tx_arith(a, PA_SUB, F, f2, f3));
    int fmul = th_add(&h, tx_arith(a, PA_MUL, F, f2, f3));
    int fneg = th_add(&h, tx_op(a, PX_NEG, F, 1, f2));
    /* 3 * 0.1 = 0.3 is false in IEEE doubles */
    int tenth = th_add(&h, tx_cmp(a, PC_EQ, F, tx_arith(a, PA_MUL, F, tx_float_of(a, tx_int(a, 3)), tx_flt(a, 0.1)),
                                  tx_flt(a, 0.3)));
    int c10 = th_add(&h, tx_arith(a, PA_DIV, F, tx_float_of(a, tx_int(a, 1)), tx_float_of(a, tx_int(a, 0))));
    int tof = th_add(&h, tx_float_of(a, i0));
    th_build(&h);

    rt_slot req[4] = {sl_int(1), sl_int(0), sl_flt(1e308), sl_flt(10.0)};
    th_run(&h, req, 0);
    assert_slot_null(h.out[div]); /* 1 / 0 */
    assert_flt_slot(h.out[fdiv], 1e307);
    assert_flt_slot(h.out[fadd], 1e308 + 10.0);
    assert_flt_slot(h.out[fsub], 1e308 - 10.0);
    assert_slot_null(h.out[fmul]); /* infinite */
    assert_flt_slot(h.out[fneg], -1e308);
    assert_bool_slot(h.out[tenth], false);
    assert_slot_null(h.out[c10]);
    assert_flt_slot(h.out[tof], 1.0);

    req[0] = sl_int(7);
    req[1] = sl_int(-2);
    req[2] = sl_flt(0.1);
    req[3] = sl_flt(-0.0);
    th_run(&h, req, 0);
    assert_flt_slot(h.out[div], -3.5);
    assert_slot_null(h.out[fdiv]); /* divisor -0.0 */
    assert_flt_slot(h.out[fadd], 0.1);
    assert_flt_slot(h.out[fmul], -0.0);
    assert_flt_slot(h.out[fneg], -0.1);

    req[0] = sl_int(((int64_t)1 << 53) + 1); /* rounds to even */
    req[2] = sl_flt(0.1);
    req[3] = sl_flt(0.2);
    th_run(&h, req, 0);
    assert_flt_slot(h.out[tof], 9007199254740992.0);
    assert_flt_slot(h.out[fadd], 0.30000000000000004);
    assert_flt_slot(h.out[fsub], -0.1);

    req[2] = sl_null();
    th_run(&h, req, 0);
    assert_slot_null(h.out[fadd]);
    assert_slot_null(h.out[fneg]);
    assert_slot_null(h.out[fdiv]);
    th_free(&h);
}

/* Kleene logic: 0 false, 1 true, 2 null. */
static int k_and(int x, int y) { return (x == 0 || y == 0) ? 0 : (x == 2 || y == 2) ? 2 : 1; }
static int k_or(int x, int y) { return (x == 1 || y == 1) ? 1 : (x == 2 || y == 2) ? 2 : 0; }

static rt_slot k_slot(int x) { return x == 2 ? sl_null() : sl_bool(x); }

static void assert_k(rt_slot s, int want)
{
    if (want == 2)
        assert_slot_null(s);
    else
        assert_bool_slot(s, want);
}

static void test_three_valued_logic(void **state)
{
    (void)state;
    th h;
    ftype types[] = {BO, BO};
    th_init(&h, 2, types);
    arena *a = &h.a;
    plan_expr *x = tx_leaf(a, PX_REQUEST, BO, 0), *y = tx_leaf(a, PX_REQUEST, BO, 1);
    int and_ = th_add(&h, tx_op(a, PX_AND, BO, 2, x, y));
    int or_ = th_add(&h, tx_op(a, PX_OR, BO, 2, x, y));
    int not_ = th_add(&h, tx_op(a, PX_NOT, BO, 1, x));
    int null_and_false = th_add(&h, tx_op(a, PX_AND, BO, 2, tx_null(a, BO), tx_bool(a, false)));
    int null_or_true = th_add(&h, tx_op(a, PX_OR, BO, 2, tx_null(a, BO), tx_bool(a, true)));
    int untyped = th_add(&h, tx_op(a, PX_OR, BO, 2, tx_null(a, FT_NULL), tx_bool(a, false)));
    th_build(&h);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            rt_slot req[2] = {k_slot(i), k_slot(j)};
            th_run(&h, req, 0);
            assert_k(h.out[and_], k_and(i, j));
            assert_k(h.out[or_], k_or(i, j));
            assert_k(h.out[not_], i == 2 ? 2 : !i);
            assert_bool_slot(h.out[null_and_false], false);
            assert_bool_slot(h.out[null_or_true], true);
            assert_slot_null(h.out[untyped]);
        }
    th_free(&h);
}

static void test_compare(void **state)
{
    (void)state;
    th h;
    ftype types[] = {S, S, I, I, BO, BO, TS, TS};
    th_init(&h, 8, types);
    arena *a = &h.a;
    int s[6], n[6], b[6], t[6];
    for (plan_cmp c = PC_EQ; c <= PC_GE; c++) {
        s[c] = th_add(&h, tx_cmp(a, c, S, tx_leaf(a, PX_REQUEST, S, 0), tx_leaf(a, PX_REQUEST, S, 1)));
        n[c] = th_add(&h, tx_cmp(a, c, I, tx_leaf(a, PX_REQUEST, I, 2), tx_leaf(a, PX_REQUEST, I, 3)));
        b[c] = th_add(&h, tx_cmp(a, c, BO, tx_leaf(a, PX_REQUEST, BO, 4), tx_leaf(a, PX_REQUEST, BO, 5)));
        t[c] = th_add(&h, tx_cmp(a, c, TS, tx_leaf(a, PX_REQUEST, TS, 6), tx_leaf(a, PX_REQUEST, TS, 7)));
    }
    int aB = th_add(&h, tx_cmp(a, PC_LT, S, tx_str(a, "a"), tx_str(a, "B")));
    th_build(&h);

    /* [EQ, NE, LT, LE, GT, GE] of (x, y) with x < y, x == y, x > y */
    static const bool lt[6] = {false, true, true, true, false, false};
    static const bool eq[6] = {true, false, false, true, false, true};
    static const bool gt[6] = {false, true, false, false, true, true};
    struct {
        rt_slot req[8];
        const bool *want;
    } rows[] = {
        {{sl_str("B"), sl_str("a"), sl_int(-5), sl_int(3), sl_bool(false), sl_bool(true), sl_int(-1), sl_int(0)}, lt},
        {{sl_str("ab"), sl_str("abc"), sl_int(INT64_MIN), sl_int(INT64_MAX), sl_bool(false), sl_bool(true),
          sl_int(INT64_MIN), sl_int(1)},
         lt},
        {{sl_str("abc"), sl_str("abc"), sl_int(3), sl_int(3), sl_bool(true), sl_bool(true), sl_int(9), sl_int(9)}, eq},
        {{sl_str(""), sl_str(""), sl_int(0), sl_int(0), sl_bool(false), sl_bool(false), sl_int(0), sl_int(0)}, eq},
        /* byte-wise: 0xc3 (start of a UTF-8 letter) sorts after 'z' */
        {{sl_str("\xc3\xa9"), sl_str("z"), sl_int(3), sl_int(-3), sl_bool(true), sl_bool(false), sl_int(1), sl_int(-1)},
         gt},
        {{sl_str("a"), sl_str("B"), sl_int(1), sl_int(0), sl_bool(true), sl_bool(false), sl_int(2), sl_int(1)}, gt},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        th_run(&h, rows[r].req, 0);
        for (int c = 0; c < 6; c++) {
            assert_bool_slot(h.out[s[c]], rows[r].want[c]);
            assert_bool_slot(h.out[n[c]], rows[r].want[c]);
            assert_bool_slot(h.out[b[c]], rows[r].want[c]);
            assert_bool_slot(h.out[t[c]], rows[r].want[c]);
        }
        assert_bool_slot(h.out[aB], false);
    }
    rt_slot nulls[8] = {sl_null(), sl_str("x"), sl_int(1), sl_null(), sl_null(), sl_null(), sl_int(1), sl_null()};
    nulls[0].v.s = NULL; /* a null string's bytes are never read */
    th_run(&h, nulls, 0);
    for (int c = 0; c < 6; c++) {
        assert_slot_null(h.out[s[c]]);
        assert_slot_null(h.out[n[c]]);
        assert_slot_null(h.out[b[c]]);
        assert_slot_null(h.out[t[c]]);
    }
    th_free(&h);
}

static void test_float_compare(void **state)
{
    (void)state;
    th h;
    ftype types[] = {F, F};
    th_init(&h, 2, types);
    arena *a = &h.a;
    int c[6];
    for (plan_cmp k = PC_EQ; k <= PC_GE; k++)
        c[k] = th_add(&h, tx_cmp(a, k, F, tx_leaf(a, PX_REQUEST, F, 0), tx_leaf(a, PX_REQUEST, F, 1)));
    th_build(&h);
    rt_slot req[2] = {sl_flt(-0.0), sl_flt(0.0)};
    th_run(&h, req, 0);
    static const bool eq[6] = {true, false, false, true, false, true};
    for (int k = 0; k < 6; k++)
        assert_bool_slot(h.out[c[k]], eq[k]);
    req[0] = sl_flt(0.1 + 0.2);
    req[1] = sl_flt(0.3);
    th_run(&h, req, 0);
    static const bool gt[6] = {false, true, false, false, true, true};
    for (int k = 0; k < 6; k++)
        assert_bool_slot(h.out[c[k]], gt[k]);
    th_free(&h);
}

static void test_is_null_and_in(void **state)
{
    (void)state;
    th h;
    ftype types[] = {I, I, S};
    th_init(&h, 3, types);
    arena *a = &h.a;
    plan_expr *x = tx_leaf(a, PX_REQUEST, I, 0), *y = tx_leaf(a, PX_REQUEST, I, 1);
    plan_expr *isn = tx_op(a, PX_IS_NULL, BO, 1, x);
    plan_expr *isnn = tx_op(a, PX_IS_NULL, BO, 1, x);
    isnn->negated = true;
    int is_null = th_add(&h, isn), is_not_null = th_add(&h, isnn);
    int in_2null = th_add(&h, tx_in(a, false, I, 3, x, tx_int(a, 2), tx_null(a, I)));
    int in_xy = th_add(&h, tx_in(a, false, I, 3, x, tx_int(a, 2), y));
    int notin_2null = th_add(&h, tx_in(a, true, I, 3, x, tx_int(a, 2), tx_null(a, FT_NULL)));
    int notin_xy = th_add(&h, tx_in(a, true, I, 3, x, tx_int(a, 2), y));
    int in_str = th_add(&h, tx_in(a, false, S, 3, tx_leaf(a, PX_REQUEST, S, 2), tx_str(a, "a"), tx_str(a, "bc")));
    int c1 = th_add(&h, tx_in(a, false, I, 3, tx_int(a, 1), tx_int(a, 2), tx_null(a, I))); /* 1 in (2, null) */
    th_build(&h);

    rt_slot req[3] = {sl_int(1), sl_int(3), sl_str("bc")};
    th_run(&h, req, 0);
    assert_bool_slot(h.out[is_null], false);
    assert_bool_slot(h.out[is_not_null], true);
    assert_slot_null(h.out[in_2null]); /* 1 in (2, null) */
    assert_bool_slot(h.out[in_xy], false);
    assert_slot_null(h.out[notin_2null]);
    assert_bool_slot(h.out[notin_xy], true);
    assert_bool_slot(h.out[in_str], true);
    assert_slot_null(h.out[c1]);

    req[0] = sl_int(2);
    req[2] = sl_str("b");
    th_run(&h, req, 0);
    assert_bool_slot(h.out[in_2null], true); /* a match wins over the null item */
    assert_bool_slot(h.out[notin_2null], false);
    assert_bool_slot(h.out[in_xy], true);
    assert_bool_slot(h.out[in_str], false);

    req[0] = sl_int(3);
    req[1] = sl_null();
    th_run(&h, req, 0);
    assert_slot_null(h.out[in_xy]);
    assert_slot_null(h.out[notin_xy]);

    req[0] = sl_null();
    req[1] = sl_int(5);
    req[2] = sl_null();
    th_run(&h, req, 0);
    assert_bool_slot(h.out[is_null], true);
    assert_bool_slot(h.out[is_not_null], false);
    assert_slot_null(h.out[in_xy]);
    assert_slot_null(h.out[notin_xy]);
    assert_slot_null(h.out[in_str]);
    th_free(&h);
}

static void test_case(void **state)
{
    (void)state;
    th h;
    ftype types[] = {BO, BO, S};
    th_init(&h, 3, types);
    arena *a = &h.a;
    plan_expr *c0 = tx_leaf(a, PX_REQUEST, BO, 0), *c1 = tx_leaf(a, PX_REQUEST, BO, 1);
    plan_expr *s = tx_leaf(a, PX_REQUEST, S, 2);
    int no_else = th_add(&h, tx_case(a, I, false, 2, c0, tx_int(a, 10)));
    int two = th_add(&h, tx_case(a, S, true, 5, c0, tx_str(a, "first"), c1, s, tx_str(a, "else")));
    int nested = th_add(&h, tx_case(a, I, true, 3, c0, tx_case(a, I, true, 3, c1, tx_int(a, 1), tx_int(a, 2)),
                                    tx_null(a, FT_NULL)));
    th_build(&h);
    struct {
        int c0, c1; /* 0 false, 1 true, 2 null */
        const char *s;
        int64_t no_else; /* -1: null */
        const char *two;
        int64_t nested;
    } rows[] = {
        {1, 0, "zz", 10, "first", 2}, {0, 1, "zz", -1, "zz", -1},   {2, 1, "yy", -1, "yy", -1},
        {2, 2, "yy", -1, "else", -1}, {1, 2, "", 10, "first", 2},   {0, 0, NULL, -1, "else", -1},
        {0, 1, NULL, -1, NULL, -1},   {1, 1, NULL, 10, "first", 1},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        rt_slot req[3] = {k_slot(rows[r].c0), k_slot(rows[r].c1), rows[r].s ? sl_str(rows[r].s) : sl_null()};
        th_run(&h, req, 0);
        if (rows[r].no_else < 0)
            assert_slot_null(h.out[no_else]);
        else
            assert_int_slot(h.out[no_else], rows[r].no_else);
        if (rows[r].two)
            assert_str_slot(h.out[two], rows[r].two);
        else
            assert_slot_null(h.out[two]);
        if (rows[r].nested < 0)
            assert_slot_null(h.out[nested]);
        else
            assert_int_slot(h.out[nested], rows[r].nested);
    }
    th_free(&h);
}

static void test_timestamps_and_constants(void **state)
{
    (void)state;
    th h;
    ftype types[] = {TS, I};
    th_init(&h, 2, types);
    arena *a = &h.a;
    plan_expr *t = tx_leaf(a, PX_REQUEST, TS, 0), *d = tx_leaf(a, PX_REQUEST, I, 1);
    int add = th_add(&h, tx_op(a, PX_TS_ADD, TS, 2, t, d));
    int sub = th_add(&h, tx_op(a, PX_TS_SUB, TS, 2, t, d));
    int add10s = th_add(&h, tx_op(a, PX_TS_ADD, TS, 2, t, tx_dur(a, 10 * 1000000)));
    int now = th_add(&h, tx_node(a, PX_NOW, TS));
    int since = th_add(&h, tx_cmp(a, PC_GE, TS, tx_node(a, PX_NOW, TS), tx_op(a, PX_TS_SUB, TS, 2, t, tx_dur(a, 1))));
    int ts = th_add(&h, tx_ts(a, -1));
    int s = th_add(&h, tx_str(a, "it's"));
    int empty = th_add(&h, tx_str(a, ""));
    int f = th_add(&h, tx_flt(a, -2.5e-300));
    int b = th_add(&h, tx_bool(a, true));
    int n = th_add(&h, tx_null(a, S));
    th_build(&h);
    rt_slot req[2] = {sl_int(INT64_MAX), sl_int(1)};
    th_run(&h, req, 42);
    assert_slot_null(h.out[add]);
    assert_int_slot(h.out[sub], INT64_MAX - 1);
    assert_slot_null(h.out[add10s]);
    assert_int_slot(h.out[now], 42);
    assert_bool_slot(h.out[since], false);
    assert_int_slot(h.out[ts], -1);
    assert_str_slot(h.out[s], "it's");
    assert_str_slot(h.out[empty], "");
    assert_flt_slot(h.out[f], -2.5e-300);
    assert_bool_slot(h.out[b], true);
    assert_slot_null(h.out[n]);
    assert_int_equal(h.out[n].len, 0);

    req[0] = sl_int(INT64_MIN);
    req[1] = sl_int(1);
    th_run(&h, req, INT64_MIN);
    assert_int_slot(h.out[add], INT64_MIN + 1);
    assert_slot_null(h.out[sub]);
    assert_int_slot(h.out[add10s], INT64_MIN + 10000000);
    assert_slot_null(h.out[since]); /* INT64_MIN - 1us overflows */
    th_free(&h);
}

/* Untyped nulls the type checker would normally type; the back end still gives null. */
static void test_untyped_nulls(void **state)
{
    (void)state;
    th h;
    th_init(&h, 0, NULL);
    arena *a = &h.a;
    int cmp = th_add(&h, tx_cmp(a, PC_EQ, FT_NULL, tx_null(a, FT_NULL), tx_null(a, FT_NULL)));
    int add = th_add(&h, tx_arith(a, PA_ADD, FT_NULL, tx_null(a, FT_NULL), tx_null(a, FT_NULL)));
    int in = th_add(&h, tx_in(a, false, FT_NULL, 2, tx_null(a, FT_NULL), tx_null(a, FT_NULL)));
    int cs = th_add(&h, tx_case(a, FT_NULL, true, 3, tx_bool(a, true), tx_null(a, FT_NULL), tx_null(a, FT_NULL)));
    int co = th_add(&h, tx_call(a, PF_COALESCE, FT_NULL, 1, tx_null(a, FT_NULL)));
    int neg = th_add(&h, tx_op(a, PX_NEG, I, 1, tx_null(a, FT_NULL)));
    int isn = th_add(&h, tx_op(a, PX_IS_NULL, BO, 1, tx_null(a, FT_NULL)));
    th_build(&h);
    th_run(&h, NULL, 0);
    assert_slot_null(h.out[cmp]);
    assert_slot_null(h.out[add]);
    assert_slot_null(h.out[in]);
    assert_slot_null(h.out[cs]);
    assert_slot_null(h.out[co]);
    assert_slot_null(h.out[neg]);
    assert_bool_slot(h.out[isn], true);
    th_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int_overflow),     cmocka_unit_test(test_int_mod),
        cmocka_unit_test(test_float_arith),      cmocka_unit_test(test_three_valued_logic),
        cmocka_unit_test(test_compare),          cmocka_unit_test(test_float_compare),
        cmocka_unit_test(test_is_null_and_in),   cmocka_unit_test(test_case),
        cmocka_unit_test(test_timestamps_and_constants), cmocka_unit_test(test_untyped_nulls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
