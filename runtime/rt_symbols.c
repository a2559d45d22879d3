/* rt_symbols.c - the table of runtime functions that generated code may call. */
#include "rt_symbols.h"

#include "rt_fn.h"
#include "rt_scratch.h"

#include <string.h>

/* Each function converted to the generic function pointer type (allowed by C; converted
 * back to its own type before any call, by the JIT-compiled caller). */
#define SYM(f) {#f, (rt_symbol_fn)f, false}
/* The same for a function that takes memory from its scratch argument. */
#define SYM_ALLOC(f) {#f, (rt_symbol_fn)f, true}

static const rt_symbol table[] = {
    SYM(rt_op_add_int),
    SYM(rt_op_sub_int),
    SYM(rt_op_mul_int),
    SYM(rt_op_neg_int),
    SYM(rt_op_mod_int),
    SYM(rt_op_add_float),
    SYM(rt_op_sub_float),
    SYM(rt_op_mul_float),
    SYM(rt_op_div_float),
    SYM(rt_op_neg_float),
    SYM(rt_op_ts_add),
    SYM(rt_op_ts_sub),
    SYM_ALLOC(rt_op_concat),
    SYM(rt_op_compare_string),
    SYM(rt_fn_coalesce),
    SYM(rt_fn_least_int),
    SYM(rt_fn_least_float),
    SYM(rt_fn_least_string),
    SYM(rt_fn_least_timestamp),
    SYM(rt_fn_least_bool),
    SYM(rt_fn_greatest_int),
    SYM(rt_fn_greatest_float),
    SYM(rt_fn_greatest_string),
    SYM(rt_fn_greatest_timestamp),
    SYM(rt_fn_greatest_bool),
    SYM(rt_fn_abs_int),
    SYM(rt_fn_abs_float),
    SYM(rt_fn_floor_float),
    SYM(rt_fn_ceil_float),
    SYM(rt_fn_round_float),
    SYM(rt_fn_sqrt),
    SYM(rt_fn_ln),
    SYM(rt_fn_exp),
    SYM(rt_fn_pow),
    SYM_ALLOC(rt_fn_lower),
    SYM_ALLOC(rt_fn_upper),
    SYM(rt_fn_length),
    SYM(rt_fn_substr),
    SYM(rt_fn_starts_with),
    SYM(rt_fn_contains),
    SYM(rt_fn_to_float_int),
    SYM_ALLOC(rt_fn_to_float_string),
    SYM(rt_fn_to_int_float),
    SYM(rt_fn_to_int_bool),
    SYM(rt_fn_to_int_string),
    SYM_ALLOC(rt_fn_to_string_int),
    SYM_ALLOC(rt_fn_to_string_bool),
    SYM_ALLOC(rt_fn_to_string_string),
    SYM_ALLOC(rt_fn_to_string_timestamp),
    SYM(rt_fn_seconds_between),
    SYM(rt_fn_hour_of_day),
    SYM(rt_fn_day_of_week),
    SYM_ALLOC(rt_fn_geohash),
    SYM(rt_fn_haversine_km),
    SYM(rt_scratch_free),
};

bool rt_symbol_allocates(const char *name)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].name, name) == 0)
            return table[i].allocates;
    return false;
}

const rt_symbol *rt_symbols(size_t *count)
{
    *count = sizeof table / sizeof table[0];
    return table;
}
