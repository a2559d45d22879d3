/* fuzz_schema.c - the event schema the reader targets decode against: every field type, with and without not null. */
#include "fuzz_schema.h"

enum { F_TS, F_ID, F_CARD, F_AMOUNT, F_OK, F_N, F_S, F_T2, F_MERCHANT, F_LONG, F_ODD, F_FLAG, NFIELDS };

static const rt_field fields[NFIELDS] = {
    [F_TS] = {"ts", RT_TIMESTAMP, true},
    [F_ID] = {"id", RT_INT, true},
    [F_CARD] = {"card_id", RT_STRING, true},
    [F_AMOUNT] = {"amount", RT_FLOAT, false},
    [F_OK] = {"ok", RT_BOOL, false},
    [F_N] = {"n", RT_INT, false},
    [F_S] = {"s", RT_STRING, false},
    [F_T2] = {"t2", RT_TIMESTAMP, false},
    [F_MERCHANT] = {"merchant_id", RT_STRING, false},
    [F_LONG] = {"a_rather_long_field_name", RT_FLOAT, false},
    [F_ODD] = {"w\xc3\xa9\"ird\\", RT_STRING, false},
    [F_FLAG] = {"flag", RT_BOOL, true},
};

/* amount >= 0 (a null amount passes); n != 13 (a null n passes). */
static int expect_rules(void *ctx, const rt_slot *r)
{
    (void)ctx;
    if (!r[F_AMOUNT].null && !(r[F_AMOUNT].v.f >= 0))
        return 0;
    if (!r[F_N].null && r[F_N].v.i == 13)
        return 1;
    return -1;
}

static const char *const expect_texts[] = {"amount\n    >= 0", NULL};

static const rt_schema schema = {
    .name = "fz",
    .nfields = NFIELDS,
    .fields = fields,
    .time_field = F_TS,
    .expect = expect_rules,
    .nexpects = 2,
    .expect_texts = expect_texts,
};

const rt_schema *fuzz_event_schema(void)
{
    return &schema;
}
